using MediaRetention.Core.Media;

namespace MediaRetention.UnitTests.Media;

public sealed class PhoneNumberTests
{
    [Theory]
    [InlineData("+47 912 34 567", "+********67")]
    [InlineData("912-34-567", "******67")]
    [InlineData("12", "12")]
    public void Masking_keeps_only_the_last_two_digits(string raw, string masked) =>
        Assert.Equal(masked, PhoneNumber.Mask(raw));

    [Fact]
    public void Hash_ignores_formatting_but_not_digits()
    {
        Assert.Equal(PhoneNumber.Hash("+47 912 34 567"), PhoneNumber.Hash("+4791234567"));
        Assert.NotEqual(PhoneNumber.Hash("+4791234567"), PhoneNumber.Hash("+4791234568"));
        Assert.DoesNotContain("91234567", PhoneNumber.Hash("+4791234567"));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("anonymous")]
    public void Missing_numbers_stay_missing(string? raw)
    {
        Assert.Null(PhoneNumber.Mask(raw));
        Assert.Null(PhoneNumber.Hash(raw));
    }

    [Theory]
    [InlineData("pbx/+4791234567.wav", "pbx/+********67.wav")]
    [InlineData("site-1/cam-02/20261124T081500Z.mp4", "site-1/cam-02/20261124T081500Z.mp4")]
    [InlineData("pbx/20261124T081500Z_4791234567.wav", "pbx/20261124T081500Z_********67.wav")]
    [InlineData("pbx/20261124T081500Z4791234567.wav", "pbx/20261124T081500Z********67.wav")]
    [InlineData("pbx/004791234567/call.wav", "pbx/**********67/call.wav")]
    [InlineData("cam-12345/x.mp4", "cam-12345/x.mp4")]
    [InlineData("no digits", "no digits")]
    [InlineData("12", "12")]
    public void Digit_runs_in_names_are_masked_but_their_last_two(string text, string masked) =>
        Assert.Equal(masked, PhoneNumber.MaskDigitRuns(text));
}
