using MediaRetention.Core.Ingest;
using MediaRetention.Core.Media;

namespace MediaRetention.UnitTests.Ingest;

public sealed class UploadContractTests
{
    [Theory]
    [InlineData("oslo-1/cam-02/20261124T081500Z.mp4", "oslo-1", "cam-02", "mp4")]
    [InlineData("Site_A.b/Cam.7/20260101T000000Z.MKV", "Site_A.b", "Cam.7", "mkv")]
    [InlineData("s/c/20261124T235959Z.jpg", "s", "c", "jpg")]
    public void Cctv_names_following_the_contract_parse(string name, string site, string camera, string ext)
    {
        var result = UploadContract.Parse(MediaKind.Cctv, name);

        Assert.Null(result.Error);
        Assert.Equal(site, result.Name!.Site);
        Assert.Equal(camera, result.Name.Camera);
        Assert.Equal(ext, result.Name.Extension);
    }

    [Fact]
    public void Recording_time_is_utc_from_the_name()
    {
        var result = UploadContract.Parse(MediaKind.Cctv, "s/c/20261124T081530Z.mp4");

        Assert.Equal(new DateTimeOffset(2026, 11, 24, 8, 15, 30, TimeSpan.Zero), result.Name!.RecordedAt);
    }

    [Theory]
    [InlineData("s/c/20261124T081500Z.exe", "extension '.exe' is not supported")]
    [InlineData("s/c/20261124T081500Z", "no extension")]
    [InlineData("s/20261124T081500Z.mp4", "three path segments")]
    [InlineData("a/s/c/20261124T081500Z.mp4", "three path segments")]
    [InlineData("s p/c/20261124T081500Z.mp4", "site must be")]
    [InlineData("s/c!/20261124T081500Z.mp4", "camera must be")]
    [InlineData("s/c/20261324T081500Z.mp4", "recording start")]
    [InlineData("s/c/20261124T081500.mp4", "recording start")]
    [InlineData("s/c/2026-11-24T08:15:00Z.mp4", "recording start")]
    [InlineData("s/c/20261124T081500Z.wav", "not supported")]
    public void Cctv_names_breaking_the_contract_say_why(string name, string reason)
    {
        var result = UploadContract.Parse(MediaKind.Cctv, name);

        Assert.Null(result.Name);
        Assert.Contains(reason, result.Error);
    }

    [Fact]
    public void Identifiers_are_limited_to_64_characters()
    {
        Assert.Null(UploadContract.Parse(MediaKind.Cctv, new string('s', 64) + "/c/20261124T081500Z.mp4").Error);
        Assert.NotNull(UploadContract.Parse(MediaKind.Cctv, new string('s', 65) + "/c/20261124T081500Z.mp4").Error);
    }

    [Theory]
    [InlineData("pbx-1/20261124T081500Z_abc-123.wav", "pbx-1", "abc-123", "wav")]
    [InlineData("pbx/20261124T081500Z_a.b_c.opus", "pbx", "a.b_c", "opus")]
    [InlineData("pbx/20261124T081500Z_x.M4A", "pbx", "x", "m4a")]
    public void Call_names_following_the_contract_parse(string name, string system, string callId, string ext)
    {
        var result = UploadContract.Parse(MediaKind.Call, name);

        Assert.Null(result.Error);
        Assert.Equal(system, result.Name!.System);
        Assert.Equal(callId, result.Name.CallId);
        Assert.Equal(ext, result.Name.Extension);
        Assert.Equal(new DateTimeOffset(2026, 11, 24, 8, 15, 0, TimeSpan.Zero), result.Name.RecordedAt);
    }

    [Theory]
    [InlineData("pbx/20261124T081500Z.wav", "callId")]
    [InlineData("pbx/20261124T081500Z_.wav", "callId")]
    [InlineData("pbx/20261124T081500Z-abc.wav", "callId")]
    [InlineData("pbx/20261124T081500Z_a b.wav", "callId must be")]
    [InlineData("pbx/x/20261124T081500Z_abc.wav", "two path segments")]
    [InlineData("pbx/20261124T081500Z_abc.mp4", "not supported")]
    public void Call_names_breaking_the_contract_say_why(string name, string reason)
    {
        var result = UploadContract.Parse(MediaKind.Call, name);

        Assert.Null(result.Name);
        Assert.Contains(reason, result.Error);
    }

    [Theory]
    [InlineData("site-1/cam-1/../20261127T102529Z.mp4", "'.' or '..' path segment")]
    [InlineData("./site-1/cam-1/20261127T102529Z.mp4", "'.' or '..' path segment")]
    [InlineData("site-1/cam-1/./20261127T102529Z.mp4", "'.' or '..' path segment")]
    [InlineData("../cam-1/20261127T102529Z.mp4", "'.' or '..' path segment")]
    [InlineData("site-1/cam-1/..", "'.' or '..' path segment")]
    [InlineData("site-1\\cam-1\\20261127T102529Z.mp4", "backslash")]
    [InlineData("site-1/cam-1\\20261127T102529Z.mp4", "backslash")]
    [InlineData("/site-1/cam-1/20261127T102529Z.mp4", "empty path segment")]
    [InlineData("site-1//cam-1/20261127T102529Z.mp4", "empty path segment")]
    [InlineData("site-1/cam-1/20261127T102529Z.mp4/", "empty path segment")]
    [InlineData("site-1/cam\u00011/20261127T102529Z.mp4", "control character")]
    [InlineData("", "empty")]
    public void Names_that_urls_and_sdks_rewrite_are_rejected_with_the_reason(string name, string reason)
    {
        foreach (var kind in new[] { MediaKind.Cctv, MediaKind.Call })
        {
            var result = UploadContract.Parse(kind, name);

            Assert.Null(result.Name);
            Assert.Contains(reason, result.Error);
        }
    }

    [Theory]
    [InlineData(".", false)]
    [InlineData("..", false)]
    [InlineData("...", true)]
    [InlineData(".hidden", true)]
    [InlineData("cam-1", true)]
    public void Dot_segments_are_no_identifiers(string value, bool valid) =>
        Assert.Equal(valid, UploadContract.IsIdentifier(value));

    [Fact]
    public void Ancient_recording_times_still_parse_so_ingest_can_say_what_is_wrong_with_them()
    {
        var result = UploadContract.Parse(MediaKind.Cctv, "site-1/cam-1/15000101T000000Z.mp4");

        Assert.Equal(new DateTimeOffset(1500, 1, 1, 0, 0, 0, TimeSpan.Zero), result.Name!.RecordedAt);
    }
}
