using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Azure;
using Azure.Data.Tables;
using MediaRetention.Api.Media;
using MediaRetention.Core.Ingest;
using MediaRetention.Core.Media;
using MediaRetention.Core.Retention;
using MediaRetention.IntegrationTests.Infrastructure;

namespace MediaRetention.IntegrationTests.Media;

/// <summary>
/// Index rows edited by hand (or written by an older version): listing, preview, sweep and ingest carry on, the row is
/// named, its blob is kept, and ingest of the blob rewrites it.
/// </summary>
[Collection(AzuriteCollection.Name)]
public sealed class UnreadableMediaRowTests(AzuriteFixture azurite)
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(15);

    [Fact]
    public async Task An_unreadable_index_row_is_named_skipped_and_kept_and_ingest_of_its_blob_rewrites_it()
    {
        var storage = AzuriteFixture.UniqueStorageOptions();
        await using var runner = await RunnerHost.StartAsync(azurite.ConnectionString, storage,
            new Dictionary<string, string?> { ["Retention:IngestSettleTime"] = "00:00:00" });
        using var admin = runner.ClientFor(TestKeys.Admin);
        var cctv = azurite.BlobService.GetBlobContainerClient(storage.CctvContainer);
        await cctv.CreateIfNotExistsAsync();
        var expired = cctv.GetBlobClient($"shop-1/cam-1/{UploadContract.FormatTimestamp(DateTimeOffset.UtcNow.AddDays(-40))}.mp4");
        await expired.UploadAsync(new BinaryData("old clip"u8.ToArray()));
        var id = MediaId.For(storage.CctvContainer, expired.Name);
        await runner.WaitForAsync<MediaListResponse>("/api/media", r => r.Items.Count == 1, Deadline);

        // Every row of the medium edited by hand: Size is now text.
        var table = azurite.TableService.GetTableClient(storage.MediaTable);
        foreach (var row in table.Query<TableEntity>(TableClient.CreateQueryFilter($"Id eq {id}")).ToList())
        {
            row["Size"] = "eight bytes";
            await table.UpdateEntityAsync(row, ETag.All, TableUpdateMode.Replace);
        }

        // Listing, one medium, preview and sweep answer, name the row, and keep the blob.
        var list = await runner.Client.GetFromJsonAsync<MediaListResponse>("/api/media");
        Assert.Empty(list!.Items);
        Assert.Contains(list.Unreadable!, u => u.MediaId == id && u.Reason.Contains("'Size'"));
        var one = await runner.Client.GetFromJsonAsync<MediaView>($"/api/media/{id}");
        Assert.Equal((MediaStatus.Unreadable, expired.Name), (one!.Status, one.BlobName));
        Assert.Contains("'Size'", one.UnreadableReason);
        var preview = await admin.GetFromJsonAsync<RetentionPreview>("/api/retention/preview", JsonSerializerOptions.Web);
        Assert.Equal((0, 1), (preview!.WouldDeleteCount, preview.UnreadableMedia));
        var summary = await admin.SweepAsync();
        Assert.Equal((0, 1), (summary.Deleted, summary.UnreadableMedia));
        Assert.Equal(id, Assert.Single(summary.UnreadableMediaRows).MediaId);
        Assert.True((await expired.ExistsAsync()).Value);

        // Ingest still works for everyone, and an upload over the medium rewrites its rows.
        await cctv.GetBlobClient($"shop-1/cam-1/{UploadContract.FormatTimestamp(DateTimeOffset.UtcNow.AddMinutes(-1))}.mp4")
            .UploadAsync(new BinaryData("new clip"u8.ToArray()));
        await expired.UploadAsync(new BinaryData("old clip, uploaded again"u8.ToArray()), overwrite: true);
        await runner.WaitForAsync<MediaListResponse>("/api/media", r => r.Items.Count == 2 && r.Unreadable is null, Deadline);

        var after = await admin.SweepAsync();
        Assert.Equal((1, 0), (after.Deleted, after.UnreadableMedia));
        Assert.False((await expired.ExistsAsync()).Value);
    }

    [Fact]
    public async Task A_record_row_whose_version_cannot_be_read_is_indexed_again_by_the_reconcile()
    {
        var storage = AzuriteFixture.UniqueStorageOptions();
        await using var harness = await CoreHarness.CreateAsync(azurite.ConnectionString, storage);
        var name = $"shop-1/cam-1/{UploadContract.FormatTimestamp(harness.Time.GetUtcNow().AddHours(-1))}.mp4";
        await harness.UploadAndIngestAsync(storage.CctvContainer, name, "clip"u8.ToArray());
        var id = MediaId.For(storage.CctvContainer, name);
        var table = azurite.TableService.GetTableClient(storage.MediaTable);
        var key = MediaTableLayout.RecordKey(id);
        var row = (await table.GetEntityAsync<TableEntity>(key.PartitionKey, key.RowKey)).Value;
        row["ETag"] = 42;
        await table.UpdateEntityAsync(row, ETag.All, TableUpdateMode.Replace);

        // As an older version wrote it: no name row. (A hand edit that leaves the name row is matched by the merge and
        // the row stays unreadable until the blob's next ingest: kept and reported, never deleted.)
        var nameKey = MediaTableLayout.NameKey(id, storage.CctvContainer, name)!.Value;
        await table.DeleteEntityAsync(nameKey.PartitionKey, nameKey.RowKey);
        Assert.NotNull((await harness.Get<IMediaIndex>().GetAsync(id, default))!.Unreadable);

        var summary = await harness.Get<RetentionSweepHandler>().SweepAsync("test", default);

        Assert.Equal(id, Assert.Single(summary.ReconciledMedia).MediaId);
        var stored = await harness.Get<IMediaIndex>().GetAsync(id, default);
        Assert.Null(stored!.Unreadable);
        Assert.Equal(MediaStatus.Indexed, stored.Record.Status);
    }
}
