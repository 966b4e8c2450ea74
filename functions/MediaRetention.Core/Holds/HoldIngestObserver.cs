using MediaRetention.Core.Ingest;
using MediaRetention.Core.Media;
using Microsoft.Extensions.Logging;

namespace MediaRetention.Core.Holds;

/// <summary>
/// Marks a newly indexed medium held when an active hold already covers it, e.g. a camera window hold placed
/// before the clip was uploaded. The holds table stays the source of truth; the mark is the second line.
/// </summary>
public sealed class HoldIngestObserver(IHoldStore holds, IBlobHoldMarks marks, ILogger<HoldIngestObserver> logger) : IMediaIndexedObserver
{
    public async Task OnIndexedAsync(MediaRecord record, CancellationToken cancellationToken)
    {
        var covering = (await holds.LoadActiveAsync(cancellationToken)).Covering(record);
        if (covering.Count == 0)
        {
            return;
        }

        await marks.MarkHeldAsync(record.Container, record.BlobName, cancellationToken);
        logger.LogInformation("Medium {MediaId} is under {HoldCount} hold(s) at ingest; marked held", record.Id, covering.Count);
    }
}
