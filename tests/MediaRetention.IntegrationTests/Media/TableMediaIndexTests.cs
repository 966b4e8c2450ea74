using MediaRetention.Core.Media;
using MediaRetention.Core.Storage;
using MediaRetention.IntegrationTests.Infrastructure;
using Microsoft.Extensions.Options;

namespace MediaRetention.IntegrationTests.Media;

[Collection(AzuriteCollection.Name)]
public sealed class TableMediaIndexTests(AzuriteFixture azurite) : IAsyncLifetime
{
    private readonly MediaStorageOptions options = AzuriteFixture.UniqueStorageOptions();
    private TableMediaIndex index = null!;

    public async Task InitializeAsync()
    {
        await azurite.TableService.CreateTableIfNotExistsAsync(options.MediaTable);
        index = new TableMediaIndex(azurite.TableService, Options.Create(options));
    }

    public Task DisposeAsync() => azurite.TableService.DeleteTableAsync(options.MediaTable);

    [Fact]
    public async Task Saved_record_reads_back_by_id()
    {
        var record = Clip("oslo-1", "cam-1", At(8));

        Assert.True(await index.TrySaveAsync(record, null, default));

        var stored = await index.GetAsync(record.Id, default);
        Assert.Equal(record, stored!.Record);
    }

    [Fact]
    public async Task Second_writer_with_a_stale_read_loses()
    {
        var record = Clip("oslo-1", "cam-1", At(8));
        Assert.True(await index.TrySaveAsync(record, null, default));
        var read = await index.GetAsync(record.Id, default);

        Assert.True(await index.TrySaveAsync(record with { Sha256 = new string('1', 64) }, read, default));
        Assert.False(await index.TrySaveAsync(record with { Sha256 = new string('2', 64) }, read, default));
        Assert.False(await index.TrySaveAsync(record, null, default));
        Assert.Equal(new string('1', 64), (await index.GetAsync(record.Id, default))!.Record.Sha256);
    }

    [Fact]
    public async Task An_insert_guessed_for_an_indexed_medium_changes_none_of_its_rows_and_says_so()
    {
        // A held clip was overwritten: the listing shows no hold mark (an overwrite clears tags), so ingest tries an
        // insert without reading. Its copy lacks the evidence hash only an update keeps; no row may take it, even briefly.
        var record = Clip("oslo-1", "cam-1", At(8));
        Assert.True(await index.TrySaveAsync(record, null, default));
        var overwritten = record with { Sha256 = new string('f', 64), ETag = "\"0x2\"" };

        Assert.False(await index.TrySaveAsync(overwritten, null, default));

        Assert.Equal(record.Sha256, (await index.GetAsync(record.Id, default))!.Record.Sha256);
        var rows = await azurite.TableService.GetTableClient(options.MediaTable)
            .QueryAsync<Azure.Data.Tables.TableEntity>().ToListAsync();
        var copies = rows.Where(r => r.GetString("Id") == record.Id && r.ContainsKey(nameof(MediaRecord.Sha256))).ToList();
        Assert.Equal(1 + MediaTableLayout.LookupKeys(record).Count, copies.Count);
        Assert.All(copies, r => Assert.Equal(record.Sha256, r.GetString(nameof(MediaRecord.Sha256))));
    }

    [Fact]
    public async Task An_insert_over_lookup_rows_left_by_a_crashed_insert_replaces_them()
    {
        // An earlier insert wrote the lookup rows and stopped before its record row (the commit point).
        var record = Clip("oslo-1", "cam-1", At(8));
        var table = azurite.TableService.GetTableClient(options.MediaTable);
        foreach (var key in MediaTableLayout.LookupKeys(record with { Sha256 = new string('0', 64) }))
        {
            await table.AddEntityAsync(new Azure.Data.Tables.TableEntity(key.PartitionKey, key.RowKey) { ["Id"] = record.Id, ["Sha256"] = new string('0', 64) });
        }

        Assert.True(await index.TrySaveAsync(record, null, default));

        Assert.Equal([record.Id], await Ids(new MediaQuery { Site = "oslo-1" }));
        Assert.Equal(record, (await index.QueryAsync(new MediaQuery { Site = "oslo-1" }, null, 10, default)).Items.Single());
    }

    [Fact]
    public async Task Queries_answer_by_site_camera_window_kind_system_and_call_id()
    {
        var a = Clip("oslo-1", "cam-1", At(8));
        var b = Clip("oslo-1", "cam-2", At(9));
        var c = Clip("bergen", "cam-1", At(10));
        var d = Call("pbx-1", "call-7", At(11));
        var rejected = Clip("oslo-1", "cam-1", At(12)) with { Status = MediaStatus.Rejected, RejectionReason = "empty", BlobName = "x" };
        foreach (var r in new[] { a, b, c, d, rejected })
        {
            Assert.True(await index.TrySaveAsync(r, null, default));
        }

        Assert.Equal([a.Id, b.Id], await Ids(new MediaQuery { Site = "oslo-1" }));
        Assert.Equal([b.Id], await Ids(new MediaQuery { Site = "oslo-1", Camera = "cam-2" }));
        Assert.Equal([a.Id], await Ids(new MediaQuery { Site = "oslo-1", From = At(7), To = At(8) }));
        Assert.Equal([a.Id, b.Id, c.Id, rejected.Id], await Ids(new MediaQuery { Kind = MediaKind.Cctv }));
        Assert.Equal([a.Id, b.Id], await Ids(new MediaQuery { Kind = MediaKind.Cctv, To = At(9) }));
        Assert.Equal([d.Id], await Ids(new MediaQuery { System = "pbx-1" }));
        Assert.Equal([d.Id], await Ids(new MediaQuery { CallId = "call-7" }));
        Assert.Empty(await Ids(new MediaQuery { CallId = "call-77" }));
        Assert.Equal([rejected.Id], await Ids(new MediaQuery { Status = MediaStatus.Rejected }));
        Assert.Equal(5, (await Ids(new MediaQuery())).Count);
    }

    [Fact]
    public async Task Pages_follow_the_continuation_token_without_repeats()
    {
        var all = Enumerable.Range(0, 25).Select(i => Clip("s", "c", At(0).AddMinutes(i))).ToList();
        foreach (var r in all)
        {
            Assert.True(await index.TrySaveAsync(r, null, default));
        }

        var seen = new List<string>();
        string? token = null;
        var pages = 0;
        do
        {
            var page = await index.QueryAsync(new MediaQuery { Site = "s" }, token, 10, default);
            seen.AddRange(page.Items.Select(r => r.Id));
            token = page.ContinuationToken;
            pages++;
        }
        while (token is not null);

        Assert.Equal(3, pages);
        Assert.Equal(all.Select(r => r.Id), seen);
    }

    [Fact]
    public async Task Reindexing_with_another_time_moves_the_lookup_rows()
    {
        var rejected = Clip("oslo-1", "cam-1", At(8)) with
        {
            Status = MediaStatus.Rejected,
            RejectionReason = "blob is empty",
            UploadedAt = At(20),
        };
        Assert.True(await index.TrySaveAsync(rejected, null, default));
        var read = await index.GetAsync(rejected.Id, default);
        var accepted = rejected with { Status = MediaStatus.Indexed, RejectionReason = null };

        Assert.True(await index.TrySaveAsync(accepted, read, default));

        Assert.Equal([accepted.Id], await Ids(new MediaQuery { Kind = MediaKind.Cctv, To = At(9) }));
        Assert.Empty(await Ids(new MediaQuery { Kind = MediaKind.Cctv, From = At(19) }));
    }

    private async Task<List<string>> Ids(MediaQuery query)
    {
        var page = await index.QueryAsync(query, null, 1000, default);
        return page.Items.Select(r => r.Id).ToList();
    }

    private static DateTimeOffset At(int hour) => new(2026, 11, 1, hour, 0, 0, TimeSpan.Zero);

    private MediaRecord Clip(string site, string camera, DateTimeOffset recordedAt)
    {
        var name = $"{site}/{camera}/{recordedAt:yyyyMMdd'T'HHmmss'Z'}.mp4";
        return Record(MediaKind.Cctv, options.CctvContainer, name, recordedAt) with { Site = site, Camera = camera };
    }

    private MediaRecord Call(string system, string callId, DateTimeOffset recordedAt)
    {
        var name = $"{system}/{recordedAt:yyyyMMdd'T'HHmmss'Z'}_{callId}.wav";
        return Record(MediaKind.Call, options.CallsContainer, name, recordedAt) with { System = system, CallId = callId };
    }

    private static MediaRecord Record(string kind, string container, string name, DateTimeOffset recordedAt) => new()
    {
        Id = MediaId.For(container, name),
        Kind = kind,
        Container = container,
        BlobName = name,
        Status = MediaStatus.Indexed,
        RecordedAt = recordedAt,
        UploadedAt = recordedAt.AddMinutes(1),
        IndexedAt = recordedAt.AddMinutes(2),
        Size = 10,
        Sha256 = new string('0', 64),
        ETag = "\"0x1\"",
    };
}
