namespace MediaRetention.Api.Evidence;

// The shapes of the evidence page and manifest for the OpenAPI document only. The responses themselves are built as
// JSON by Core's EvidenceDocument (the seal needs exact control of every value); a test checks the two agree.

/// <summary>A page of a hold's media with read-only links.</summary>
public sealed record EvidencePageDocument(
    EvidenceHoldDocument Hold,
    string GeneratedAt,
    string GeneratedBy,
    IReadOnlyList<EvidenceItemDocument> Items,
    string? ContinuationToken);

/// <summary>
/// The signed, sealed manifest: every medium of the hold; <c>signature</c> is ES256 over the canonical JSON without
/// <c>documentSha256</c> and <c>signature</c>, and <c>documentSha256</c> the SHA-256 of the canonical JSON without itself.
/// </summary>
public sealed record EvidenceManifestDocument(
    EvidenceHoldDocument Hold,
    string GeneratedAt,
    string GeneratedBy,
    IReadOnlyList<EvidenceItemDocument> Items,
    EvidenceSignatureDocument Signature,
    string DocumentSha256);

/// <summary>The manifest's signature: algorithm, key id (RFC 7638 thumbprint; see GET /api/evidence/signing-keys) and the base64url r||s value.</summary>
public sealed record EvidenceSignatureDocument(string Alg, string Kid, string Value);

/// <summary>The hold as a liaison may read it (a phone number only masked). Times are UTC strings with milliseconds.</summary>
public sealed record EvidenceHoldDocument(
    string Id,
    string CaseNumber,
    string Reason,
    string Agency,
    EvidenceRequestedByDocument RequestedBy,
    string PlacedBy,
    string PlacedAt,
    string? ReviewDate,
    string Status,
    EvidenceReleaseDocument? Release,
    EvidenceScopeDocument Scope);

public sealed record EvidenceRequestedByDocument(string Agency, string Officer);

public sealed record EvidenceReleaseDocument(string ReleasedBy, string ReleasedAt, string? Reason);

public sealed record EvidenceScopeDocument(
    string Type,
    IReadOnlyList<string>? MediaIds,
    string? Site,
    IReadOnlyList<string>? Cameras,
    string? CallId,
    string? PhoneNumber,
    string? System,
    string? From,
    string? To);

/// <summary>One medium handed over, with its ingest SHA-256 and a link that reads only it until <c>urlExpiresAt</c>.</summary>
public sealed record EvidenceItemDocument(
    string MediaId,
    string Container,
    string BlobName,
    string Kind,
    string? Site,
    string? Camera,
    string? System,
    string? CallId,
    string? RecordedAt,
    long Size,
    string Sha256,
    Uri DownloadUrl,
    string UrlExpiresAt);
