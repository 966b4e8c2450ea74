using MediaRetention.Api.Http;

namespace MediaRetention.UnitTests.WebConsole;

public sealed class JsonBodyTests
{
    [Theory]
    [InlineData("application/json", true)]
    [InlineData("application/json; charset=utf-8", true)]
    [InlineData("Application/JSON", true)]
    [InlineData("application/problem+json", true)]
    [InlineData("text/plain", false)]
    [InlineData("text/plain; a=application/json", false)]
    [InlineData("application/x-www-form-urlencoded", false)]
    [InlineData("multipart/form-data; boundary=x", false)]
    [InlineData("text/json", false)]
    [InlineData("", false)]
    [InlineData(null, false)]
    public void Only_json_content_types_count_as_json(string? contentType, bool expected) =>
        Assert.Equal(expected, JsonBody.IsJson(contentType));
}
