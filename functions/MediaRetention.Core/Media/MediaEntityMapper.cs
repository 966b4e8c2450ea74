using Azure.Data.Tables;

namespace MediaRetention.Core.Media;

/// <summary>Maps a <see cref="MediaRecord"/> to and from a table row; every row type carries the full record.</summary>
internal static class MediaEntityMapper
{
    public static TableEntity ToEntity(MediaRecord record, RowKeyPair key) => new(key.PartitionKey, key.RowKey)
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
    };

    public static MediaRecord ToRecord(TableEntity entity) => new()
    {
        Id = entity.GetString(nameof(MediaRecord.Id)),
        Kind = entity.GetString(nameof(MediaRecord.Kind)),
        Container = entity.GetString(nameof(MediaRecord.Container)),
        BlobName = entity.GetString(nameof(MediaRecord.BlobName)),
        Status = entity.GetString(nameof(MediaRecord.Status)),
        RejectionReason = entity.GetString(nameof(MediaRecord.RejectionReason)),
        Site = entity.GetString(nameof(MediaRecord.Site)),
        Camera = entity.GetString(nameof(MediaRecord.Camera)),
        System = entity.GetString(nameof(MediaRecord.System)),
        CallId = entity.GetString(nameof(MediaRecord.CallId)),
        RecordedAt = entity.GetDateTimeOffset(nameof(MediaRecord.RecordedAt)),
        UploadedAt = entity.GetDateTimeOffset(nameof(MediaRecord.UploadedAt)) ?? DateTimeOffset.MinValue,
        IndexedAt = entity.GetDateTimeOffset(nameof(MediaRecord.IndexedAt)) ?? DateTimeOffset.MinValue,
        Size = entity.GetInt64(nameof(MediaRecord.Size)) ?? 0,
        ContentType = entity.GetString(nameof(MediaRecord.ContentType)),
        Sha256 = entity.GetString(nameof(MediaRecord.Sha256)),
        ETag = entity.GetString(nameof(MediaRecord.ETag)),
        AlteredSha256 = entity.GetString(nameof(MediaRecord.AlteredSha256)),
        Direction = entity.GetString(nameof(MediaRecord.Direction)),
        Agent = entity.GetString(nameof(MediaRecord.Agent)),
        CallerMasked = entity.GetString(nameof(MediaRecord.CallerMasked)),
        CalleeMasked = entity.GetString(nameof(MediaRecord.CalleeMasked)),
        CallerHash = entity.GetString(nameof(MediaRecord.CallerHash)),
        CalleeHash = entity.GetString(nameof(MediaRecord.CalleeHash)),
    };
}
