using MediaRetention.Core.Holds;
using MediaRetention.Core.Media;

namespace MediaRetention.UnitTests.Holds;

public sealed class ActiveHoldsTests
{
    private static readonly DateTimeOffset T = new(2026, 11, 20, 10, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Camera_window_hold_covers_its_cameras_inside_the_window_inclusive()
    {
        var holds = new ActiveHolds([Hold(new HoldScope { Type = HoldScope.CctvType, Site = "s", Cameras = ["c1"], From = T, To = T.AddHours(1) })]);

        Assert.True(holds.IsHeld(Clip("s", "c1", T)));
        Assert.True(holds.IsHeld(Clip("s", "c1", T.AddHours(1))));
        Assert.False(holds.IsHeld(Clip("s", "c1", T.AddSeconds(-1))));
        Assert.False(holds.IsHeld(Clip("s", "c2", T)));
        Assert.False(holds.IsHeld(Clip("other", "c1", T)));
    }

    [Fact]
    public void Site_hold_without_cameras_covers_every_camera_but_not_rejected_media()
    {
        var holds = new ActiveHolds([Hold(new HoldScope { Type = HoldScope.CctvType, Site = "s", From = T, To = T.AddHours(1) })]);

        Assert.True(holds.IsHeld(Clip("s", "any", T)));
        Assert.False(holds.IsHeld(Clip("s", "any", T) with { Status = MediaStatus.Rejected, RecordedAt = null }));
    }

    [Fact]
    public void Call_scopes_match_call_id_phone_number_either_side_and_system()
    {
        var call = Call("pbx", "c-1", T) with { CallerHash = PhoneNumber.Hash("+4711111111"), CalleeHash = PhoneNumber.Hash("+4722222222") };

        Assert.True(new ActiveHolds([Hold(new HoldScope { Type = HoldScope.CallType, CallId = "c-1" })]).IsHeld(call));
        Assert.True(new ActiveHolds([Hold(new HoldScope { Type = HoldScope.PhoneType, PhoneHash = PhoneNumber.Hash("+47 22 22 22 22"), From = T, To = T })]).IsHeld(call));
        Assert.False(new ActiveHolds([Hold(new HoldScope { Type = HoldScope.PhoneType, PhoneHash = PhoneNumber.Hash("+4733333333"), From = T, To = T })]).IsHeld(call));
        Assert.True(new ActiveHolds([Hold(new HoldScope { Type = HoldScope.SystemType, System = "pbx", From = T.AddDays(-1), To = T })]).IsHeld(call));
        Assert.False(new ActiveHolds([Hold(new HoldScope { Type = HoldScope.SystemType, System = "pbx", From = T.AddDays(-2), To = T.AddDays(-1) })]).IsHeld(call));
    }

    [Fact]
    public void Released_holds_cover_nothing_and_several_holds_are_all_reported()
    {
        var clip = Clip("s", "c", T);
        var byId = Hold(new HoldScope { Type = HoldScope.MediaType, MediaIds = [clip.Id] });
        var bySite = Hold(new HoldScope { Type = HoldScope.CctvType, Site = "s", From = T, To = T });
        var released = Hold(new HoldScope { Type = HoldScope.MediaType, MediaIds = [clip.Id] }) with { Status = HoldStatus.Released };

        var holds = new ActiveHolds([byId, bySite, released]);

        Assert.Equal(2, holds.Count);
        Assert.Equal(new[] { byId.Id, bySite.Id }.Order(), holds.Covering(clip).Select(h => h.Id).Order());
    }

    private static Hold Hold(HoldScope scope) => new()
    {
        Id = Guid.NewGuid().ToString("N"),
        CaseNumber = "C",
        Reason = "r",
        RequestedBy = new RequestedBy("pd", "o"),
        Agency = "pd",
        PlacedBy = "t",
        PlacedAt = T,
        Status = HoldStatus.Active,
        Scope = scope,
    };

    internal static MediaRecord Clip(string site, string camera, DateTimeOffset at) => Record(MediaKind.Cctv, "cctv", $"{site}/{camera}/{at:yyyyMMdd'T'HHmmss'Z'}.mp4", at) with { Site = site, Camera = camera };

    internal static MediaRecord Call(string system, string callId, DateTimeOffset at) => Record(MediaKind.Call, "calls", $"{system}/{at:yyyyMMdd'T'HHmmss'Z'}_{callId}.wav", at) with { System = system, CallId = callId };

    private static MediaRecord Record(string kind, string container, string name, DateTimeOffset at) => new()
    {
        Id = MediaId.For(container, name),
        Kind = kind,
        Container = container,
        BlobName = name,
        Status = MediaStatus.Indexed,
        RecordedAt = at,
        UploadedAt = at,
        IndexedAt = at,
        Size = 1,
        Sha256 = new string('0', 64),
        ETag = "\"e\"",
    };
}
