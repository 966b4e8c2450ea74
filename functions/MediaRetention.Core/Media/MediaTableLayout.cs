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
/// <item><c>p|{phone hash}</c> / <c>{time}|{id}</c> — calls by a party's phone hash as the record stores it (caller and
/// callee each, any status): "calls of number H in [from, to]" is one key range, whatever else was called.</item>
/// <item><c>s|{site}</c> / <c>v|{camera}|{time}|{id}</c> — CCTV by camera and time window: in the site's partition, after
/// every site row (those start with a digit), so a clip's site and camera rows are written in one transaction.</item>
/// <item><c>m|{h}</c> / <c>n|{container}|{hex of the blob name's UTF-8}</c> — a small name row (id and blob ETag) next
/// to each record row, written in the same transaction: each record partition lists its media in blob-name order, so
/// the reconcile merges the 16 partitions with the container listing instead of loading every id (see
/// <see cref="NameKey"/>).</item>
/// </list>
/// Times in keys are <c>yyyyMMddTHHmmssZ</c>, which sorts as the instant does.
/// <para>The phone and camera rows came with layout version <see cref="LookupLayoutVersion"/>: media indexed before
/// have none until the backfill writes them, and queries read them only once the marker row
/// (<see cref="LookupMarkerKey"/>) says every medium has them; until then they fall back to the site and time rows.</para>
/// </summary>
public static class MediaTableLayout
{
    public const string RecordPrefix = "m|";
    public const string TimePrefix = "t|";
    public const string SitePrefix = "s|";
    public const string SystemPrefix = "y|";
    public const string CallIdPrefix = "c|";
    public const string PhonePrefix = "p|";
    /// <summary>Camera rows' RowKeys start with this, in the site partition; site rows' RowKeys (times) sort before it.</summary>
    public const string CameraRowPrefix = "v|";

    /// <summary>The layout that added the phone (<c>p|</c>) and camera (<c>v|</c>) rows.</summary>
    public const int LookupLayoutVersion = 2;

    /// <summary>
    /// "Every medium has its phone and camera rows": written by the backfill when it has visited every record, or by
    /// provisioning into an empty table; never removed. No key range a query reads starts with <c>x|</c>.
    /// </summary>
    public static readonly RowKeyPair LookupMarkerKey = new("x|layout", $"lookup-rows-v{LookupLayoutVersion}");

    /// <summary>The partition of the phone rows of a stored hash (a well-formed one holds no character a key may not).</summary>
    public static string PhonePartition(string phoneHash) => PhonePrefix + phoneHash;

    /// <summary>Where a camera's rows start in its site's partition; site and camera are identifiers (no '|', '/' or '#').</summary>
    public static string CameraRowKeyPrefix(string camera) => $"{CameraRowPrefix}{camera}|";

    public static RowKeyPair RecordKey(string id) => new(RecordPrefix + id[0], id);

    /// <summary>Name rows' RowKeys start with this; record RowKeys are hex ids, so every name row sorts after them.</summary>
    public const string NameRowPrefix = "n|";

    /// <summary>Longest blob name (UTF-8 bytes) with a name row: its hex, the prefix and a 63-character container fit 1 KiB.</summary>
    public const int MaxNamedBlobBytes = 400;

    /// <summary>
    /// The name row of a blob: hex of the name's UTF-8 bytes, which sorts ordinally as the bytes do (the order Azure lists
    /// blobs in) and holds none of the characters a key may not. Null for a name longer than
    /// <see cref="MaxNamedBlobBytes"/>: the reconcile then checks that blob by a point read instead.
    /// </summary>
    public static RowKeyPair? NameKey(string id, string container, string blobName) =>
        NameRowKey(container, blobName) is { } rowKey ? new(RecordPrefix + id[0], rowKey) : null;

    /// <summary>The RowKey of <see cref="NameKey"/>, or null for a name too long to have one.</summary>
    public static string? NameRowKey(string container, string blobName)
    {
        var bytes = Encoding.UTF8.GetBytes(blobName);
        return bytes.Length > MaxNamedBlobBytes ? null : NameRowContainerPrefix(container) + Convert.ToHexStringLower(bytes);
    }

    /// <summary>Every name row of <paramref name="container"/> starts with this.</summary>
    public static string NameRowContainerPrefix(string container) => $"{NameRowPrefix}{container}|";

    public static string TimePartition(string kind, DateTimeOffset instant) =>
        $"{TimePrefix}{kind}|{instant.UtcDateTime:yyyyMMdd}";

    public static string TimeKey(DateTimeOffset instant) => UploadContract.FormatTimestamp(instant);

    public static string CallIdPartition(string callId) =>
        CallIdPrefix + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(callId)))[0];

    /// <summary>The lookup rows a record needs, besides its record row.</summary>
    public static IReadOnlyList<RowKeyPair> LookupKeys(MediaRecord record)
    {
        var time = TimeKey(record.RetentionFrom);
        var keys = new List<RowKeyPair>(5)
        {
            new(TimePartition(record.Kind, record.RetentionFrom), $"{time}|{record.Id}"),
        };

        if (record.Status == MediaStatus.Indexed)
        {
            if (record is { Kind: MediaKind.Cctv, Site: { } site, Camera: { } camera })
            {
                keys.Add(new(SitePrefix + site, $"{time}|{camera}|{record.Id}"));
            }

            if (record is { Kind: MediaKind.Call, System: { } system, CallId: { } callId })
            {
                keys.Add(new(SystemPrefix + system, $"{time}|{record.Id}"));
                keys.Add(new(CallIdPartition(callId), $"{callId}|{time}|{record.Id}"));
            }
        }

        keys.AddRange(PhoneAndCameraKeys(record));
        return keys;
    }

    /// <summary>
    /// The rows of layout version <see cref="LookupLayoutVersion"/>: a camera row for an indexed clip, a phone row per
    /// distinct well-formed party hash of a call of any status (subject requests look for rejected calls too; the time
    /// key is the retention time, as the time rows have it).
    /// </summary>
    public static IReadOnlyList<RowKeyPair> PhoneAndCameraKeys(MediaRecord record)
    {
        var time = TimeKey(record.RetentionFrom);
        if (record is { Kind: MediaKind.Cctv, Status: MediaStatus.Indexed, Site: { } site, Camera: { } camera }
            && UploadContract.IsIdentifier(site) && UploadContract.IsIdentifier(camera))
        {
            return [new(SitePrefix + site, $"{CameraRowKeyPrefix(camera)}{time}|{record.Id}")];
        }

        if (record.Kind != MediaKind.Call)
        {
            return [];
        }

        return new[] { record.CallerHash, record.CalleeHash }
            .Where(Phones.PhoneHasher.IsWellFormed)
            .Distinct(StringComparer.Ordinal)
            .Select(hash => new RowKeyPair(PhonePartition(hash!), $"{time}|{record.Id}"))
            .ToList();
    }
}
