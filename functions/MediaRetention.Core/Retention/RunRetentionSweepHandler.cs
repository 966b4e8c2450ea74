using MediaRetention.Core.Audit;
using Microsoft.Extensions.Logging;

namespace MediaRetention.Core.Retention;

public sealed record SweepRunResult(SweepSummary? Summary)
{
    /// <summary>Another host holds the sweep lease.</summary>
    public bool Busy => Summary is null;
}

/// <summary>
/// Runs one sweep under the account-wide lease, records when it finished and anchors the audit chain's head (the
/// sweep's deletions are then beyond rewriting unnoticed). Timer, runner and HTTP use this.
/// </summary>
public sealed class RunRetentionSweepHandler(
    RetentionSweepLock sweepLock,
    RetentionSweepHandler sweeper,
    TimeProvider time,
    ILogger<RunRetentionSweepHandler> logger,
    AnchorAuditChainHandler auditAnchors)
{
    public async Task<SweepRunResult> RunAsync(string triggeredBy, CancellationToken cancellationToken, IProgress<SweepProgress>? progress = null)
    {
        await using var lease = await sweepLock.TryAcquireAsync(cancellationToken);
        if (lease is null)
        {
            return new SweepRunResult(null);
        }

        SweepSummary summary;
        try
        {
            summary = await sweeper.SweepAsync(triggeredBy, lease.Lost, progress);
        }
        catch (Exception e) when (!cancellationToken.IsCancellationRequested)
        {
            await RecordFailureAsync(lease, e);
            throw;
        }

        await lease.RecordAsync(SweepRecord.Of(summary, time.GetUtcNow()), cancellationToken);
        await auditAnchors.TryAnchorHeadAsync(AuditAnchorReasons.RetentionSweep, cancellationToken);
        return new SweepRunResult(summary);
    }

    /// <summary>The last sweep of any host on the account, or null when none has run.</summary>
    public Task<SweepRecord?> LastSweepAsync(CancellationToken cancellationToken) => sweepLock.LastSweepAsync(cancellationToken);

    // Best effort: what matters is that the failure propagates; the record only feeds /healthz and the operator.
    private async Task RecordFailureAsync(RetentionSweepLock.Lease lease, Exception failure)
    {
        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            await lease.RecordAsync(new SweepRecord(time.GetUtcNow(), SweepOutcomes.Failed, null, null, failure.GetType().Name), timeout.Token);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            logger.LogWarning(e, "Could not record the failed sweep in the sweep lease blob");
        }
    }

    /// <summary>Whether a scheduled sweep was missed: none has finished since the last occurrence before now.</summary>
    public async Task<bool> IsOverdueAsync(NCrontab.CrontabSchedule schedule, CancellationToken cancellationToken)
    {
        var last = await sweepLock.LastFinishedAsync(cancellationToken);
        return last is null || schedule.GetNextOccurrence(last.Value.UtcDateTime) <= time.GetUtcNow().UtcDateTime;
    }
}
