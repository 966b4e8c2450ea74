using MediaRetention.Api.Evidence;

namespace MediaRetention.Api.SubjectRequests;

// The shape of an access export for the OpenAPI document only; the export itself is built as JSON by Core's
// SubjectAccessDocument (the seal needs exact control of every value).

/// <summary>
/// A signed, sealed access export: the media disclosed (read-only links, ingest SHA-256) and the plain-language summary of
/// what is kept about the subject. The same envelope as an evidence manifest: scripts/fetch-evidence.mjs verifies it.
/// </summary>
public sealed record SubjectAccessManifestDocument(
    SubjectAccessRequestDocument SubjectRequest,
    SubjectAccessSummaryDocument Summary,
    string GeneratedAt,
    string GeneratedBy,
    IReadOnlyList<EvidenceItemDocument> Items,
    EvidenceSignatureDocument Signature,
    string DocumentSha256);

public sealed record SubjectAccessRequestDocument(string Id, string Type, string Reference, string ReceivedAt, string DueAt);

public sealed record SubjectAccessSummaryDocument(IReadOnlyList<string> Lines, IReadOnlyList<SubjectAccessRecordDocument> Records);

public sealed record SubjectAccessRecordDocument(
    string Kind,
    string? RecordedAt,
    string Where,
    string? Direction,
    string? Caller,
    string? Callee,
    string ScheduledDeletion,
    bool KeptForLegalObligation);
