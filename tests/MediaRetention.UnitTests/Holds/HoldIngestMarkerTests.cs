using MediaRetention.Core.Holds;
using Microsoft.Extensions.Logging.Abstractions;

namespace MediaRetention.UnitTests.Holds;

public sealed class HoldIngestMarkerTests
{
    private readonly IHoldStore holds = Substitute.For<IHoldStore>();
    private readonly IBlobHoldMarks marks = Substitute.For<IBlobHoldMarks>();

    [Fact]
    public async Task Marks_not_held_before_reading_the_holds_then_held_when_covered()
    {
        var clip = ActiveHoldsTests.Clip("s", "c", new DateTimeOffset(2026, 11, 20, 10, 0, 0, TimeSpan.Zero));
        marks.MarkNotHeldAsync(default!, default!, default!, default).ReturnsForAnyArgs(true);
        holds.LoadActiveAsync(default).ReturnsForAnyArgs(new ActiveHolds([new Hold
        {
            Id = "h", CaseNumber = "C", Reason = "r", RequestedBy = new RequestedBy("pd", "o"), Agency = "pd", PlacedBy = "t",
            PlacedAt = DateTimeOffset.UnixEpoch, Status = HoldStatus.Active, Scope = new HoldScope { Type = HoldScope.MediaType, MediaIds = [clip.Id] },
        }]));

        var held = await new HoldIngestMarker(holds, marks, NullLogger<HoldIngestMarker>.Instance).MarkAsync(clip, default);

        Assert.True(held);
        Received.InOrder(() =>
        {
            marks.MarkNotHeldAsync(clip.Container, clip.BlobName, clip.ETag, Arg.Any<CancellationToken>());
            holds.LoadActiveAsync(Arg.Any<CancellationToken>());
            marks.MarkHeldAsync(clip.Container, clip.BlobName, Arg.Any<CancellationToken>());
        });
    }

    [Fact]
    public async Task Uncovered_media_stay_marked_not_held()
    {
        var clip = ActiveHoldsTests.Clip("s", "c", DateTimeOffset.UnixEpoch);
        marks.MarkNotHeldAsync(default!, default!, default!, default).ReturnsForAnyArgs(true);
        holds.LoadActiveAsync(default).ReturnsForAnyArgs(ActiveHolds.None);

        Assert.False(await new HoldIngestMarker(holds, marks, NullLogger<HoldIngestMarker>.Instance).MarkAsync(clip, default));
        await marks.DidNotReceiveWithAnyArgs().MarkHeldAsync(default!, default!, default);
    }
}
