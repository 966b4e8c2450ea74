using MediaRetention.Core.Audit;
using MediaRetention.Core.Holds;
using MediaRetention.Core.Ingest;
using MediaRetention.Core.Media;
using MediaRetention.Core.Retention;
using MediaRetention.Core.Storage;
using MediaRetention.Core.Telemetry;
using MediaRetention.UnitTests.Holds;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using MediaRetention.UnitTests.Telemetry;
using Microsoft.Extensions.Time.Testing;

namespace MediaRetention.UnitTests.Retention;

public sealed class RetentionSweepHandlerTests : IDisposable
{
    private static readonly DateTimeOffset Now = new(2026, 11, 24, 12, 0, 0, TimeSpan.Zero);
    private readonly IMediaBlobStore blobs = Substitute.For<IMediaBlobStore>();
    private readonly IMediaIndex index = Substitute.For<IMediaIndex>();
    private readonly IHoldStore holds = Substitute.For<IHoldStore>();
    private readonly IBlobHoldMarks marks = Substitute.For<IBlobHoldMarks>();
    private readonly IAuditLog audit = Substitute.For<IAuditLog>();
    private readonly IDeleteConditionSupport deleteConditions = Substitute.For<IDeleteConditionSupport>();
    private readonly InMemoryCheckpoints checkpoints = new();
    private readonly FakeTimeProvider time = new(Now);
    private readonly RetentionOptions options = new() { SiteDays = { ["long"] = 90 } };
    private readonly TelemetryProbe probe = new();

    public RetentionSweepHandlerTests()
    {
        blobs.ListAsync(default!, default).ReturnsForAnyArgs(AsyncEnumerable.Empty<BlobSnapshot>());
        blobs.ListPagesAsync(default!, default, default).ReturnsForAnyArgs(AsyncEnumerable.Empty<BlobListPage>());
        index.ListNamesAsync(default!, default, default).ReturnsForAnyArgs(AsyncEnumerable.Empty<IndexedName>());
        holds.LoadActiveAsync(default).ReturnsForAnyArgs(ActiveHolds.None);
        holds.LoadActiveThoroughAsync(default).ReturnsForAnyArgs(ActiveHolds.None);
        blobs.DeleteIfUnchangedAndNotHeldAsync(default!, default!, default!, default).ReturnsForAnyArgs(BlobDeleteOutcome.Deleted);
        deleteConditions.EnsureProbedAsync(default).ReturnsForAnyArgs(DeleteConditionMode.TagsAndETag);
        deleteConditions.Mode.Returns(DeleteConditionMode.TagsAndETag);
    }

    [Fact]
    public async Task Deletes_exactly_the_expired_unheld_settled_media_and_audits_before_unindexing()
    {
        var expired = Clip("s", Now.AddDays(-31));
        var held = Clip("h", Now.AddDays(-31));
        var longRetention = Clip("long", Now.AddDays(-31));
        var justIndexed = Clip("s", Now.AddDays(-40)) with { BlobName = "s/c/new.mp4", Id = MediaId.For("cctv", "s/c/new.mp4"), IndexedAt = Now };
        GivenCandidates(expired, held, longRetention, justIndexed);
        holds.LoadActiveThoroughAsync(default).ReturnsForAnyArgs(new ActiveHolds([HoldOn(held)]));

        var summary = await Sweeper().SweepAsync("test", default);

        await blobs.Received(1).DeleteIfUnchangedAndNotHeldAsync(expired.Container, expired.BlobName, expired.ETag, Arg.Any<CancellationToken>());
        await blobs.ReceivedWithAnyArgs(1).DeleteIfUnchangedAndNotHeldAsync(default!, default!, default!, default);
        Assert.Equal((1, 1, 1, 3), (summary.Deleted, summary.HeldKept, summary.Deferred, summary.Expired));
        Received.InOrder(() =>
        {
            audit.AppendManyAsync(Arg.Is<IReadOnlyList<AuditEvent>>(e => e.Single().Target == "media/" + expired.Id && !e.Single().Details!.Keys.Any(k => k.Contains("caller") || k.Contains("callee"))), Arg.Any<CancellationToken>());
            index.RemoveAsync(Arg.Is<IReadOnlyList<MediaRecord>>(r => r.Single().Id == expired.Id), Arg.Any<CancellationToken>());
            audit.AppendAsync(Arg.Is<AuditEvent>(e => e.Action == AuditActions.RetentionSweep), Arg.Any<CancellationToken>());
        });
    }

    [Fact]
    public async Task Until_the_storage_has_shown_which_delete_conditions_it_evaluates_nothing_is_deleted()
    {
        var expired = Clip("s", Now.AddDays(-31));
        GivenCandidates(expired);
        deleteConditions.EnsureProbedAsync(default).ReturnsForAnyArgs(DeleteConditionMode.Unverified, DeleteConditionMode.TagsOnly);

        var unverified = await Sweeper().SweepAsync("test", default);

        await blobs.DidNotReceiveWithAnyArgs().DeleteIfUnchangedAndNotHeldAsync(default!, default!, default!, default);
        await index.DidNotReceiveWithAnyArgs().RemoveAsync(default!, default);
        Assert.True(unverified.DeletionBlocked);
        Assert.Equal((0, 1, DeleteConditionNames.Unverified), (unverified.Deleted, unverified.Blocked, unverified.DeleteConditions));
        Assert.Equal(TimeSpan.FromDays(1).TotalSeconds, unverified.RetentionLagSeconds);
        await audit.Received(1).AppendAsync(Arg.Is<AuditEvent>(e => e.Action == AuditActions.RetentionSweep
            && e.Details!["deletionBlocked"] == "true" && e.Details["deleteConditions"] == DeleteConditionNames.Unverified), Arg.Any<CancellationToken>());

        // Once the probe answers, the next sweep deletes and says how.
        var verified = await Sweeper().SweepAsync("test", default);

        Assert.Equal((1, false, DeleteConditionNames.TagsOnly), (verified.Deleted, verified.DeletionBlocked, verified.DeleteConditions));
    }

    [Fact]
    public async Task A_hold_seen_on_the_second_look_keeps_the_medium_and_marks_it_held()
    {
        var clip = Clip("s", Now.AddDays(-31));
        GivenCandidates(clip);
        blobs.DeleteIfUnchangedAndNotHeldAsync(default!, default!, default!, default).ReturnsForAnyArgs(BlobDeleteOutcome.ConditionFailed);
        blobs.GetPropertiesAsync(clip.Container, clip.BlobName, Arg.Any<CancellationToken>())
            .Returns(new BlobSnapshot(clip.Container, clip.BlobName, clip.ETag, 1, Now, null, new Dictionary<string, string>()));
        marks.MarkNotHeldAsync(default!, default!, default!, default).ReturnsForAnyArgs(true);
        // The snapshot has no hold; the first fresh read neither; the second one does (placed just then).
        holds.LoadActiveThoroughAsync(default).ReturnsForAnyArgs(ActiveHolds.None);
        holds.LoadActiveAsync(default).ReturnsForAnyArgs(ActiveHolds.None, new ActiveHolds([HoldOn(clip)]));

        var summary = await Sweeper().SweepAsync("test", default);

        Assert.Equal((0, 1), (summary.Deleted, summary.HeldKept));
        await blobs.ReceivedWithAnyArgs(1).DeleteIfUnchangedAndNotHeldAsync(default!, default!, default!, default);
        await marks.Received(1).MarkHeldAsync(clip.Container, clip.BlobName, Arg.Any<CancellationToken>());
        await index.DidNotReceiveWithAnyArgs().RemoveAsync(default!, default);
    }

    [Fact]
    public async Task A_released_hold_mark_is_cleared_and_the_medium_deleted_in_the_same_sweep()
    {
        var clip = Clip("s", Now.AddDays(-31));
        GivenCandidates(clip);
        blobs.DeleteIfUnchangedAndNotHeldAsync(default!, default!, default!, default).ReturnsForAnyArgs(BlobDeleteOutcome.ConditionFailed, BlobDeleteOutcome.Deleted);
        blobs.GetPropertiesAsync(clip.Container, clip.BlobName, Arg.Any<CancellationToken>())
            .Returns(new BlobSnapshot(clip.Container, clip.BlobName, clip.ETag, 1, Now, null, new Dictionary<string, string>()));
        marks.MarkNotHeldAsync(default!, default!, default!, default).ReturnsForAnyArgs(true);

        var summary = await Sweeper().SweepAsync("test", default);

        Assert.Equal(1, summary.Deleted);
        Received.InOrder(() =>
        {
            blobs.DeleteIfUnchangedAndNotHeldAsync(clip.Container, clip.BlobName, clip.ETag, Arg.Any<CancellationToken>());
            marks.MarkNotHeldAsync(clip.Container, clip.BlobName, clip.ETag, Arg.Any<CancellationToken>());
            blobs.DeleteIfUnchangedAndNotHeldAsync(clip.Container, clip.BlobName, clip.ETag, Arg.Any<CancellationToken>());
        });
    }

    [Fact]
    public async Task Storage_failing_again_and_again_stops_the_sweep_without_unindexing_anything()
    {
        GivenCandidates(Enumerable.Range(0, 50).Select(i => Clip("s", Now.AddDays(-31).AddSeconds(i))).ToArray());
        blobs.DeleteIfUnchangedAndNotHeldAsync(default!, default!, default!, default).ThrowsAsyncForAnyArgs(new IOException("storage down"));
        options.MaxParallelDeletes = 1;
        options.MaxConsecutiveFailures = 5;

        await Assert.ThrowsAsync<SweepAbortedException>(() => Sweeper().SweepAsync("test", default));
        await index.DidNotReceiveWithAnyArgs().RemoveAsync(default!, default);
    }

    [Fact]
    public async Task An_unreadable_hold_blocks_every_deletion_is_named_and_audited_once()
    {
        var expired = Clip("s", Now.AddDays(-31));
        var held = Clip("h", Now.AddDays(-31));
        GivenCandidates(expired, held);
        var unreadable = new UnreadableHold("0123456789abcdef0123456789abcdef", "its media scope lists a value that is not a media id", "\"t1\"")
        {
            Status = HoldStatus.Active,
            CaseNumber = "OPD-9",
        };
        holds.LoadActiveThoroughAsync(default).ReturnsForAnyArgs(new ActiveHolds([HoldOn(held)], [unreadable]));
        holds.IsUnreadableReportedAsync(default!, default).ReturnsForAnyArgs(false, true);

        var first = await Sweeper().SweepAsync("test", default);
        var second = await Sweeper().SweepAsync("test", default);

        await blobs.DidNotReceiveWithAnyArgs().DeleteIfUnchangedAndNotHeldAsync(default!, default!, default!, default);
        await index.DidNotReceiveWithAnyArgs().RemoveAsync(default!, default);
        foreach (var summary in new[] { first, second })
        {
            Assert.True(summary.DeletionBlocked);
            Assert.Equal((0, 1, 1), (summary.Deleted, summary.Blocked, summary.HeldKept));
            Assert.Equal([unreadable.Id], summary.UnreadableHolds.Select(h => h.Id));
            Assert.Equal("OPD-9", summary.UnreadableHolds[0].CaseNumber);
        }

        await audit.Received(1).AppendAsync(Arg.Is<AuditEvent>(e => e.Action == AuditActions.HoldUnreadable && e.Target == "hold/" + unreadable.Id),
            Arg.Any<CancellationToken>());
        await holds.Received(1).MarkUnreadableReportedAsync(unreadable, Arg.Any<CancellationToken>());
        await audit.Received(2).AppendAsync(Arg.Is<AuditEvent>(e => e.Action == AuditActions.RetentionSweep
            && e.Details!["deletionBlocked"] == "true" && e.Details["unreadableHolds"] == unreadable.Id), Arg.Any<CancellationToken>());

        Assert.Equal(SweepOutcomes.DeletionBlocked, first.Outcome);
        Assert.Equal(2, probe.Sum(MediaRetentionTelemetry.Metrics.SweepRuns, MediaRetentionTelemetry.Tags.Outcome, SweepOutcomes.DeletionBlocked));
        Assert.Equal([1.0, 1.0], probe.Values(MediaRetentionTelemetry.Metrics.UnreadableHolds));
        Assert.Equal(TimeSpan.FromDays(1).TotalSeconds, first.RetentionLagSeconds);
        var record = SweepRecord.Of(first, Now);
        Assert.Equal((SweepOutcomes.DeletionBlocked, "1: " + unreadable.Id), (record.Outcome, record.UnreadableHolds));

        var preview = await Sweeper().PreviewAsync(100, default);
        Assert.True(preview.DeletionBlocked);
        Assert.Equal((0, 1, 1), (preview.WouldDeleteCount, preview.BlockedCount, preview.HeldCount));
        Assert.Equal([unreadable.Id], preview.UnreadableHolds.Select(h => h.Id));
    }

    [Fact]
    public async Task A_hold_that_turns_unreadable_mid_sweep_keeps_the_media_of_the_slow_path()
    {
        var clip = Clip("s", Now.AddDays(-31));
        GivenCandidates(clip);
        blobs.DeleteIfUnchangedAndNotHeldAsync(default!, default!, default!, default).ReturnsForAnyArgs(BlobDeleteOutcome.ConditionFailed);
        blobs.GetPropertiesAsync(clip.Container, clip.BlobName, Arg.Any<CancellationToken>())
            .Returns(new BlobSnapshot(clip.Container, clip.BlobName, clip.ETag, 1, Now, null, new Dictionary<string, string>()));
        holds.LoadActiveAsync(default).ReturnsForAnyArgs(new ActiveHolds([], [new UnreadableHold("x", "bad", "e") { Status = "active" }]));

        var summary = await Sweeper().SweepAsync("test", default);

        Assert.Equal((0, 1), (summary.Deleted, summary.Blocked));
        await blobs.ReceivedWithAnyArgs(1).DeleteIfUnchangedAndNotHeldAsync(default!, default!, default!, default);
        await marks.DidNotReceiveWithAnyArgs().MarkNotHeldAsync(default!, default!, default!, default);
    }

    [Fact]
    public async Task Unreadable_index_rows_are_skipped_their_blobs_kept_and_named()
    {
        var expired = Clip("s", Now.AddDays(-31));
        var bad = new UnreadableMediaRow("t|cctv|20261024", "20261024T120000Z|" + new string('b', 32), new string('b', 32), "'Size' is not a whole number");
        index.ScanRetainedBeforeAsync(MediaKind.Cctv, default, default, default, default).ReturnsForAnyArgs(
            call => (string)call[0] == MediaKind.Cctv
                ? new[] { new MediaScanPage([expired], [bad]) }.ToAsyncEnumerable()
                : AsyncEnumerable.Empty<MediaScanPage>());

        var summary = await Sweeper().SweepAsync("test", default);
        var preview = await Sweeper().PreviewAsync(100, default);

        Assert.Equal((1, 1), (summary.Deleted, summary.UnreadableMedia));
        Assert.Equal([bad], summary.UnreadableMediaRows);
        Assert.Equal(1, preview.UnreadableMedia);
        await blobs.ReceivedWithAnyArgs(1).DeleteIfUnchangedAndNotHeldAsync(default!, default!, default!, default);
    }

    [Fact]
    public async Task Reconcile_reports_what_it_had_to_index_by_id_with_names_masked()
    {
        const string name = "site-1/cam-1/../20261127T102529Z.mp4";
        var blob = new BlobSnapshot("cctv", name, "\"e1\"", 4, Now.AddDays(-1), null, new Dictionary<string, string>());
        blobs.ListPagesAsync("cctv", null, default).ReturnsForAnyArgs(call => (string)call[0] == "cctv"
            ? new[] { new BlobListPage([blob], null) }.ToAsyncEnumerable()
            : AsyncEnumerable.Empty<BlobListPage>());
        blobs.GetPropertiesAsync("cctv", name, Arg.Any<CancellationToken>()).Returns(blob);
        blobs.OpenReadAsync("cctv", name, "\"e1\"", Arg.Any<CancellationToken>()).Returns(_ => new MemoryStream("clip"u8.ToArray()));
        blobs.OpenReadWithPropertiesAsync("cctv", name, "\"e1\"", Arg.Any<CancellationToken>())
            .Returns(_ => (blob, (Stream)new MemoryStream("clip"u8.ToArray())));
        index.TrySaveAsync(default!, default, default).ReturnsForAnyArgs(true);

        var summary = await Sweeper().SweepAsync("test", default);

        Assert.Equal(1, summary.Reconciled);
        var reconciled = Assert.Single(summary.ReconciledMedia);
        Assert.Equal((MediaId.For("cctv", name), MediaStatus.Rejected), (reconciled.MediaId, reconciled.Status));
        // The contract's timestamp carries no personal data and stays readable; long digit runs elsewhere are masked.
        Assert.Equal("site-1/cam-1/../20261127T102529Z.mp4", reconciled.BlobName);
        await audit.Received(1).AppendAsync(Arg.Is<AuditEvent>(e => e.Action == AuditActions.RetentionSweep
            && e.Details!["reconciled"] == "1" && e.Details["reconciledIds"] == MediaId.For("cctv", name)), Arg.Any<CancellationToken>());
    }

    [Fact]
    public async Task The_deletion_entry_of_a_rejected_name_masks_its_digit_runs_and_keeps_an_indexed_name_whole()
    {
        var rejected = Clip("s", Now.AddDays(-31)) with
        {
            BlobName = "pbx/+4791234567.wav",
            Id = MediaId.For("cctv", "pbx/+4791234567.wav"),
            Status = MediaStatus.Rejected,
            UploadedAt = Now.AddDays(-31),
        };
        var indexed = Clip("s", Now.AddDays(-31).AddSeconds(1));
        // An indexed call whose call id is a phone number: the contract allows it, so indexed names are masked too.
        var numbered = Clip("s", Now.AddDays(-31).AddSeconds(2)) with
        {
            BlobName = "pbx/20261024T120000Z_4791234567.wav",
            Id = MediaId.For("cctv", "pbx/20261024T120000Z_4791234567.wav"),
        };
        GivenCandidates(rejected, indexed, numbered);

        await Sweeper().SweepAsync("test", default);

        await audit.Received(1).AppendManyAsync(Arg.Is<IReadOnlyList<AuditEvent>>(events =>
            events.Single(e => e.Target == "media/" + rejected.Id).Details!["blobName"] == "pbx/+********67.wav"
            && events.Single(e => e.Target == "media/" + numbered.Id).Details!["blobName"] == "pbx/20261024T120000Z_********67.wav"
            && events.Single(e => e.Target == "media/" + indexed.Id).Details!["blobName"] == indexed.BlobName), Arg.Any<CancellationToken>());
    }

    [Fact]
    public void Policy_uses_overrides_and_reads_from_the_shortest_retention()
    {
        var policy = new RetentionPolicy(Options.Create(new RetentionOptions { CctvDays = 30, SiteDays = { ["long"] = 90, ["short"] = 7 } }));

        Assert.Equal(TimeSpan.FromDays(90), policy.For(Clip("long", Now)));
        Assert.Equal(TimeSpan.FromDays(30), policy.For(Clip("other", Now)));
        Assert.Equal(TimeSpan.FromDays(7), policy.ShortestFor(MediaKind.Cctv));
        Assert.Equal(TimeSpan.FromDays(30), policy.ShortestFor(MediaKind.Call));
        var rejected = Clip("s", Now.AddDays(-100)) with { Status = MediaStatus.Rejected, UploadedAt = Now.AddDays(-1) };
        Assert.Equal(Now.AddDays(29), policy.ExpiresAt(rejected));
    }

    [Fact]
    public async Task A_medium_that_cannot_be_deleted_leaves_a_retention_lag_of_how_long_it_is_overdue()
    {
        // Expired a day ago (30 days of retention); its delete fails once, so it is kept for the next sweep.
        var stuck = Clip("s", Now.AddDays(-31));
        var deletable = Clip("s", Now.AddDays(-30).AddHours(-1));
        GivenCandidates(stuck, deletable);
        blobs.DeleteIfUnchangedAndNotHeldAsync(stuck.Container, stuck.BlobName, stuck.ETag, Arg.Any<CancellationToken>())
            .ThrowsAsync(new IOException("storage hiccup"));

        var summary = await Sweeper().SweepAsync("test", default);

        Assert.Equal((1, 1), (summary.Deleted, summary.Failures));
        Assert.Equal(TimeSpan.FromDays(1).TotalSeconds, summary.RetentionLagSeconds);
        Assert.Equal(SweepOutcomes.CompletedWithFailures, summary.Outcome);
        Assert.Equal([TimeSpan.FromDays(1).TotalSeconds], probe.Values(MediaRetentionTelemetry.Metrics.RetentionLag));
        Assert.Equal(1, probe.Sum(MediaRetentionTelemetry.Metrics.SweepDeleted));
        Assert.Equal(1, probe.Sum(MediaRetentionTelemetry.Metrics.SweepFailures));
        Assert.Equal(1, probe.Sum(MediaRetentionTelemetry.Metrics.SweepRuns, MediaRetentionTelemetry.Tags.Outcome, SweepOutcomes.CompletedWithFailures));
        await audit.Received(1).AppendAsync(
            Arg.Is<AuditEvent>(e => e.Action == AuditActions.RetentionSweep && e.Details!["retentionLagSeconds"] == "86400"), Arg.Any<CancellationToken>());
    }

    [Fact]
    public async Task Held_and_deleted_media_leave_no_retention_lag_and_are_counted()
    {
        var expired = Clip("s", Now.AddDays(-40));
        var held = Clip("h", Now.AddDays(-50));
        GivenCandidates(expired, held);
        holds.LoadActiveThoroughAsync(default).ReturnsForAnyArgs(new ActiveHolds([HoldOn(held)]));

        var summary = await Sweeper().SweepAsync("test", default);

        Assert.Equal(0, summary.RetentionLagSeconds);
        Assert.Equal(SweepOutcomes.Succeeded, summary.Outcome);
        Assert.Equal([0.0], probe.Values(MediaRetentionTelemetry.Metrics.RetentionLag));
        Assert.Equal([1.0], probe.Values(MediaRetentionTelemetry.Metrics.ActiveHolds));
        Assert.Equal(1, probe.Sum(MediaRetentionTelemetry.Metrics.SweepDeleted));
        Assert.Equal(1, probe.Sum(MediaRetentionTelemetry.Metrics.SweepHeld));
        Assert.Equal(1, probe.Sum(MediaRetentionTelemetry.Metrics.SweepRuns, MediaRetentionTelemetry.Tags.Outcome, SweepOutcomes.Succeeded));
    }

    [Fact]
    public async Task A_medium_a_fresh_hold_keeps_on_the_second_look_is_no_retention_lag_but_a_just_indexed_one_is()
    {
        var clip = Clip("s", Now.AddDays(-31));
        var justIndexed = Clip("s", Now.AddDays(-32)) with { BlobName = "s/c/new.mp4", Id = MediaId.For("cctv", "s/c/new.mp4"), IndexedAt = Now };
        GivenCandidates(clip, justIndexed);
        blobs.DeleteIfUnchangedAndNotHeldAsync(default!, default!, default!, default).ReturnsForAnyArgs(BlobDeleteOutcome.ConditionFailed);
        blobs.GetPropertiesAsync(clip.Container, clip.BlobName, Arg.Any<CancellationToken>())
            .Returns(new BlobSnapshot(clip.Container, clip.BlobName, clip.ETag, 1, Now, null, new Dictionary<string, string>()));
        // The snapshot has no hold; the fresh read of the slow path sees it.
        holds.LoadActiveAsync(default).ReturnsForAnyArgs(new ActiveHolds([HoldOn(clip)]));

        var summary = await Sweeper().SweepAsync("test", default);

        // The deferred one expired two days ago and is still stored; the held one does not count.
        Assert.Equal((0, 1, 1), (summary.Deleted, summary.HeldKept, summary.Deferred));
        Assert.Equal(TimeSpan.FromDays(2).TotalSeconds, summary.RetentionLagSeconds);
    }

    [Fact]
    public async Task A_sweep_that_stops_on_errors_is_counted_as_failed()
    {
        GivenCandidates(Enumerable.Range(0, 10).Select(i => Clip("s", Now.AddDays(-31).AddSeconds(i))).ToArray());
        blobs.DeleteIfUnchangedAndNotHeldAsync(default!, default!, default!, default).ThrowsAsyncForAnyArgs(new IOException("storage down"));
        options.MaxParallelDeletes = 1;
        options.MaxConsecutiveFailures = 3;

        await Assert.ThrowsAsync<SweepAbortedException>(() => Sweeper().SweepAsync("test", default));

        Assert.Equal(1, probe.Sum(MediaRetentionTelemetry.Metrics.SweepRuns, MediaRetentionTelemetry.Tags.Outcome, SweepOutcomes.Failed));
        Assert.Empty(probe.Values(MediaRetentionTelemetry.Metrics.RetentionLag));
    }

    [Fact]
    public async Task Preview_reports_the_retention_lag_of_the_oldest_unheld_expired_medium()
    {
        var older = Clip("s", Now.AddDays(-33));
        var newer = Clip("s", Now.AddDays(-31));
        var heldOldest = Clip("h", Now.AddDays(-60));
        GivenCandidates(newer, older, heldOldest);
        holds.LoadActiveThoroughAsync(default).ReturnsForAnyArgs(new ActiveHolds([HoldOn(heldOldest)]));

        var preview = await Sweeper().PreviewAsync(100, default);

        Assert.Equal(TimeSpan.FromDays(3).TotalSeconds, preview.RetentionLagSeconds);
        Assert.Equal([TimeSpan.FromDays(3).TotalSeconds], probe.Values(MediaRetentionTelemetry.Metrics.RetentionLag));
        await blobs.DidNotReceiveWithAnyArgs().DeleteIfUnchangedAndNotHeldAsync(default!, default!, default!, default);
    }

    [Fact]
    public async Task A_sweep_out_of_time_stops_after_a_page_saves_where_and_the_next_sweep_finishes_the_rest()
    {
        // Two pages of CCTV and one of calls; each delete takes a (fake) minute and the budget is one minute.
        var a = Clip("s", Now.AddDays(-40));
        var b = Clip("s", Now.AddDays(-39));
        var held = Clip("h", Now.AddDays(-38));
        var c = Clip("s", Now.AddDays(-37));
        var call = CallRecord(Now.AddDays(-36));
        GivenPages(MediaKind.Cctv, [a, b], [held, c]);
        GivenPages(MediaKind.Call, [call]);
        holds.LoadActiveThoroughAsync(default).ReturnsForAnyArgs(new ActiveHolds([HoldOn(held)]));
        var deleted = new List<string>();
        blobs.DeleteIfUnchangedAndNotHeldAsync(default!, default!, default!, default).ReturnsForAnyArgs(call =>
        {
            lock (deleted)
            {
                deleted.Add((string)call[1]);
            }

            time.Advance(TimeSpan.FromMinutes(1));
            return BlobDeleteOutcome.Deleted;
        });
        options.MaxSweepDuration = TimeSpan.FromMinutes(1);
        options.MaxParallelDeletes = 1;

        var first = await Sweeper().SweepAsync("test", default);

        Assert.True(first.StoppedEarly);
        Assert.Equal([a.BlobName, b.BlobName], deleted);
        Assert.Equal((2, 2, 0), (first.Deleted, first.Expired, first.HeldKept));
        Assert.Null(first.ResumedFrom);
        Assert.Equal(new SweepPosition(SweepPhases.Expired, null, MediaKind.Cctv, TimeRow(b).RowKey), first.Checkpoint);
        Assert.Equal(TimeRow(b), checkpoints.Saved!.After);
        await index.Received(1).RemoveAsync(Arg.Is<IReadOnlyList<MediaRecord>>(r => r.Select(m => m.Id).Order().SequenceEqual(new[] { a.Id, b.Id }.Order())), Arg.Any<CancellationToken>());
        await audit.Received(1).AppendAsync(Arg.Is<AuditEvent>(e => e.Action == AuditActions.RetentionSweep
            && e.Details!["stoppedEarly"] == "true" && e.Details["checkpoint"] == $"expired cctv after {TimeRow(b).RowKey}"), Arg.Any<CancellationToken>());

        // The next sweep, with time enough: no reconcile again, the rest of CCTV after b, then the calls.
        options.MaxSweepDuration = TimeSpan.FromHours(1);
        index.ClearReceivedCalls();
        var second = await Sweeper().SweepAsync("test", default);

        Assert.False(second.StoppedEarly);
        Assert.Equal([a.BlobName, b.BlobName, c.BlobName, call.BlobName], deleted);
        Assert.Equal((2, 1), (second.Deleted, second.HeldKept));
        Assert.Equal(first.Checkpoint, second.ResumedFrom);
        Assert.Null(second.Checkpoint);
        Assert.Equal(first.StartedAt, second.CycleStartedAt);
        Assert.Null(checkpoints.Saved);
        index.DidNotReceiveWithAnyArgs().ListNamesAsync(default!, default, default);
        index.Received(1).ScanRetainedBeforeAsync(MediaKind.Cctv, Arg.Any<DateTimeOffset>(), Arg.Any<int>(), TimeRow(b), Arg.Any<CancellationToken>());

        // And the one after starts a new cycle from the beginning.
        var third = await Sweeper().SweepAsync("test", default);
        Assert.Null(third.ResumedFrom);
        Assert.Equal(third.StartedAt, third.CycleStartedAt);
    }

    [Fact]
    public async Task A_sweep_cut_off_while_reconciling_resumes_the_listing_where_it_stopped_and_deletes_nothing_before()
    {
        var expired = Clip("s", Now.AddDays(-31));
        GivenCandidates(expired);
        var one = new BlobSnapshot("cctv", expired.BlobName, expired.ETag, 1, Now, null, new Dictionary<string, string>());
        index.ListNamesAsync(default!, default, default).ReturnsForAnyArgs(call => (string)call[0] == "cctv"
            ? new[] { new IndexedName(MediaTableLayout.NameRowKey("cctv", expired.BlobName)!, expired.Id, expired.ETag) }.ToAsyncEnumerable()
            : AsyncEnumerable.Empty<IndexedName>());
        blobs.ListPagesAsync(default!, default, default).ReturnsForAnyArgs(call =>
        {
            time.Advance(TimeSpan.FromSeconds(2));
            return ((string)call[0], (string?)call[1]) switch
            {
                ("cctv", null) => new[] { new BlobListPage([one], "m1"), new BlobListPage([], null) }.ToAsyncEnumerable(),
                ("cctv", "m1") => new[] { new BlobListPage([], null) }.ToAsyncEnumerable(),
                _ => AsyncEnumerable.Empty<BlobListPage>(),
            };
        });
        options.MaxSweepDuration = TimeSpan.FromSeconds(1);

        var first = await Sweeper().SweepAsync("test", default);

        Assert.True(first.StoppedEarly);
        Assert.Equal(new SweepPosition(SweepPhases.Reconcile, "cctv", null, null), first.Checkpoint);
        Assert.Equal("m1", checkpoints.Saved!.Marker);
        await holds.DidNotReceiveWithAnyArgs().LoadActiveThoroughAsync(default);
        await blobs.DidNotReceiveWithAnyArgs().DeleteIfUnchangedAndNotHeldAsync(default!, default!, default!, default);

        options.MaxSweepDuration = TimeSpan.FromHours(1);
        var second = await Sweeper().SweepAsync("test", default);

        Assert.False(second.StoppedEarly);
        Received.InOrder(() =>
        {
            blobs.ListPagesAsync("cctv", null, Arg.Any<CancellationToken>());
            blobs.ListPagesAsync("cctv", "m1", Arg.Any<CancellationToken>());
            blobs.ListPagesAsync("calls", null, Arg.Any<CancellationToken>());
        });
        Assert.Equal(1, second.Deleted);
        Assert.Null(checkpoints.Saved);
    }

    [Fact]
    public async Task A_resumed_sweep_reports_the_retention_lag_of_the_whole_cycle()
    {
        // The first sweep keeps a medium two days overdue (its delete fails) and runs out of time.
        var stuck = Clip("s", Now.AddDays(-32));
        var later = Clip("s", Now.AddDays(-31));
        GivenPages(MediaKind.Cctv, [stuck], [later]);
        blobs.DeleteIfUnchangedAndNotHeldAsync(stuck.Container, stuck.BlobName, stuck.ETag, Arg.Any<CancellationToken>()).Returns(_ =>
        {
            time.Advance(TimeSpan.FromMinutes(1));
            return Task.FromException<BlobDeleteOutcome>(new IOException("storage hiccup"));
        });
        options.MaxSweepDuration = TimeSpan.FromSeconds(30);

        var first = await Sweeper().SweepAsync("test", default);
        options.MaxSweepDuration = TimeSpan.FromHours(1);
        var second = await Sweeper().SweepAsync("test", default);

        Assert.True(first.StoppedEarly);
        Assert.Equal(1, second.Deleted);
        Assert.Equal((Now.AddMinutes(1) - stuck.RecordedAt!.Value.AddDays(30)).TotalSeconds, second.RetentionLagSeconds);
    }

    [Fact]
    public async Task A_preview_is_never_cut_off_and_never_touches_the_checkpoint()
    {
        GivenPages(MediaKind.Cctv, [Clip("s", Now.AddDays(-40))], [Clip("s", Now.AddDays(-39))]);
        options.MaxSweepDuration = TimeSpan.FromTicks(1);

        var preview = await Sweeper().PreviewAsync(100, default);

        Assert.Equal(2, preview.WouldDeleteCount);
        Assert.Null(checkpoints.Saved);
    }

    [Fact]
    public async Task Within_the_full_reconcile_interval_a_sweep_lists_nothing_and_after_it_a_missed_blob_is_found()
    {
        options.FullReconcileInterval = TimeSpan.FromHours(6);
        var missed = new BlobSnapshot("cctv", "s/c/20261101T000000Z.mp4", "\"m1\"", 4, Now.AddDays(-20), null, new Dictionary<string, string>());
        blobs.ListPagesAsync(default!, default, default).ReturnsForAnyArgs(call => (string)call[0] == "cctv"
            ? new[] { new BlobListPage([missed], null) }.ToAsyncEnumerable()
            : AsyncEnumerable.Empty<BlobListPage>());
        checkpoints.LastFullReconcile = Now.AddHours(-5);

        var quiet = await Sweeper().SweepAsync("test", default);

        Assert.False(quiet.FullReconcile);
        blobs.DidNotReceiveWithAnyArgs().ListPagesAsync(default!, default, default);
        index.DidNotReceiveWithAnyArgs().ListNamesAsync(default!, default, default);

        // An hour later the interval has passed: the full pass finds the blob the event path missed.
        time.Advance(TimeSpan.FromHours(1));
        var full = await Sweeper().SweepAsync("test", default);

        Assert.True(full.FullReconcile);
        Assert.Equal(1, IngestReads(missed.Name));
        Assert.Equal(Now.AddHours(1), checkpoints.LastFullReconcile);
        await audit.Received(1).AppendAsync(Arg.Is<AuditEvent>(e => e.Action == AuditActions.RetentionSweep && e.Details!["fullReconcile"] == "true"), Arg.Any<CancellationToken>());
    }

    [Fact]
    public async Task A_full_reconcile_cut_off_by_its_budget_resumes_before_the_interval_counts_and_records_when_the_pass_began()
    {
        options.FullReconcileInterval = TimeSpan.FromHours(6);
        blobs.ListPagesAsync(default!, default, default).ReturnsForAnyArgs(call =>
        {
            time.Advance(TimeSpan.FromSeconds(2));
            return (string)call[0] == "cctv" && call[1] is null
                ? new[] { new BlobListPage([], "m1") }.ToAsyncEnumerable()
                : AsyncEnumerable.Empty<BlobListPage>();
        });
        options.MaxSweepDuration = TimeSpan.FromSeconds(1);

        var first = await Sweeper().SweepAsync("test", default);
        Assert.True(first.StoppedEarly);
        Assert.Null(checkpoints.LastFullReconcile);

        options.MaxSweepDuration = TimeSpan.FromHours(1);
        var second = await Sweeper().SweepAsync("test", default);

        Assert.True(second.FullReconcile);
        Assert.Equal(first.StartedAt, checkpoints.LastFullReconcile);
    }

    [Fact]
    public async Task The_merge_indexes_what_no_name_row_or_record_holds_and_only_looks_closer_at_mismatches()
    {
        options.FullReconcileInterval = TimeSpan.Zero;
        BlobSnapshot Blob(string name, string etag) => new("cctv", name, etag, 4, Now.AddDays(-1), null, new Dictionary<string, string>());
        var known = Blob("a/c/1.mp4", "\"k\"");
        var stale = Blob("b/c/1.mp4", "\"new\"");
        var legacy = Blob("c/c/1.mp4", "\"l\"");
        var missing = Blob("d/c/1.mp4", "\"x\"");
        var tooLong = Blob("e/" + new string('z', MediaTableLayout.MaxNamedBlobBytes) + ".mp4", "\"t\"");
        IndexedName Row(BlobSnapshot b, string etag) => new(MediaTableLayout.NameRowKey("cctv", b.Name)!, MediaId.For("cctv", b.Name), etag);
        blobs.ListPagesAsync(default!, default, default).ReturnsForAnyArgs(call => (string)call[0] == "cctv"
            ? new[] { new BlobListPage([known, stale, legacy, missing, tooLong], null) }.ToAsyncEnumerable()
            : AsyncEnumerable.Empty<BlobListPage>());
        index.ListNamesAsync("cctv", known.Name, Arg.Any<CancellationToken>())
            .Returns(new[] { Row(known, known.ETag), Row(stale, "\"old\"") }.ToAsyncEnumerable());
        MediaRecord Record(BlobSnapshot b) => Clip("c", Now.AddDays(-1)) with { Id = MediaId.For("cctv", b.Name), BlobName = b.Name, ETag = b.ETag };
        index.GetAsync(MediaId.For("cctv", legacy.Name), Arg.Any<CancellationToken>()).Returns(new StoredMedia(Record(legacy), "t1"));
        index.GetAsync(MediaId.For("cctv", tooLong.Name), Arg.Any<CancellationToken>()).Returns(new StoredMedia(Record(tooLong), "t2"));

        var summary = await Sweeper().SweepAsync("test", default);

        // Matched in the merge: not even a point read.
        await index.DidNotReceive().GetAsync(MediaId.For("cctv", known.Name), Arg.Any<CancellationToken>());
        Assert.Equal(0, IngestReads(known.Name));
        // Current in its record row (indexed before name rows, or a name too long for one): no ingest; the name row is written.
        Assert.Equal(0, IngestReads(legacy.Name));
        Assert.Equal(0, IngestReads(tooLong.Name));
        await index.Received(1).RepairNameRowAsync(Arg.Is<MediaRecord>(r => r.BlobName == legacy.Name), Arg.Any<CancellationToken>());
        // Another version, or not indexed at all: ingested.
        Assert.NotEqual(0, IngestReads(stale.Name));
        Assert.NotEqual(0, IngestReads(missing.Name));
        Assert.True(summary.FullReconcile);
    }

    [Fact]
    public async Task A_listing_sorted_unlike_the_name_rows_costs_point_reads_never_a_missed_blob()
    {
        options.FullReconcileInterval = TimeSpan.Zero;
        BlobSnapshot Blob(string name) => new("cctv", name, "\"e\"", 4, Now.AddDays(-1), null, new Dictionary<string, string>());
        var later = Blob("z/c/1.mp4");
        var earlier = Blob("a/c/1.mp4");
        blobs.ListPagesAsync(default!, default, default).ReturnsForAnyArgs(call => (string)call[0] == "cctv"
            ? new[] { new BlobListPage([later, earlier], null) }.ToAsyncEnumerable()
            : AsyncEnumerable.Empty<BlobListPage>());
        index.ListNamesAsync("cctv", later.Name, Arg.Any<CancellationToken>()).Returns(new[]
        {
            new IndexedName(MediaTableLayout.NameRowKey("cctv", later.Name)!, MediaId.For("cctv", later.Name), later.ETag),
        }.ToAsyncEnumerable());

        await Sweeper().SweepAsync("test", default);

        // "earlier" came after the cursor had passed its place: looked up (ingest may read the record again), and (not in
        // the index) ingested.
        await index.Received().GetAsync(MediaId.For("cctv", earlier.Name), Arg.Any<CancellationToken>());
        await index.DidNotReceive().GetAsync(MediaId.For("cctv", later.Name), Arg.Any<CancellationToken>());
        Assert.NotEqual(0, IngestReads(earlier.Name));
        Assert.Equal(0, IngestReads(later.Name));
    }

    private static RowKeyPair TimeRow(MediaRecord media) => MediaTableLayout.LookupKeys(media)[0];

    /// <summary>The kind's scan as the table answers it: pages in key order, resumed after a row when asked.</summary>
    private void GivenPages(string kind, params MediaRecord[][] pages)
    {
        scanPages[kind] = pages;
        index.ScanRetainedBeforeAsync(default!, default, default, default, default).ReturnsForAnyArgs(call =>
        {
            var after = (RowKeyPair?)call[3];
            // (NSubstitute runs this for the set-up call itself too, with no kind.)
            var all = call[0] is string k ? scanPages.GetValueOrDefault(k) ?? [] : [];
            return all
                .Select(page => new MediaScanPage(page, []) { Last = TimeRow(page[^1]) })
                .Where(page => after is not { } a || string.CompareOrdinal(page.Last!.Value.PartitionKey + "\n" + page.Last.Value.RowKey, a.PartitionKey + "\n" + a.RowKey) > 0)
                .ToAsyncEnumerable();
        });
    }

    private readonly Dictionary<string, MediaRecord[][]> scanPages = new(StringComparer.Ordinal);

    private static MediaRecord CallRecord(DateTimeOffset recordedAt) => ActiveHoldsTests.Call("pbx", "c-1", recordedAt);

    /// <summary>The checkpoint blob, in memory.</summary>
    private sealed class InMemoryCheckpoints : ISweepCheckpointStore
    {
        public SweepCheckpoint? Saved { get; private set; }

        public Task<SweepCheckpoint?> LoadAsync(CancellationToken cancellationToken) => Task.FromResult(Saved);

        public Task SaveAsync(SweepCheckpoint checkpoint, CancellationToken cancellationToken)
        {
            Saved = checkpoint;
            return Task.CompletedTask;
        }

        public Task ClearAsync(CancellationToken cancellationToken)
        {
            Saved = null;
            return Task.CompletedTask;
        }

        public DateTimeOffset? LastFullReconcile { get; set; }

        public Task<DateTimeOffset?> LoadLastFullReconcileAsync(CancellationToken cancellationToken) => Task.FromResult(LastFullReconcile);

        public Task SaveLastFullReconcileAsync(DateTimeOffset startedAt, CancellationToken cancellationToken)
        {
            LastFullReconcile = startedAt;
            return Task.CompletedTask;
        }
    }

    private RetentionSweepHandler Sweeper()
    {
        var storage = Options.Create(new MediaStorageOptions());
        var ingest = new IngestBlobHandler(blobs, index, Substitute.For<IIngestHoldMarker>(), audit, storage,
            Options.Create(new IngestOptions()), time, NullLogger<IngestBlobHandler>.Instance, probe.Telemetry);
        var deleter = new HoldSafeDeleter(blobs, holds, marks, ingest, Options.Create(options), deleteConditions, NullLogger<HoldSafeDeleter>.Instance);
        return new RetentionSweepHandler(blobs, index, holds, ingest, audit, new RetentionPolicy(Options.Create(options)),
            Options.Create(options), storage, deleteConditions, checkpoints, time, NullLogger<RetentionSweepHandler>.Instance, probe.Telemetry, deleter);
    }

    private void GivenCandidates(params MediaRecord[] media)
    {
        index.ScanRetainedBeforeAsync(MediaKind.Cctv, default, default, default, default).ReturnsForAnyArgs(
            call => (string)call[0] == MediaKind.Cctv
                ? new[] { new MediaScanPage(media, []) }.ToAsyncEnumerable()
                : AsyncEnumerable.Empty<MediaScanPage>());
    }

    private static MediaRecord Clip(string site, DateTimeOffset recordedAt) =>
        ActiveHoldsTests.Clip(site, "c", recordedAt) with { IndexedAt = recordedAt };

    private static Hold HoldOn(MediaRecord media) => new()
    {
        Id = "h-" + media.Id,
        CaseNumber = "C",
        Reason = "r",
        RequestedBy = new RequestedBy("pd", "o"),
        Agency = "pd",
        PlacedBy = "t",
        PlacedAt = Now,
        Status = HoldStatus.Active,
        Scope = new HoldScope { Type = HoldScope.MediaType, MediaIds = [media.Id] },
    };

    public void Dispose() => probe.Dispose();

    /// <summary>How often ingest read the blob (its properties, or its content with them, as a listed blob is read).</summary>
    private int IngestReads(string name) => blobs.ReceivedCalls().Count(c =>
        c.GetMethodInfo().Name is nameof(IMediaBlobStore.GetPropertiesAsync) or nameof(IMediaBlobStore.OpenReadWithPropertiesAsync)
        && c.GetArguments() is ["cctv", string n, ..] && n == name);
}
