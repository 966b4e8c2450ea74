using Azure;
using Azure.Storage.Blobs;
using MediaRetention.Core.Storage;
using Microsoft.Extensions.Options;

namespace MediaRetention.Core.Holds;

/// <summary>
/// <see cref="IBlobHoldMarks"/> with blob index tags, plus the legal-hold flag where enabled; blobs addressed by their
/// exact names (<see cref="MediaBlobClients"/>).
/// </summary>
public sealed class AzureBlobHoldMarks(MediaBlobClients clients, IOptions<HoldOptions> options) : IBlobHoldMarks
{
    public Task<bool> MarkHeldAsync(string container, string blobName, CancellationToken cancellationToken) =>
        SetAsync(container, blobName, new Dictionary<string, string> { [IBlobHoldMarks.TagName] = IBlobHoldMarks.Held }, legalHold: true, cancellationToken);

    public Task<bool> MarkNotHeldAsync(string container, string blobName, string etag, CancellationToken cancellationToken) =>
        SetAsync(container, blobName, new Dictionary<string, string>
        {
            [IBlobHoldMarks.TagName] = IBlobHoldMarks.NotHeld,
            [IBlobHoldMarks.VersionTagName] = IBlobHoldMarks.VersionTag(etag),
        }, legalHold: false, cancellationToken);

    public async Task<string?> GetMarkAsync(string container, string blobName, CancellationToken cancellationToken)
    {
        try
        {
            var tags = await Blob(container, blobName).GetTagsAsync(cancellationToken: cancellationToken);
            return tags.Value.Tags.TryGetValue(IBlobHoldMarks.TagName, out var value) ? value : null;
        }
        catch (RequestFailedException e) when (e.Status == 404)
        {
            return null;
        }
    }

    private async Task<bool> SetAsync(string container, string blobName, Dictionary<string, string> tags, bool legalHold, CancellationToken cancellationToken)
    {
        var blob = Blob(container, blobName);
        try
        {
            // The pipeline owns the tags on media blobs: SetTags replaces the whole set.
            await blob.SetTagsAsync(tags, cancellationToken: cancellationToken);
            if (options.Value.UseImmutabilityLegalHold)
            {
                await blob.SetLegalHoldAsync(legalHold, cancellationToken);
            }

            return true;
        }
        catch (RequestFailedException e) when (e.Status == 404)
        {
            return false;
        }
    }

    private BlobClient Blob(string container, string blobName) => clients.Get(container, blobName);
}
