using System.Globalization;
using Azure;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using Azure.Storage.Blobs.Specialized;
using MediaRetention.Core.Storage;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace MediaRetention.Core.Retention;

/// <summary>
/// One sweep at a time across every host on the storage account: a lease on a blob in the state container,
/// renewed while the sweep runs. The blob's metadata also records when the last sweep finished.
/// </summary>
public sealed class RetentionSweepLock(BlobServiceClient service, IOptions<MediaStorageOptions> options, TimeProvider time, ILogger<RetentionSweepLock> logger)
{
    public const string BlobName = "retention-sweep.lock";
    private const string LastFinishedKey = "lastsweepfinishedat";
    private const string LastSweepAtKey = "lastsweepat";
    private const string LastOutcomeKey = "lastsweepoutcome";
    private const string LastSweepIdKey = "lastsweepid";
    private const string LastRetentionLagKey = "lastsweepretentionlagseconds";
    private const string LastErrorKey = "lastsweeperror";
    private const string LastUnreadableHoldsKey = "lastsweepunreadableholds";
    private static readonly TimeSpan LeaseDuration = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan RenewEvery = TimeSpan.FromSeconds(20);

    private BlobClient Blob => service.GetBlobContainerClient(options.Value.StateContainer).GetBlobClient(BlobName);

    /// <summary>The lease, or null when another host is sweeping.</summary>
    public async Task<Lease?> TryAcquireAsync(CancellationToken cancellationToken)
    {
        var blob = Blob;
        try
        {
            await blob.UploadAsync(BinaryData.Empty, new BlobUploadOptions { Conditions = new BlobRequestConditions { IfNoneMatch = ETag.All } }, cancellationToken);
        }
        catch (RequestFailedException e) when (e.Status is 409 or 412)
        {
            // exists already
        }

        var leaseClient = blob.GetBlobLeaseClient();
        try
        {
            await leaseClient.AcquireAsync(LeaseDuration, cancellationToken: cancellationToken);
        }
        catch (RequestFailedException e) when (e.Status == 409)
        {
            return null;
        }

        return new Lease(blob, leaseClient, time, logger, cancellationToken);
    }

    /// <summary>Whether some host holds the sweep lease now (a sweep is running).</summary>
    public async Task<bool> IsTakenAsync(CancellationToken cancellationToken)
    {
        try
        {
            return (await Blob.GetPropertiesAsync(cancellationToken: cancellationToken)).Value.LeaseState == LeaseState.Leased;
        }
        catch (RequestFailedException e) when (e.Status == 404)
        {
            return false;
        }
    }

    /// <summary>When the last sweep that completed (with or without failures) finished.</summary>
    public async Task<DateTimeOffset?> LastFinishedAsync(CancellationToken cancellationToken) =>
        await MetadataAsync(cancellationToken) is { } metadata ? Time(metadata, LastFinishedKey) : null;

    /// <summary>The last sweep of any host, completed or failed; null when none has been recorded.</summary>
    /// <exception cref="RequestFailedException">Storage did not answer (other than "no such blob").</exception>
    public async Task<SweepRecord?> LastSweepAsync(CancellationToken cancellationToken)
    {
        var metadata = await MetadataAsync(cancellationToken);
        if (metadata is null || Time(metadata, LastSweepAtKey) is not { } at || !metadata.TryGetValue(LastOutcomeKey, out var outcome))
        {
            return null;
        }

        return new SweepRecord(
            at,
            outcome,
            metadata.GetValueOrDefault(LastSweepIdKey),
            metadata.TryGetValue(LastRetentionLagKey, out var lag) && double.TryParse(lag, NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds) ? seconds : null,
            metadata.GetValueOrDefault(LastErrorKey))
        {
            LastCompletedAt = Time(metadata, LastFinishedKey),
            UnreadableHolds = metadata.GetValueOrDefault(LastUnreadableHoldsKey),
        };
    }

    private async Task<IReadOnlyDictionary<string, string>?> MetadataAsync(CancellationToken cancellationToken)
    {
        try
        {
            return new Dictionary<string, string>((await Blob.GetPropertiesAsync(cancellationToken: cancellationToken)).Value.Metadata, StringComparer.OrdinalIgnoreCase);
        }
        catch (RequestFailedException e) when (e.Status == 404)
        {
            return null;
        }
    }

    private static DateTimeOffset? Time(IReadOnlyDictionary<string, string> metadata, string key) =>
        metadata.TryGetValue(key, out var text)
        && DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var at)
            ? at
            : null;

    /// <summary>A held lease: renewed in the background; <see cref="Lost"/> fires if renewal fails.</summary>
    public sealed class Lease : IAsyncDisposable
    {
        private readonly BlobClient blob;
        private readonly BlobLeaseClient leaseClient;
        private readonly CancellationTokenSource lost;
        private readonly Task renewing;

        internal Lease(BlobClient blob, BlobLeaseClient leaseClient, TimeProvider time, ILogger logger, CancellationToken cancellationToken)
        {
            this.blob = blob;
            this.leaseClient = leaseClient;
            lost = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            renewing = RenewAsync(time, logger);
        }

        /// <summary>Cancelled when the lease could not be renewed (or the caller cancelled): stop sweeping.</summary>
        public CancellationToken Lost => lost.Token;

        /// <summary>
        /// Records how the sweep ended in the lock blob's metadata, for every host's /healthz and the overdue check.
        /// A failed sweep keeps the time of the last completed one: only a completed sweep makes the schedule current.
        /// </summary>
        public async Task RecordAsync(SweepRecord record, CancellationToken cancellationToken)
        {
            var conditions = new BlobRequestConditions { LeaseId = leaseClient.LeaseId };
            var metadata = new Dictionary<string, string>(
                (await blob.GetPropertiesAsync(conditions, cancellationToken)).Value.Metadata, StringComparer.OrdinalIgnoreCase)
            {
                [LastSweepAtKey] = record.At.ToString("O", CultureInfo.InvariantCulture),
                [LastOutcomeKey] = record.Outcome,
            };
            Set(metadata, LastSweepIdKey, record.SweepId);
            Set(metadata, LastErrorKey, record.Error);
            if (record.Outcome != SweepOutcomes.Failed)
            {
                Set(metadata, LastUnreadableHoldsKey, record.UnreadableHolds);
                metadata[LastFinishedKey] = record.At.ToString("O", CultureInfo.InvariantCulture);
                Set(metadata, LastRetentionLagKey, record.RetentionLagSeconds?.ToString("0.###", CultureInfo.InvariantCulture));
            }

            await blob.SetMetadataAsync(metadata, conditions, cancellationToken);
        }

        private static void Set(Dictionary<string, string> metadata, string key, string? value)
        {
            if (value is null)
            {
                metadata.Remove(key);
            }
            else
            {
                metadata[key] = value;
            }
        }

        public async ValueTask DisposeAsync()
        {
            await lost.CancelAsync();
            await renewing;
            try
            {
                await leaseClient.ReleaseAsync();
            }
            catch (RequestFailedException)
            {
                // expired or taken over already: nothing to release
            }

            lost.Dispose();
        }

        private async Task RenewAsync(TimeProvider time, ILogger logger)
        {
            try
            {
                while (true)
                {
                    await Task.Delay(RenewEvery, time, lost.Token);
                    await leaseClient.RenewAsync(cancellationToken: lost.Token);
                }
            }
            catch (OperationCanceledException)
            {
                // released
            }
            catch (Exception e)
            {
                logger.LogError(e, "Lost the retention sweep lease; stopping this sweep");
                await lost.CancelAsync();
            }
        }
    }
}

/// <summary>How the last sweep of any host ended, kept in the sweep lock blob's metadata.</summary>
/// <param name="At">When it finished or failed.</param>
/// <param name="Outcome">One of <see cref="SweepOutcomes"/>.</param>
/// <param name="RetentionLagSeconds">The retention lag it left (the last completed sweep's, after a failure).</param>
/// <param name="Error">The exception type of a failed sweep (never its message, which may name a blob).</param>
public sealed record SweepRecord(DateTimeOffset At, string Outcome, string? SweepId, double? RetentionLagSeconds, string? Error)
{
    /// <summary>When the last sweep that completed finished.</summary>
    public DateTimeOffset? LastCompletedAt { get; init; }

    /// <summary>
    /// The hold rows that blocked the last completed sweep's deletions: their number and the first few ids (only
    /// characters a metadata value may hold); null when none did.
    /// </summary>
    public string? UnreadableHolds { get; init; }

    public static SweepRecord Of(SweepSummary summary, DateTimeOffset at) =>
        new(at, summary.Outcome, summary.SweepId, summary.RetentionLagSeconds, null)
        {
            UnreadableHolds = summary.UnreadableHolds.Count == 0 ? null
                : $"{summary.UnreadableHolds.Count}: " + string.Join(", ", summary.UnreadableHolds.Take(5)
                    .Select(h => new string(h.Id.Where(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.').Take(64).ToArray()))),
        };
}
