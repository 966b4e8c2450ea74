using System.Text.Json;
using MediaRetention.Core.Audit;
using MediaRetention.Core.Holds;
using MediaRetention.Core.Ingest;
using MediaRetention.Core.Media;
using MediaRetention.Core.Operations;
using MediaRetention.Core.Retention;
using MediaRetention.IntegrationTests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace MediaRetention.IntegrationTests.Holds;

/// <summary>
/// A hold covering more than Holds:InlineMarkLimit media: its row first, the first media marked in the request, the rest
/// by a hold.mark operation (run here by the test, when it chooses). The sweep reads holds, not only marks, so nothing the
/// hold covers goes while marking has not reached it; a dead worker's marking is taken over from its checkpoint; a
/// release stops it; every end is audited.
/// </summary>
[Collection(AzuriteCollection.Name)]
public sealed class BackgroundHoldMarkingTests(AzuriteFixture azurite, Xunit.Abstractions.ITestOutputHelper output)
{
    private const int InlineLimit = 5;
    private const int PageSize = 7;
    private const int Clips = 40;

    private static readonly Dictionary<string, string?> Settings = new()
    {
        ["Holds:InlineMarkLimit"] = InlineLimit.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["Holds:BackgroundMarkPageSize"] = PageSize.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["Retention:MaxParallelDeletes"] = "4",
        ["Retention:IngestSettleTime"] = "00:00:00",
        ["Retention:ScanPageSize"] = "10",
    };

    [Fact]
    public async Task A_hold_within_the_inline_limit_is_marked_in_the_request_and_starts_no_operation()
    {
        await using var harness = await HarnessAsync();
        var recordedFrom = harness.Time.GetUtcNow().AddDays(-40);
        var clips = await UploadClipsAsync(harness, InlineLimit, "s0", recordedFrom);

        var placed = await PlaceSiteHoldAsync(harness, "s0", recordedFrom);

        Assert.True(placed.MarkingComplete);
        Assert.Equal(InlineLimit, placed.CoveredMedia);
        Assert.Empty(harness.Get<RecordingOperationDispatcher>().Dispatched);
        Assert.Null(await harness.Get<IHoldMarkingStore>().GetAsync(placed.Hold.Id, default));
        Assert.Equal(InlineLimit, await CountMarksAsync(harness, clips.Values, IBlobHoldMarks.Held));
    }

    [Fact]
    public async Task A_large_hold_marks_the_first_media_in_the_request_and_the_rest_in_an_operation_and_audits_both()
    {
        await using var harness = await HarnessAsync();
        var recordedFrom = harness.Time.GetUtcNow().AddDays(-40);
        var clips = await UploadClipsAsync(harness, Clips, "s0", recordedFrom);

        var placed = await PlaceSiteHoldAsync(harness, "s0", recordedFrom);

        // The request marked its share only; the hold row came first and the marking row names the operation.
        Assert.False(placed.MarkingComplete);
        Assert.Equal(InlineLimit, placed.CoveredMedia);
        Assert.Equal(InlineLimit, await CountMarksAsync(harness, clips.Values, IBlobHoldMarks.Held));
        var operationId = Assert.Single(harness.Get<RecordingOperationDispatcher>().Dispatched);
        var marking = (await harness.Get<IHoldMarkingStore>().GetAsync(placed.Hold.Id, default))!.Marking;
        Assert.Equal((operationId, HoldMarkingStates.InProgress, InlineLimit), (marking.OperationId, marking.State, marking.Marked));
        Assert.NotNull(marking.Checkpoint);
        var queued = (await harness.Get<IOperationStore>().GetAsync(operationId, default))!.Operation;
        Assert.Equal((OperationKinds.HoldMarking, placed.Hold.Id, OperationStatuses.Queued), (queued.Kind, queued.HoldId, queued.Status));

        Assert.Equal(OperationRunOutcome.Finished, await harness.Get<RunOperationHandler>().RunAsync(operationId, default));

        var done = (await harness.Get<IOperationStore>().GetAsync(operationId, default))!.Operation;
        Assert.Equal(OperationStatuses.Succeeded, done.Status);
        Assert.Equal(HoldMarkingStates.Complete, done.Result!.Value.GetProperty("state").GetString());
        Assert.Equal(Clips, done.Result!.Value.GetProperty("marked").GetInt32());
        Assert.Equal(Clips, await CountMarksAsync(harness, clips.Values, IBlobHoldMarks.Held));
        var after = (await harness.Get<IHoldMarkingStore>().GetAsync(placed.Hold.Id, default))!.Marking;
        Assert.Equal((HoldMarkingStates.Complete, Clips, (string?)null), (after.State, after.Marked, after.Checkpoint));

        var entries = await AuditForAsync(harness, placed.Hold.Id);
        var placedEntry = Assert.Single(entries, e => e.Action == AuditActions.HoldPlaced);
        Assert.Equal(InlineLimit.ToString(System.Globalization.CultureInfo.InvariantCulture), placedEntry.Details["markedInRequest"]);
        Assert.Equal(operationId, placedEntry.Details["markingOperation"]);
        var markedEntry = Assert.Single(entries, e => e.Action == AuditActions.HoldMarked);
        Assert.Equal((HoldMarkingStates.Complete, "40", "tester"), (markedEntry.Details["marking"], markedEntry.Details["coveredMedia"], markedEntry.Actor));

        // A repeated delivery of the finished operation does nothing again.
        Assert.Equal(OperationRunOutcome.AlreadyFinished, await harness.Get<RunOperationHandler>().RunAsync(operationId, default));
    }

    [Fact]
    public async Task A_sweep_keeps_every_covered_medium_while_marking_has_not_reached_it()
    {
        await using var harness = await HarnessAsync();
        var recordedFrom = harness.Time.GetUtcNow().AddDays(-40);
        var held = await UploadClipsAsync(harness, Clips, "s0", recordedFrom);
        var other = await UploadClipsAsync(harness, 10, "s1", recordedFrom);
        var placed = await PlaceSiteHoldAsync(harness, "s0", recordedFrom);
        Assert.False(placed.MarkingComplete);
        Assert.Equal(Clips - InlineLimit, await CountMarksAsync(harness, held.Values, IBlobHoldMarks.NotHeld)); // marked "no" by ingest: deletable by marks alone
        harness.Time.Advance(TimeSpan.FromMinutes(1));

        // The marking operation has not run at all.
        var summary = await harness.Get<RetentionSweepHandler>().SweepAsync("while marking", default);

        Assert.Equal(10, summary.Deleted);
        Assert.Equal(Clips, summary.HeldKept);
        foreach (var clip in held.Values)
        {
            Assert.True(await harness.ExistsAsync(harness.Storage.CctvContainer, clip), $"{clip} is covered by hold {placed.Hold.Id} and was deleted before its marking ran");
        }

        foreach (var clip in other.Values)
        {
            Assert.False(await harness.ExistsAsync(harness.Storage.CctvContainer, clip), $"{clip} is covered by no hold and expired");
        }
    }

    [Fact]
    public async Task A_sweep_under_way_when_a_large_hold_is_placed_keeps_what_it_covers_from_its_next_page_on()
    {
        await using var harness = await HarnessAsync();
        var recordedFrom = harness.Time.GetUtcNow().AddDays(-40);
        var clips = await UploadClipsAsync(harness, Clips, "s0", recordedFrom);
        harness.Time.Advance(TimeSpan.FromMinutes(1));

        // After the sweep's first page of deletions (10 clips), with its holds read long before: place the hold.
        List<string>? existingAtPlacement = null;
        PlaceHoldResult? placed = null;
        var progress = new SynchronousProgress<SweepProgress>(p =>
        {
            if (placed is null && p is { Phase: SweepPhases.Expired, Deleted: > 0 })
            {
                existingAtPlacement = clips.Values.Where(c => harness.ExistsAsync(harness.Storage.CctvContainer, c).GetAwaiter().GetResult()).ToList();
                placed = PlaceSiteHoldAsync(harness, "s0", recordedFrom).GetAwaiter().GetResult();
            }
        });

        var summary = await harness.Get<RetentionSweepHandler>().SweepAsync("under way", default, progress);

        Assert.NotNull(placed);
        Assert.False(placed.MarkingComplete);
        Assert.True(existingAtPlacement!.Count is > InlineLimit and < Clips, $"{existingAtPlacement.Count} clips left when the hold was placed");
        Assert.Equal(Clips - existingAtPlacement.Count, summary.Deleted);
        var lost = new List<string>();
        foreach (var clip in existingAtPlacement)
        {
            if (!await harness.ExistsAsync(harness.Storage.CctvContainer, clip))
            {
                lost.Add(clip);
            }
        }

        Assert.True(lost.Count == 0, $"deleted after hold {placed.Hold.Id} was placed, before its marking reached them: {string.Join(", ", lost)}");
        Assert.True(await CountMarksAsync(harness, existingAtPlacement, IBlobHoldMarks.NotHeld) > 0, "every clip was marked, so marks alone could have kept them");
    }

    [Fact]
    public async Task A_marking_whose_worker_died_is_taken_over_and_finishes_from_its_checkpoint()
    {
        var marks = new ObservedMarks();
        await using var harness = await HarnessAsync(marks);
        var recordedFrom = harness.Time.GetUtcNow().AddDays(-40);
        var clips = await UploadClipsAsync(harness, Clips, "s0", recordedFrom);
        var placed = await PlaceSiteHoldAsync(harness, "s0", recordedFrom);
        var operationId = Assert.Single(harness.Get<RecordingOperationDispatcher>().Dispatched);

        // The host stops in the middle of the operation's second page.
        using var host = new CancellationTokenSource();
        var before = marks.Held;
        marks.OnHeld = n =>
        {
            if (n == before + PageSize + 3)
            {
                host.Cancel();
            }
        };
        Assert.Equal(OperationRunOutcome.Interrupted, await harness.Get<RunOperationHandler>().RunAsync(operationId, host.Token));
        marks.OnHeld = null;
        output.WriteLine($"after the interrupted run: {marks.Held} held marks, {await CountMarksAsync(harness, clips.Values, IBlobHoldMarks.Held)} blobs marked");
        var checkpointed = (await harness.Get<IHoldMarkingStore>().GetAsync(placed.Hold.Id, default))!.Marking;
        Assert.Equal((HoldMarkingStates.InProgress, InlineLimit + PageSize), (checkpointed.State, checkpointed.Marked));
        Assert.Equal(OperationStatuses.Running, (await harness.Get<IOperationStore>().GetAsync(operationId, default))!.Operation.Status);

        // Another worker, asked before the dead one's heartbeat is stale, leaves it; after, it takes over.
        Assert.Equal(OperationRunOutcome.RunningElsewhere, await harness.Get<RunOperationHandler>().RunAsync(operationId, default));
        harness.Time.Advance(TimeSpan.FromMinutes(2));
        var beforeTakeOver = marks.Held;
        Assert.Equal(OperationRunOutcome.Finished, await harness.Get<RunOperationHandler>().RunAsync(operationId, default));

        var done = (await harness.Get<IOperationStore>().GetAsync(operationId, default))!.Operation;
        Assert.Equal((OperationStatuses.Succeeded, 2), (done.Status, done.Attempts));
        Assert.Equal(Clips, await CountMarksAsync(harness, clips.Values, IBlobHoldMarks.Held));
        Assert.Equal(Clips - InlineLimit - PageSize, marks.Held - beforeTakeOver); // from the checkpoint, not from the start
        Assert.Equal(HoldMarkingStates.Complete, (await harness.Get<IHoldMarkingStore>().GetAsync(placed.Hold.Id, default))!.Marking.State);
        Assert.Single(await AuditForAsync(harness, placed.Hold.Id), e => e.Action == AuditActions.HoldMarked);
    }

    [Fact]
    public async Task Releasing_a_hold_while_its_marking_runs_stops_it_and_the_sweep_keeps_only_what_another_hold_covers()
    {
        var marks = new ObservedMarks();
        await using var harness = await HarnessAsync(marks);
        var recordedFrom = harness.Time.GetUtcNow().AddDays(-40);
        var clips = await UploadClipsAsync(harness, Clips, "s0", recordedFrom);
        var placed = await PlaceSiteHoldAsync(harness, "s0", recordedFrom);
        var operationId = Assert.Single(harness.Get<RecordingOperationDispatcher>().Dispatched);
        var otherIds = clips.Keys.Order(StringComparer.Ordinal).Take(3).ToList();
        var other = await harness.Get<PlaceHoldHandler>().HandleAsync(new PlaceHoldCommand("C-2", "another case", new RequestedBy("pd", "o"), "pd", "tester", null,
            new HoldScope { Type = HoldScope.MediaType, MediaIds = otherIds }), default);
        Assert.True(other.MarkingComplete);

        // Released by security while the operation marks its first page.
        var before = marks.Held;
        marks.OnHeld = n =>
        {
            if (n == before + 3)
            {
                harness.Get<ReleaseHoldHandler>().HandleAsync(new ReleaseHoldCommand(placed.Hold.Id, "guard-1", "case closed"), default).GetAwaiter().GetResult();
            }
        };
        Assert.Equal(OperationRunOutcome.Finished, await harness.Get<RunOperationHandler>().RunAsync(operationId, default));
        marks.OnHeld = null;

        var done = (await harness.Get<IOperationStore>().GetAsync(operationId, default))!.Operation;
        Assert.Equal(OperationStatuses.Succeeded, done.Status);
        Assert.Equal(HoldMarkingStates.Stopped, done.Result!.Value.GetProperty("state").GetString());
        Assert.True(marks.Held - before <= PageSize, $"the marking went on after the release: {marks.Held - before} marks");
        var marking = (await harness.Get<IHoldMarkingStore>().GetAsync(placed.Hold.Id, default))!.Marking;
        Assert.Equal((HoldMarkingStates.Stopped, "hold released"), (marking.State, marking.StoppedReason));
        var stopped = Assert.Single(await AuditForAsync(harness, placed.Hold.Id), e => e.Action == AuditActions.HoldMarked);
        Assert.Equal(HoldMarkingStates.Stopped, stopped.Details["marking"]);

        // The released hold's marks do not keep anything; the other hold's media stay.
        harness.Time.Advance(TimeSpan.FromMinutes(1));
        var summary = await harness.Get<RetentionSweepHandler>().SweepAsync("after release", default);
        Assert.Equal(Clips - otherIds.Count, summary.Deleted);
        foreach (var (id, clip) in clips)
        {
            Assert.Equal(otherIds.Contains(id), await harness.ExistsAsync(harness.Storage.CctvContainer, clip));
        }
    }

    [Fact]
    public async Task Approving_a_large_request_while_its_marking_runs_replaces_that_marking_with_the_approved_scope()
    {
        await using var harness = await HarnessAsync();
        var recordedFrom = harness.Time.GetUtcNow().AddDays(-40);
        var clips = await UploadClipsAsync(harness, Clips, "s0", recordedFrom);
        var request = await PlaceSiteHoldAsync(harness, "s0", recordedFrom, HoldStatus.Requested);
        var first = Assert.Single(harness.Get<RecordingOperationDispatcher>().Dispatched);

        var approved = await harness.Get<ReviewHoldHandler>().HandleAsync(new ReviewHoldCommand(request.Hold.Id, "guard-1", HoldReview.Approved, "ok",
            request.Hold.Scope with { Cameras = ["cam-0"] }), default);

        Assert.Equal(ReviewHoldOutcome.Approved, approved.Outcome);
        var second = Assert.IsType<HoldMarking>(approved.Marking).OperationId!;
        Assert.NotEqual(first, second);
        Assert.Equal(OperationRunOutcome.Finished, await harness.Get<RunOperationHandler>().RunAsync(first, default));
        var superseded = (await harness.Get<IOperationStore>().GetAsync(first, default))!.Operation;
        Assert.Equal(HoldMarkingStates.Stopped, superseded.Result!.Value.GetProperty("state").GetString());
        Assert.Equal(OperationRunOutcome.Finished, await harness.Get<RunOperationHandler>().RunAsync(second, default));

        var cameraZero = clips.Values.Where(c => c.Contains("/cam-0/", StringComparison.Ordinal)).ToList();
        Assert.Equal(cameraZero.Count, await CountMarksAsync(harness, cameraZero, IBlobHoldMarks.Held));
        var marking = (await harness.Get<IHoldMarkingStore>().GetAsync(request.Hold.Id, default))!.Marking;
        Assert.Equal((second, HoldMarkingStates.Complete, cameraZero.Count), (marking.OperationId, marking.State, marking.Marked));
    }

    private Task<CoreHarness> HarnessAsync(ObservedMarks? marks = null) =>
        CoreHarness.CreateAsync(azurite.ConnectionString, AzuriteFixture.UniqueStorageOptions(), settings: Settings, configure: services =>
        {
            if (marks is not null)
            {
                services.AddSingleton<IBlobHoldMarks>(sp => marks.Wrap(ActivatorUtilities.CreateInstance<AzureBlobHoldMarks>(sp)));
            }
        });

    private static Task<PlaceHoldResult> PlaceSiteHoldAsync(CoreHarness harness, string site, DateTimeOffset recordedFrom, string status = HoldStatus.Active) =>
        harness.Get<PlaceHoldHandler>().HandleAsync(new PlaceHoldCommand("C-1", "site held", new RequestedBy("pd", "o"), "pd", "tester", null,
            new HoldScope { Type = HoldScope.CctvType, Site = site, From = recordedFrom.AddHours(-1), To = recordedFrom.AddHours(1) }) { Status = status }, default);

    /// <summary>Uploads and indexes clips of three cameras; returns media id → blob name.</summary>
    private static async Task<Dictionary<string, string>> UploadClipsAsync(CoreHarness harness, int count, string site, DateTimeOffset recordedFrom)
    {
        var names = Enumerable.Range(0, count)
            .Select(i => $"{site}/cam-{i % 3}/{UploadContract.FormatTimestamp(recordedFrom.AddSeconds(i))}.mp4").ToList();
        await Parallel.ForEachAsync(names, new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (name, _) =>
            await harness.UploadAndIngestAsync(harness.Storage.CctvContainer, name, System.Text.Encoding.UTF8.GetBytes(name)));
        return names.ToDictionary(n => MediaId.For(harness.Storage.CctvContainer, n));
    }

    private static async Task<int> CountMarksAsync(CoreHarness harness, IEnumerable<string> clips, string mark)
    {
        var marks = harness.Get<IBlobHoldMarks>();
        var count = 0;
        foreach (var clip in clips)
        {
            count += await marks.GetMarkAsync(harness.Storage.CctvContainer, clip, default) == mark ? 1 : 0;
        }

        return count;
    }

    private static async Task<List<AuditEntry>> AuditForAsync(CoreHarness harness, string holdId)
    {
        var all = new List<AuditEntry>();
        string? token = null;
        do
        {
            var page = await harness.Get<IAuditLog>().QueryAsync(null, null, token, 1000, default);
            all.AddRange(page.Items.Where(e => e.Target == "hold/" + holdId));
            token = page.ContinuationToken;
        }
        while (token is not null);

        return all;
    }

    private sealed class SynchronousProgress<T>(Action<T> report) : IProgress<T>
    {
        public void Report(T value) => report(value);
    }

    /// <summary>The real marks, counting the held marks set and calling <see cref="OnHeld"/> after each (with the count).</summary>
    private sealed class ObservedMarks
    {
        private int held;

        public int Held => Volatile.Read(ref held);

        public Action<int>? OnHeld { get; set; }

        public IBlobHoldMarks Wrap(IBlobHoldMarks inner) => new Wrapper(inner, this);

        private sealed class Wrapper(IBlobHoldMarks inner, ObservedMarks owner) : IBlobHoldMarks
        {
            public async Task<bool> MarkHeldAsync(string container, string blobName, CancellationToken cancellationToken)
            {
                var marked = await inner.MarkHeldAsync(container, blobName, cancellationToken);
                var count = Interlocked.Increment(ref owner.held); // outside ?.: its arguments are skipped when there is no handler
                owner.OnHeld?.Invoke(count);
                return marked;
            }

            public Task<bool> MarkNotHeldAsync(string container, string blobName, string etag, CancellationToken cancellationToken) =>
                inner.MarkNotHeldAsync(container, blobName, etag, cancellationToken);

            public Task<string?> GetMarkAsync(string container, string blobName, CancellationToken cancellationToken) =>
                inner.GetMarkAsync(container, blobName, cancellationToken);
        }
    }
}
