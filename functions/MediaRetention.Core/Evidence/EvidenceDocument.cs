using System.Globalization;
using System.Text.Json.Nodes;
using MediaRetention.Core.Holds;
using MediaRetention.Core.Media;

namespace MediaRetention.Core.Evidence;

/// <summary>One medium handed over: where it is, what it is, its ingest hash and a read-only link to it.</summary>
public sealed record EvidenceItem(
    string MediaId,
    string Container,
    string BlobName,
    string Kind,
    string? Site,
    string? Camera,
    string? System,
    string? CallId,
    DateTimeOffset? RecordedAt,
    long Size,
    string Sha256,
    Uri DownloadUrl,
    DateTimeOffset UrlExpiresAt)
{
    public static EvidenceItem For(MediaRecord media, EvidenceLink link) => new(
        media.Id, media.Container, media.BlobName, media.Kind, media.Site, media.Camera, media.System, media.CallId,
        media.RecordedAt, media.Size, media.Sha256, link.Url, link.ExpiresOn);
}

/// <summary>
/// The JSON of what is handed to a liaison, built in one place so a page of links and a sealed manifest have the
/// same shape (the one scripts/fetch-evidence.mjs reads).
/// </summary>
/// <remarks>
/// Built as <see cref="JsonObject"/> with only strings, integers, booleans and nulls, because
/// <see cref="CanonicalJson"/> must hash it exactly as JavaScript would. Times are strings in the one format
/// JavaScript's <c>Date.parse</c> is specified to read (UTC, milliseconds, "Z").
/// </remarks>
public static class EvidenceDocument
{
    public static string Time(DateTimeOffset value) =>
        value.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);

    /// <summary>
    /// The hold as a liaison may read it. The phone number appears masked only; its hash is an internal lookup
    /// key and would let anyone holding the document test guesses of the number.
    /// </summary>
    public static JsonObject Hold(Hold hold)
    {
        var s = hold.Scope;
        return new JsonObject
        {
            ["id"] = hold.Id,
            ["caseNumber"] = hold.CaseNumber,
            ["reason"] = hold.Reason,
            ["agency"] = hold.Agency,
            ["requestedBy"] = new JsonObject { ["agency"] = hold.RequestedBy.Agency, ["officer"] = hold.RequestedBy.Officer },
            ["placedBy"] = hold.PlacedBy,
            ["placedAt"] = Time(hold.PlacedAt),
            ["reviewDate"] = hold.ReviewDate is { } review ? Time(review) : null,
            ["status"] = hold.Status,
            ["release"] = hold.Release is { } r
                ? new JsonObject { ["releasedBy"] = r.ReleasedBy, ["releasedAt"] = Time(r.ReleasedAt), ["reason"] = r.Reason }
                : null,
            ["scope"] = new JsonObject
            {
                ["type"] = s.Type,
                ["mediaIds"] = s.MediaIds is { } ids ? new JsonArray(ids.Select(id => (JsonNode?)id).ToArray()) : null,
                ["site"] = s.Site,
                ["cameras"] = s.Cameras is { } cameras ? new JsonArray(cameras.Select(c => (JsonNode?)c).ToArray()) : null,
                ["callId"] = s.CallId,
                ["phoneNumber"] = s.PhoneMasked,
                ["system"] = s.System,
                ["from"] = s.From is { } from ? Time(from) : null,
                ["to"] = s.To is { } to ? Time(to) : null,
            },
        };
    }

    public static JsonObject Item(EvidenceItem item) => new()
    {
        ["mediaId"] = item.MediaId,
        ["container"] = item.Container,
        ["blobName"] = item.BlobName,
        ["kind"] = item.Kind,
        ["site"] = item.Site,
        ["camera"] = item.Camera,
        ["system"] = item.System,
        ["callId"] = item.CallId,
        ["recordedAt"] = item.RecordedAt is { } recorded ? Time(recorded) : null,
        ["size"] = item.Size,
        ["sha256"] = item.Sha256,
        ["downloadUrl"] = item.DownloadUrl.AbsoluteUri,
        ["urlExpiresAt"] = Time(item.UrlExpiresAt),
    };

    /// <summary>The unsealed body shared by a page and a manifest.</summary>
    public static JsonObject Body(Hold hold, DateTimeOffset generatedAt, string generatedBy, IEnumerable<EvidenceItem> items)
    {
        var body = Head(hold, generatedAt, generatedBy);
        body["items"] = new JsonArray(items.Select(i => (JsonNode?)Item(i)).ToArray());
        return body;
    }

    /// <summary>Everything of <see cref="Body"/> but <c>items</c>: what a streamed manifest writes ahead of them.</summary>
    public static JsonObject Head(Hold hold, DateTimeOffset generatedAt, string generatedBy) => new()
    {
        ["hold"] = Hold(hold),
        ["generatedAt"] = Time(generatedAt),
        ["generatedBy"] = generatedBy,
    };

    /// <summary>A manifest's file name; a case number may contain '/', which no file name can.</summary>
    public static string FileName(Hold hold) =>
        $"evidence-{hold.CaseNumber.Replace('/', '_')}-{hold.Id}.json";
}
