using MediaRetention.Core.Audit;

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
    AnchorAuditChainHandler auditAnchors)
{
    public async Task<SweepRunResult> RunAsync(string triggeredBy, CancellationToken cancellationToken)
    {
        await using var lease = await sweepLock.TryAcquireAsync(cancellationToken);
        if (lease is null)
        {
            return new SweepRunResult(null);
        }

        var summary = await sweeper.SweepAsync(triggeredBy, lease.Lost);
        await lease.RecordFinishedAsync(time.GetUtcNow(), cancellationToken);
        await auditAnchors.TryAnchorHeadAsync(AuditAnchorReasons.RetentionSweep, cancellationToken);
        return new SweepRunResult(summary);
    }

    /// <summary>Whether a scheduled sweep was missed: none has finished since the last occurrence before now.</summary>
    public async Task<bool> IsOverdueAsync(NCrontab.CrontabSchedule schedule, CancellationToken cancellationToken)
    {
        var last = await sweepLock.LastFinishedAsync(cancellationToken);
        return last is null || schedule.GetNextOccurrence(last.Value.UtcDateTime) <= time.GetUtcNow().UtcDateTime;
    }
}
