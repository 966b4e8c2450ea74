using System.Net;
using Azure.Storage.Blobs;
using MediaRetention.Core.Evidence;
using MediaRetention.Core.Storage;
using MediaRetention.IntegrationTests.Infrastructure;
using Microsoft.Extensions.Time.Testing;

namespace MediaRetention.IntegrationTests.Evidence;

/// <summary>What a liaison can and cannot do with an account-key link, checked against Azurite with no SDK auth.</summary>
[Collection(AzuriteCollection.Name)]
public sealed class EvidenceLinkTests(AzuriteFixture azurite) : IDisposable
{
    private const string ClipName = "oslo-1/cam-2/20261120T081500Z.mp4";
    private const string SiblingName = "oslo-1/cam-2/20261120T083000Z.mp4";
    private static readonly byte[] Clip = "preserved clip bytes"u8.ToArray();

    private readonly HttpClient http = new();

    [Fact]
    public async Task Link_downloads_the_blob_with_a_plain_http_client()
    {
        var container = await ContainerWithClipsAsync();

        var link = await Issuer().IssueReadLinkAsync(container.Name, ClipName, DateTimeOffset.UtcNow.AddMinutes(10), default);

        using var response = await http.GetAsync(link.Url);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(Clip, await response.Content.ReadAsByteArrayAsync());
    }

    [Fact]
    public async Task Link_cannot_overwrite_the_blob()
    {
        var container = await ContainerWithClipsAsync();
        var link = await Issuer().IssueReadLinkAsync(container.Name, ClipName, DateTimeOffset.UtcNow.AddMinutes(10), default);

        using var put = new HttpRequestMessage(HttpMethod.Put, link.Url) { Content = new ByteArrayContent("tampered"u8.ToArray()) };
        put.Headers.Add("x-ms-blob-type", "BlockBlob");
        using var response = await http.SendAsync(put);

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Equal(Clip, (await container.GetBlobClient(ClipName).DownloadContentAsync()).Value.Content.ToArray());
    }

    [Fact]
    public async Task Link_cannot_delete_the_blob()
    {
        var container = await ContainerWithClipsAsync();
        var link = await Issuer().IssueReadLinkAsync(container.Name, ClipName, DateTimeOffset.UtcNow.AddMinutes(10), default);

        using var response = await http.DeleteAsync(link.Url);

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.True((await container.GetBlobClient(ClipName).ExistsAsync()).Value);
    }

    [Fact]
    public async Task Link_cannot_list_the_container()
    {
        var container = await ContainerWithClipsAsync();
        var link = await Issuer().IssueReadLinkAsync(container.Name, ClipName, DateTimeOffset.UtcNow.AddMinutes(10), default);

        var list = new Uri(container.Uri + "?restype=container&comp=list&" + link.Url.Query.TrimStart('?'));
        using var response = await http.GetAsync(list);

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.DoesNotContain(SiblingName, await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Link_cannot_read_another_blob_in_the_same_container()
    {
        var container = await ContainerWithClipsAsync();
        var link = await Issuer().IssueReadLinkAsync(container.Name, ClipName, DateTimeOffset.UtcNow.AddMinutes(10), default);

        var sibling = new Uri(link.Url.ToString().Replace("20261120T081500Z", "20261120T083000Z", StringComparison.Ordinal));
        Assert.NotEqual(link.Url, sibling);
        using var response = await http.GetAsync(sibling);

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
    }

    [Fact]
    public async Task Expired_link_is_refused()
    {
        var container = await ContainerWithClipsAsync();
        // Issued "an hour ago" for ten minutes: expired fifty minutes ago, without waiting for it.
        var anHourAgo = new FakeTimeProvider(DateTimeOffset.UtcNow.AddHours(-1));
        var issuer = new AccountKeySasLinkIssuer(MediaBlobClients.FromConnectionString(azurite.ConnectionString), anHourAgo);

        var link = await issuer.IssueReadLinkAsync(container.Name, ClipName, anHourAgo.GetUtcNow().AddMinutes(10), default);
        using var response = await http.GetAsync(link.Url);

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
    }

    public void Dispose() => http.Dispose();

    private AccountKeySasLinkIssuer Issuer() => new(MediaBlobClients.FromConnectionString(azurite.ConnectionString), TimeProvider.System);

    private async Task<BlobContainerClient> ContainerWithClipsAsync()
    {
        var container = azurite.BlobService.GetBlobContainerClient("evidence-" + Guid.NewGuid().ToString("N")[..10]);
        await container.CreateAsync();
        await container.GetBlobClient(ClipName).UploadAsync(new BinaryData(Clip));
        await container.GetBlobClient(SiblingName).UploadAsync(new BinaryData("another camera's clip"u8.ToArray()));
        return container;
    }
}
