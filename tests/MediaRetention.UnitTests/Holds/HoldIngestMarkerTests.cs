using MediaRetention.Core.Holds;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace MediaRetention.UnitTests.Holds;

public sealed class HoldIngestMarkerTests : IDisposable
{
    private readonly IHoldStore holds = Substitute.For<IHoldStore>();
    private readonly IBlobHoldMarks marks = Substitute.For<IBlobHoldMarks>();
    private readonly HoldCache cache;

    public HoldIngestMarkerTests() =>
        cache = new HoldCache(holds, Options.Create(new HoldOptions()), new FakeTimeProvider(DateTimeOffset.UnixEpoch));

    public void Dispose() => cache.Dispose();

    internal static Hold MediaHold(string id, string mediaId) => new()
    {
        Id = id, CaseNumber = "C", Reason = "r", RequestedBy = new RequestedBy("pd", "o"), Agency = "pd", PlacedBy = "t",
        PlacedAt = DateTimeOffset.UnixEpoch, Status = HoldStatus.Active, Scope = new HoldScope { Type = HoldScope.MediaType, MediaIds = [mediaId] },
    };

    [Fact]
    public async Task Prepare_marks_not_held_at_the_version()
    {
        await new HoldIngestMarker(cache, marks, NullLogger<HoldIngestMarker>.Instance).PrepareAsync("cctv", "a/b/c.mp4", "\"e1\"", default);

        await marks.Received(1).MarkNotHeldAsync("cctv", "a/b/c.mp4", "\"e1\"", Arg.Any<CancellationToken>());
    }

    [Fact]
    public async Task After_the_row_revalidates_the_holds_then_marks_held_when_covered_and_never_not_held()
    {
        var clip = ActiveHoldsTests.Clip("s", "c", new DateTimeOffset(2026, 11, 20, 10, 0, 0, TimeSpan.Zero));
        holds.GetVersionAsync(default).ReturnsForAnyArgs("v1");
        holds.LoadActiveAsync(default).ReturnsForAnyArgs(new ActiveHolds([MediaHold("h", clip.Id)]));

        var held = await new HoldIngestMarker(cache, marks, NullLogger<HoldIngestMarker>.Instance).MarkAsync(clip, default);

        Assert.True(held);
        Received.InOrder(() =>
        {
            holds.GetVersionAsync(Arg.Any<CancellationToken>());
            holds.LoadActiveAsync(Arg.Any<CancellationToken>());
            marks.MarkHeldAsync(clip.Container, clip.BlobName, Arg.Any<CancellationToken>());
        });
        await marks.DidNotReceiveWithAnyArgs().MarkNotHeldAsync(default!, default!, default!, default);
    }

    [Fact]
    public async Task Uncovered_media_are_not_marked_again()
    {
        var clip = ActiveHoldsTests.Clip("s", "c", DateTimeOffset.UnixEpoch);
        holds.LoadActiveAsync(default).ReturnsForAnyArgs(ActiveHolds.None);

        Assert.False(await new HoldIngestMarker(cache, marks, NullLogger<HoldIngestMarker>.Instance).MarkAsync(clip, default));
        await marks.DidNotReceiveWithAnyArgs().MarkHeldAsync(default!, default!, default);
        await marks.DidNotReceiveWithAnyArgs().MarkNotHeldAsync(default!, default!, default!, default);
    }
}
