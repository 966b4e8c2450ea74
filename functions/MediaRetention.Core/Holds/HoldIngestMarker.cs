using MediaRetention.Core.Ingest;
using MediaRetention.Core.Media;
using Microsoft.Extensions.Logging;

namespace MediaRetention.Core.Holds;

/// <summary>
/// Marks a new blob version for the retention sweep, before its index row is written: first "not held", then
/// — after reloading the holds — "held" if any active hold covers it. In that order a hold placed at any moment
/// wins: one written before the reload is seen here; one written after it marks the blob after our "not held"
/// (having found it through the index row written after this), so the sweep's delete condition fails.
/// </summary>
public sealed class HoldIngestMarker(IHoldStore holds, IBlobHoldMarks marks, ILogger<HoldIngestMarker> logger) : IIngestHoldMarker
{
    public async Task<bool> MarkAsync(MediaRecord record, CancellationToken cancellationToken)
    {
        if (!await marks.MarkNotHeldAsync(record.Container, record.BlobName, record.ETag, cancellationToken))
        {
            return false; // deleted meanwhile: nothing to mark
        }

        var covering = (await holds.LoadActiveAsync(cancellationToken)).Covering(record);
        if (covering.Count == 0)
        {
            return false;
        }

        await marks.MarkHeldAsync(record.Container, record.BlobName, cancellationToken);
        logger.LogInformation("Medium {MediaId} is under {HoldCount} hold(s) at ingest; marked held", record.Id, covering.Count);
        return true;
    }
}
