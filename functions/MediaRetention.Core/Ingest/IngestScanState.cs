using System.Text.Json;
using Azure;
using Azure.Storage.Blobs;
using MediaRetention.Core.Storage;
using Microsoft.Extensions.Options;

namespace MediaRetention.Core.Ingest;

/// <summary>
/// What the runner's scan has covered, persisted so a restart resumes instead of listing everything again.
/// </summary>
/// <param name="IndexedBefore">
/// Every blob last modified before this instant is indexed (set by a scan that saw every blob; the same field as the
/// former whole-listing checkpoint, which a newer runner reads as such).
/// </param>
/// <param name="LastFullScanStartedAt">When the last scan that saw every blob began.</param>
/// <param name="Prefixes">Container → prefix → the recording time its next listing resumes from (minus the overlap).</param>
public sealed record IngestScanState(
    DateTimeOffset? IndexedBefore,
    DateTimeOffset? LastFullScanStartedAt = null,
    Dictionary<string, Dictionary<string, DateTimeOffset>>? Prefixes = null);

/// <summary>Where the runner keeps its <see cref="IngestScanState"/>. Shared by every runner on the account.</summary>
public interface IIngestScanStateStore
{
    Task<IngestScanState?> ReadAsync(CancellationToken cancellationToken);

    Task WriteAsync(IngestScanState state, CancellationToken cancellationToken);
}

/// <summary>
/// One JSON blob in the state container (a few dozen bytes per camera). Runners sharing an account overwrite each
/// other's: every field is a hint that only narrows a listing, an older one only makes the next listing longer.
/// </summary>
public sealed class BlobIngestScanStateStore(BlobServiceClient service, IOptions<MediaStorageOptions> options) : IIngestScanStateStore
{
    public const string BlobName = "ingest-checkpoint.json";

    private BlobClient Blob => service.GetBlobContainerClient(options.Value.StateContainer).GetBlobClient(BlobName);

    public async Task<IngestScanState?> ReadAsync(CancellationToken cancellationToken)
    {
        try
        {
            var content = await Blob.DownloadContentAsync(cancellationToken);
            return content.Value.Content.ToObjectFromJson<IngestScanState>();
        }
        catch (RequestFailedException e) when (e.Status == 404)
        {
            return null;
        }
        catch (JsonException)
        {
            return null; // unreadable: the safe fallback is to look at everything again
        }
    }

    public Task WriteAsync(IngestScanState state, CancellationToken cancellationToken) =>
        Blob.UploadAsync(BinaryData.FromObjectAsJson(state), overwrite: true, cancellationToken);
}
