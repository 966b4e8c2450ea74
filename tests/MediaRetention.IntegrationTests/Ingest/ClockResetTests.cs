using System.Net;
using System.Net.Http.Json;
using MediaRetention.Api.Media;
using MediaRetention.IntegrationTests.Infrastructure;

namespace MediaRetention.IntegrationTests.Ingest;

/// <summary>A camera whose clock reset names today's footage as recorded in 2000: nothing of it may be lost.</summary>
[Collection(AzuriteCollection.Name)]
public sealed class ClockResetTests(AzuriteFixture azurite)
{
    [Fact]
    public async Task A_clip_named_20000101_uploaded_today_is_rejected_and_survives_the_next_sweep()
    {
        var storage = AzuriteFixture.UniqueStorageOptions();
        await using var runner = await RunnerHost.StartAsync(azurite.ConnectionString, storage, new Dictionary<string, string?>
        {
            ["Ingest:PastTolerance"] = null, // the product's default: the retention period
            ["Retention:IngestSettleTime"] = "00:00:00",
        });
        var container = azurite.BlobService.GetBlobContainerClient(storage.CctvContainer);
        await container.CreateIfNotExistsAsync();
        var blob = container.GetBlobClient("mall-1/cam-04/20000101T000000Z.mp4");
        await blob.UploadAsync(new BinaryData("today's footage"u8.ToArray()));

        var list = await runner.WaitForAsync<MediaListResponse>("/api/media?status=Rejected", r => r.Items.Count == 1, TimeSpan.FromSeconds(10));
        var clip = list.Items.Single();
        Assert.Contains("Ingest:PastTolerance", clip.RejectionReason);
        Assert.Equal(new DateTimeOffset(2000, 1, 1, 0, 0, 0, TimeSpan.Zero), clip.RecordedAt);
        Assert.Equal(clip.UploadedAt, clip.RetentionFrom);

        using var admin = runner.ClientFor(TestKeys.Admin);
        var sweep = await admin.SweepAsync();
        Assert.Equal(0, sweep.Deleted);

        Assert.True((await blob.ExistsAsync()).Value, "the clip recorded today must survive the sweep");
        Assert.Equal(HttpStatusCode.OK, (await runner.Client.GetAsync($"/api/media/{clip.Id}")).StatusCode);
    }
}
