using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace MediaRetention.Api.Auth;

/// <summary>
/// Writes the aggregated entries of closed denial windows even when no further denial comes to do it, and every open
/// window's count when the host stops, so no counted denial is lost on a graceful shutdown. Runs in both hosts.
/// </summary>
public sealed class DenialAuditFlushService(DenialAudit denials, IOptions<AbuseOptions> options, TimeProvider time) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // A quarter of a window (between 1 s and 1 min): an aggregate is written soon after its window closes.
        var interval = TimeSpan.FromTicks(Math.Clamp(options.Value.DenialAuditWindow.Ticks / 4, TimeSpan.TicksPerSecond, TimeSpan.TicksPerMinute));
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                await Task.Delay(interval, time, stoppingToken);
                await denials.FlushAsync(all: false, stoppingToken);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // stopping: StopAsync flushes what is left
        }
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        await denials.FlushAsync(all: true, cancellationToken);
    }
}
