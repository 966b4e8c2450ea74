using System.Text;
using System.Text.Json;
using MediaRetention.Api.Holds;
using MediaRetention.Api.Http;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace MediaRetention.UnitTests.Http;

public sealed class JsonBodyTests
{
    [Fact]
    public async Task A_misspelt_optional_field_is_a_400_naming_it()
    {
        var (value, problem) = await ReadAsync<PlaceHoldRequest>("""
            { "caseNumber": "C-1", "reason": "r", "reviewDat": "2027-01-01T00:00:00Z",
              "scope": { "type": "media", "mediaIds": [] } }
            """);

        Assert.Null(value);
        var (status, detail) = await ProblemAsync(problem!);
        Assert.Equal(400, status);
        Assert.Equal("'reviewDat' is not a known field of this request; check its spelling.", detail);
    }

    [Fact]
    public async Task Unknown_members_are_named_with_their_path_in_nested_objects()
    {
        var (_, problem) = await ReadAsync<PlaceHoldRequest>("""
            { "caseNumber": "C-1", "requestedBy": { "agency": "a", "officr": "x" },
              "scope": { "type": "cctv", "site": "s", "fromm": "2026-01-01T00:00:00Z" }, "extra": null }
            """);

        var (_, detail) = await ProblemAsync(problem!);
        Assert.Equal("'requestedBy.officr', 'scope.fromm', 'extra' are not known fields of this request; check their spelling.", detail);
    }

    [Fact]
    public async Task Known_fields_in_any_case_are_read()
    {
        var (value, problem) = await ReadAsync<PlaceHoldRequest>("""
            { "CaseNumber": "C-1", "reviewDate": "2027-01-01T00:00:00Z", "scope": { "type": "media", "mediaIds": ["a"] } }
            """);

        Assert.Null(problem);
        Assert.Equal("C-1", value!.CaseNumber);
        Assert.Equal(["a"], value.Scope!.MediaIds!);
        Assert.NotNull(value.ReviewDate);
    }

    [Fact]
    public async Task A_wrongly_typed_known_field_is_still_a_400_but_not_called_unknown()
    {
        var (_, problem) = await ReadAsync<ReleaseHoldRequest>("""{ "reason": 42 }""");

        var (status, detail) = await ProblemAsync(problem!);
        Assert.Equal(400, status);
        Assert.StartsWith("The body is not valid JSON for this request", detail);
        Assert.DoesNotContain("not a known field", detail);
    }

    private static async Task<(T? Value, IResult? Problem)> ReadAsync<T>(string body)
        where T : class
    {
        var context = new DefaultHttpContext();
        var bytes = Encoding.UTF8.GetBytes(body);
        context.Request.Body = new MemoryStream(bytes);
        context.Request.ContentLength = bytes.Length;
        context.Request.ContentType = "application/json";
        return await JsonBody.ReadAsync<T>(context.Request, default);
    }

    private static async Task<(int Status, string? Detail)> ProblemAsync(IResult problem)
    {
        var context = new DefaultHttpContext { RequestServices = new ServiceCollection().AddLogging().BuildServiceProvider() };
        context.Response.Body = new MemoryStream();
        await problem.ExecuteAsync(context);
        context.Response.Body.Position = 0;
        using var json = await JsonDocument.ParseAsync(context.Response.Body);
        return (context.Response.StatusCode, json.RootElement.GetProperty("detail").GetString());
    }
}
