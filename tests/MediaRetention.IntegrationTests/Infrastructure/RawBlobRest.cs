using System.Net;
using Azure.Storage.Blobs;
using Azure.Storage.Sas;

namespace MediaRetention.IntegrationTests.Infrastructure;

/// <summary>
/// Uploads the way a raw REST client does, not the .NET SDK: the URL is written exactly as given (no escaping, no
/// resolving of "." and ".." segments: .NET's Uri would collapse them), authorised by an account SAS. What the
/// service stores under that URL is up to the service; tests list the container to see the stored name.
/// </summary>
public sealed class RawBlobRest(BlobServiceClient service) : IDisposable
{
    private static readonly UriCreationOptions AsWritten = new() { DangerousDisablePathAndQueryCanonicalization = true };
    private readonly HttpClient http = new();
    private readonly string sas = service.GenerateAccountSasUri(
        AccountSasPermissions.All, DateTimeOffset.UtcNow.AddHours(2), AccountSasResourceTypes.All).Query.TrimStart('?');

    /// <summary>PUT Blob of a block blob at <c>{container}/{path}</c>, <paramref name="path"/> sent byte for byte.</summary>
    public async Task PutAsync(string container, string path, byte[] content)
    {
        var url = new Uri($"{service.Uri.AbsoluteUri.TrimEnd('/')}/{container}/{path}?{sas}", AsWritten);
        using var request = new HttpRequestMessage(HttpMethod.Put, url) { Content = new ByteArrayContent(content) };
        request.Headers.Add("x-ms-blob-type", "BlockBlob");
        request.Headers.Add("x-ms-version", "2025-01-05");
        using var response = await http.SendAsync(request);
        Assert.True(response.StatusCode == HttpStatusCode.Created,
            $"PUT {container}/{path}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
    }

    /// <summary>GET through a URL as written (a link whose path has dot segments must reach exactly that blob).</summary>
    public async Task<(HttpStatusCode Status, byte[] Content)> GetAsync(Uri url)
    {
        using var response = await http.GetAsync(new Uri(url.OriginalString, AsWritten));
        return (response.StatusCode, await response.Content.ReadAsByteArrayAsync());
    }

    public void Dispose() => http.Dispose();
}
