using System.Text.Json;
using Azure;
using Azure.Storage.Blobs;
using MediaRetention.Core.Media;
using MediaRetention.Core.Storage;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace MediaRetention.Core.Retention;

/// <summary>
/// Where a sweep that ran out of its time budget (<see cref="RetentionOptions.MaxSweepDuration"/>) stopped: the next
/// sweep resumes there instead of starting over, so a cycle over all media finishes however many runs it takes.
/// Everything before the position was finished (deleted and audited, or kept on purpose); nothing after it was touched.
/// </summary>
/// <param name="Phase"><see cref="SweepPhases.Reconcile"/> or <see cref="SweepPhases.Expired"/>.</param>
/// <param name="Container">Reconcile: the media container whose listing resumes at <paramref name="Marker"/>.</param>
/// <param name="Marker">Reconcile: the listing's continuation marker (null: the container from its start).</param>
/// <param name="Kind">Expired scan: the kind whose scan resumes after <paramref name="After"/>.</param>
/// <param name="After">Expired scan: the last index row finished (null: the kind from its start).</param>
/// <param name="CycleStartedAt">When the first sweep of this cycle started.</param>
/// <param name="StoppedBy">The sweep that saved it.</param>
/// <param name="OldestStillStored">
/// The earliest expiry among the expired, unheld media the cycle's earlier sweeps left stored, so a resumed sweep's
/// retention lag covers the whole cycle, not only what it scanned itself.
/// </param>
public sealed record SweepCheckpoint(
    string Phase,
    string? Container,
    string? Marker,
    string? Kind,
    RowKeyPair? After,
    DateTimeOffset CycleStartedAt,
    string StoppedBy,
    DateTimeOffset? OldestStillStored)
{
    /// <summary>The position as summaries and the audit log show it (never the listing marker, which may hold a blob name).</summary>
    public SweepPosition Position => new(Phase, Container, Kind, After?.RowKey);
}

/// <summary>A sweep position for people: phase, container or kind, and the last index row finished (time|media id).</summary>
public sealed record SweepPosition(string Phase, string? Container, string? Kind, string? After)
{
    public override string ToString() => Phase == SweepPhases.Reconcile
        ? $"reconcile {Container}"
        : After is null ? $"expired {Kind} from the start" : $"expired {Kind} after {After}";
}

public static class SweepPhases
{
    public const string Reconcile = "reconcile";
    public const string Expired = "expired";
}

/// <summary>The sweep's checkpoint; one at most, written only by the holder of the sweep lease.</summary>
public interface ISweepCheckpointStore
{
    /// <summary>The saved checkpoint, or null when the last cycle finished (or none ever stopped early).</summary>
    Task<SweepCheckpoint?> LoadAsync(CancellationToken cancellationToken);

    Task SaveAsync(SweepCheckpoint checkpoint, CancellationToken cancellationToken);

    /// <summary>The cycle finished: the next sweep starts a new one.</summary>
    Task ClearAsync(CancellationToken cancellationToken);

    /// <summary>
    /// When the last full reconcile that ran to its end started (null: none yet, or unreadable), so the sweep knows
    /// whether <see cref="RetentionOptions.FullReconcileInterval"/> has passed.
    /// </summary>
    Task<DateTimeOffset?> LoadLastFullReconcileAsync(CancellationToken cancellationToken);

    Task SaveLastFullReconcileAsync(DateTimeOffset startedAt, CancellationToken cancellationToken);
}

/// <summary><see cref="ISweepCheckpointStore"/> as a JSON blob next to the sweep lease in the state container.</summary>
public sealed class BlobSweepCheckpointStore(BlobServiceClient service, IOptions<MediaStorageOptions> options, ILogger<BlobSweepCheckpointStore> logger)
    : ISweepCheckpointStore
{
    public const string BlobName = "retention-sweep.checkpoint.json";

    private BlobClient Blob => service.GetBlobContainerClient(options.Value.StateContainer).GetBlobClient(BlobName);

    public async Task<SweepCheckpoint?> LoadAsync(CancellationToken cancellationToken)
    {
        BinaryData content;
        try
        {
            content = (await Blob.DownloadContentAsync(cancellationToken)).Value.Content;
        }
        catch (RequestFailedException e) when (e.Status == 404)
        {
            return null;
        }

        try
        {
            var checkpoint = content.ToObjectFromJson<SweepCheckpoint>(JsonSerializerOptions.Web);
            if (checkpoint is { Phase: SweepPhases.Reconcile or SweepPhases.Expired })
            {
                return checkpoint;
            }
        }
        catch (JsonException)
        {
            // reported below
        }

        // Starting the cycle over costs time, never media: what was finished is simply looked at again.
        logger.LogWarning("The sweep checkpoint {Container}/{Blob} cannot be read; this sweep starts a new cycle", options.Value.StateContainer, BlobName);
        return null;
    }

    public Task SaveAsync(SweepCheckpoint checkpoint, CancellationToken cancellationToken) =>
        Blob.UploadAsync(BinaryData.FromObjectAsJson(checkpoint, JsonSerializerOptions.Web), overwrite: true, cancellationToken);

    public Task ClearAsync(CancellationToken cancellationToken) => Blob.DeleteIfExistsAsync(cancellationToken: cancellationToken);

    public const string ReconcileBlobName = "retention-sweep.full-reconcile.json";

    private BlobClient ReconcileBlob => service.GetBlobContainerClient(options.Value.StateContainer).GetBlobClient(ReconcileBlobName);

    public async Task<DateTimeOffset?> LoadLastFullReconcileAsync(CancellationToken cancellationToken)
    {
        try
        {
            var content = (await ReconcileBlob.DownloadContentAsync(cancellationToken)).Value.Content;
            return content.ToObjectFromJson<FullReconcileRecord>(JsonSerializerOptions.Web)?.StartedAt;
        }
        catch (RequestFailedException e) when (e.Status == 404)
        {
            return null;
        }
        catch (JsonException)
        {
            // Unreadable: a full reconcile now costs requests, never media.
            logger.LogWarning("{Container}/{Blob} cannot be read; this sweep reconciles in full", options.Value.StateContainer, ReconcileBlobName);
            return null;
        }
    }

    public Task SaveLastFullReconcileAsync(DateTimeOffset startedAt, CancellationToken cancellationToken) =>
        ReconcileBlob.UploadAsync(BinaryData.FromObjectAsJson(new FullReconcileRecord(startedAt), JsonSerializerOptions.Web), overwrite: true, cancellationToken);

    private sealed record FullReconcileRecord(DateTimeOffset StartedAt);
}
