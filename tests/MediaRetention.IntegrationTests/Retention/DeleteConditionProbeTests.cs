using Azure;
using Azure.Storage.Blobs.Models;
using MediaRetention.Core.Holds;
using MediaRetention.Core.Storage;
using MediaRetention.IntegrationTests.Infrastructure;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace MediaRetention.IntegrationTests.Retention;

/// <summary>
/// The delete-condition probe on Azurite. Azurite 3.37 ignores a blob-index tag condition whenever If-Match comes with
/// it (Azure evaluates both), so the probe must answer "tags only" here, and the store must then send the tag condition
/// alone: with both, Azurite would delete a held blob whose ETag is unchanged.
/// </summary>
[Collection(AzuriteCollection.Name)]
public sealed class DeleteConditionProbeTests(AzuriteFixture azurite) : IAsyncLifetime
{
    private readonly MediaStorageOptions storage = AzuriteFixture.UniqueStorageOptions();

    public async Task InitializeAsync()
    {
        await azurite.BlobService.GetBlobContainerClient(storage.StateContainer).CreateAsync();
        await azurite.BlobService.GetBlobContainerClient(storage.CctvContainer).CreateAsync();
    }

    public async Task DisposeAsync()
    {
        await azurite.BlobService.GetBlobContainerClient(storage.StateContainer).DeleteIfExistsAsync();
        await azurite.BlobService.GetBlobContainerClient(storage.CctvContainer).DeleteIfExistsAsync();
    }

    [Fact]
    public async Task Azurite_ignores_the_tag_condition_next_to_If_Match_so_the_probe_answers_tags_only()
    {
        // The emulator bug itself, measured: a held blob, deleted with its own ETag and a tag condition that is false.
        var blob = azurite.BlobService.GetBlobContainerClient(storage.CctvContainer).GetBlobClient("held.mp4");
        var etag = (await blob.UploadAsync(BinaryData.FromString("x"))).Value.ETag;
        await blob.SetTagsAsync(new Dictionary<string, string> { [IBlobHoldMarks.TagName] = IBlobHoldMarks.Held });
        await blob.DeleteAsync(DeleteSnapshotsOption.IncludeSnapshots, new BlobRequestConditions
        {
            IfMatch = etag,
            TagConditions = IBlobHoldMarks.DeleteCondition(etag.ToString()),
        });
        Assert.False((await blob.ExistsAsync()).Value); // Azure would have answered 412 and kept it.

        var clients = MediaBlobClients.FromConnectionString(azurite.ConnectionString);
        var support = new DeleteConditionSupport(clients, Options.Create(storage), NullLogger<DeleteConditionSupport>.Instance);

        Assert.Equal(DeleteConditionMode.TagsOnly, await support.EnsureProbedAsync(default));

        // The probe leaves nothing behind in the state container.
        Assert.Empty(await azurite.BlobService.GetBlobContainerClient(storage.StateContainer).GetBlobsAsync().ToListAsync());
    }

    [Fact]
    public async Task With_the_verdict_the_store_keeps_a_held_blob_and_deletes_an_unheld_one_on_Azurite()
    {
        var clients = MediaBlobClients.FromConnectionString(azurite.ConnectionString);
        var support = new DeleteConditionSupport(clients, Options.Create(storage), NullLogger<DeleteConditionSupport>.Instance);
        await support.EnsureProbedAsync(default);
        var store = new AzureMediaBlobStore(clients, support);
        var marks = new AzureBlobHoldMarks(clients, Options.Create(new HoldOptions()));
        var container = azurite.BlobService.GetBlobContainerClient(storage.CctvContainer);

        var held = container.GetBlobClient("a/held.mp4");
        var heldETag = AzureMediaBlobStore.Quoted((await held.UploadAsync(BinaryData.FromString("h"))).Value.ETag.ToString());
        await marks.MarkNotHeldAsync(container.Name, held.Name, heldETag, default);
        await marks.MarkHeldAsync(container.Name, held.Name, default);
        var free = container.GetBlobClient("a/free.mp4");
        var freeETag = AzureMediaBlobStore.Quoted((await free.UploadAsync(BinaryData.FromString("f"))).Value.ETag.ToString());
        await marks.MarkNotHeldAsync(container.Name, free.Name, freeETag, default);

        Assert.Equal(BlobDeleteOutcome.ConditionFailed, await store.DeleteIfUnchangedAndNotHeldAsync(container.Name, held.Name, heldETag, default));
        Assert.True((await held.ExistsAsync()).Value);
        Assert.Equal(BlobDeleteOutcome.Deleted, await store.DeleteIfUnchangedAndNotHeldAsync(container.Name, free.Name, freeETag, default));
        Assert.False((await free.ExistsAsync()).Value);
    }

    [Fact]
    public async Task A_probe_that_cannot_reach_storage_answers_unverified_and_tries_again_later()
    {
        // A state container that does not exist: the probe's upload fails.
        var options = new MediaStorageOptions
        {
            StateContainer = "missing-" + Guid.NewGuid().ToString("N")[..8],
        };
        var clients = MediaBlobClients.FromConnectionString(azurite.ConnectionString);
        var support = new DeleteConditionSupport(clients, Options.Create(options), NullLogger<DeleteConditionSupport>.Instance);

        Assert.Equal(DeleteConditionMode.Unverified, await support.EnsureProbedAsync(default));
        Assert.Equal(DeleteConditionMode.Unverified, support.Mode);

        await azurite.BlobService.GetBlobContainerClient(options.StateContainer).CreateAsync();
        try
        {
            Assert.Equal(DeleteConditionMode.TagsOnly, await support.EnsureProbedAsync(default));
        }
        finally
        {
            await azurite.BlobService.GetBlobContainerClient(options.StateContainer).DeleteAsync();
        }
    }
}
