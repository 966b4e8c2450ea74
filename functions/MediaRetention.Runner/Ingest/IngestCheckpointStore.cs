using System.Text.Json;
using Azure;
using Azure.Storage.Blobs;
using MediaRetention.Core.Storage;
using Microsoft.Extensions.Options;

namespace MediaRetention.Runner.Ingest;

/// <summary>
/// The runner's ingest checkpoint: an instant before which every blob in the media containers is known to be
/// indexed. After a restart, blobs last modified before it are not looked at again, so nothing is re-hashed.
/// Shared by all runner instances on the account; any of them may move it.
/// </summary>
public sealed class IngestCheckpointStore(BlobServiceClient service, IOptions<MediaStorageOptions> options)
{
    public const string BlobName = "ingest-checkpoint.json";

    private BlobClient Blob => service.GetBlobContainerClient(options.Value.StateContainer).GetBlobClient(BlobName);

    public async Task<DateTimeOffset?> ReadAsync(CancellationToken cancellationToken)
    {
        try
        {
            var content = await Blob.DownloadContentAsync(cancellationToken);
            return content.Value.Content.ToObjectFromJson<Checkpoint>()?.IndexedBefore;
        }
        catch (RequestFailedException e) when (e.Status == 404)
        {
            return null;
        }
        catch (JsonException)
        {
            return null; // unreadable checkpoint: the safe fallback is to look at everything again
        }
    }

    public Task WriteAsync(DateTimeOffset indexedBefore, CancellationToken cancellationToken) =>
        Blob.UploadAsync(BinaryData.FromObjectAsJson(new Checkpoint(indexedBefore)), overwrite: true, cancellationToken);

    private sealed record Checkpoint(DateTimeOffset IndexedBefore);
}
