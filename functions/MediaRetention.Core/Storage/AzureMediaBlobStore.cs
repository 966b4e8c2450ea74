using System.Runtime.CompilerServices;
using Azure;
using Azure.Storage.Blobs.Models;

namespace MediaRetention.Core.Storage;

/// <summary>
/// <see cref="IMediaBlobStore"/> over Azure Blob Storage (or Azurite). Every blob is addressed by its exact stored
/// name through <see cref="MediaBlobClients"/>, whatever the SDK would make of it.
/// </summary>
public sealed class AzureMediaBlobStore(MediaBlobClients clients, IDeleteConditionSupport deleteConditions) : IMediaBlobStore, IMediaBlobListing
{
    public async Task<BlobSnapshot?> GetPropertiesAsync(string container, string name, CancellationToken cancellationToken)
    {
        try
        {
            var properties = (await clients.Get(container, name).GetPropertiesAsync(cancellationToken: cancellationToken)).Value;
            return new BlobSnapshot(container, name, Quoted(properties.ETag.ToString()), properties.ContentLength,
                properties.LastModified, properties.ContentType, CaseInsensitive(properties.Metadata));
        }
        catch (RequestFailedException e) when (e.Status == 404)
        {
            return null;
        }
    }

    public async Task<Stream> OpenReadAsync(string container, string name, string etag, CancellationToken cancellationToken)
    {
        try
        {
            var download = await clients.Get(container, name).DownloadStreamingAsync(
                new BlobDownloadOptions { Conditions = new BlobRequestConditions { IfMatch = new ETag(etag) } },
                cancellationToken);
            return download.Value.Content;
        }
        catch (RequestFailedException e) when (e.Status is 404 or 412)
        {
            throw new BlobChangedException(container, name);
        }
    }

    public async Task<(BlobSnapshot Blob, Stream Content)> OpenReadWithPropertiesAsync(string container, string name, string etag, CancellationToken cancellationToken)
    {
        try
        {
            var download = (await clients.Get(container, name).DownloadStreamingAsync(
                new BlobDownloadOptions { Conditions = new BlobRequestConditions { IfMatch = new ETag(etag) } },
                cancellationToken)).Value;
            var details = download.Details;
            var blob = new BlobSnapshot(container, name, Quoted(details.ETag.ToString()), details.ContentLength,
                details.LastModified, details.ContentType, CaseInsensitive(details.Metadata));
            return (blob, download.Content);
        }
        catch (RequestFailedException e) when (e.Status is 404 or 412)
        {
            throw new BlobChangedException(container, name);
        }
    }

    public async IAsyncEnumerable<BlobSnapshot> ListAsync(string container, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await foreach (var page in ListPagesAsync(container, null, cancellationToken))
        {
            foreach (var blob in page.Blobs)
            {
                yield return blob;
            }
        }
    }

    public async IAsyncEnumerable<BlobListPage> ListPagesAsync(
        string container, string? continuation, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var client = clients.Service.GetBlobContainerClient(container);
        var pageable = client.GetBlobsAsync(new GetBlobsOptions { Traits = BlobTraits.Metadata | BlobTraits.Tags }, cancellationToken);
        await foreach (var page in PagesOfExistingContainerAsync(pageable, continuation, cancellationToken))
        {
            var blobs = page.Values
                .Where(item => !item.Deleted && item.Snapshot is null)
                .Select(item => Snapshot(container, item))
                .ToList();
            yield return new BlobListPage(blobs, string.IsNullOrEmpty(page.ContinuationToken) ? null : page.ContinuationToken);
        }
    }

    public async IAsyncEnumerable<BlobListPage> ListFromAsync(
        string container, string prefix, string? startFrom, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var client = clients.Service.GetBlobContainerClient(container);
        var options = new GetBlobsOptions
        {
            Traits = BlobTraits.Metadata | BlobTraits.Tags,
            Prefix = prefix.Length == 0 ? null : prefix,
            StartFrom = startFrom,
        };
        await foreach (var page in PagesOfExistingContainerAsync(client.GetBlobsAsync(options, cancellationToken), null, cancellationToken))
        {
            // startFrom is honoured by the service; a name before it is dropped here too, so a service that
            // ignored it would cost more requests but never change what the caller sees.
            var blobs = page.Values
                .Where(item => !item.Deleted && item.Snapshot is null && (startFrom is null || string.CompareOrdinal(item.Name, startFrom) >= 0))
                .Select(item => Snapshot(container, item))
                .ToList();
            yield return new BlobListPage(blobs, string.IsNullOrEmpty(page.ContinuationToken) ? null : page.ContinuationToken);
        }
    }

    public async IAsyncEnumerable<BlobLevelPage> ListLevelAsync(
        string container, string prefix, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var client = clients.Service.GetBlobContainerClient(container);
        var options = new GetBlobsByHierarchyOptions
        {
            Traits = BlobTraits.Metadata | BlobTraits.Tags,
            Delimiter = "/",
            Prefix = prefix.Length == 0 ? null : prefix,
        };
        await foreach (var page in PagesOfExistingContainerAsync(client.GetBlobsByHierarchyAsync(options, cancellationToken), null, cancellationToken))
        {
            var items = page.Values;
            var prefixes = items.Where(i => i.IsPrefix).Select(i => i.Prefix).ToList();
            var blobs = items.Where(i => i.IsBlob && !i.Blob.Deleted && i.Blob.Snapshot is null)
                .Select(i => Snapshot(container, i.Blob)).ToList();
            yield return new BlobLevelPage(prefixes, blobs);
        }
    }

    /// <summary>A listing's pages of 5,000; none when the container does not exist yet (nothing was uploaded).</summary>
    private static async IAsyncEnumerable<Page<T>> PagesOfExistingContainerAsync<T>(
        AsyncPageable<T> pageable, string? continuation, [EnumeratorCancellation] CancellationToken cancellationToken)
        where T : notnull
    {
        var pages = pageable.AsPages(continuation, pageSizeHint: 5000).GetAsyncEnumerator(cancellationToken);
        try
        {
            while (true)
            {
                try
                {
                    if (!await pages.MoveNextAsync())
                    {
                        yield break;
                    }
                }
                catch (RequestFailedException e) when (e.Status == 404)
                {
                    yield break;
                }

                yield return pages.Current;
            }
        }
        finally
        {
            await pages.DisposeAsync();
        }
    }

    public async Task<string> ReplaceMetadataAsync(string container, string name, IDictionary<string, string> metadata, string etag, CancellationToken cancellationToken)
    {
        try
        {
            var info = await clients.Get(container, name).SetMetadataAsync(metadata,
                new BlobRequestConditions { IfMatch = new ETag(etag) }, cancellationToken);
            return Quoted(info.Value.ETag.ToString());
        }
        catch (RequestFailedException e) when (e.Status is 404 or 412)
        {
            throw new BlobChangedException(container, name);
        }
    }

    public async Task<BlobDeleteOutcome> DeleteIfUnchangedAndNotHeldAsync(string container, string name, string etag, CancellationToken cancellationToken)
    {
        // If-Match on the indexed version as well, so an overwritten blob is never deleted whatever happened to its
        // tags; left out only where the storage was measured to ignore the tag condition when it is sent (Azurite).
        var conditions = deleteConditions.Mode switch
        {
            DeleteConditionMode.TagsAndETag => new BlobRequestConditions { IfMatch = new ETag(etag), TagConditions = Holds.IBlobHoldMarks.DeleteCondition(etag) },
            DeleteConditionMode.TagsOnly => new BlobRequestConditions { TagConditions = Holds.IBlobHoldMarks.DeleteCondition(etag) },
            _ => throw new DeleteConditionsUnverifiedException(),
        };
        try
        {
            await clients.Get(container, name).DeleteAsync(DeleteSnapshotsOption.IncludeSnapshots, conditions, cancellationToken);
            return BlobDeleteOutcome.Deleted;
        }
        catch (RequestFailedException e) when (e.Status == 404)
        {
            return BlobDeleteOutcome.AlreadyGone;
        }
        catch (RequestFailedException e) when (e.Status == 412)
        {
            return BlobDeleteOutcome.ConditionFailed;
        }
    }

    private static BlobSnapshot Snapshot(string container, BlobItem item) =>
        new(container, item.Name, Quoted(item.Properties.ETag?.ToString() ?? ""),
            item.Properties.ContentLength ?? 0, item.Properties.LastModified ?? DateTimeOffset.MinValue,
            item.Properties.ContentType, CaseInsensitive(item.Metadata))
        {
            HoldMarked = item.Tags?.ContainsKey(Holds.IBlobHoldMarks.TagName) == true,
        };

    /// <summary>
    /// One form for every ETag: the service quotes it in headers but not in listings, and a version must compare
    /// equal however it was read.
    /// </summary>
    internal static string Quoted(string etag) => etag.StartsWith('"') ? etag : $"\"{etag}\"";

    // Blob metadata names are case-insensitive in the service; callers look them up by lower-case name.
    private static Dictionary<string, string> CaseInsensitive(IDictionary<string, string>? metadata) =>
        metadata is null
            ? new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase)
            : new Dictionary<string, string>(metadata, StringComparer.OrdinalIgnoreCase);
}
