using System.Net.Http.Json;
using MediaRetention.IntegrationTests.Infrastructure;
using MediaRetention.Runner.Ingest;
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

            var scanner = ActivatorUtilities.CreateInstance<BlobScanIngestService>(runner.Services);
            var (checkpoint, first) = await scanner.ScanOnceAsync(null, default);
            var (_, second) = await scanner.ScanOnceAsync(checkpoint, default);

            Assert.Equal(5, first);
            Assert.Equal(0, second);

            // A new scanner (a restarted runner) with a checkpoint after the uploads looks at none of them again.
            var restarted = ActivatorUtilities.CreateInstance<BlobScanIngestService>(runner.Services);
            var (_, afterRestart) = await restarted.ScanOnceAsync(DateTimeOffset.UtcNow.AddMinutes(1), default);
            Assert.Equal(0, afterRestart);
        }
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
