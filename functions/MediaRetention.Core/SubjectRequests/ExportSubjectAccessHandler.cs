using System.Text.Json.Nodes;
using MediaRetention.Core.Audit;
using MediaRetention.Core.Evidence;
using MediaRetention.Core.Evidence.Signing;
using MediaRetention.Core.Holds;
using MediaRetention.Core.Telemetry;
using Microsoft.Extensions.Options;

namespace MediaRetention.Core.SubjectRequests;

/// <param name="MediaIds">What the officer chose to disclose: each must match the request now.</param>
/// <param name="Reason">Why these (and not the others): CCTV shows other people too, so the choice is recorded.</param>
public sealed record ExportSubjectAccessCommand(
    SubjectRequest Request,
    IReadOnlyList<string> MediaIds,
    string Reason,
    string Actor,
    TimeSpan? LinkLifetime);

public enum ExportOutcome
{
    Issued,

    /// <summary>The request is not an open access request.</summary>
    NotAnOpenAccessRequest,

    /// <summary>A chosen medium does not match the request (any longer): see <see cref="SubjectAccessExport.NotMatching"/>.</summary>
    MediaNotMatching,

    /// <summary>The identifiers match more than <see cref="SubjectRequestOptions.MaxMatches"/> media.</summary>
    TooManyMatches,
}

/// <summary>The signed, sealed manifest of an access export, or why none was issued.</summary>
public sealed record SubjectAccessExport(ExportOutcome Outcome, JsonObject? Document = null, SubjectDisclosure? Disclosure = null)
{
    /// <summary>The first chosen id that does not match, with its position in the list.</summary>
    public (int Index, string MediaId)? NotMatching { get; init; }
}

/// <summary>
/// An access export, made like evidence so that the same tools check it: the chosen media with their ingest SHA-256
/// and read-only links (<see cref="IEvidenceLinkIssuer"/>), plus the plain-language summary of everything kept about
/// the subject (case numbers withheld), signed with the evidence signing key and then sealed (documentSha256), so
/// scripts/fetch-evidence.mjs and the console's "verify" check it unchanged. Which media, why, by whom, and the
/// seal are recorded (an export row and a <c>subject-request.disclosed</c> audit entry) before the links leave.
/// </summary>
public sealed class ExportSubjectAccessHandler(
    ISubjectRequestStore store,
    SubjectMediaMatcher matcher,
    IHoldStore holds,
    SubjectSummaryWriter summaries,
    IEvidenceLinkIssuer links,
    IAuditLog audit,
    IOptions<EvidenceOptions> options,
    TimeProvider time,
    MediaRetentionTelemetry telemetry,
    IManifestSigner? signer = null)
{
    /// <summary>At most this many media per export (about 35 characters each in the export row's JSON).</summary>
    public const int MaxMedia = 500;

    // As for evidence: a handler built by hand still signs, with a throwaway key; no path issues an unsigned manifest.
    private readonly IManifestSigner signer = signer ?? new EcdsaManifestSigner(new EphemeralSigningKeyStore());

    /// <exception cref="ArgumentOutOfRangeException">The link lifetime is outside 1 minute to 7 days less an hour.</exception>
    /// <exception cref="SigningKeyUnavailableException">No key can sign; nothing was issued or recorded.</exception>
    public async Task<SubjectAccessExport> HandleAsync(ExportSubjectAccessCommand command, CancellationToken cancellationToken)
    {
        using var activity = telemetry.StartActivity("subject-request.export");
        var request = command.Request;
        activity?.SetTag("subject-request.id", request.Id);
        if (request.Type != SubjectRequestTypes.Access || !request.IsOpen)
        {
            return new SubjectAccessExport(ExportOutcome.NotAnOpenAccessRequest);
        }

        var lifetime = EvidenceLinkLifetime.Resolve(command.LinkLifetime, options.Value);
        var matches = await matcher.FindAsync(request.Identifiers, cancellationToken);
        if (matches.TooMany)
        {
            return new SubjectAccessExport(ExportOutcome.TooManyMatches);
        }

        var byId = matches.Items.ToDictionary(m => m.Id, StringComparer.Ordinal);
        for (var i = 0; i < command.MediaIds.Count; i++)
        {
            if (!byId.ContainsKey(command.MediaIds[i]))
            {
                return new SubjectAccessExport(ExportOutcome.MediaNotMatching) { NotMatching = (i, command.MediaIds[i]) };
            }
        }

        var now = time.GetUtcNow();
        var expiresAt = EvidenceLinkLifetime.ExpiryFrom(now, lifetime);
        var chosen = command.MediaIds.Distinct(StringComparer.Ordinal).Select(id => byId[id]).OrderBy(m => m.RetentionFrom).ToList();
        var items = new List<EvidenceItem>(chosen.Count);
        foreach (var media in chosen)
        {
            items.Add(EvidenceItem.For(media, await links.IssueReadLinkAsync(media.Container, media.BlobName, expiresAt, cancellationToken)));
        }

        var summary = summaries.DescribeKept(matches.Items, await holds.LoadActiveAsync(cancellationToken));
        var document = SubjectAccessDocument.Body(request, summary, now, command.Actor, items);
        var keyId = await signer.SignAsync(document, cancellationToken);
        CanonicalJson.Seal(document);
        var seal = document[CanonicalJson.DocumentHashProperty]!.GetValue<string>();

        var disclosure = new SubjectDisclosure(Guid.CreateVersion7(now).ToString("N"), command.Actor, now, command.Reason,
            chosen.Select(m => m.Id).ToList(), seal, keyId, expiresAt);
        await store.AddDisclosureAsync(request.Id, disclosure, cancellationToken);
        var details = SubjectRequestAudit.For(request);
        details["exportId"] = disclosure.Id;
        details["items"] = SubjectRequestAudit.Number(items.Count);
        details["matched"] = SubjectRequestAudit.Number(matches.Items.Count);
        details["mediaIds"] = SubjectRequestAudit.Bounded(disclosure.MediaIds);
        details["reason"] = command.Reason;
        details["expiresAt"] = EvidenceDocument.Time(expiresAt);
        details[CanonicalJson.DocumentHashProperty] = seal;
        details["signatureKeyId"] = keyId;
        await audit.AppendAsync(new AuditEvent(command.Actor, AuditActions.SubjectRequestDisclosed, SubjectRequestAudit.Target(request.Id), details),
            cancellationToken);

        activity?.SetTag("subject-request.items", items.Count);
        return new SubjectAccessExport(ExportOutcome.Issued, document, disclosure);
    }
}

/// <summary>
/// The JSON of an access export. The same envelope and item shape as an evidence manifest (<see cref="EvidenceDocument"/>:
/// <c>items</c>, <c>generatedAt</c>, <c>generatedBy</c>, then <c>signature</c> and <c>documentSha256</c>), so
/// scripts/fetch-evidence.mjs verifies it as it is; <c>subjectRequest</c> and <c>summary</c> take the hold's place.
/// Only strings, integers, booleans and nulls, for <see cref="CanonicalJson"/>.
/// </summary>
public static class SubjectAccessDocument
{
    public static JsonObject Body(SubjectRequest request, SubjectSummary summary, DateTimeOffset generatedAt, string generatedBy, IEnumerable<EvidenceItem> items) => new()
    {
        ["subjectRequest"] = new JsonObject
        {
            ["id"] = request.Id,
            ["type"] = request.Type,
            ["reference"] = request.Reference,
            ["receivedAt"] = EvidenceDocument.Time(request.ReceivedAt),
            ["dueAt"] = EvidenceDocument.Time(request.DueAt),
        },
        ["summary"] = Summary(summary),
        ["generatedAt"] = EvidenceDocument.Time(generatedAt),
        ["generatedBy"] = generatedBy,
        ["items"] = new JsonArray(items.Select(i => (JsonNode?)EvidenceDocument.Item(i)).ToArray()),
    };

    public static JsonObject Summary(SubjectSummary summary) => new()
    {
        ["lines"] = new JsonArray(summary.Lines.Select(l => (JsonNode?)l).ToArray()),
        ["records"] = new JsonArray(summary.Records.Select(r => (JsonNode?)new JsonObject
        {
            ["kind"] = r.Kind,
            ["recordedAt"] = r.RecordedAt is { } at ? EvidenceDocument.Time(at) : null,
            ["where"] = r.Where,
            ["direction"] = r.Direction,
            ["caller"] = r.Caller,
            ["callee"] = r.Callee,
            ["scheduledDeletion"] = EvidenceDocument.Time(r.ScheduledDeletion),
            ["keptForLegalObligation"] = r.KeptForLegalObligation,
        }).ToArray()),
    };

    /// <summary>The export's file name; a reference may contain '/', which no file name can.</summary>
    public static string FileName(SubjectRequest request, SubjectDisclosure disclosure) =>
        $"subject-access-{request.Reference.Replace('/', '_')}-{disclosure.Id}.json";
}
