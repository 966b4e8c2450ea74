using MediaRetention.Core.Ingest;
using MediaRetention.Core.Media;
using Microsoft.Extensions.Logging;

namespace MediaRetention.Core.Holds;

/// <summary>
/// The held marks of ingest, in this order: "not held" at the version before its content is read, then the index row,
/// then — with the holds as of a version read that began after the row was written — "held" if a hold covers it. So a
/// hold placed at any moment ends up marking the blob: one whose version bump precedes our read is seen here; one
/// whose bump follows it finds the index row (written before our read) when it marks its media, after our "not held".
/// Ingest never writes "not held" after the index row, so it can never undo a hold's mark on a medium a hold found.
/// </summary>
public sealed class HoldIngestMarker(HoldCache holds, IBlobHoldMarks marks, ILogger<HoldIngestMarker> logger) : IIngestHoldMarker
{
    public Task PrepareAsync(string container, string blobName, string etag, CancellationToken cancellationToken) =>
        marks.MarkNotHeldAsync(container, blobName, etag, cancellationToken);

    public async Task<bool> IsHeldAsync(MediaRecord record, CancellationToken cancellationToken) =>
        (await holds.GetFreshAsync(cancellationToken)).IsHeld(record);

    public async Task<bool> MarkAsync(MediaRecord record, CancellationToken cancellationToken)
    {
        var covering = (await holds.GetFreshAsync(cancellationToken)).Covering(record);
        if (covering.Count == 0)
        {
            return false;
        }

        await marks.MarkHeldAsync(record.Container, record.BlobName, cancellationToken);
        logger.LogInformation("Medium {MediaId} is under {HoldCount} hold(s) at ingest; marked held", record.Id, covering.Count);
        return true;
    }
}
