using MediaRetention.Core.Ingest;
using Microsoft.Extensions.Options;

namespace MediaRetention.Runner.Ingest;

/// <summary>
/// The runner's stand-in for the blob trigger: every poll interval <see cref="IngestScanner.ScanNewAsync"/> finds
/// what is new under each camera and phone-system prefix; beside it, a full scan runs every
/// <see cref="IngestOptions.FullScanInterval"/> as the safety net, so a long full listing never delays detection.
/// The handler is idempotent, so several runners scanning one account, or a blob seen twice, index every blob correctly.
/// </summary>
public sealed class BlobScanIngestService(
    IngestScanner scanner,
    IOptions<IngestOptions> ingestOptions,
    TimeProvider time,
    ILogger<BlobScanIngestService> logger) : BackgroundService
{
    // Checkpoints are hints: saving them at most this often bounds the writes, and a restart that lost the last
    // ones only lists a little more.
    private static readonly TimeSpan SaveInterval = TimeSpan.FromSeconds(30);

    private readonly TaskCompletionSource firstScan = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Lock saveGate = new();
    private DateTimeOffset lastSaved = DateTimeOffset.MinValue;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        logger.LogInformation("Ingest scan started: every {Interval}, overlap {Overlap}, full scan every {FullScanInterval}",
            ingestOptions.Value.PollInterval, ingestOptions.Value.ScanOverlap, ingestOptions.Value.FullScanInterval);
        try
        {
            await Task.WhenAll(
                LoopAsync("Ingest scan", async ct => { await scanner.ScanNewAsync(ct); firstScan.TrySetResult(); }, stoppingToken),
                FullScansAsync(stoppingToken));
        }
        finally
        {
            try
            {
                // Bounded: a storage that is gone must not hold up shutdown for a hint.
                using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
                await scanner.SaveAsync(timeout.Token);
            }
            catch (Exception e)
            {
                logger.LogWarning(e, "Could not save the ingest checkpoints on stop; the next start lists a little more");
            }
        }
    }

    private async Task FullScansAsync(CancellationToken stoppingToken)
    {
        try
        {
            // The first scan of an empty state lists everything already; the safety net starts after it.
            await firstScan.Task.WaitAsync(stoppingToken);
        }
        catch (OperationCanceledException)
        {
            return;
        }

        await LoopAsync("Ingest full scan", async ct =>
        {
            if (scanner.FullScanDue)
            {
                await scanner.ScanAllAsync(ct);
            }
        }, stoppingToken);
    }

    private async Task LoopAsync(string what, Func<CancellationToken, Task> scan, CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await scan(stoppingToken);
                await SaveIfDueAsync(stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                break;
            }
            catch (Exception e)
            {
                // Storage unreachable or similar: keep the loop alive and try again next interval.
                logger.LogError(e, "{What} failed; retrying in {Interval}", what, ingestOptions.Value.PollInterval);
            }

            try
            {
                await Task.Delay(ingestOptions.Value.PollInterval, time, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                break;
            }
        }
    }

    private async Task SaveIfDueAsync(CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        lock (saveGate)
        {
            if (now - lastSaved < SaveInterval)
            {
                return;
            }

            lastSaved = now;
        }

        await scanner.SaveAsync(cancellationToken);
    }
}
