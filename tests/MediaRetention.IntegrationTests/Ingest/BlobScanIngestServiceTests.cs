using System.Net.Http.Json;
using MediaRetention.IntegrationTests.Infrastructure;
using MediaRetention.Core.Ingest;
using MediaRetention.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace MediaRetention.IntegrationTests.Ingest;

[Collection(AzuriteCollection.Name)]
public sealed class BlobScanIngestServiceTests(AzuriteFixture azurite)
{
    [Fact]
    public async Task A_second_scan_hands_nothing_to_ingest_and_a_restart_skips_what_the_checkpoint_covers()
    {
        var storage = AzuriteFixture.UniqueStorageOptions();
        var settings = new Dictionary<string, string?> { ["Ingest:PollInterval"] = "00:01:00" }; // scans driven by the test
        await using (var runner = await RunnerHost.StartAsync(azurite.ConnectionString, storage, settings))
        {
            var cctv = azurite.BlobService.GetBlobContainerClient(storage.CctvContainer);
            for (var i = 0; i < 5; i++)
            {
                await cctv.GetBlobClient($"s/c/20261120T08000{i}Z.mp4").UploadAsync(new BinaryData("x"u8.ToArray()));
            }

            // The test's own scanners share a state kept in memory, so the runner's own scan loop cannot overwrite it.
            var state = new InMemoryIngestScanStateStore();
            var scanner = ActivatorUtilities.CreateInstance<IngestScanner>(runner.Services, (IIngestScanStateStore)state);
            var first = await scanner.ScanNewAsync(default);
            var second = await scanner.ScanNewAsync(default);

            Assert.Equal(5, first.Handled);
            Assert.True(first.SawEverything);
            Assert.Equal(0, second.Handled);

            // A new scanner (a restarted runner) with a checkpoint after the uploads looks at none of them again.
            await scanner.SaveAsync(default);
            state.State = state.State! with { IndexedBefore = DateTimeOffset.UtcNow.AddMinutes(1) };
            var restarted = ActivatorUtilities.CreateInstance<IngestScanner>(runner.Services, (IIngestScanStateStore)state);
            var afterRestart = await restarted.ScanNewAsync(default);
            Assert.Equal(0, afterRestart.Handled);
            Assert.Equal(1, restarted.CheckpointedPrefixes);
        }
    }

    [Fact]
    public async Task Prefix_listings_from_a_checkpoint_find_a_new_clip_a_new_camera_and_a_late_clip_on_Azurite()
    {
        var storage = AzuriteFixture.UniqueStorageOptions();
        var settings = new Dictionary<string, string?>
        {
            ["Ingest:PollInterval"] = "00:01:00", // scans driven by the test
            ["Ingest:ScanOverlap"] = "00:10:00",
        };
        await using var runner = await RunnerHost.StartAsync(azurite.ConnectionString, storage, settings);
        var cctv = azurite.BlobService.GetBlobContainerClient(storage.CctvContainer);
        var calls = azurite.BlobService.GetBlobContainerClient(storage.CallsContainer);
        for (var m = 0; m < 30; m++)
        {
            await cctv.GetBlobClient($"s/c/20261120T08{m:00}00Z.mp4").UploadAsync(new BinaryData("x"u8.ToArray()));
        }

        await calls.GetBlobClient("pbx/20261120T080000Z_4791234567.wav").UploadAsync(new BinaryData("x"u8.ToArray()));
        var state = new InMemoryIngestScanStateStore();
        var scanner = ActivatorUtilities.CreateInstance<IngestScanner>(runner.Services, (IIngestScanStateStore)state);
        Assert.Equal(31, (await scanner.ScanNewAsync(default)).Handled);

        var newClip = "s/c/20261120T083000Z.mp4";
        var late = "s/c/20261120T082500Z-late.mp4"; // within the 10-minute overlap of the camera's newest clip
        var newCamera = "s/c2/20261119T000000Z.mp4";
        var tooLate = "s/c/20261120T070000Z.mp4"; // long before the camera's newest: for the full scan
        foreach (var name in new[] { newClip, late, newCamera, tooLate })
        {
            await cctv.GetBlobClient(name).UploadAsync(new BinaryData("y"u8.ToArray()));
        }

        var next = await scanner.ScanNewAsync(default);
        Assert.Equal(3, next.Handled);

        // Azurite honours startFrom: the camera's listing returned its overlap window, not its 30 clips.
        Assert.True(next.Listed < 20, $"listed {next.Listed}");
        var full = await scanner.ScanAllAsync(default);
        Assert.Equal(1, full.Handled);

        var list = await runner.WaitForAsync<MediaRetention.Api.Media.MediaListResponse>(
            "/api/media?kind=cctv&pageSize=1000", r => r.Items.Count == 34, TimeSpan.FromSeconds(15));
        Assert.Contains(list.Items, i => i.BlobName == tooLate);
        Assert.Contains(list.Items, i => i.BlobName == late && i.Status == "Rejected");
    }

    [Fact]
    public async Task Two_runners_on_one_account_index_every_blob_once_and_correctly()
    {
        var storage = AzuriteFixture.UniqueStorageOptions();
        await using var first = await RunnerHost.StartAsync(azurite.ConnectionString, storage);
        await using var second = await RunnerHost.StartAsync(azurite.ConnectionString, storage);
        var cctv = azurite.BlobService.GetBlobContainerClient(storage.CctvContainer);
        var names = Enumerable.Range(0, 40).Select(i => $"s{i % 4}/c/20261120T0800{i:00}Z.mp4").ToList();
        await Parallel.ForEachAsync(names, async (name, ct) =>
            await cctv.GetBlobClient(name).UploadAsync(new BinaryData(System.Text.Encoding.UTF8.GetBytes(name)), ct));

        var list = await first.WaitForAsync<MediaRetention.Api.Media.MediaListResponse>(
            "/api/media?kind=cctv&pageSize=1000", r => r.Items.Count == names.Count, TimeSpan.FromSeconds(15));

        foreach (var item in list.Items)
        {
            var expected = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(item.BlobName)));
            Assert.Equal(expected, item.Sha256);
        }

        Assert.Equal(names.Order(), list.Items.Select(i => i.BlobName).Order());
        var viaSecond = await second.Client.GetFromJsonAsync<MediaRetention.Api.Media.MediaListResponse>("/api/media?kind=cctv&pageSize=1000");
        Assert.Equal(names.Count, viaSecond!.Items.Count);
    }
}
