using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text.Json;
using Azure;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using MediaRetention.Core.Storage;
using Microsoft.Extensions.Options;

namespace MediaRetention.Core.Operations;

/// <summary>An operation as stored, with the version a conditional write must name.</summary>
public sealed record StoredOperation(Operation Operation, string ETag);

/// <summary>What a listing tells about an operation without reading it.</summary>
public sealed record OperationListing(string Id, string Kind, string Status, DateTimeOffset ExpiresAt, DateTimeOffset LastSignOfLife);

/// <summary>Where operations live: shared by every host on the storage account.</summary>
public interface IOperationStore
{
    /// <summary>Stores a new operation (its id must be new).</summary>
    Task CreateAsync(Operation operation, CancellationToken cancellationToken);

    Task<StoredOperation?> GetAsync(string id, CancellationToken cancellationToken);

    /// <summary>Replaces the operation if it is still at <paramref name="etag"/>: the new version, or null when someone wrote first.</summary>
    Task<string?> TryReplaceAsync(Operation operation, string etag, CancellationToken cancellationToken);

    IAsyncEnumerable<OperationListing> ListAsync(CancellationToken cancellationToken);

    Task DeleteAsync(string id, CancellationToken cancellationToken);
}

/// <summary>
/// <see cref="IOperationStore"/> as one JSON blob per operation under <c>operations/</c> in the state container (any
/// size of result fits, unlike a table entity); kind, status, expiry and last sign of life ride in its metadata so a
/// listing needs no downloads. Writes are conditional on the blob's ETag, so two workers never both claim one.
/// </summary>
public sealed class BlobOperationStore(BlobServiceClient service, IOptions<MediaStorageOptions> options) : IOperationStore
{
    public const string Prefix = "operations/";

    private BlobContainerClient Container => service.GetBlobContainerClient(options.Value.StateContainer);

    /// <summary>Operation ids are 32 lower-case hex digits (a version-7 GUID); anything else names no operation.</summary>
    public static bool IsOperationId(string? id) => id is { Length: 32 } && id.All(c => char.IsAsciiDigit(c) || c is >= 'a' and <= 'f');

    public async Task CreateAsync(Operation operation, CancellationToken cancellationToken) =>
        await Blob(operation.Id).UploadAsync(Content(operation), new BlobUploadOptions
        {
            Metadata = Metadata(operation),
            HttpHeaders = new BlobHttpHeaders { ContentType = "application/json" },
            Conditions = new BlobRequestConditions { IfNoneMatch = ETag.All },
        }, cancellationToken);

    public async Task<StoredOperation?> GetAsync(string id, CancellationToken cancellationToken)
    {
        if (!IsOperationId(id))
        {
            return null;
        }

        try
        {
            var download = (await Blob(id).DownloadContentAsync(cancellationToken)).Value;
            var operation = download.Content.ToObjectFromJson<Operation>(JsonSerializerOptions.Web)
                ?? throw new JsonException($"Operation {id} is empty.");
            return new StoredOperation(operation, download.Details.ETag.ToString());
        }
        catch (RequestFailedException e) when (e.Status == 404)
        {
            return null;
        }
    }

    public async Task<string?> TryReplaceAsync(Operation operation, string etag, CancellationToken cancellationToken)
    {
        try
        {
            var written = await Blob(operation.Id).UploadAsync(Content(operation), new BlobUploadOptions
            {
                Metadata = Metadata(operation),
                HttpHeaders = new BlobHttpHeaders { ContentType = "application/json" },
                Conditions = new BlobRequestConditions { IfMatch = new ETag(etag) },
            }, cancellationToken);
            return written.Value.ETag.ToString();
        }
        catch (RequestFailedException e) when (e.Status is 412 or 404)
        {
            return null;
        }
    }

    public async IAsyncEnumerable<OperationListing> ListAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var pages = Container.GetBlobsAsync(new GetBlobsOptions { Prefix = Prefix, Traits = BlobTraits.Metadata }, cancellationToken);
        await foreach (var item in pages.WithCancellation(cancellationToken))
        {
            var metadata = new Dictionary<string, string>(item.Metadata ?? new Dictionary<string, string>(), StringComparer.OrdinalIgnoreCase);
            var id = item.Name[Prefix.Length..].Replace(".json", "", StringComparison.Ordinal);
            if (!IsOperationId(id) || !metadata.TryGetValue("kind", out var kind) || !metadata.TryGetValue("status", out var status))
            {
                continue;
            }

            yield return new OperationListing(id, kind, status,
                Time(metadata, "expiresat") ?? DateTimeOffset.MinValue,
                Time(metadata, "signoflife") ?? item.Properties.LastModified ?? DateTimeOffset.MinValue);
        }
    }

    public Task DeleteAsync(string id, CancellationToken cancellationToken) =>
        Blob(id).DeleteIfExistsAsync(cancellationToken: cancellationToken);

    private BlobClient Blob(string id) => Container.GetBlobClient(Prefix + id + ".json");

    private static BinaryData Content(Operation operation) => BinaryData.FromObjectAsJson(operation, JsonSerializerOptions.Web);

    private static Dictionary<string, string> Metadata(Operation operation) => new()
    {
        ["kind"] = operation.Kind,
        ["status"] = operation.Status,
        ["expiresat"] = operation.ExpiresAt.UtcDateTime.ToString("O", CultureInfo.InvariantCulture),
        ["signoflife"] = (operation.HeartbeatAt ?? operation.CreatedAt).UtcDateTime.ToString("O", CultureInfo.InvariantCulture),
    };

    private static DateTimeOffset? Time(Dictionary<string, string> metadata, string key) =>
        metadata.TryGetValue(key, out var text)
        && DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var at)
            ? at
            : null;
}
