using Azure.Storage.Blobs;
using MediaRetention.Core.Storage;

namespace MediaRetention.UnitTests.Storage;

/// <summary>Which names the SDK addresses faithfully, and the exact URL for the rest.</summary>
public sealed class MediaBlobClientsTests
{
    private const string Connection =
        "DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==;" +
        "BlobEndpoint=http://127.0.0.1:10000/devstoreaccount1;";

    private readonly MediaBlobClients clients = MediaBlobClients.FromConnectionString(Connection);

    [Theory]
    [InlineData("oslo-1/cam-02/20261124T081500Z.mp4")]
    [InlineData("pbx-1/20261124T091000Z_c-4711.wav")]
    [InlineData("a name with spaces & #hash ?query%25.mp4")]
    [InlineData("ünïcødé/😀.mp4")]
    public void Names_the_sdk_keeps_use_the_sdk_client_unchanged(string name)
    {
        Assert.True(clients.SdkAddressesExactly("cctv", name));
        var client = clients.Get("cctv", name);
        Assert.Equal(name, client.Name);
        Assert.Equal(clients.Service.GetBlobContainerClient("cctv").GetBlobClient(name).Uri, client.Uri);
    }

    [Theory]
    [InlineData("site-1/cam-1/../20261127T102529Z.mp4", "/devstoreaccount1/cctv/site-1/cam-1/%2E%2E/20261127T102529Z.mp4")]
    [InlineData("./site-1/cam-1/20261127T102529Z.mp4", "/devstoreaccount1/cctv/%2E/site-1/cam-1/20261127T102529Z.mp4")]
    [InlineData("a/b/..", "/devstoreaccount1/cctv/a/b/%2E%2E")]
    [InlineData("/lead.mp4", "/devstoreaccount1/cctv//lead.mp4")]
    [InlineData("trail/", "/devstoreaccount1/cctv/trail/")]
    public void Names_the_sdk_rewrites_get_an_exact_client(string name, string path)
    {
        Assert.False(clients.SdkAddressesExactly("cctv", name));
        Assert.NotEqual(name, clients.Service.GetBlobContainerClient("cctv").GetBlobClient(name).Name);

        var client = clients.Get("cctv", name);

        Assert.Equal(name, client.Name);
        Assert.Equal("http://127.0.0.1:10000" + path, client.Uri.OriginalString);
        Assert.Equal("http://127.0.0.1:10000" + path, MediaBlobClients.ExactUri(clients.Service.Uri, "cctv", name).AbsoluteUri);
    }

    [Fact]
    public void A_query_keeps_the_exact_path()
    {
        var url = MediaBlobClients.WithQuery(MediaBlobClients.ExactUri(new Uri("https://acct.blob.core.windows.net/"), "cctv", "a/../b"), "?sv=1&sig=x");

        Assert.Equal("https://acct.blob.core.windows.net/cctv/a/%2E%2E/b?sv=1&sig=x", url.AbsoluteUri);
        Assert.StartsWith("\"https://acct.blob.core.windows.net/cctv/a/%2E%2E/b?", System.Text.Json.JsonSerializer.Serialize(url));
    }

    [Fact]
    public void Without_key_token_or_sas_a_rewritten_name_fails_with_a_message_not_a_wrong_blob()
    {
        var bare = new MediaBlobClients(new BlobServiceClient(new Uri("http://127.0.0.1:10000/devstoreaccount1")), ExactBlobCredential.None, TimeProvider.System);

        var e = Assert.Throws<InvalidOperationException>(() => bare.Get("cctv", "a/../b.mp4"));
        Assert.Contains("rewrites", e.Message);
        Assert.Equal("a.mp4", bare.Get("cctv", "a.mp4").Name);
    }

    [Fact]
    public void Connection_strings_give_their_key_or_sas()
    {
        Assert.Equal("devstoreaccount1", StorageConnectionStrings.ExactCredential("UseDevelopmentStorage=true").AccountKey!.AccountName);
        Assert.Equal("acct", StorageConnectionStrings.ExactCredential("AccountName=acct;AccountKey=a2V5;EndpointSuffix=core.windows.net").AccountKey!.AccountName);
        Assert.Equal("sv=1&sig=a%3D", StorageConnectionStrings.ExactCredential("BlobEndpoint=https://a.blob.core.windows.net/;SharedAccessSignature=sv=1&sig=a%3D").Sas);
        Assert.Same(ExactBlobCredential.None, StorageConnectionStrings.ExactCredential("BlobEndpoint=https://a.blob.core.windows.net/"));
    }
}
