using System.Collections.Concurrent;
using MediaRetention.Core.Ingest;
using MediaRetention.Core.Storage;
using Microsoft.Extensions.Options;

namespace MediaRetention.Runner.Ingest;

/// <summary>
/// The runner's stand-in for the blob trigger: lists the media containers every poll interval and hands every
/// new or changed blob to <see cref="IngestBlobHandler"/>. The handler is idempotent, so several runners
/// scanning one account, or a blob seen twice, index every blob correctly.
/// </summary>
public sealed class BlobScanIngestService(
    IngestBlobHandler handler,
    IMediaBlobStore blobs,
    IngestCheckpointStore checkpoints,
    IOptions<MediaStorageOptions> storageOptions,
    IOptions<IngestOptions> ingestOptions,
    TimeProvider time,
    ILogger<BlobScanIngestService> logger) : BackgroundService
{
    // Margin for the difference between this host's clock and the storage service's Last-Modified clock.
    private static readonly TimeSpan ClockSkewMargin = TimeSpan.FromMinutes(5);

    // Blob name → the ETag this runner saw indexed. Only a cache: the index is the truth.
    private readonly ConcurrentDictionary<(string Container, string Name), string> known = new();

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var checkpoint = await checkpoints.ReadAsync(stoppingToken);
        logger.LogInformation("Ingest scan started; checkpoint {Checkpoint}", checkpoint?.ToString("O") ?? "none");

        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                var (next, _) = await ScanOnceAsync(checkpoint, stoppingToken);
                if (next > (checkpoint ?? DateTimeOffset.MinValue))
                {
                    await checkpoints.WriteAsync(next, stoppingToken);
                    checkpoint = next;
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                break;
            }
            catch (Exception e)
            {
                // Storage unreachable or similar: keep the loop alive and try again next interval.
                logger.LogError(e, "Ingest scan failed; retrying in {Interval}", ingestOptions.Value.PollInterval);
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

    /// <summary>One pass over every media container. Returns the new checkpoint and how many blobs it handed to ingest.</summary>
    internal async Task<(DateTimeOffset Checkpoint, int Handled)> ScanOnceAsync(DateTimeOffset? checkpoint, CancellationToken cancellationToken)
    {
        var scanStarted = time.GetUtcNow();
        var oldestFailure = DateTimeOffset.MaxValue;
        var seen = new HashSet<(string, string)>();
        var work = new List<BlobSnapshot>();

        foreach (var container in storageOptions.Value.MediaContainers)
        {
            await foreach (var blob in blobs.ListAsync(container, cancellationToken))
            {
                var key = (blob.Container, MediaRetention.Core.Media.NameMasking.BlobName(blob.Name));
                seen.Add(key);
                if (known.TryGetValue(key, out var etag) && etag == blob.ETag)
                {
                    continue;
                }

                if (!known.ContainsKey(key) && blob.LastModified < checkpoint)
                {
                    known[key] = blob.ETag; // indexed before the checkpoint, by this or another runner
                    continue;
                }

                work.Add(blob);
            }
        }

        await Parallel.ForEachAsync(work,
            new ParallelOptions { MaxDegreeOfParallelism = ingestOptions.Value.MaxParallelism, CancellationToken = cancellationToken },
            async (blob, ct) =>
            {
                try
                {
                    var result = await handler.HandleAsync(IngestBlobCommand.Listed(blob), ct);
                    known[(blob.Container, blob.Name)] = result.Record?.ETag ?? blob.ETag;
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    logger.LogError(e, "Could not index {Container}/{BlobName}; it is retried next scan", blob.Container, blob.Name);
                    lock (seen)
                    {
                        oldestFailure = blob.LastModified < oldestFailure ? blob.LastModified : oldestFailure;
                    }
                }
            });

        foreach (var key in known.Keys.Where(k => !seen.Contains(k)))
        {
            known.TryRemove(key, out _);
        }

        var next = scanStarted - ClockSkewMargin;
        return (oldestFailure < next ? oldestFailure : next, work.Count);
    }
}
