using MediaRetention.Core.Holds;

namespace MediaRetention.UnitTests.Holds;

public sealed class PreservationRequestTests
{
    private static readonly DateTimeOffset T = new(2026, 11, 20, 10, 0, 0, TimeSpan.Zero);

    [Theory]
    [InlineData(HoldStatus.Requested, true)]
    [InlineData(HoldStatus.Active, true)]
    [InlineData(HoldStatus.Released, false)]
    [InlineData(HoldStatus.Rejected, false)]
    public void A_request_preserves_exactly_like_an_active_hold(string status, bool held)
    {
        var hold = Hold(new HoldScope { Type = HoldScope.CctvType, Site = "s", From = T, To = T.AddHours(1) }) with { Status = status };

        Assert.Equal(held, new ActiveHolds([hold]).IsHeld(ActiveHoldsTests.Clip("s", "c1", T)));
        Assert.Equal(held ? 1 : 0, new ActiveHolds([hold]).Count);
    }

    public static TheoryData<string, HoldScope, string?> Narrowing => new()
    {
        { "window inside", Cctv(["c1", "c2"]) with { From = T.AddMinutes(10), To = T.AddMinutes(20) }, null },
        { "camera subset", Cctv(["c1"]), null },
        { "same scope", Cctv(["c1", "c2"]), null },
        { "earlier start", Cctv(["c1", "c2"]) with { From = T.AddMinutes(-1) }, "'scope.from'" },
        { "later end", Cctv(["c1", "c2"]) with { To = T.AddHours(2) }, "'scope.to'" },
        { "other camera", Cctv(["c3"]), "'scope.cameras'" },
        { "all cameras", Cctv(null), "'scope.cameras'" },
        { "other site", Cctv(["c1"]) with { Site = "t" }, "'scope.site'" },
        { "other type", new HoldScope { Type = HoldScope.SystemType, System = "s", From = T, To = T.AddHours(1) }, "'scope.type'" },
    };

    [Theory]
    [MemberData(nameof(Narrowing))]
    public void An_approval_may_narrow_a_request_never_widen_it(string _, HoldScope approved, string? problem)
    {
        var requested = Cctv(["c1", "c2"]);

        var actual = approved.NotWithin(requested);

        if (problem is null)
        {
            Assert.Null(actual);
        }
        else
        {
            Assert.Contains(problem, actual);
        }
    }

    [Fact]
    public void Media_ids_may_only_be_dropped()
    {
        var requested = new HoldScope { Type = HoldScope.MediaType, MediaIds = [new string('a', 32), new string('b', 32)] };

        Assert.Null((requested with { MediaIds = [new string('b', 32)] }).NotWithin(requested));
        Assert.Contains("'scope.mediaIds[1]'", (requested with { MediaIds = [new string('a', 32), new string('c', 32)] }).NotWithin(requested));
    }

    [Fact]
    public void A_request_of_all_cameras_may_be_narrowed_to_some()
    {
        Assert.Null(Cctv(["c9"]).NotWithin(Cctv(null)));
    }

    private static HoldScope Cctv(List<string>? cameras) =>
        new() { Type = HoldScope.CctvType, Site = "s", Cameras = cameras, From = T, To = T.AddHours(1) };

    private static Hold Hold(HoldScope scope) => new()
    {
        Id = Guid.NewGuid().ToString("N"), CaseNumber = "C", Reason = "r", RequestedBy = new RequestedBy("pd", "o"), Agency = "pd",
        PlacedBy = "t", PlacedAt = T, Status = HoldStatus.Active, Scope = scope,
    };
}
