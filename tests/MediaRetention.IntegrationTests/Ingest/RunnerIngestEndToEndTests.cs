using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using Azure.Storage.Blobs.Models;
using MediaRetention.Api.Media;
using MediaRetention.IntegrationTests.Infrastructure;

namespace MediaRetention.IntegrationTests.Ingest;

[Collection(AzuriteCollection.Name)]
public sealed class RunnerIngestEndToEndTests(AzuriteFixture azurite)
{
    private static readonly TimeSpan IngestDeadline = TimeSpan.FromSeconds(5);

    [Fact]
    public async Task Uploaded_clip_appears_in_the_api_with_its_hash_and_recording_time()
    {
        var storage = AzuriteFixture.UniqueStorageOptions();
        await using var runner = await RunnerHost.StartAsync(azurite.ConnectionString, storage);
        var content = RandomNumberGenerator.GetBytes(300_000);
        var container = azurite.BlobService.GetBlobContainerClient(storage.CctvContainer);
        await container.CreateIfNotExistsAsync();

        await container.GetBlobClient("oslo-1/cam-02/20261120T081500Z.mp4").UploadAsync(
            new BinaryData(content), new BlobUploadOptions { HttpHeaders = new BlobHttpHeaders { ContentType = "video/mp4" } });

        var list = await runner.WaitForAsync<MediaListResponse>(
            "/api/media?site=oslo-1", r => r.Items.Count == 1, IngestDeadline);
        var clip = list.Items.Single();
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(content)), clip.Sha256);
        Assert.Equal(new DateTimeOffset(2026, 11, 20, 8, 15, 0, TimeSpan.Zero), clip.RecordedAt);
        Assert.Equal("Indexed", clip.Status);
        Assert.Equal("cam-02", clip.Camera);
        Assert.Equal(content.Length, clip.Size);
        Assert.Equal("video/mp4", clip.ContentType);

        var byId = await runner.Client.GetFromJsonAsync<MediaView>($"/api/media/{clip.Id}");
        Assert.Equal(clip.Sha256, byId!.Sha256);
    }

    [Fact]
    public async Task Bad_upload_is_listed_as_rejected_with_its_reason_and_left_in_place()
    {
        var storage = AzuriteFixture.UniqueStorageOptions();
        await using var runner = await RunnerHost.StartAsync(azurite.ConnectionString, storage);
        var container = azurite.BlobService.GetBlobContainerClient(storage.CctvContainer);
        await container.CreateIfNotExistsAsync();
        var blob = container.GetBlobClient("oslo-1/cam-02/not-a-time.mp4");
        await blob.UploadAsync(new BinaryData("x"u8.ToArray()));

        var list = await runner.WaitForAsync<MediaListResponse>(
            "/api/media?status=Rejected", r => r.Items.Count == 1, IngestDeadline);

        Assert.Contains("yyyyMMddTHHmmssZ", list.Items[0].RejectionReason);
        Assert.True((await blob.ExistsAsync()).Value);
    }

    [Fact]
    public async Task Overwritten_blob_is_reindexed_with_the_new_hash()
    {
        var storage = AzuriteFixture.UniqueStorageOptions();
        await using var runner = await RunnerHost.StartAsync(azurite.ConnectionString, storage);
        var container = azurite.BlobService.GetBlobContainerClient(storage.CallsContainer);
        await container.CreateIfNotExistsAsync();
        var blob = container.GetBlobClient("pbx-1/20261120T081500Z_call-1.wav");
        await blob.UploadAsync(new BinaryData("first"u8.ToArray()));
        await runner.WaitForAsync<MediaListResponse>("/api/media?callId=call-1", r => r.Items.Count == 1, IngestDeadline);

        await blob.UploadAsync(new BinaryData("second version"u8.ToArray()), overwrite: true);

        var expected = Convert.ToHexStringLower(SHA256.HashData("second version"u8));
        var list = await runner.WaitForAsync<MediaListResponse>(
            "/api/media?system=pbx-1", r => r.Items.Count == 1 && r.Items[0].Sha256 == expected, IngestDeadline);
        Assert.Equal("call-1", list.Items[0].CallId);
    }

    [Fact]
    public async Task Bad_query_gets_a_problem_response()
    {
        var storage = AzuriteFixture.UniqueStorageOptions();
        await using var runner = await RunnerHost.StartAsync(azurite.ConnectionString, storage);

        var response = await runner.Client.GetAsync("/api/media?from=yesterday");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains("ISO 8601", await response.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.NotFound, (await runner.Client.GetAsync("/api/media/" + new string('a', 32))).StatusCode);
    }
}
