using MediaRetention.Core.Audit;
using Microsoft.Azure.Functions.Worker;

namespace MediaRetention.Functions;

/// <summary>
/// Anchors the audit chain's head on <c>AuditAnchorSchedule</c> (NCRONTAB with seconds, an app setting) when it
/// has moved; every retention sweep anchors too. The anchors live in the immutable <c>audit-anchors</c> container.
/// </summary>
public sealed class AuditAnchorFunctions(AnchorAuditChainHandler anchors)
{
    [Function(nameof(AuditAnchorTimer))]
    public async Task AuditAnchorTimer(
        [TimerTrigger("%" + AuditAnchorScheduleOptions.Setting + "%")] TimerInfo timer,
        CancellationToken cancellationToken) =>
        await anchors.TryAnchorHeadAsync(AuditAnchorReasons.Schedule, cancellationToken);
}
