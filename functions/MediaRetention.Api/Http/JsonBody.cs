using System.Text.Json;
using Microsoft.AspNetCore.Http;

namespace MediaRetention.Api.Http;

/// <summary>Reads a bounded JSON request body; anything over the limit is refused without being read whole.</summary>
public static class JsonBody
{
    public const int MaxBytes = 64 * 1024;

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
            var value = JsonSerializer.Deserialize<T>(buffer.GetBuffer().AsSpan(0, (int)buffer.Length), JsonSerializerOptions.Web);
            return value is null ? (null, ApiProblems.BadRequest("A JSON object is required.")) : (value, null);
        }
        catch (JsonException e)
        {
            return (null, ApiProblems.BadRequest($"The body is not valid JSON for this request: {e.Message}"));
        }
    }
}
