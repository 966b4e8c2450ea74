namespace MediaRetention.Core.Media;

/// <summary>One indexed clip or call recording: what, where, when, size and content hash.</summary>
public sealed record MediaRecord
{
    public required string Id { get; init; }
    public required string Kind { get; init; }
    public required string Container { get; init; }
    public required string BlobName { get; init; }
    public required string Status { get; init; }
    public string? RejectionReason { get; init; }

    public string? Site { get; init; }
    public string? Camera { get; init; }
    public string? System { get; init; }
    public string? CallId { get; init; }

    /// <summary>Recording start in UTC, from the blob name; null when the name could not be read.</summary>
    public DateTimeOffset? RecordedAt { get; init; }

    /// <summary>When this version of the blob was written (its Last-Modified).</summary>
    public required DateTimeOffset UploadedAt { get; init; }

    public required DateTimeOffset IndexedAt { get; init; }
    public required long Size { get; init; }
    public string? ContentType { get; init; }

    /// <summary>Lower-case hex SHA-256 of the content, computed at ingest.</summary>
    public required string Sha256 { get; init; }

    /// <summary>
    /// Set when the blob was overwritten while a legal hold covered it: the hash of what is stored now. The
    /// evidence hash (<see cref="Sha256"/>) and size stay those of the content first indexed, so evidence
    /// verification reports the alteration instead of adopting the new content.
    /// </summary>
    public string? AlteredSha256 { get; init; }

    /// <summary>The blob ETag of the version that was hashed.</summary>
    public required string ETag { get; init; }

    public string? Direction { get; init; }
    public string? Agent { get; init; }

    /// <summary>Masked phone numbers (last two digits visible); the full numbers stay in blob metadata only.</summary>
    public string? CallerMasked { get; init; }
    public string? CalleeMasked { get; init; }

    /// <summary>Hashes of the normalised phone numbers, so holds can match a number without storing it.</summary>
    public string? CallerHash { get; init; }
    public string? CalleeHash { get; init; }

    /// <summary>The instant retention counts from: recording time, or upload time for rejected media.</summary>
    public DateTimeOffset RetentionFrom =>
        Status == MediaStatus.Indexed && RecordedAt is { } recorded ? recorded : UploadedAt;
}
