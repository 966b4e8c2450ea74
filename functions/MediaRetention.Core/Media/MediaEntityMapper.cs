using Azure.Data.Tables;
using MediaRetention.Core.Storage;

namespace MediaRetention.Core.Media;

/// <summary>
/// Maps a <see cref="MediaRecord"/> to and from a table row; every row type carries the full record. Reading never
/// throws: a row that cannot be read (edited by hand, written by an older version) is reported with the reason.
/// </summary>
internal static class MediaEntityMapper
{
    public static TableEntity ToEntity(MediaRecord record, RowKeyPair key) => AzureTableLimits.EnsureWithin(new(key.PartitionKey, key.RowKey)
    {
        [nameof(MediaRecord.Id)] = record.Id,
        [nameof(MediaRecord.Kind)] = record.Kind,
        [nameof(MediaRecord.Container)] = record.Container,
        [nameof(MediaRecord.BlobName)] = record.BlobName,
        [nameof(MediaRecord.Status)] = record.Status,
        [nameof(MediaRecord.RejectionReason)] = record.RejectionReason,
        [nameof(MediaRecord.Site)] = record.Site,
        [nameof(MediaRecord.Camera)] = record.Camera,
        [nameof(MediaRecord.System)] = record.System,
        [nameof(MediaRecord.CallId)] = record.CallId,
        [nameof(MediaRecord.RecordedAt)] = record.RecordedAt,
        [nameof(MediaRecord.UploadedAt)] = record.UploadedAt,
        [nameof(MediaRecord.IndexedAt)] = record.IndexedAt,
        [nameof(MediaRecord.RetentionFrom)] = record.RetentionFrom,
        [nameof(MediaRecord.Size)] = record.Size,
        [nameof(MediaRecord.ContentType)] = record.ContentType,
        [nameof(MediaRecord.Sha256)] = record.Sha256,
        [nameof(MediaRecord.ETag)] = record.ETag,
        [nameof(MediaRecord.AlteredSha256)] = record.AlteredSha256,
        [nameof(MediaRecord.Direction)] = record.Direction,
        [nameof(MediaRecord.Agent)] = record.Agent,
        [nameof(MediaRecord.CallerMasked)] = record.CallerMasked,
        [nameof(MediaRecord.CalleeMasked)] = record.CalleeMasked,
        [nameof(MediaRecord.CallerHash)] = record.CallerHash,
        [nameof(MediaRecord.CalleeHash)] = record.CalleeHash,
    });

    /// <summary>The record, or null and why the row cannot be read.</summary>
    public static (MediaRecord? Record, UnreadableMediaRow? Unreadable) Read(TableEntity entity)
    {
        var reader = new EntityReader(entity);
        var record = Map(reader);
        var key = entity.RowKey ?? "";
        reader.Check(MediaId.IsWellFormed(record.Id) && (key == record.Id || key.EndsWith("|" + record.Id, StringComparison.Ordinal)),
            "'Id' is not the 32-hex id in its RowKey");
        reader.Check(MediaKind.IsKnown(record.Kind), "'Kind' is neither cctv nor call");
        reader.Check(MediaStatus.IsKnown(record.Status), "'Status' is neither Indexed nor Rejected");
        reader.Check(record.Size >= 0, "'Size' is negative");
        reader.Check(record.Sha256.Length == 64 && record.Sha256.All(char.IsAsciiHexDigitLower), "'Sha256' is not 64 lower-case hex characters");
        if (reader.Ok)
        {
            return (record, null);
        }

        var id = entity.TryGetValue(nameof(MediaRecord.Id), out var value) && value is string text && MediaId.IsWellFormed(text) ? text
            : MediaId.IsWellFormed(key[(key.LastIndexOf('|') + 1)..]) ? key[(key.LastIndexOf('|') + 1)..]
            : null;
        return (null, new UnreadableMediaRow(entity.PartitionKey ?? "", key, id, reader.Reason));
    }

    /// <summary>
    /// What can be shown of a row that cannot be read: its status is <see cref="MediaStatus.Unreadable"/> and its
    /// blob version empty, so it never passes for a medium that is indexed.
    /// </summary>
    public static MediaRecord Salvage(TableEntity entity, UnreadableMediaRow row)
    {
        var reader = new EntityReader(entity);
        var record = Map(reader);
        return record with
        {
            Id = row.MediaId ?? row.RowKey,
            Status = MediaStatus.Unreadable,
            RejectionReason = null,
            ETag = "",
        };
    }

    private static MediaRecord Map(EntityReader e) => new()
    {
        Id = e.RequiredString(nameof(MediaRecord.Id)),
        Kind = e.RequiredString(nameof(MediaRecord.Kind)),
        Container = e.RequiredString(nameof(MediaRecord.Container)),
        BlobName = e.RequiredString(nameof(MediaRecord.BlobName)),
        Status = e.RequiredString(nameof(MediaRecord.Status)),
        RejectionReason = e.OptionalString(nameof(MediaRecord.RejectionReason)),
        Site = e.OptionalString(nameof(MediaRecord.Site)),
        Camera = e.OptionalString(nameof(MediaRecord.Camera)),
        System = e.OptionalString(nameof(MediaRecord.System)),
        CallId = e.OptionalString(nameof(MediaRecord.CallId)),
        RecordedAt = e.OptionalDate(nameof(MediaRecord.RecordedAt)),
        UploadedAt = e.RequiredDate(nameof(MediaRecord.UploadedAt)),
        IndexedAt = e.RequiredDate(nameof(MediaRecord.IndexedAt)),
        Size = e.RequiredInt64(nameof(MediaRecord.Size)),
        ContentType = e.OptionalString(nameof(MediaRecord.ContentType)),
        Sha256 = e.RequiredString(nameof(MediaRecord.Sha256)),
        ETag = e.RequiredString(nameof(MediaRecord.ETag)),
        AlteredSha256 = e.OptionalString(nameof(MediaRecord.AlteredSha256)),
        Direction = e.OptionalString(nameof(MediaRecord.Direction)),
        Agent = e.OptionalString(nameof(MediaRecord.Agent)),
        CallerMasked = e.OptionalString(nameof(MediaRecord.CallerMasked)),
        CalleeMasked = e.OptionalString(nameof(MediaRecord.CalleeMasked)),
        CallerHash = e.OptionalString(nameof(MediaRecord.CallerHash)),
        CalleeHash = e.OptionalString(nameof(MediaRecord.CalleeHash)),
    };
}
