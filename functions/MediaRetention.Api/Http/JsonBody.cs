using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Http;

namespace MediaRetention.Api.Http;

/// <summary>Reads a bounded JSON request body; anything over the limit is refused without being read whole.</summary>
public static class JsonBody
{
    public const int MaxBytes = 64 * 1024;

    // Unknown members are refused: a misspelt optional field must not be silently ignored.
    private static readonly JsonSerializerOptions Options = new(JsonSerializerOptions.Web)
    {
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
    };

    /// <summary>The body, or the problem to return (413 too large, 400 not JSON of the expected shape).</summary>
    public static async Task<(T? Value, IResult? Problem)> ReadAsync<T>(HttpRequest request, CancellationToken cancellationToken)
        where T : class
    {
        if (request.ContentLength > MaxBytes)
        {
            return (null, ApiProblems.PayloadTooLarge($"The request body is larger than {MaxBytes / 1024} KB."));
        }

        using var buffer = new MemoryStream();
        var chunk = new byte[8192];
        int read;
        while ((read = await request.Body.ReadAsync(chunk, cancellationToken)) > 0)
        {
            if (buffer.Length + read > MaxBytes)
            {
                return (null, ApiProblems.PayloadTooLarge($"The request body is larger than {MaxBytes / 1024} KB."));
            }

            buffer.Write(chunk, 0, read);
        }

        if (buffer.Length == 0)
        {
            return (null, ApiProblems.BadRequest("A JSON request body is required."));
        }

        try
        {
            var json = buffer.GetBuffer().AsMemory(0, (int)buffer.Length);
            using (var document = JsonDocument.Parse(json))
            {
                if (UnknownJsonMembers.Find(document.RootElement, typeof(T), Options) is { Count: > 0 } unknown)
                {
                    return (null, ApiProblems.BadRequest(UnknownJsonMembers.Describe(unknown)));
                }
            }

            var value = JsonSerializer.Deserialize<T>(json.Span, Options);
            return value is null ? (null, ApiProblems.BadRequest("A JSON object is required.")) : (value, null);
        }
        catch (JsonException e)
        {
            return (null, ApiProblems.BadRequest($"The body is not valid JSON for this request: {e.Message}"));
        }
    }
}
