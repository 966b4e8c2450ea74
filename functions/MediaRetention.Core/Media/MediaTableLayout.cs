using System.Security.Cryptography;
using System.Text;
using MediaRetention.Core.Ingest;

namespace MediaRetention.Core.Media;

/// <summary>A table row address.</summary>
public readonly record struct RowKeyPair(string PartitionKey, string RowKey);

/// <summary>
/// Key design of the <c>media</c> table. Every medium has one record row plus lookup rows, each a full
/// copy of the record, so every query below reads one key range and never scans the table:
/// <list type="table">
/// <item><c>m|{h}</c> / <c>{id}</c> — the record; <c>h</c> is the id's first hex digit (16 partitions), so
/// lookups by id or blob name are point reads and deletes can be batched per partition.</item>
/// <item><c>t|{kind}|{yyyyMMdd}</c> / <c>{time}|{id}</c> — by kind and retention time (recording time, or
/// upload time for rejected media): "media of kind K recorded before T" is one key-range query.</item>
/// <item><c>s|{site}</c> / <c>{time}|{camera}|{id}</c> — CCTV by site and time window.</item>
/// <item><c>y|{system}</c> / <c>{time}|{id}</c> — calls by phone system and time window.</item>
/// <item><c>c|{h}</c> / <c>{callId}|{time}|{id}</c> — calls by call id (16 hash partitions).</item>
/// </list>
/// Times in keys are <c>yyyyMMddTHHmmssZ</c>, which sorts as the instant does.
/// </summary>
public static class MediaTableLayout
{
    public const string RecordPrefix = "m|";
    public const string TimePrefix = "t|";
    public const string SitePrefix = "s|";
    public const string SystemPrefix = "y|";
    public const string CallIdPrefix = "c|";

    public static RowKeyPair RecordKey(string id) => new(RecordPrefix + id[0], id);

    public static string TimePartition(string kind, DateTimeOffset instant) =>
        $"{TimePrefix}{kind}|{instant.UtcDateTime:yyyyMMdd}";

    public static string TimeKey(DateTimeOffset instant) => UploadContract.FormatTimestamp(instant);

    public static string CallIdPartition(string callId) =>
        CallIdPrefix + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(callId)))[0];

    /// <summary>The lookup rows a record needs, besides its record row.</summary>
    public static IReadOnlyList<RowKeyPair> LookupKeys(MediaRecord record)
    {
        var time = TimeKey(record.RetentionFrom);
        var keys = new List<RowKeyPair>(3)
        {
            new(TimePartition(record.Kind, record.RetentionFrom), $"{time}|{record.Id}"),
        };

        if (record.Status != MediaStatus.Indexed)
        {
            return keys;
        }

        if (record is { Kind: MediaKind.Cctv, Site: { } site, Camera: { } camera })
        {
            keys.Add(new(SitePrefix + site, $"{time}|{camera}|{record.Id}"));
        }

        if (record is { Kind: MediaKind.Call, System: { } system, CallId: { } callId })
        {
            keys.Add(new(SystemPrefix + system, $"{time}|{record.Id}"));
            keys.Add(new(CallIdPartition(callId), $"{callId}|{time}|{record.Id}"));
        }

        return keys;
    }
}
