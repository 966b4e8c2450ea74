using Azure.Data.Tables;
using Azure.Storage.Blobs;
using MediaRetention.Core.Storage;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;

namespace MediaRetention.Runner.Health;

/// <summary>Storage is reachable: one cheap call each to blob (the state container's properties) and table (an empty key lookup).</summary>
public sealed class StorageHealthCheck(
    BlobServiceClient blobs,
    TableServiceClient tables,
    IOptions<MediaStorageOptions> storage,
    IOptions<HealthOptions> options) : IHealthCheck
{
    public const string Name = "storage";

    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(options.Value.StorageTimeout);
        try
        {
            await blobs.GetBlobContainerClient(storage.Value.StateContainer).GetPropertiesAsync(cancellationToken: timeout.Token);
            var probe = tables.GetTableClient(storage.Value.MediaTable)
                .QueryAsync<TableEntity>(e => e.PartitionKey == "healthz", maxPerPage: 1, select: ["PartitionKey"], cancellationToken: timeout.Token);
            await foreach (var _ in probe.AsPages(pageSizeHint: 1).WithCancellation(timeout.Token))
            {
                break;
            }

            return HealthCheckResult.Healthy("Blob and table storage answered.");
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            // The exception type only: messages can carry account URLs.
            return HealthCheckResult.Unhealthy($"Storage did not answer ({e.GetType().Name}).");
        }
    }
}
