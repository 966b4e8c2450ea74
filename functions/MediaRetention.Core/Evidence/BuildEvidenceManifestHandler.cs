using System.Globalization;
using System.Text.Json.Nodes;
using MediaRetention.Core.Audit;
using MediaRetention.Core.Evidence.Signing;
using MediaRetention.Core.Holds;
using Microsoft.Extensions.Options;

namespace MediaRetention.Core.Evidence;

public sealed record BuildEvidenceManifestCommand(Hold Hold, string Actor, TimeSpan? LinkLifetime);

/// <summary>The signed and sealed document, its seal and how many media it lists.</summary>
public sealed record EvidenceManifest(JsonObject Document, string DocumentSha256, int ItemCount, DateTimeOffset LinksExpireAt)
{
    /// <summary>The id of the key that signed it (see <see cref="ManifestSignature"/>).</summary>
    public string? SignatureKeyId { get; init; }
}

/// <summary>
/// Builds the manifest a liaison takes away: every medium the hold covers, each with its ingest SHA-256 and a
/// read-only link, signed with the issuer's key (<see cref="ManifestSignature"/>: who issued it, provable with
/// the public key alone) and then sealed with <see cref="CanonicalJson.Seal"/>. The seal and the signing key id
/// are audited, so a manifest shown later can be matched to this issuance.
/// </summary>
/// <remarks>
/// The whole document is held in memory because the seal covers all of it; at a few hundred bytes per item a
/// hold of 100,000 media is some tens of MB. Holds that large should be handed over page by page.
/// </remarks>
public sealed class BuildEvidenceManifestHandler(
    HoldCoverage coverage,
    IEvidenceLinkIssuer links,
    IAuditLog audit,
    IOptions<EvidenceOptions> options,
    TimeProvider time,
    IManifestSigner? signer = null)
{
    // Hosts always inject the configured signer; a handler built by hand (tests, tools) still signs, with a
    // throwaway key, so no code path issues an unsigned manifest.
    private readonly IManifestSigner signer = signer ?? new EcdsaManifestSigner(new EphemeralSigningKeyStore());

    /// <exception cref="ArgumentOutOfRangeException">The requested link lifetime is outside 1 minute to 7 days less an hour.</exception>
    public async Task<EvidenceManifest> HandleAsync(BuildEvidenceManifestCommand command, CancellationToken cancellationToken)
    {
        var lifetime = EvidenceLinkLifetime.Resolve(command.LinkLifetime, options.Value);
        var now = time.GetUtcNow();
        var expiresAt = EvidenceLinkLifetime.ExpiryFrom(now, lifetime);

        var items = new List<EvidenceItem>();
        await foreach (var media in coverage.FindCoveredAsync(command.Hold.Scope, cancellationToken))
        {
            var link = await links.IssueReadLinkAsync(media.Container, media.BlobName, expiresAt, cancellationToken);
            items.Add(EvidenceItem.For(media, link));
        }

        // Sign first, then seal: documentSha256 keeps meaning "everything but itself", signature included.
        var document = EvidenceDocument.Body(command.Hold, now, command.Actor, items);
        var keyId = await signer.SignAsync(document, cancellationToken);
        CanonicalJson.Seal(document);
        var seal = document[CanonicalJson.DocumentHashProperty]!.GetValue<string>();

        var details = EvidenceAuditDetails.For(command.Hold);
        details["items"] = items.Count.ToString(CultureInfo.InvariantCulture);
        details["expiresAt"] = EvidenceDocument.Time(expiresAt);
        details[CanonicalJson.DocumentHashProperty] = seal;
        details["signatureKeyId"] = keyId;
        await audit.AppendAsync(
            new AuditEvent(command.Actor, AuditActions.EvidenceManifestIssued, "hold/" + command.Hold.Id, details), cancellationToken);

        return new EvidenceManifest(document, seal, items.Count, expiresAt) { SignatureKeyId = keyId };
    }
}
