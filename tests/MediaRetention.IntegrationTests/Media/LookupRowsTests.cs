using Azure.Data.Tables;
using MediaRetention.Core.Audit;
using MediaRetention.Core.Holds;
using MediaRetention.Core.Media;
using MediaRetention.Core.Phones;
using MediaRetention.Core.Storage;
using MediaRetention.IntegrationTests.Infrastructure;
using Microsoft.Extensions.Options;
using NSubstitute;

namespace MediaRetention.IntegrationTests.Media;

/// <summary>
/// The phone-hash and camera rows on Azurite: queries read them only once the marker is there and answer exactly what the
/// scan answered; the backfill writes what older media lack, then the marker; a re-key moves the phone rows to the new
/// hashes; provisioning marks an empty table only.
/// </summary>
[Collection(AzuriteCollection.Name)]
public sealed class LookupRowsTests(AzuriteFixture azurite) : IAsyncLifetime
{
    private static readonly DateTimeOffset Start = new(2026, 11, 20, 8, 0, 0, TimeSpan.Zero);
    private static readonly PhoneHasher Hasher = new(PhoneHashKeyRing.Parse([TestKeys.PhoneHashKey], "test"));
    private static readonly string Target = Hasher.Hash("+4791234567");
    private static readonly string Legacy = PhoneNumber.Hash("+4791234567")!;
    private readonly MediaStorageOptions options = AzuriteFixture.UniqueStorageOptions();
    private TableClient table = null!;

    public async Task InitializeAsync()
    {
        // Created bare (not provisioned): a table of an older version, without the marker.
        await azurite.TableService.CreateTableIfNotExistsAsync(options.MediaTable);
        table = azurite.TableService.GetTableClient(options.MediaTable);
    }

    public Task DisposeAsync() => azurite.TableService.DeleteTableAsync(options.MediaTable);

    [Fact]
    public async Task Phone_queries_read_the_phone_rows_once_marked_and_find_what_the_scan_finds()
    {
        var index = NewIndex();
        var expected = new List<MediaRecord>
        {
            Call(1, caller: Target, callee: Other(1)),
            Call(2, caller: Other(2), callee: Target),
            Call(3, caller: Target, callee: Target), // one row, listed once
            Call(4, caller: Legacy, callee: Other(4)), // not yet re-keyed: found through the legacy form
            Call(5, caller: Target, callee: Legacy), // rows in both ranges: listed once
            Call(6, caller: Target, callee: null) with { Status = MediaStatus.Rejected, RejectionReason = "bad name", RecordedAt = null, UploadedAt = At(6) },
        };
        var others = Enumerable.Range(10, 8).Select(i => Call(i, caller: Other(i), callee: Other(i + 100))).ToList();
        var outside = Call(40, caller: Target, callee: null) with { RecordedAt = At(40), UploadedAt = At(40) };
        foreach (var record in expected.Concat(others).Append(outside))
        {
            Assert.True(await index.TrySaveAsync(record, null, default));
        }

        var query = new MediaQuery { Kind = MediaKind.Call, PhoneHashes = [Target, Legacy], From = At(0), To = At(30) };
        var scanned = await AllAsync(NewIndex(), query, pageSize: 2);
        Assert.Equal(Ids(expected), scanned.Order(StringComparer.Ordinal));

        await index.MarkCompleteAsync("test", Start, default);
        var counter = new StorageRequestCounter();
        var viaRows = await AllAsync(NewIndex(counter), query, pageSize: 2);
        Assert.Equal(Ids(expected), viaRows.Order(StringComparer.Ordinal));
        Assert.Equal(viaRows.Count, viaRows.Distinct().Count());
        // The marker read, then pages of at most 2 over the 2 ranges' 7 rows (one listed twice is dropped).
        Assert.InRange(counter.Total, 1 + 4, 1 + 6);

        // Read from the phone rows, not the time rows: a call whose time row is gone is still found.
        var timeRow = MediaTableLayout.LookupKeys(expected[0])[0];
        await table.DeleteEntityAsync(timeRow.PartitionKey, timeRow.RowKey);
        Assert.Contains(expected[0].Id, await AllAsync(NewIndex(), query, 1000));

        // Status and window filters still apply within the ranges.
        Assert.Equal(Ids(expected.Where(m => m.Status == MediaStatus.Indexed)),
            (await AllAsync(index, query with { Status = MediaStatus.Indexed }, 1000)).Order(StringComparer.Ordinal));
        Assert.Equal([expected[0].Id], await AllAsync(index, query with { From = At(1), To = At(1) }, 1000));
    }

    [Fact]
    public async Task Camera_queries_read_each_listed_cameras_rows_once_marked()
    {
        var index = NewIndex();
        var clips = Enumerable.Range(0, 12).Select(i => Clip("site-1", $"cam-{i % 4}", At(i))).ToList();
        var elsewhere = Clip("site-2", "cam-1", At(1));
        foreach (var clip in clips.Append(elsewhere))
        {
            Assert.True(await index.TrySaveAsync(clip, null, default));
        }

        var query = new MediaQuery { Site = "site-1", Cameras = ["cam-1", "cam-3"], Kind = MediaKind.Cctv, From = At(0), To = At(10), Status = MediaStatus.Indexed };
        var expected = Ids(clips.Where(c => c.Camera is "cam-1" or "cam-3" && c.RecordedAt <= At(10)));
        Assert.Equal(expected, (await AllAsync(index, query, 2)).Order(StringComparer.Ordinal));

        await index.MarkCompleteAsync("test", Start, default);
        var counter = new StorageRequestCounter();
        Assert.Equal(expected, (await AllAsync(NewIndex(counter), query, 1000)).Order(StringComparer.Ordinal));
        Assert.Equal(1 + 2, counter.Total); // the marker, one range per camera
        Assert.Equal(Ids(clips.Where(c => c.Camera == "cam-2")), (await AllAsync(index, new MediaQuery { Site = "site-1", Camera = "cam-2" }, 1000)).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task The_backfill_gives_older_media_their_rows_then_writes_the_marker_and_queries_switch_over()
    {
        var index = NewIndex();
        var call = Call(1, caller: Target, callee: Other(1));
        var clip = Clip("site-1", "cam-1", At(2));
        var indexedLater = Call(3, caller: Other(3), callee: Target);
        foreach (var record in new[] { call, clip, indexedLater })
        {
            Assert.True(await index.TrySaveAsync(record, null, default));
        }

        // Indexed before layout version 2: no phone or camera rows.
        foreach (var key in MediaTableLayout.PhoneAndCameraKeys(call).Concat(MediaTableLayout.PhoneAndCameraKeys(clip)))
        {
            await table.DeleteEntityAsync(key.PartitionKey, key.RowKey);
        }

        var phone = new MediaQuery { Kind = MediaKind.Call, PhoneHashes = [Target], From = At(0), To = At(30) };
        var camera = new MediaQuery { Site = "site-1", Cameras = ["cam-1"], From = At(0), To = At(30) };
        Assert.False(await index.AreCompleteAsync(default));
        Assert.Equal(Ids([call, indexedLater]), (await AllAsync(index, phone, 100)).Order(StringComparer.Ordinal)); // the fallback scan misses nothing
        Assert.Equal([clip.Id], await AllAsync(index, camera, 100));

        var audit = Substitute.For<IAuditLog>();
        var progress = new List<BackfillLookupRowsProgress>();
        var report = await new BackfillLookupRowsHandler(index, audit, new FixedTime(Start)).HandleAsync("admin-1", progress.Add, default);

        Assert.Equal((3L, 3L, false), (report.RecordsVisited, report.RowsAdded, report.WasComplete)); // caller + callee of the call, the clip
        Assert.Equal(3, progress.Last().RecordsVisited);
        await audit.Received(1).AppendAsync(Arg.Is<AuditEvent>(e => e.Action == AuditActions.LookupRowsBackfilled && e.Details!["rowsAdded"] == "3"), Arg.Any<CancellationToken>());
        var fresh = NewIndex();
        Assert.True(await fresh.AreCompleteAsync(default));
        Assert.Equal(Ids([call, indexedLater]), (await AllAsync(fresh, phone, 100)).Order(StringComparer.Ordinal));
        Assert.Equal([clip.Id], await AllAsync(fresh, camera, 100));

        // A second run only repairs: nothing left to add.
        var again = await new BackfillLookupRowsHandler(fresh, audit, new FixedTime(Start)).HandleAsync("admin-1", null, default);
        Assert.Equal((3L, 0L, true), (again.RecordsVisited, again.RowsAdded, again.WasComplete));
    }

    [Fact]
    public async Task A_record_rewritten_or_removed_while_the_backfill_adds_its_rows_keeps_no_row_of_the_old_version()
    {
        var index = NewIndex();
        var call = Call(1, caller: Other(1), callee: null);
        Assert.True(await index.TrySaveAsync(call, null, default));
        var read = (await index.GetAsync(call.Id, default))!;
        foreach (var key in MediaTableLayout.PhoneAndCameraKeys(call))
        {
            await table.DeleteEntityAsync(key.PartitionKey, key.RowKey);
        }

        // Rewritten (another number) after the backfill read it: the old number's row must not come back.
        Assert.True(await index.TrySaveAsync(call with { CallerHash = Target }, read, default));
        await index.AddMissingRowsAsync(read, default);
        Assert.Empty(RowsIn(MediaTableLayout.PhonePartition(Other(1))));
        Assert.Single(RowsIn(MediaTableLayout.PhonePartition(Target)));

        // Removed after the backfill read it: nothing is left behind.
        var removed = Call(2, caller: Other(2), callee: null);
        Assert.True(await index.TrySaveAsync(removed, null, default));
        var readRemoved = (await index.GetAsync(removed.Id, default))!;
        await index.RemoveAsync([removed], default);
        await index.AddMissingRowsAsync(readRemoved, default);
        Assert.Empty(RowsIn(MediaTableLayout.PhonePartition(Other(2))));
    }

    [Fact]
    public async Task A_re_key_moves_the_phone_rows_to_the_new_keys_hashes()
    {
        var oldKey = "old:" + Convert.ToBase64String(Enumerable.Repeat((byte)7, 32).ToArray());
        var oldRing = new PhoneHasher(PhoneHashKeyRing.Parse([oldKey], "test"));
        var newRing = new PhoneHasher(PhoneHashKeyRing.Parse([oldKey, TestKeys.PhoneHashKey], "test"));
        var index = NewIndex();
        await index.MarkCompleteAsync("test", Start, default);
        var call = Call(1, caller: oldRing.Hash("+4791234567"), callee: oldRing.Hash("+4722334455"));
        Assert.True(await index.TrySaveAsync(call, null, default));

        // While the re-key has not reached the call, a query with every form of the number (as holds placed from a
        // number and subject requests carry) finds it under the old key's form.
        var everyForm = new MediaQuery { Kind = MediaKind.Call, PhoneHashes = newRing.LookupValues("+4791234567"), From = At(0), To = At(30) };
        Assert.Equal([call.Id], await AllAsync(index, everyForm, 100));

        var holds = Substitute.For<IHoldStore>();
        holds.ListAsync(null, null, null, Arg.Any<int>(), Arg.Any<CancellationToken>()).Returns(new HoldPage([], null));
        var report = await new RekeyPhoneHashesHandler(holds, index, new FixedPhoneHashing(newRing), Substitute.For<IAuditLog>())
            .HandleAsync(new RekeyPhoneHashesCommand("admin-1", null, 100), default);

        Assert.Equal(1, report.MediaRekeyed);
        Assert.Empty(RowsIn(MediaTableLayout.PhonePartition(oldRing.Hash("+4791234567"))));
        Assert.Empty(RowsIn(MediaTableLayout.PhonePartition(oldRing.Hash("+4722334455"))));
        Assert.Single(RowsIn(MediaTableLayout.PhonePartition(newRing.Hash("+4722334455"))));
        Assert.Equal([call.Id], await AllAsync(index, new MediaQuery { Kind = MediaKind.Call, PhoneHashes = [newRing.Hash("+4791234567")] }, 100));
        Assert.Equal([call.Id], await AllAsync(index, everyForm, 100));
    }

    [Fact]
    public async Task Provisioning_marks_an_empty_media_table_and_leaves_one_with_rows_unmarked()
    {
        var empty = AzuriteFixture.UniqueStorageOptions();
        await new StorageProvisioner(azurite.BlobService, azurite.TableService, Options.Create(empty), TimeProvider.System).EnsureCreatedAsync(default);
        Assert.True(await new TableMediaIndex(azurite.TableService, Options.Create(empty)).AreCompleteAsync(default));

        Assert.True(await NewIndex().TrySaveAsync(Call(1, caller: Target, callee: null), null, default));
        await new StorageProvisioner(azurite.BlobService, azurite.TableService, Options.Create(options), TimeProvider.System).EnsureCreatedAsync(default);
        Assert.False(await NewIndex().AreCompleteAsync(default));
    }

    private TableMediaIndex NewIndex(StorageRequestCounter? counter = null)
    {
        if (counter is null)
        {
            return new TableMediaIndex(azurite.TableService, Options.Create(options));
        }

        return new TableMediaIndex(new TableServiceClient(azurite.ConnectionString, counter.TableOptions()), Options.Create(options));
    }

    private List<TableEntity> RowsIn(string partition) =>
        table.Query<TableEntity>(TableClient.CreateQueryFilter($"PartitionKey eq {partition}")).ToList();

    private static async Task<List<string>> AllAsync(IMediaIndex index, MediaQuery query, int pageSize)
    {
        var ids = new List<string>();
        string? token = null;
        do
        {
            var page = await index.QueryAsync(query, token, pageSize, default);
            Assert.True(page.Items.Count <= pageSize);
            ids.AddRange(page.Items.Select(m => m.Id));
            token = page.ContinuationToken;
        }
        while (token is not null);

        return ids;
    }

    private static List<string> Ids(IEnumerable<MediaRecord> media) => media.Select(m => m.Id).Order(StringComparer.Ordinal).ToList();

    private static DateTimeOffset At(int minutes) => Start.AddMinutes(minutes);

    private static string Other(int i) => Hasher.Hash($"+47900{i:D5}");

    private static MediaRecord Call(int i, string? caller, string? callee)
    {
        var name = $"pbx-1/{At(i):yyyyMMdd'T'HHmmss'Z'}_c{i}.wav";
        return new MediaRecord
        {
            Id = MediaId.For("calls", name),
            Kind = MediaKind.Call,
            Container = "calls",
            BlobName = name,
            Status = MediaStatus.Indexed,
            System = "pbx-1",
            CallId = "c" + i,
            RecordedAt = At(i),
            UploadedAt = At(i),
            IndexedAt = At(i),
            Size = 1,
            Sha256 = new string('0', 64),
            ETag = "\"e\"",
            CallerHash = caller,
            CalleeHash = callee,
        };
    }

    private static MediaRecord Clip(string site, string camera, DateTimeOffset at)
    {
        var name = $"{site}/{camera}/{at:yyyyMMdd'T'HHmmss'Z'}.mp4";
        return new MediaRecord
        {
            Id = MediaId.For("cctv", name),
            Kind = MediaKind.Cctv,
            Container = "cctv",
            BlobName = name,
            Status = MediaStatus.Indexed,
            Site = site,
            Camera = camera,
            RecordedAt = at,
            UploadedAt = at,
            IndexedAt = at,
            Size = 1,
            Sha256 = new string('0', 64),
            ETag = "\"e\"",
        };
    }

    private sealed class FixedTime(DateTimeOffset now) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => now;
    }
}
