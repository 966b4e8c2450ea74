using System.Globalization;
using MediaRetention.Core.Audit;
using MediaRetention.Core.Evidence.Signing;
using MediaRetention.Core.Holds;
using MediaRetention.Core.Telemetry;
using Microsoft.Extensions.Options;

namespace MediaRetention.Core.Evidence;

public sealed record BuildEvidenceManifestCommand(Hold Hold, string Actor, TimeSpan? LinkLifetime);

/// <summary>
/// A manifest about to be written: its time, link expiry and the key that will sign it are fixed, so whatever can
/// refuse it (a bad lifetime, no signing key) has refused before a byte is sent.
/// </summary>
public sealed class PreparedEvidenceManifest
{
    internal PreparedEvidenceManifest(BuildEvidenceManifestCommand command, DateTimeOffset generatedAt, DateTimeOffset linksExpireAt, ManifestDigestSigner signer)
    {
        Command = command;
        GeneratedAt = generatedAt;
        LinksExpireAt = linksExpireAt;
        Signer = signer;
    }

    public BuildEvidenceManifestCommand Command { get; }

    public DateTimeOffset GeneratedAt { get; }

    public DateTimeOffset LinksExpireAt { get; }

    internal ManifestDigestSigner Signer { get; }

    /// <summary>The file name the manifest is offered as.</summary>
    public string FileName => EvidenceDocument.FileName(Command.Hold);
}

/// <summary>What was written: the seal, who signed, how many media in how many pages, until when the links work.</summary>
public sealed record EvidenceManifest(string DocumentSha256, string SignatureKeyId, int ItemCount, int Pages, long Bytes, DateTimeOffset LinksExpireAt);

/// <summary>
/// Writes the manifest a liaison takes away: every medium the hold covers, each with its ingest SHA-256 and a
/// read-only link, signed with the issuer's key (<see cref="ManifestSignature"/>: who issued it, provable with the
/// public key alone) and sealed (<see cref="CanonicalJson.DocumentHashProperty"/>), streamed page by page
/// (<see cref="StreamingManifestWriter"/>): memory is one page of media (<see cref="EvidenceOptions.ManifestPageSize"/>),
/// whatever the size of the hold.
/// </summary>
/// <remarks>
/// <para>Audit, so that no link leaves unaccounted for even when the stream breaks: each page's links are issued
/// and audited (<c>evidence.links</c>, <c>page</c> = <c>manifest</c>, with its number and count) before that page
/// is written; at the end the seal and signing key id are audited (<c>evidence.manifest</c>) before the signature
/// and seal are sent, so a complete manifest a recipient holds always has its seal in the log. A stream that breaks
/// midway leaves the pages it sent audited and no <c>evidence.manifest</c> entry: the recipient holds an unfinished
/// document that does not parse.</para>
/// <para>The bytes are the canonical JSON of the whole document (exactly what the whole-document form hashed), with
/// <c>documentSha256</c> moved to the end.</para>
/// </remarks>
public sealed class BuildEvidenceManifestHandler(
    HoldCoverage coverage,
    IEvidenceLinkIssuer links,
    IAuditLog audit,
    IOptions<EvidenceOptions> options,
    TimeProvider time,
    MediaRetentionTelemetry telemetry,
    IManifestSigner? signer = null)
{
    /// <summary>The <c>page</c> value of the <c>evidence.links</c> entries a manifest writes.</summary>
    public const string ManifestPage = "manifest";

    // Hosts always inject the configured signer; a handler built by hand (tests, tools) still signs, with a
    // throwaway key, so no code path issues an unsigned manifest.
    private readonly IManifestSigner signer = signer ?? new EcdsaManifestSigner(new EphemeralSigningKeyStore());

    /// <exception cref="ArgumentOutOfRangeException">The requested link lifetime is outside 1 minute to 7 days less an hour.</exception>
    /// <exception cref="SigningKeyUnavailableException">No key can sign; nothing is issued.</exception>
    public async Task<PreparedEvidenceManifest> PrepareAsync(BuildEvidenceManifestCommand command, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(command);
        var lifetime = EvidenceLinkLifetime.Resolve(command.LinkLifetime, options.Value);
        var digestSigner = await signer.PrepareAsync(cancellationToken);
        var now = time.GetUtcNow();
        return new PreparedEvidenceManifest(command, now, EvidenceLinkLifetime.ExpiryFrom(now, lifetime), digestSigner);
    }

    /// <summary>Writes the manifest to <paramref name="output"/>, flushing after every page.</summary>
    /// <remarks>An exception after the first byte leaves an unfinished document at the reader's end; the caller
    /// must end the response abnormally, never append to it.</remarks>
    public async Task<EvidenceManifest> WriteAsync(PreparedEvidenceManifest manifest, Stream output, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(manifest);
        ArgumentNullException.ThrowIfNull(output);
        var command = manifest.Command;
        using var activity = telemetry.StartActivity("evidence.manifest");
        activity?.SetTag(MediaRetentionTelemetry.Tags.HoldId, command.Hold.Id);
        using var writer = new StreamingManifestWriter(output);
        // Buffered until the first page is audited: a failure before then (storage down) is still an error response,
        // not a broken download.
        writer.Begin(EvidenceDocument.Head(command.Hold, manifest.GeneratedAt, command.Actor));

        var pages = 0;
        string? token = null;
        do
        {
            var page = await coverage.PageAsync(command.Hold.Scope, token, options.Value.ManifestPageSize, cancellationToken);
            token = page.ContinuationToken;
            if (page.Items.Count == 0)
            {
                continue; // Azure may answer an empty page with a token: nothing to link, nothing to audit
            }

            var items = new List<EvidenceItem>(page.Items.Count);
            foreach (var media in page.Items)
            {
                var link = await links.IssueReadLinkAsync(media.Container, media.BlobName, manifest.LinksExpireAt, cancellationToken);
                items.Add(EvidenceItem.For(media, link));
            }

            pages++;
            var pageDetails = EvidenceAuditDetails.For(command.Hold);
            pageDetails["links"] = items.Count.ToString(CultureInfo.InvariantCulture);
            pageDetails["expiresAt"] = EvidenceDocument.Time(manifest.LinksExpireAt);
            pageDetails["page"] = ManifestPage;
            pageDetails["pageNumber"] = pages.ToString(CultureInfo.InvariantCulture);
            await audit.AppendAsync(
                new AuditEvent(command.Actor, AuditActions.EvidenceLinksIssued, "hold/" + command.Hold.Id, pageDetails), cancellationToken);

            foreach (var item in items)
            {
                await writer.WriteItemAsync(EvidenceDocument.Item(item), cancellationToken);
            }

            await writer.FlushAsync(cancellationToken);
        }
        while (token is not null);

        // Sign first, then seal: documentSha256 keeps meaning "everything but itself", signature included.
        var signature = manifest.Signer.Sign(writer.CloseItems());
        var seal = writer.Seal(signature);

        var details = EvidenceAuditDetails.For(command.Hold);
        details["items"] = writer.ItemCount.ToString(CultureInfo.InvariantCulture);
        details["pages"] = pages.ToString(CultureInfo.InvariantCulture);
        details["expiresAt"] = EvidenceDocument.Time(manifest.LinksExpireAt);
        details[CanonicalJson.DocumentHashProperty] = seal;
        details["signatureKeyId"] = manifest.Signer.KeyId;
        await audit.AppendAsync(
            new AuditEvent(command.Actor, AuditActions.EvidenceManifestIssued, "hold/" + command.Hold.Id, details), cancellationToken);

        await writer.CompleteAsync(cancellationToken);
        activity?.SetTag("evidence.items", writer.ItemCount);
        return new EvidenceManifest(seal, manifest.Signer.KeyId, writer.ItemCount, pages, writer.BytesWritten, manifest.LinksExpireAt);
    }
}
