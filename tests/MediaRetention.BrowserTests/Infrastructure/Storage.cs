using System.Net.Http.Json;
using Azure.Storage.Blobs;
using MediaRetention.Core.Media;
using MediaRetention.IntegrationTests.Infrastructure;

namespace MediaRetention.BrowserTests.Infrastructure;

/// <summary>Uploads media as a camera or phone system would and waits until the runner has indexed it.</summary>
public static class Storage
{
    public static readonly TimeSpan IngestDeadline = TimeSpan.FromSeconds(15);

    public static async Task UploadAsync(ConsoleSession session, BrowserFixture fixture, string container, string name, byte[] content,
        IDictionary<string, string>? metadata = null)
    {
        var client = new BlobContainerClient(fixture.Azurite.ConnectionString, container);
        await client.CreateIfNotExistsAsync();
        var blob = client.GetBlobClient(name);
        await blob.UploadAsync(new BinaryData(content), overwrite: true);
        if (metadata is not null)
        {
            await blob.SetMetadataAsync(metadata);
        }
    }

    /// <summary>Waits until every named blob of the container is in the index (as indexed or rejected).</summary>
    public static async Task WaitForIndexAsync(ConsoleSession session, string container, params string[] names)
    {
        using var deadline = new CancellationTokenSource(IngestDeadline);
        foreach (var name in names)
        {
            var path = $"/api/media/{MediaId.For(container, name)}";
            while (true)
            {
                using var response = await session.Runner.Client.GetAsync(path, CancellationToken.None);
                if (response.IsSuccessStatusCode)
                {
                    break;
                }

                if (deadline.IsCancellationRequested)
                {
                    throw new TimeoutException($"{container}/{name} was not indexed within {IngestDeadline.TotalSeconds:0} s (last: {(int)response.StatusCode}).");
                }

                await Task.Delay(100, CancellationToken.None);
            }
        }
    }

    public static async Task<T> PostJsonAsync<T>(HttpClient client, string path, object body)
    {
        using var response = await client.PostAsJsonAsync(path, body);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"POST {path}: {(int)response.StatusCode} {text}");
        return System.Text.Json.JsonSerializer.Deserialize<T>(text, System.Text.Json.JsonSerializerOptions.Web)!;
    }
}
