using MediaRetention.Core.Audit;
using MediaRetention.Core.Holds;
using MediaRetention.Core.Media;
using MediaRetention.Core.Phones;

namespace MediaRetention.UnitTests.Media;

/// <summary>The phone and camera rows' keys, the key ranges queries read, the queries holds make, and the backfill.</summary>
public sealed class LookupRowsTests
{
    private static readonly DateTimeOffset At = new(2026, 11, 20, 8, 0, 0, TimeSpan.Zero);
    private static readonly PhoneHasher Hasher = new(PhoneHashKeyRing.Parse(["k1:" + Convert.ToBase64String(new byte[32])], "test"));
    private static readonly string A = Hasher.Hash("+4791234567");
    private static readonly string B = Hasher.Hash("+4722334455");

    [Fact]
    public void A_call_has_a_phone_row_per_distinct_well_formed_party_hash_whatever_its_status()
    {
        var id = MediaId.For("calls", "x");
        Assert.Equal([new RowKeyPair("p|" + A, $"20261120T080000Z|{id}"), new RowKeyPair("p|" + B, $"20261120T080000Z|{id}")],
            MediaTableLayout.PhoneAndCameraKeys(Call(A, B)));
        Assert.Single(MediaTableLayout.PhoneAndCameraKeys(Call(A, A)));
        Assert.Single(MediaTableLayout.PhoneAndCameraKeys(Call(A, "not/a#hash")));
        Assert.Empty(MediaTableLayout.PhoneAndCameraKeys(Call(null, null)));

        var rejected = Call(A, null) with { Status = MediaStatus.Rejected, RecordedAt = null, UploadedAt = At.AddDays(1) };
        Assert.Equal([new RowKeyPair("p|" + A, $"20261121T080000Z|{id}")], MediaTableLayout.PhoneAndCameraKeys(rejected));
        Assert.Contains(new RowKeyPair("p|" + A, $"20261121T080000Z|{id}"), MediaTableLayout.LookupKeys(rejected));
        Assert.All(MediaTableLayout.PhoneAndCameraKeys(Call(A, PhoneNumber.Hash("+4791234567"))),
            k => Assert.DoesNotContain(k.PartitionKey, c => c is '/' or '\\' or '#' or '?' || char.IsControl(c)));
    }

    [Fact]
    public void An_indexed_clip_has_one_camera_row_and_a_rejected_one_none()
    {
        var clip = Clip("site-1", "cam.2");
        Assert.Equal([new RowKeyPair("s|site-1", $"v|cam.2|20261120T080000Z|{clip.Id}")], MediaTableLayout.PhoneAndCameraKeys(clip));
        Assert.Equal(MediaTableLayout.LookupKeys(clip)[^1], MediaTableLayout.PhoneAndCameraKeys(clip)[0]);
        Assert.Empty(MediaTableLayout.PhoneAndCameraKeys(clip with { Status = MediaStatus.Rejected }));
        Assert.StartsWith("t|", MediaTableLayout.LookupKeys(clip)[0].PartitionKey); // the sweep resumes after the first key
    }

    [Fact]
    public void Phone_and_camera_queries_become_one_key_range_per_hash_or_camera_and_others_none()
    {
        var phone = MediaQueryFilter.Ranges(new MediaQuery { Kind = MediaKind.Call, PhoneHashes = [B, A, A, "junk"], From = At, To = At.AddDays(1), Status = MediaStatus.Indexed })!;
        Assert.Equal(new[] { A, B }.Order(StringComparer.Ordinal), phone.Select(r => r.PhoneHash));
        Assert.All(phone, r => Assert.Contains("RowKey ge '20261120T080000Z'", r.Filter));
        Assert.All(phone, r => Assert.Contains("Status eq 'Indexed'", r.Filter));
        Assert.StartsWith($"PartitionKey eq 'p|{phone[0].PhoneHash}'", phone[0].Filter);

        var cameras = MediaQueryFilter.Ranges(new MediaQuery { Site = "site-1", Cameras = ["cam-2", "cam-1", "bad/camera"] })!;
        Assert.Equal(
        [
            "PartitionKey eq 's|site-1' and RowKey lt 'v|cam-1|~' and RowKey ge 'v|cam-1|' and Kind eq 'cctv'",
            "PartitionKey eq 's|site-1' and RowKey lt 'v|cam-2|~' and RowKey ge 'v|cam-2|' and Kind eq 'cctv'",
        ], cameras.Select(r => r.Filter));
        Assert.Single(MediaQueryFilter.Ranges(new MediaQuery { Site = "site-1", Camera = "cam-1" })!);

        Assert.Null(MediaQueryFilter.Ranges(new MediaQuery { Site = "site-1" }));
        Assert.Null(MediaQueryFilter.Ranges(new MediaQuery { Site = "site-1", Cameras = [] }));
        Assert.Null(MediaQueryFilter.Ranges(new MediaQuery { System = "pbx-1", From = At }));
        Assert.Null(MediaQueryFilter.Ranges(new MediaQuery { Kind = MediaKind.Cctv, PhoneHashes = [A] }));
        // A site's partition holds its camera rows after its site rows: a site listing without an end stops before them.
        Assert.Contains("RowKey lt 'v|'", MediaQueryFilter.Build(new MediaQuery { Site = "site-1" }));
        Assert.Contains("RowKey lt 'v|'", MediaQueryFilter.Build(new MediaQuery { Site = "site-1", From = At }));
        // The fallback filter narrows to the listed cameras too.
        Assert.Contains("(Camera eq 'cam-2' or Camera eq 'cam-1')", MediaQueryFilter.Build(new MediaQuery { Site = "site-1", Cameras = ["cam-2", "cam-1"] }));
    }

    [Fact]
    public async Task Hold_coverage_asks_for_the_listed_cameras_and_for_every_form_of_a_number()
    {
        var index = Substitute.For<IMediaIndex>();
        var queries = new List<MediaQuery>();
        index.QueryAsync(Arg.Do<MediaQuery>(queries.Add), Arg.Any<string?>(), Arg.Any<int>(), Arg.Any<CancellationToken>()).Returns(new MediaPage([], null));
        var coverage = new HoldCoverage(index, new FixedPhoneHashing(Hasher));

        await coverage.PageAsync(new HoldScope { Type = HoldScope.CctvType, Site = "site-1", Cameras = ["cam-1"], From = At, To = At.AddDays(1) }, null, 10, default);
        await coverage.PageAsync(new HoldScope { Type = HoldScope.CctvType, Site = "site-1", From = At, To = At.AddDays(1) }, null, 10, default);
        await coverage.PageAsync(new HoldScope { Type = HoldScope.PhoneType, PhoneHash = A, From = At, To = At.AddDays(1), LookupHashes = Hasher.LookupValues("+4791234567") }, null, 10, default);

        Assert.Equal(["cam-1"], queries[0].Cameras);
        Assert.Null(queries[1].Cameras);
        Assert.Equal(Hasher.LookupValues("+4791234567"), queries[2].PhoneHashes);
        Assert.NotNull(MediaQueryFilter.Ranges(queries[0]));
        Assert.NotNull(MediaQueryFilter.Ranges(queries[2]));
    }

    [Fact]
    public async Task The_backfill_visits_every_page_then_marks_complete_and_audits()
    {
        var rows = Substitute.For<IMediaLookupRows>();
        var audit = Substitute.For<IAuditLog>();
        var first = new StoredMedia(Call(A, B), "e1");
        var second = new StoredMedia(Clip("site-1", "cam-1"), "e2");
        rows.ListRecordsAsync(null, Arg.Any<int>(), Arg.Any<CancellationToken>()).Returns(([first], "next"));
        rows.ListRecordsAsync("next", Arg.Any<int>(), Arg.Any<CancellationToken>()).Returns(([second], null));
        rows.AddMissingRowsAsync(first, Arg.Any<CancellationToken>()).Returns(2);
        rows.AddMissingRowsAsync(second, Arg.Any<CancellationToken>()).Returns(1);
        var progress = new List<BackfillLookupRowsProgress>();

        var report = await new BackfillLookupRowsHandler(rows, audit, new FixedTime(At)).HandleAsync("admin-1", progress.Add, default);

        Assert.Equal(new BackfillLookupRowsReport(MediaTableLayout.LookupLayoutVersion, 2, 3, false, At), report);
        Assert.Equal([new BackfillLookupRowsProgress(1, 2), new BackfillLookupRowsProgress(2, 3)], progress);
        Received.InOrder(() =>
        {
            rows.AddMissingRowsAsync(second, Arg.Any<CancellationToken>());
            rows.MarkCompleteAsync("admin-1", At, Arg.Any<CancellationToken>());
            audit.AppendAsync(Arg.Is<AuditEvent>(e => e.Action == AuditActions.LookupRowsBackfilled && e.Details!["recordsVisited"] == "2"), Arg.Any<CancellationToken>());
        });
    }

    [Fact]
    public async Task A_backfill_that_fails_part_way_leaves_the_marker_unwritten()
    {
        var rows = Substitute.For<IMediaLookupRows>();
        rows.ListRecordsAsync(null, Arg.Any<int>(), Arg.Any<CancellationToken>()).Returns(([new StoredMedia(Call(A, null), "e")], "next"));
        rows.ListRecordsAsync("next", Arg.Any<int>(), Arg.Any<CancellationToken>()).Returns(Task.FromException<(IReadOnlyList<StoredMedia>, string?)>(new InvalidOperationException("table unavailable")));

        await Assert.ThrowsAsync<InvalidOperationException>(() =>
            new BackfillLookupRowsHandler(rows, Substitute.For<IAuditLog>(), new FixedTime(At)).HandleAsync("admin-1", null, default));

        await rows.DidNotReceiveWithAnyArgs().MarkCompleteAsync(default!, default, default);
    }

    private static MediaRecord Call(string? caller, string? callee) => new()
    {
        Id = MediaId.For("calls", "x"),
        Kind = MediaKind.Call,
        Container = "calls",
        BlobName = "x",
        Status = MediaStatus.Indexed,
        System = "pbx-1",
        CallId = "c1",
        RecordedAt = At,
        UploadedAt = At,
        IndexedAt = At,
        Size = 1,
        Sha256 = new string('0', 64),
        ETag = "\"e\"",
        CallerHash = caller,
        CalleeHash = callee,
    };

    private static MediaRecord Clip(string site, string camera) => new()
    {
        Id = MediaId.For("cctv", $"{site}/{camera}/20261120T080000Z.mp4"),
        Kind = MediaKind.Cctv,
        Container = "cctv",
        BlobName = $"{site}/{camera}/20261120T080000Z.mp4",
        Status = MediaStatus.Indexed,
        Site = site,
        Camera = camera,
        RecordedAt = At,
        UploadedAt = At,
        IndexedAt = At,
        Size = 1,
        Sha256 = new string('0', 64),
        ETag = "\"e\"",
    };

    private sealed class FixedTime(DateTimeOffset now) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => now;
    }
}
