using System.Text;
using Azure.Data.Tables;
using MediaRetention.Core.Ingest;
using MediaRetention.Core.Media;
using MediaRetention.Core.Retention;
using MediaRetention.IntegrationTests.Infrastructure;
using Microsoft.Extensions.Time.Testing;

namespace MediaRetention.IntegrationTests.Retention;

/// <summary>
/// The reconcile as a merge of the container listing with the index's name rows, on Azurite: it indexes exactly what
/// the event path missed (new blobs, overwrites), whatever the names, and the full pass runs only as often as
/// Retention:FullReconcileInterval says, without ever letting a missed blob escape.
/// </summary>
[Collection(AzuriteCollection.Name)]
public sealed class ReconcileMergeTests(AzuriteFixture azurite)
{
    private static readonly string[] AwkwardSegments = ["a", "Z", "é", "日本", "a b", "a-b", "a.b", "a_b", "~x", "😀", "Ａ"];

    [Fact]
    public async Task The_merge_indexes_exactly_the_blobs_the_event_path_missed_and_nothing_it_indexed()
    {
        var storage = AzuriteFixture.UniqueStorageOptions();
        var time = new FakeTimeProvider(CoreHarness.TruncateToSeconds(DateTimeOffset.UtcNow));
        await using var harness = await CoreHarness.CreateAsync(azurite.ConnectionString, storage, time,
            new Dictionary<string, string?> { ["Retention:FullReconcileInterval"] = "00:00:00" });
        var recorded = time.GetUtcNow().AddDays(-2);

        // Names that sort differently as UTF-16 and as UTF-8, or around '/', '-', '.', so the two orders are put to the test.
        var indexed = new List<string>();
        var missed = new List<string>();
        var i = 0;
        foreach (var site in AwkwardSegments)
        {
            foreach (var camera in new[] { "cam", "cam-2", "cam.3", "cam/x" })
            {
                var name = $"{site}/{camera}/{UploadContract.FormatTimestamp(recorded.AddSeconds(i))}.mp4";
                if (i++ % 5 == 0)
                {
                    await harness.UploadAsync(storage.CctvContainer, name, Encoding.UTF8.GetBytes(name));
                    missed.Add(name);
                }
                else
                {
                    await harness.UploadAndIngestAsync(storage.CctvContainer, name, Encoding.UTF8.GetBytes(name));
                    indexed.Add(name);
                }
            }
        }

        // An overwrite the event path missed: the index knows the blob, at its old version.
        var overwritten = indexed[3];
        await harness.UploadAsync(storage.CctvContainer, overwritten, "new content"u8.ToArray());

        var index = harness.Get<IMediaIndex>();
        var rows = await index.ListNamesAsync(storage.CctvContainer, null, default).ToListAsync();
        Assert.Equal(indexed.Select(n => MediaTableLayout.NameRowKey(storage.CctvContainer, n)).Order(StringComparer.Ordinal), rows.Select(r => r.RowKey));

        var summary = await harness.Get<RetentionSweepHandler>().SweepAsync("test", default);

        Assert.True(summary.FullReconcile);
        Assert.Equal(missed.Append(overwritten).Select(n => MediaId.For(storage.CctvContainer, n)).Order(),
            (await ReconciledIdsAsync(harness, summary)).Order());
        foreach (var name in missed.Append(overwritten))
        {
            var stored = await index.GetAsync(MediaId.For(storage.CctvContainer, name), default);
            Assert.Equal((await harness.Blobs.GetBlobContainerClient(storage.CctvContainer).GetBlobClient(name).GetPropertiesAsync()).Value.ETag.ToString(),
                stored!.Record.ETag);
        }

        // Everything matches now: the next full pass indexes nothing.
        var again = await harness.Get<RetentionSweepHandler>().SweepAsync("test", default);
        Assert.Equal(0, again.Reconciled);
    }

    [Fact]
    public async Task A_record_without_its_name_row_is_not_indexed_again_and_gets_one()
    {
        var storage = AzuriteFixture.UniqueStorageOptions();
        await using var harness = await CoreHarness.CreateAsync(azurite.ConnectionString, storage,
            settings: new Dictionary<string, string?> { ["Retention:FullReconcileInterval"] = "00:00:00" });
        var name = $"s/cam/{UploadContract.FormatTimestamp(harness.Time.GetUtcNow().AddDays(-1))}.mp4";
        await harness.UploadAndIngestAsync(storage.CctvContainer, name, "clip"u8.ToArray());
        var id = MediaId.For(storage.CctvContainer, name);
        var key = MediaTableLayout.NameKey(id, storage.CctvContainer, name)!.Value;

        // As indexed before name rows existed.
        var table = new TableClient(azurite.ConnectionString, storage.MediaTable);
        await table.DeleteEntityAsync(key.PartitionKey, key.RowKey);

        var summary = await harness.Get<RetentionSweepHandler>().SweepAsync("test", default);

        Assert.Equal(0, summary.Reconciled);
        var row = await table.GetEntityAsync<TableEntity>(key.PartitionKey, key.RowKey);
        Assert.Equal(id, row.Value.GetString("MediaId"));
    }

    [Fact]
    public async Task Between_full_passes_a_missed_blob_is_kept_unindexed_and_the_next_full_pass_indexes_and_then_deletes_it()
    {
        var storage = AzuriteFixture.UniqueStorageOptions();
        var time = new FakeTimeProvider(CoreHarness.TruncateToSeconds(DateTimeOffset.UtcNow));
        await using var harness = await CoreHarness.CreateAsync(azurite.ConnectionString, storage, time, new Dictionary<string, string?>
        {
            ["Retention:FullReconcileInterval"] = "06:00:00",
            ["Retention:IngestSettleTime"] = "00:00:00",
        });
        var sweeper = harness.Get<RetentionSweepHandler>();
        Assert.True((await sweeper.SweepAsync("test", default)).FullReconcile);

        // Recorded 40 days ago, written now, and its event lost: the most a missed blob could try to get away with.
        var name = $"s/cam/{UploadContract.FormatTimestamp(time.GetUtcNow().AddDays(-40))}.mp4";
        await harness.UploadAsync(storage.CctvContainer, name, "clip"u8.ToArray());
        var id = MediaId.For(storage.CctvContainer, name);

        time.Advance(TimeSpan.FromHours(5));
        var quiet = await sweeper.SweepAsync("test", default);
        Assert.False(quiet.FullReconcile);
        Assert.Null(await harness.Get<IMediaIndex>().GetAsync(id, default));
        Assert.True(await harness.ExistsAsync(storage.CctvContainer, name));

        time.Advance(TimeSpan.FromHours(1));
        var full = await sweeper.SweepAsync("test", default);
        Assert.True(full.FullReconcile);
        Assert.Equal(id, Assert.Single(full.ReconciledMedia).MediaId);

        // Indexed by that pass and expired long ago: the same or the next sweep deletes it.
        time.Advance(TimeSpan.FromMinutes(1));
        var after = await sweeper.SweepAsync("test", default);
        Assert.Equal(1, full.Deleted + after.Deleted);
        Assert.False(await harness.ExistsAsync(storage.CctvContainer, name));
        Assert.Empty(await harness.Get<IMediaIndex>().ListNamesAsync(storage.CctvContainer, null, default).ToListAsync());
    }

    private static Task<List<string>> ReconciledIdsAsync(CoreHarness harness, SweepSummary summary)
    {
        // The summary lists at most SweepSummary.MaxListed; the index says the rest.
        Assert.True(summary.Reconciled <= SweepSummary.MaxListed, "test sized to list every reconciled medium");
        return Task.FromResult(summary.ReconciledMedia.Select(m => m.MediaId).ToList());
    }
}
