using Azure.Storage.Blobs;
using MediaRetention.Core.Holds;
using MediaRetention.Core.Media;
using MediaRetention.Core.Operations;
using MediaRetention.Core.Retention;
using MediaRetention.Core.Storage;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace MediaRetention.UnitTests.Holds;

/// <summary>What a placement does inside its request: at most Holds:InlineMarkLimit marks and a few pages, then hands over.</summary>
public sealed class HoldMarkerTests
{
    private static readonly DateTimeOffset Day = new(2026, 11, 20, 0, 0, 0, TimeSpan.Zero);
    private readonly IMediaIndex index = Substitute.For<IMediaIndex>();
    private readonly IBlobHoldMarks marks = Substitute.For<IBlobHoldMarks>();
    private readonly IHoldMarkingStore markings = Substitute.For<IHoldMarkingStore>();
    private readonly IOperationStore operations = Substitute.For<IOperationStore>();
    private readonly IOperationDispatcher dispatcher = Substitute.For<IOperationDispatcher>();

    public HoldMarkerTests() => marks.MarkHeldAsync(default!, default!, default).ReturnsForAnyArgs(true);

    [Fact]
    public async Task A_hold_within_the_limit_is_marked_in_the_request_and_records_no_marking()
    {
        index.QueryAsync(default!, default, default, default).ReturnsForAnyArgs(new MediaPage([Clip(1), Clip(2), Clip(3)], null));

        var outcome = await Marker(limit: 5).MarkAsync(Hold(), "guard-1", null, supersede: false, default);

        Assert.Equal(3, outcome.MarkedIds.Count);
        Assert.Null(outcome.Background);
        Assert.Null(outcome.Failure);
        await markings.DidNotReceiveWithAnyArgs().PutAsync(default!, default);
        await operations.DidNotReceiveWithAnyArgs().CreateAsync(default!, default);
    }

    [Fact]
    public async Task Beyond_the_limit_it_marks_no_more_than_the_limit_then_records_the_checkpoint_before_starting_the_operation()
    {
        index.QueryAsync(default!, default, default, default).ReturnsForAnyArgs(new MediaPage([Clip(1), Clip(2), Clip(3)], "after-3"));

        var outcome = await Marker(limit: 3).MarkAsync(Hold(), "guard-1", ["security", "admin"], supersede: false, default);

        Assert.Equal(3, outcome.MarkedIds.Count);
        var marking = Assert.IsType<HoldMarking>(outcome.Background);
        Assert.Equal(("h1", HoldMarkingStates.InProgress, "after-3", 3), (marking.HoldId, marking.State, marking.Checkpoint, marking.Marked));
        await index.ReceivedWithAnyArgs(1).QueryAsync(default!, default, default, default);
        Received.InOrder(() =>
        {
            markings.PutAsync(marking, Arg.Any<CancellationToken>());
            operations.CreateAsync(Arg.Is<Operation>(o => o.Id == marking.OperationId && o.Kind == OperationKinds.HoldMarking && o.HoldId == "h1"
                && o.ReaderRoles.SequenceEqual(new[] { "security", "admin" })), Arg.Any<CancellationToken>());
            dispatcher.DispatchAsync(marking.OperationId!, Arg.Any<CancellationToken>());
        });
    }

    [Fact]
    public async Task Empty_pages_with_a_continuation_do_not_keep_the_request_reading()
    {
        // Azure Tables may answer empty pages that still carry a continuation: the request reads at most 4, then hands over.
        index.QueryAsync(default!, default, default, default).ReturnsForAnyArgs(new MediaPage([], "more"));

        var outcome = await Marker(limit: 500).MarkAsync(Hold(), "guard-1", null, supersede: false, default);

        Assert.Empty(outcome.MarkedIds);
        Assert.Equal("more", outcome.Background!.Checkpoint);
        await index.ReceivedWithAnyArgs(4).QueryAsync(default!, default, default, default);
    }

    [Fact]
    public async Task When_no_worker_can_be_told_the_failure_is_returned_with_the_hold_in_force()
    {
        index.QueryAsync(default!, default, default, default).ReturnsForAnyArgs(new MediaPage([Clip(1)], "more"));
        dispatcher.DispatchAsync(default!, default).ThrowsAsyncForAnyArgs(new InvalidOperationException("queue down"));

        var outcome = await Marker(limit: 1).MarkAsync(Hold(), "guard-1", null, supersede: false, default);

        Assert.Single(outcome.MarkedIds);
        Assert.IsType<OperationNotStartedException>(outcome.Failure);
    }

    private HoldMarker Marker(int limit)
    {
        var time = TimeProvider.System;
        var storage = Options.Create(new MediaStorageOptions());
        var sweepLock = new RetentionSweepLock(new BlobServiceClient("UseDevelopmentStorage=true"), storage, time, NullLogger<RetentionSweepLock>.Instance);
        var start = new StartOperationHandler(operations, dispatcher, sweepLock, Options.Create(new OperationOptions()), time, NullLogger<StartOperationHandler>.Instance);
        return new HoldMarker(new HoldCoverage(index), marks, markings, start, Options.Create(new HoldOptions { InlineMarkLimit = limit }), time,
            NullLogger<HoldMarker>.Instance);
    }

    private static Hold Hold() => new()
    {
        Id = "h1", CaseNumber = "C-1", Reason = "r", RequestedBy = new RequestedBy("pd", "o"), Agency = "pd", PlacedBy = "guard-1", PlacedAt = Day,
        Status = HoldStatus.Active,
        Scope = new HoldScope { Type = HoldScope.CctvType, Site = "oslo-1", From = Day, To = Day.AddDays(1) },
    };

    private static MediaRecord Clip(int hour)
    {
        var name = $"oslo-1/cam-1/20261120T{hour:00}0000Z.mp4";
        return new MediaRecord
        {
            Id = MediaId.For("cctv", name), Kind = MediaKind.Cctv, Container = "cctv", BlobName = name, Status = MediaStatus.Indexed, Site = "oslo-1",
            Camera = "cam-1", RecordedAt = Day.AddHours(hour), UploadedAt = Day.AddHours(hour), IndexedAt = Day.AddHours(hour), Size = 1,
            Sha256 = new string('0', 64), ETag = "\"e\"",
        };
    }
}
