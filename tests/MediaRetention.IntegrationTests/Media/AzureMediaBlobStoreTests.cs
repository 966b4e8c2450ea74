using MediaRetention.Core.Storage;
using MediaRetention.IntegrationTests.Infrastructure;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace MediaRetention.IntegrationTests.Media;

[Collection(AzuriteCollection.Name)]
public sealed class AzureMediaBlobStoreTests(AzuriteFixture azurite)
{
    [Fact]
    public async Task Reading_a_version_that_was_overwritten_fails_instead_of_hashing_the_new_content()
    {
        var container = azurite.BlobService.GetBlobContainerClient("store-" + Guid.NewGuid().ToString("N")[..8]);
        await container.CreateAsync();
        var blob = container.GetBlobClient("a/b/20261101T000000Z.mp4");
        await blob.UploadAsync(new BinaryData("one"u8.ToArray()));
        var store = Store();
        var first = await store.GetPropertiesAsync(container.Name, blob.Name, default);

        await blob.UploadAsync(new BinaryData("two"u8.ToArray()), overwrite: true);

        await Assert.ThrowsAsync<BlobChangedException>(() => store.OpenReadAsync(container.Name, blob.Name, first!.ETag, default));
        var second = await store.GetPropertiesAsync(container.Name, blob.Name, default);
        await using var stream = await store.OpenReadAsync(container.Name, blob.Name, second!.ETag, default);
        Assert.Equal("two", await new StreamReader(stream).ReadToEndAsync());
    }

    [Fact]
    public async Task Listing_and_properties_give_the_same_etag()
    {
        var container = azurite.BlobService.GetBlobContainerClient("store-" + Guid.NewGuid().ToString("N")[..8]);
        await container.CreateAsync();
        await container.GetBlobClient("a.wav").UploadAsync(new BinaryData("1"u8.ToArray()));
        var store = Store();

        var listed = Assert.Single(await store.ListAsync(container.Name, default).ToListAsync());
        var properties = await store.GetPropertiesAsync(container.Name, "a.wav", default);

        Assert.Equal(properties!.ETag, listed.ETag);
    }

    [Fact]
    public async Task Listing_returns_metadata_case_insensitively_and_a_missing_container_as_empty()
    {
        var container = azurite.BlobService.GetBlobContainerClient("store-" + Guid.NewGuid().ToString("N")[..8]);
        var store = Store();
        Assert.Empty(await store.ListAsync(container.Name, default).ToListAsync());

        await container.CreateAsync();
        await container.GetBlobClient("x.wav").UploadAsync(new BinaryData("1"u8.ToArray()),
            new Azure.Storage.Blobs.Models.BlobUploadOptions { Metadata = new Dictionary<string, string> { ["Direction"] = "inbound" } });

        var listed = Assert.Single(await store.ListAsync(container.Name, default).ToListAsync());
        Assert.Equal("inbound", listed.Metadata["direction"]);
    }

    private AzureMediaBlobStore Store()
    {
        var clients = MediaBlobClients.FromConnectionString(azurite.ConnectionString);
        return new AzureMediaBlobStore(clients, new DeleteConditionSupport(clients, Options.Create(new MediaStorageOptions()), NullLogger<DeleteConditionSupport>.Instance));
    }
}
