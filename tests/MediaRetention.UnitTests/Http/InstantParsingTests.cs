using MediaRetention.Api.Http;

namespace MediaRetention.UnitTests.Http;

/// <summary>The API's one time parser: what README promises is accepted, nothing else is, and the field is named.</summary>
public sealed class InstantParsingTests
{
    [Theory]
    [InlineData("2026-11-24T08:15:00Z", "2026-11-24T08:15:00Z")]
    [InlineData("2026-11-24T09:15:00+01:00", "2026-11-24T08:15:00Z")]
    [InlineData("2026-11-24T03:15:00-05:00", "2026-11-24T08:15:00Z")]
    [InlineData("2026-11-24T08:15:00.1234567Z", "2026-11-24T08:15:00.1234567Z")]
    [InlineData("2026-11-24T08:15Z", "2026-11-24T08:15:00Z")]
    [InlineData("20261124T081500Z", "2026-11-24T08:15:00Z")]
    [InlineData("20261101T000000Z", "2026-11-01T00:00:00Z")]
    [InlineData("1601-01-01T00:00:00Z", "1601-01-01T00:00:00Z")]
    public void Accepts_iso_8601_with_a_zone_and_the_upload_contract_format(string text, string expected)
    {
        var parsed = QueryReader.ParseInstant("from", text);

        Assert.Equal(DateTimeOffset.Parse(expected, System.Globalization.CultureInfo.InvariantCulture), parsed);
        Assert.Equal(TimeSpan.Zero, parsed!.Value.Offset);
    }

    [Theory]
    [InlineData("2026-11-01T00:00:00", "no time zone")]
    [InlineData("2026-11-01T00:00", "no time zone")]
    [InlineData("2026-11-01", "date without a time")]
    [InlineData("1500-01-01T00:00:00Z", "before 1601-01-01")]
    [InlineData("15000101T000000Z", "before 1601-01-01")]
    [InlineData("0001-01-01T00:00:00+01:00", "not a valid date")]
    [InlineData("2026-02-30T00:00:00Z", "not a valid date")]
    [InlineData("2026-11-01T00:00:00+15:00", "not a valid date")]
    [InlineData("yesterday", "not a time")]
    [InlineData("", "not a time")]
    [InlineData("2026-11-01 00:00:00Z", "not a time")]
    [InlineData("10000-01-01T00:00:00Z", "not a time")]
    [InlineData("20261101T000000", "not a time")]
    public void Refuses_times_without_a_zone_dates_alone_and_times_it_cannot_store_naming_the_field(string text, string problem)
    {
        var e = Assert.Throws<RequestValidationException>(() => QueryReader.ParseInstant("scope.from", text));

        Assert.StartsWith("'scope.from' ", e.Message);
        Assert.Contains(problem, e.Message);
    }

    [Fact]
    public void A_huge_value_is_refused_without_being_echoed_whole()
    {
        var e = Assert.Throws<RequestValidationException>(() => QueryReader.ParseInstant("to", new string('9', 50_000)));

        Assert.True(e.Message.Length < 400, e.Message);
    }

    [Fact]
    public void Absent_is_null() => Assert.Null(QueryReader.ParseInstant("from", null));
}
