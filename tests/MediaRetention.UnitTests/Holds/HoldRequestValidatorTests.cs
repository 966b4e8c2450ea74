using MediaRetention.Api.Holds;
using MediaRetention.Api.Http;
using MediaRetention.Core.Holds;
using MediaRetention.Core.Media;

namespace MediaRetention.UnitTests.Holds;

/// <summary>Every field and every array element of a hold request is checked, and the message names it.</summary>
public sealed class HoldRequestValidatorTests
{
    private static readonly TimeSpan MaxWindow = TimeSpan.FromDays(366);
    private static readonly string Id1 = MediaId.For("cctv", "a");
    private static readonly string Id2 = MediaId.For("cctv", "b");

    [Fact]
    public void A_null_media_id_is_refused_by_its_index()
    {
        var e = Assert.Throws<RequestValidationException>(() =>
            HoldRequestValidator.ValidateScope(new HoldScopeRequest("media", [Id1, null!], null, null, null, null, null, null, null), MaxWindow));

        Assert.Contains("'scope.mediaIds[1]'", e.Message);
        Assert.Contains("null", e.Message);
    }

    [Fact]
    public void A_malformed_media_id_is_refused_by_its_index_without_echoing_it_whole()
    {
        var e = Assert.Throws<RequestValidationException>(() => HoldRequestValidator.ValidateScope(
            new HoldScopeRequest("media", [Id1, Id2, new string('x', 5000)], null, null, null, null, null, null, null), MaxWindow));

        Assert.Contains("'scope.mediaIds[2]'", e.Message);
        Assert.Contains("not a media id", e.Message);
        Assert.True(e.Message.Length < 300);
    }

    [Fact]
    public void A_thousand_media_ids_are_accepted_and_a_thousand_and_one_are_not()
    {
        var ids = Enumerable.Range(0, 1001).Select(i => MediaId.For("cctv", "clip-" + i)).ToList();

        var scope = HoldRequestValidator.ValidateScope(new HoldScopeRequest("media", ids[..1000], null, null, null, null, null, null, null), MaxWindow);
        Assert.Equal(1000, scope.MediaIds!.Count);
        var e = Assert.Throws<RequestValidationException>(() =>
            HoldRequestValidator.ValidateScope(new HoldScopeRequest("media", ids, null, null, null, null, null, null, null), MaxWindow));
        Assert.Contains("'scope.mediaIds' must list 1 to 1000", e.Message);
    }

    [Theory]
    [InlineData(null, "'scope.cameras[1]'")]
    [InlineData("..", "'scope.cameras[1]'")]
    [InlineData("cam/1", "'scope.cameras[1]'")]
    public void Every_camera_is_checked_by_its_index(string? camera, string field)
    {
        var e = Assert.Throws<RequestValidationException>(() => HoldRequestValidator.ValidateScope(
            new HoldScopeRequest("cctv", null, "oslo-1", ["cam-1", camera!], null, null, null, "2026-11-01T00:00:00Z", "2026-11-02T00:00:00Z"), MaxWindow));

        Assert.Contains(field, e.Message);
    }

    [Theory]
    [InlineData("2026-11-01T00:00:00", "2026-11-02T00:00:00Z", "'scope.from'")]
    [InlineData("2026-11-01T00:00:00Z", "2026-11-02", "'scope.to'")]
    [InlineData(null, "2026-11-02T00:00:00Z", "'scope.from' is required")]
    [InlineData("1500-01-01T00:00:00Z", "1500-01-02T00:00:00Z", "'scope.from'")]
    public void Window_times_need_a_zone_and_a_storable_instant(string? from, string? to, string message)
    {
        var e = Assert.Throws<RequestValidationException>(() => HoldRequestValidator.ValidateScope(
            new HoldScopeRequest("system", null, null, null, null, null, "pbx-1", from, to), MaxWindow));

        Assert.Contains(message, e.Message);
    }

    [Fact]
    public void The_contract_format_is_a_window_time_like_any_other()
    {
        var scope = HoldRequestValidator.ValidateScope(
            new HoldScopeRequest("cctv", null, "oslo-1", null, null, null, null, "20261101T000000Z", "2026-11-02T01:00:00+01:00"), MaxWindow);

        Assert.Equal(new DateTimeOffset(2026, 11, 1, 0, 0, 0, TimeSpan.Zero), scope.From);
        Assert.Equal(new DateTimeOffset(2026, 11, 2, 0, 0, 0, TimeSpan.Zero), scope.To);
        Assert.Null(scope.Problem());
    }

    [Theory]
    [InlineData("+47 912 34 567 000 000 000 000 000 000 000")]
    [InlineData("no digits")]
    public void Phone_numbers_are_bounded_and_never_echoed(string number)
    {
        var e = Assert.Throws<RequestValidationException>(() => HoldRequestValidator.ValidateScope(
            new HoldScopeRequest("phone", null, null, null, null, number, null, "2026-11-01T00:00:00Z", "2026-11-02T00:00:00Z"), MaxWindow));

        Assert.Contains("'scope.phoneNumber'", e.Message);
        Assert.DoesNotContain("912", e.Message);
    }

    [Fact]
    public void Every_accepted_scope_is_one_the_store_can_read_back()
    {
        var scopes = new[]
        {
            new HoldScopeRequest("media", [Id1, Id1, Id2], null, null, null, null, null, null, null),
            new HoldScopeRequest("cctv", null, "s", ["c"], null, null, null, "2026-11-01T00:00:00Z", "2026-11-01T01:00:00Z"),
            new HoldScopeRequest("call", null, null, null, "call-1", null, null, null, null),
            new HoldScopeRequest("phone", null, null, null, null, "+4791234567", null, "2026-11-01T00:00:00Z", "2026-11-01T01:00:00Z"),
            new HoldScopeRequest("system", null, null, null, null, null, "pbx", "2026-11-01T00:00:00Z", "2026-11-01T01:00:00Z"),
        };

        foreach (var request in scopes)
        {
            Assert.Null(HoldRequestValidator.ValidateScope(request, MaxWindow).Problem());
        }
    }
}
