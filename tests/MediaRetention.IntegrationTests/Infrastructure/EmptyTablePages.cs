using System.Collections.Concurrent;
using System.Diagnostics.CodeAnalysis;
using System.Text;
using System.Text.Json.Nodes;
using Azure;
using Azure.Core;
using Azure.Core.Pipeline;
using Azure.Data.Tables;

namespace MediaRetention.IntegrationTests.Infrastructure;

/// <summary>
/// Azure Table Storage may answer a query page with no entities and a continuation token (documented: a query can
/// return fewer results than asked for, none at all, at partition boundaries or after 5 s); Azurite never does. This
/// policy, in the table client's own pipeline, makes it happen before every page: a query for a page (from the start,
/// or from a real continuation token) is answered with an empty page whose <c>x-ms-continuation-NextPartitionKey</c>/
/// <c>NextRowKey</c> point at the first entity the real page starts with (where the real query resumes); the client
/// asks again with that token and gets the real page. Code that stops at an empty page, or treats one as the end,
/// loses everything after it. With <c>inARow</c> above 1 a position answers that many empty pages in a row before the
/// real one, for clients that give up after a few.
/// </summary>
/// <remarks>
/// The continuation values are in Azurite's form (base64 of the key), as it reads them back. A projected query
/// (<c>$select</c> without the keys) is sent with the keys added, so the position of its first entity is known.
/// </remarks>
public sealed class EmptyTablePages(int inARow = 1) : HttpPipelinePolicy
{
    private const string NextPartitionKey = "NextPartitionKey";
    private const string NextRowKey = "NextRowKey";
    // Positions handed out with an empty page and not yet asked for: the next request there gets the real page.
    private readonly ConcurrentDictionary<string, int> handedOut = new(StringComparer.Ordinal);
    // Positions whose next requests still get an empty page pointing at the same position (inARow - 1 of them).
    private readonly ConcurrentDictionary<string, int> repeats = new(StringComparer.Ordinal);
    private readonly int inARow = inARow >= 1 ? inARow : throw new ArgumentOutOfRangeException(nameof(inARow));
    private int emptyPages;

    /// <summary>How many empty pages it has served: a test that saw none proved nothing.</summary>
    public int EmptyPagesServed => Volatile.Read(ref emptyPages);

    /// <summary>A table service client on <paramref name="connectionString"/> whose every query sees empty pages.</summary>
    public TableServiceClient CreateClient(string connectionString)
    {
        var options = new TableClientOptions();
        options.AddPolicy(this, HttpPipelinePosition.PerRetry);
        return new TableServiceClient(connectionString, options);
    }

    public override void Process(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline) =>
        ProcessCoreAsync(message, pipeline, async: false).AsTask().GetAwaiter().GetResult();

    public override ValueTask ProcessAsync(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline) =>
        ProcessCoreAsync(message, pipeline, async: true);

    private async ValueTask ProcessCoreAsync(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline, bool async)
    {
        var uri = message.Request.Uri.ToUri();
        if (message.Request.Method != RequestMethod.Get || !uri.AbsolutePath.EndsWith("()", StringComparison.Ordinal))
        {
            await Next(message, pipeline, async);
            return;
        }

        var query = Query(uri);
        var listing = Listing(uri, query);
        var position = Position(listing, query.GetValueOrDefault(NextPartitionKey), query.GetValueOrDefault(NextRowKey));
        if (TakeRepeat(position))
        {
            // Another empty page at the same position: asked for with its own token, it answers that token again.
            await Next(message, pipeline, async);
            if (message.Response.Status == 200)
            {
                ServeEmpty(message, new JsonObject { ["value"] = new JsonArray() },
                    Uri.UnescapeDataString(query[NextPartitionKey]), Uri.UnescapeDataString(query[NextRowKey]));
            }

            return;
        }

        if (TakeHandedOut(position))
        {
            await Next(message, pipeline, async); // the real page, asked for with the token of the empty one
            return;
        }

        if (query.TryGetValue("$select", out var select))
        {
            var columns = Uri.UnescapeDataString(select).Split(',').ToList();
            foreach (var key in new[] { "PartitionKey", "RowKey" }.Where(k => !columns.Contains(k)))
            {
                columns.Add(key);
            }

            query["$select"] = Uri.EscapeDataString(string.Join(',', columns));
            message.Request.Uri.Reset(new UriBuilder(uri) { Query = string.Join('&', query.Select(p => p.Key + "=" + p.Value)) }.Uri);
        }

        await Next(message, pipeline, async);
        if (message.Response.Status != 200 || message.Response.ContentStream is null)
        {
            return;
        }

        var body = async
            ? await JsonNode.ParseAsync(message.Response.ContentStream)
            : JsonNode.Parse(message.Response.ContentStream);
        if (body?["value"] is not JsonArray { Count: > 0 } values)
        {
            message.Response.ContentStream = new MemoryStream(Encoding.UTF8.GetBytes(body?.ToJsonString() ?? "{}"));
            return;
        }

        var first = values[0]!;
        var nextPartition = Base64((string)first["PartitionKey"]!);
        var nextRow = Base64((string)first["RowKey"]!);
        var next = Position(listing, nextPartition, nextRow);
        handedOut.AddOrUpdate(next, 1, (_, n) => n + 1);
        if (inARow > 1)
        {
            repeats.AddOrUpdate(next, inARow - 1, (_, n) => n + inARow - 1);
        }

        body["value"] = new JsonArray();
        ServeEmpty(message, body, nextPartition, nextRow);
    }

    private void ServeEmpty(HttpMessage message, JsonNode body, string nextPartition, string nextRow)
    {
        message.Response = new EmptyPageResponse(message.Response, Encoding.UTF8.GetBytes(body.ToJsonString()), new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase)
        {
            ["x-ms-continuation-NextPartitionKey"] = nextPartition,
            ["x-ms-continuation-NextRowKey"] = nextRow,
        });
        Interlocked.Increment(ref emptyPages);
    }

    private bool TakeRepeat(string position)
    {
        while (repeats.TryGetValue(position, out var count))
        {
            if (count == 1 ? repeats.TryRemove(new KeyValuePair<string, int>(position, 1)) : repeats.TryUpdate(position, count - 1, count))
            {
                return true;
            }
        }

        return false;
    }

    private bool TakeHandedOut(string position)
    {
        while (handedOut.TryGetValue(position, out var count))
        {
            if (count == 1 ? handedOut.TryRemove(new KeyValuePair<string, int>(position, 1)) : handedOut.TryUpdate(position, count - 1, count))
            {
                return true;
            }
        }

        return false;
    }

    private static ValueTask Next(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline, bool async)
    {
        if (async)
        {
            return ProcessNextAsync(message, pipeline);
        }

        ProcessNext(message, pipeline);
        return ValueTask.CompletedTask;
    }

    /// <summary>The query parameters, raw (still escaped), in order.</summary>
    private static Dictionary<string, string> Query(Uri uri) =>
        uri.Query.TrimStart('?').Split('&', StringSplitOptions.RemoveEmptyEntries)
            .Select(p => p.Split('=', 2))
            .ToDictionary(p => p[0], p => p.Length > 1 ? p[1] : "", StringComparer.Ordinal);

    /// <summary>The query without its position: the same listing, whichever page.</summary>
    private static string Listing(Uri uri, Dictionary<string, string> query) =>
        uri.AbsolutePath + "?" + string.Join('&', query.Where(p => p.Key is not (NextPartitionKey or NextRowKey) and not "$select")
            .OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => p.Key + "=" + p.Value));

    private static string Position(string listing, string? partition, string? row) =>
        $"{listing}|{Uri.UnescapeDataString(partition ?? "")}|{Uri.UnescapeDataString(row ?? "")}";

    private static string Base64(string key) => Convert.ToBase64String(Encoding.UTF8.GetBytes(key));

    /// <summary>The real response with an empty body and the continuation headers of the empty page.</summary>
    private sealed class EmptyPageResponse(Response inner, byte[] body, Dictionary<string, string> headers) : Response
    {
        private Stream? content = new MemoryStream(body);

        public override int Status => inner.Status;

        public override string ReasonPhrase => inner.ReasonPhrase;

        public override Stream? ContentStream
        {
            get => content;
            set => content = value;
        }

        public override string ClientRequestId
        {
            get => inner.ClientRequestId;
            set => inner.ClientRequestId = value;
        }

        public override void Dispose()
        {
            content?.Dispose();
            inner.Dispose();
        }

        protected override bool ContainsHeader(string name) => headers.ContainsKey(name) || inner.Headers.Contains(name);

        protected override IEnumerable<HttpHeader> EnumerateHeaders() =>
            inner.Headers.Where(h => !headers.ContainsKey(h.Name) && !h.Name.StartsWith("x-ms-continuation-", StringComparison.OrdinalIgnoreCase))
                .Concat(headers.Select(h => new HttpHeader(h.Key, h.Value)));

        protected override bool TryGetHeader(string name, [NotNullWhen(true)] out string? value)
        {
            if (headers.TryGetValue(name, out value))
            {
                return true;
            }

            if (name.StartsWith("x-ms-continuation-", StringComparison.OrdinalIgnoreCase))
            {
                value = null;
                return false;
            }

            return inner.Headers.TryGetValue(name, out value);
        }

        protected override bool TryGetHeaderValues(string name, [NotNullWhen(true)] out IEnumerable<string>? values)
        {
            if (TryGetHeader(name, out var value))
            {
                values = [value];
                return true;
            }

            values = null;
            return false;
        }
    }
}
