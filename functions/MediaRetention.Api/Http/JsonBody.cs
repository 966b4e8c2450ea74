using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Http;
using Microsoft.Net.Http.Headers;

namespace MediaRetention.Api.Http;

/// <summary>
/// Reads a bounded JSON request body; anything over the limit is refused without being read whole.
/// Every state-changing request must declare <c>Content-Type: application/json</c>, with or without a body.
/// </summary>
/// <remarks>
/// Why the content type is enforced: an HTML form on another site can make a signed-in browser POST here (with
/// the App Service Authentication cookie), but only as form or text/plain content; and a cross-origin fetch()
/// that declares application/json must first pass a CORS preflight, which this API never grants. So a request
/// that says application/json was sent by a script of this origin (the console) or by a non-browser client.
/// </remarks>
public static class JsonBody
{
    public const int MaxBytes = 64 * 1024;

    private const int MaxDepth = 16;

    // Unknown members are refused: a misspelt optional field must not be silently ignored. A shallow depth limit,
    // since no request here nests deeply.
    private static readonly JsonSerializerOptions Options = new(JsonSerializerOptions.Web)
    {
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
        MaxDepth = MaxDepth,
    };

    public const string JsonRequired =
        "Send this request with 'Content-Type: application/json' (state-changing requests must declare a JSON body, even an empty one).";

    /// <summary>The body, or the problem to return (415 not declared as JSON, 413 too large, 400 not JSON of the expected shape).</summary>
    public static async Task<(T? Value, IResult? Problem)> ReadAsync<T>(HttpRequest request, CancellationToken cancellationToken)
        where T : class
    {
        if (RequireJsonContentType(request) is { } unsupported)
        {
            return (null, unsupported);
        }

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
            using (var document = JsonDocument.Parse(json, new JsonDocumentOptions { MaxDepth = MaxDepth }))
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
            return (null, ApiProblems.BadRequest(Describe(e)));
        }
        catch (InvalidOperationException e)
        {
            // The reader's own complaints (invalid UTF-8 in a string, and the like) are input errors too.
            return (null, ApiProblems.BadRequest($"The body is not valid JSON for this request: {FirstSentence(e.Message)}"));
        }
    }

    /// <summary>Names the field the serializer choked on ("scope.from"), without its line/byte noise.</summary>
    private static string Describe(JsonException e)
    {
        var field = e.Path is { Length: > 1 } path ? path.TrimStart('$').TrimStart('.') : null;
        var message = FirstSentence(e.Message);
        return field is { Length: > 0 }
            ? $"The body is not valid JSON for this request: '{field}' has the wrong type or is malformed ({message})."
            : $"The body is not valid JSON for this request: {message}";
    }

    private static string FirstSentence(string message)
    {
        var end = message.IndexOf(" Path:", StringComparison.Ordinal);
        var text = end > 0 ? message[..end] : message;
        return text.Length <= 200 ? text : text[..200] + "...";
    }

    /// <summary>
    /// For state-changing requests that take no body (run a sweep, verify evidence): null when the request
    /// declares JSON, otherwise the 415 problem to return. Any body sent along is ignored.
    /// </summary>
    public static IResult? RequireJsonContentType(HttpRequest request) =>
        IsJson(request.ContentType) ? null : ApiProblems.UnsupportedMediaType(JsonRequired);

    /// <summary>application/json or a structured +json type, with any parameters (charset).</summary>
    public static bool IsJson(string? contentType) =>
        MediaTypeHeaderValue.TryParse(contentType, out var parsed)
        && parsed.MediaType.HasValue
        && (parsed.MediaType.Equals("application/json", StringComparison.OrdinalIgnoreCase)
            || (parsed.MediaType.StartsWith("application/", StringComparison.OrdinalIgnoreCase)
                && parsed.MediaType.EndsWith("+json", StringComparison.OrdinalIgnoreCase)));
}
