using MediaRetention.Core.Retention;
using Microsoft.Extensions.Options;

namespace MediaRetention.Runner.Retention;

/// <summary>
/// The runner's TimerTrigger: sweeps on the NCRONTAB <c>RetentionSchedule</c> (UTC), and once at start-up when
/// the last sweep is overdue. The blob lease inside <see cref="RunRetentionSweepHandler"/> keeps it to one
/// sweep at a time across runners.
/// </summary>
public sealed class RetentionTimerService(
    RunRetentionSweepHandler sweeps,
    IOptions<RetentionScheduleOptions> schedule,
    IOptions<RetentionOptions> options,
    TimeProvider time,
    ILogger<RetentionTimerService> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!options.Value.TimerEnabled)
        {
            logger.LogInformation("Retention timer disabled (Retention:TimerEnabled=false); sweeps run only through the API");
            return;
        }

        var crontab = schedule.Value.Parse();
        try
        {
            if (await sweeps.IsOverdueAsync(crontab, stoppingToken))
            {
                await SweepAsync("startup (overdue)", stoppingToken);
            }

            while (!stoppingToken.IsCancellationRequested)
            {
                var now = time.GetUtcNow();
                var next = new DateTimeOffset(crontab.GetNextOccurrence(now.UtcDateTime), TimeSpan.Zero);
                await Task.Delay(next - now, time, stoppingToken);
                await SweepAsync("schedule", stoppingToken);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // shutting down
        }
    }

    private async Task SweepAsync(string trigger, CancellationToken stoppingToken)
    {
        try
        {
            var result = await sweeps.RunAsync(trigger, stoppingToken);
            if (result.Busy)
            {
                logger.LogInformation("Retention sweep skipped: another host holds the sweep lease");
            }
        }
        catch (Exception e) when (e is not OperationCanceledException || !stoppingToken.IsCancellationRequested)
        {
            // Nothing is lost: deletes are conditional and the next sweep resumes where this one stopped.
            logger.LogError(e, "Retention sweep failed; the next one resumes");
        }
    }
}
