using Azure.Storage.Blobs.Specialized;
using MediaRetention.Core.Ingest;
using MediaRetention.Core.Storage;
using Microsoft.Azure.Functions.Worker;

namespace MediaRetention.Functions;

/// <summary>
/// Ingest: one blob trigger per media container, each a one-liner into <see cref="IngestBlobHandler"/>.
/// </summary>
/// <remarks>
/// Flex Consumption only supports the Event Grid source for blob triggers (infra/main.bicep subscribes the
/// storage account's BlobCreated events to these functions). Delivery is at least once, possibly late,
/// duplicated or out of order: the handler is idempotent and keys on the blob's ETag.
/// The trigger parameter is bound as a <see cref="BlobBaseClient"/> only because a trigger attribute must sit
/// on some parameter: that type is a plain reference (no request is made to build it), whereas string, byte[],
/// Stream or a POCO would make the worker download the recording before the function runs. The handler reads
/// the blob itself, conditionally on the ETag it saw, so nothing here touches the content.
/// </remarks>
public sealed class IngestFunctions(IngestBlobHandler handler)
{
    // The app setting prefix of the media storage connection (MediaStorage or MediaStorage__blobServiceUri...).
    private const string MediaStorage = MediaStorageOptions.ConnectionName;

    [Function(nameof(IngestCctvBlob))]
    public Task IngestCctvBlob(
        [BlobTrigger("%CctvContainer%/{name}", Source = BlobTriggerSource.EventGrid, Connection = MediaStorage)] BlobBaseClient blob,
        string name,
        CancellationToken cancellationToken) =>
        IngestAsync(blob.BlobContainerName, name, cancellationToken);

    [Function(nameof(IngestCallBlob))]
    public Task IngestCallBlob(
        [BlobTrigger("%CallsContainer%/{name}", Source = BlobTriggerSource.EventGrid, Connection = MediaStorage)] BlobBaseClient blob,
        string name,
        CancellationToken cancellationToken) =>
        IngestAsync(blob.BlobContainerName, name, cancellationToken);

    // Exceptions propagate on purpose: the blob extension retries the invocation and then parks it in its
    // poison queue, and the handler is safe to run again for the same blob.
    private Task IngestAsync(string container, string name, CancellationToken cancellationToken) =>
        handler.HandleAsync(new IngestBlobCommand(container, name), cancellationToken);
}
