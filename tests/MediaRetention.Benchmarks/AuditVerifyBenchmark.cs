using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Azure.Core.Pipeline;
using Azure.Data.Tables;
using MediaRetention.Core.Audit;
using MediaRetention.Core.Storage;
using Microsoft.Extensions.Options;

namespace MediaRetention.Benchmarks;

/// <summary>
/// Audit verification and time queries against chains of 10 k and 1 M entries, on a fake Table service: the real
/// <see cref="TableAuditLog"/> and its SDK client, with an HTTP handler that answers the audit table's reads from a
/// generated chain (every hash real) and counts them. Prints requests and time for verifying the newest 1,000 entries
/// (a page from head - 999), a time query's first page (binary search), and the old whole-chain walk.
/// </summary>
internal static partial class AuditVerifyBenchmark
{
    public static async Task<int> RunAsync(string[] argv)
    {
        var args = new BenchmarkArgs(argv);
        var sizes = new[] { args.Int("small", 10_000), args.Int("large", 1_000_000) };
        var newest = args.Int("newest", 1000);
        Console.WriteLine($"audit verify on a fake table (real TableAuditLog and SDK, generated chain), {Environment.ProcessorCount} cores:");
        var ok = true;
        foreach (var size in sizes)
        {
            var watch = Stopwatch.StartNew();
            var chain = new GeneratedChain(size);
            var setup = watch.Elapsed.TotalSeconds;
            var handler = new FakeAuditTable(chain);
            var service = new TableServiceClient(new Uri("https://bench.table.core.windows.net/"), new TableSharedKeyCredential("bench", Convert.ToBase64String(new byte[32])),
                new TableClientOptions { Transport = new HttpClientTransport(new HttpClient(handler)), Retry = { MaxRetries = 0 } });
            var log = new TableAuditLog(service, Options.Create(new MediaStorageOptions { AuditTable = "audit" }), TimeProvider.System);
            var verify = new VerifyAuditChainHandler(log, new NoAnchors());

            handler.Reset();
            watch.Restart();
            var page = await verify.HandlePageAsync(size - newest + 1, null, newest, default);
            var pageSeconds = watch.Elapsed.TotalSeconds;
            var pageRequests = handler.Requests;
            ok &= page.Verification.Intact && page.Verification.EntriesChecked == newest && page.Next is null;

            handler.Reset();
            watch.Restart();
            var back = Math.Min(500, size / 2);
            var query = await log.QueryAsync(chain.TimeOf(size - back), null, null, 100, default);
            var querySeconds = watch.Elapsed.TotalSeconds;
            var queryRequests = handler.Requests;
            ok &= query.Items.Count == Math.Min(100, back + 1) && query.Items[0].Sequence == size - back;

            handler.Reset();
            watch.Restart();
            var whole = await log.VerifyAsync([], default);
            var wholeSeconds = watch.Elapsed.TotalSeconds;
            ok &= whole.Intact && whole.EntriesChecked == size;

            Console.WriteLine($"  chain {size,9:N0} entries (generated in {setup:0.0} s):");
            Console.WriteLine($"    verify newest {newest:N0}          : {pageRequests,6} requests, {pageSeconds * 1000,8:0} ms");
            Console.WriteLine($"    time query, first page      : {queryRequests,6} requests, {querySeconds * 1000,8:0} ms (binary search for 'from' + one page of 100)");
            Console.WriteLine($"    whole chain (before: every verify) : {handler.Requests,6} requests, {wholeSeconds * 1000,8:0} ms");
        }

        return ok ? 0 : 1;
    }

    /// <summary>A chain of <c>count</c> entries, one a second, each hash computed as the log would.</summary>
    private sealed class GeneratedChain
    {
        private static readonly DateTimeOffset Start = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
        private static readonly IReadOnlyDictionary<string, string?> Details = new SortedDictionary<string, string?>(StringComparer.Ordinal) { ["sweepId"] = "bench" };
        private readonly byte[] hashes;

        public GeneratedChain(int count)
        {
            Count = count;
            hashes = new byte[32 * (count + 1)];
            Convert.FromHexString(AuditHash.Genesis).CopyTo(hashes, 0);
            for (var s = 1; s <= count; s++)
            {
                var hash = AuditHash.Compute(s, TimeOf(s), "retention-sweep", AuditActions.MediaDeleted, Target(s), Details, HashOf(s - 1));
                Convert.FromHexString(hash).CopyTo(hashes, 32 * s);
            }
        }

        public int Count { get; }

        public DateTimeOffset TimeOf(long sequence) => Start.AddSeconds(sequence);

        public string HashOf(long sequence) => Convert.ToHexStringLower(hashes, 32 * (int)sequence, 32);

        public static string Target(long sequence) => "media/" + sequence.ToString("x32", CultureInfo.InvariantCulture);

        public Dictionary<string, object> Entry(long s) => new()
        {
            ["odata.etag"] = "W/\"datetime'2026-01-01T00%3A00%3A00Z'\"",
            ["PartitionKey"] = "chain",
            ["RowKey"] = s.ToString("D19", CultureInfo.InvariantCulture),
            ["Time@odata.type"] = "Edm.DateTime",
            ["Time"] = TimeOf(s).UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'", CultureInfo.InvariantCulture),
            ["Actor"] = "retention-sweep",
            ["Action"] = AuditActions.MediaDeleted,
            ["Target"] = Target(s),
            ["Details"] = "{\"sweepId\":\"bench\"}",
            ["PreviousHash"] = HashOf(s - 1),
            ["Hash"] = HashOf(s),
            ["Commit"] = "bench",
        };

        public Dictionary<string, object> Head() => new()
        {
            ["odata.etag"] = "W/\"datetime'2026-01-01T00%3A00%3A00Z'\"",
            ["PartitionKey"] = "chain",
            ["RowKey"] = "head",
            ["Sequence@odata.type"] = "Edm.Int64",
            ["Sequence"] = Count.ToString(CultureInfo.InvariantCulture),
            ["Hash"] = HashOf(Count),
            ["Time@odata.type"] = "Edm.DateTime",
            ["Time"] = TimeOf(Count).UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'", CultureInfo.InvariantCulture),
            ["Commit"] = "bench",
        };
    }

    /// <summary>
    /// Answers the audit table's reads (point reads, and key-range queries on the one partition with $top and
    /// continuation) from the generated chain, and counts every request.
    /// </summary>
    private sealed partial class FakeAuditTable(GeneratedChain chain) : HttpMessageHandler
    {
        private const int MaxPage = 1000;
        private int requests;

        public int Requests => requests;

        public void Reset() => requests = 0;

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref requests);
            var path = Uri.UnescapeDataString(request.RequestUri!.AbsolutePath);
            var query = System.Web.HttpUtility.ParseQueryString(request.RequestUri.Query);
            if (PointRead().Match(path) is { Success: true } point)
            {
                var key = point.Groups[1].Value;
                var row = key == "head" ? chain.Head()
                    : long.TryParse(key, out var s) && s >= 1 && s <= chain.Count ? chain.Entry(s) : null;
                return Task.FromResult(row is null ? new HttpResponseMessage(HttpStatusCode.NotFound) { Content = Json(new { }) } : Ok(row));
            }

            var filter = query["$filter"] ?? "";
            var top = int.TryParse(query["$top"], out var t) ? Math.Min(t, MaxPage) : MaxPage;
            long first = 1, end = long.MaxValue;
            var includeHead = !filter.Contains("RowKey lt 'head'", StringComparison.Ordinal);
            foreach (Match m in Bound().Matches(filter))
            {
                var value = long.Parse(m.Groups[2].Value, CultureInfo.InvariantCulture);
                if (m.Groups[1].Value == "ge")
                {
                    first = Math.Max(first, value);
                }
                else
                {
                    end = Math.Min(end, value);
                    includeHead = false;
                }
            }

            if (query["NextRowKey"] is { } next)
            {
                if (next == "head")
                {
                    first = chain.Count + 1;
                }
                else
                {
                    first = Math.Max(first, long.Parse(next, CultureInfo.InvariantCulture));
                }
            }

            var rows = new List<Dictionary<string, object>>();
            var s2 = first;
            for (; s2 <= chain.Count && s2 < end && rows.Count < top; s2++)
            {
                rows.Add(chain.Entry(s2));
            }

            string? nextKey = null;
            if (rows.Count == top && s2 <= chain.Count && s2 < end)
            {
                nextKey = s2.ToString("D19", CultureInfo.InvariantCulture);
            }
            else if (includeHead && s2 > chain.Count)
            {
                if (rows.Count < top)
                {
                    rows.Add(chain.Head());
                }
                else
                {
                    nextKey = "head";
                }
            }

            var response = Ok(new Dictionary<string, object> { ["value"] = rows });
            if (nextKey is not null)
            {
                response.Headers.Add("x-ms-continuation-NextPartitionKey", "chain");
                response.Headers.Add("x-ms-continuation-NextRowKey", nextKey);
            }

            return Task.FromResult(response);
        }

        private static HttpResponseMessage Ok(object body) => new(HttpStatusCode.OK) { Content = Json(body) };

        private static StringContent Json(object body) =>
            new(JsonSerializer.Serialize(body), Encoding.UTF8, "application/json");

        [GeneratedRegex(@"\(PartitionKey='chain',RowKey='([^']+)'\)$")]
        private static partial Regex PointRead();

        [GeneratedRegex(@"RowKey (ge|lt) '(\d{19})'")]
        private static partial Regex Bound();
    }

    private sealed class NoAnchors : IAuditAnchorStore
    {
        public Task AppendAsync(AuditAnchor anchor, CancellationToken cancellationToken) => Task.CompletedTask;

        public Task<AuditAnchorLog> ReadAllAsync(CancellationToken cancellationToken) => Task.FromResult(new AuditAnchorLog([], []));

        public Task<AuditAnchor?> ReadLatestAsync(CancellationToken cancellationToken) => Task.FromResult<AuditAnchor?>(null);
    }
}
