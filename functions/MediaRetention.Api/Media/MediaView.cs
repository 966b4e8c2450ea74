using System.Text.Json.Serialization;
using MediaRetention.Api.Holds;
using MediaRetention.Core.Media;

namespace MediaRetention.Api.Media;

/// <summary>A medium as the API shows it: the index record without the phone-number hashes.</summary>
public sealed record MediaView(
    string Id,
    string Kind,
    string Container,
    string BlobName,
    string Status,
    string? RejectionReason,
    string? Site,
    string? Camera,
    string? System,
    string? CallId,
    DateTimeOffset? RecordedAt,
    DateTimeOffset UploadedAt,
    DateTimeOffset IndexedAt,
    DateTimeOffset RetentionFrom,
    long Size,
    string? ContentType,
    string Sha256,
    string ETag,
    string? AlteredSha256,
    string? Direction,
    string? Agent,
    string? Caller,
    string? Callee)
{
    public IReadOnlyList<HoldReference>? Holds { get; init; }

    /// <summary>Why the index row cannot be read (then <see cref="Status"/> is "Unreadable"); absent otherwise.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? UnreadableReason { get; init; }

    public static MediaView From(MediaRecord r) => new(
        r.Id, r.Kind, r.Container, r.BlobName, r.Status, r.RejectionReason, r.Site, r.Camera, r.System, r.CallId,
        r.RecordedAt, r.UploadedAt, r.IndexedAt, r.RetentionFrom, r.Size, r.ContentType, r.Sha256, r.ETag, r.AlteredSha256,
        r.Direction, r.Agent, r.CallerMasked, r.CalleeMasked);
}

public sealed record MediaListResponse(IReadOnlyList<MediaView> Items, string? ContinuationToken)
{
    /// <summary>Rows of this page that cannot be read, left out of <see cref="Items"/>; absent when there are none.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public IReadOnlyList<UnreadableMediaRow>? Unreadable { get; init; }
}

/// <summary>A read link for playing one medium; it stops working at <see cref="UrlExpiresAt"/>.</summary>
public sealed record MediaLinkResponse(string MediaId, string? ContentType, string Url, DateTimeOffset UrlExpiresAt);
