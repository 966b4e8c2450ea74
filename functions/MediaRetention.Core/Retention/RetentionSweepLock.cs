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

    public async Task<DateTimeOffset?> LastFinishedAsync(CancellationToken cancellationToken)
    {
        try
        {
            var properties = await Blob.GetPropertiesAsync(cancellationToken: cancellationToken);
            return properties.Value.Metadata.TryGetValue(LastFinishedKey, out var text)
                && DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var at)
                ? at
                : null;
        }
        catch (RequestFailedException e) when (e.Status == 404)
        {
            return null;
        }
    }

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

        public async Task RecordFinishedAsync(DateTimeOffset finishedAt, CancellationToken cancellationToken)
        {
            await blob.SetMetadataAsync(
                new Dictionary<string, string> { [LastFinishedKey] = finishedAt.ToString("O", CultureInfo.InvariantCulture) },
                new BlobRequestConditions { LeaseId = leaseClient.LeaseId },
                cancellationToken);
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
