using MediaRetention.Core.Audit;
using Microsoft.Extensions.Options;

namespace MediaRetention.Runner.Audit;

/// <summary>
/// The runner's audit anchor timer: on the NCRONTAB <c>AuditAnchorSchedule</c> (UTC, default every 5 minutes),
/// anchors the chain's head if it moved. The Functions app has a TimerTrigger on the same setting.
/// </summary>
public sealed class AuditAnchorTimerService(
    AnchorAuditChainHandler anchors,
    IOptions<AuditAnchorScheduleOptions> schedule,
    TimeProvider time) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var crontab = schedule.Value.Parse();
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                var now = time.GetUtcNow();
                var next = new DateTimeOffset(crontab.GetNextOccurrence(now.UtcDateTime), TimeSpan.Zero);
                await Task.Delay(next - now, time, stoppingToken);
                await anchors.TryAnchorHeadAsync(AuditAnchorReasons.Schedule, stoppingToken);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // shutting down
        }
    }
}
