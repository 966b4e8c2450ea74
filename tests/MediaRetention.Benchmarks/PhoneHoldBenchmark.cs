using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Azure.Core.Pipeline;
using Azure.Data.Tables;
using MediaRetention.Core.Holds;
using MediaRetention.Core.Media;
using MediaRetention.Core.Phones;
using MediaRetention.Core.Storage;
using Microsoft.Extensions.Options;

namespace MediaRetention.Benchmarks;

/// <summary>
/// Phone and camera holds on a fake Table service: the real <see cref="HoldCoverage"/>, <see cref="TableMediaIndex"/> and
/// SDK client, with an HTTP handler that serves a generated media table (rows built from their index on demand, so 1 M
/// calls cost no memory) and counts requests and the rows the service examines. BEFORE is the same code without the
/// lookup-rows marker (the fallback: today's scan of every call of the window, or every clip of the site); AFTER has the
/// marker and reads the phone and camera rows. The fake ends a page after 1,000 entities or where the scan crosses into
/// another partition (Azure may end one there too); rows examined is what a scan costs the service whatever the pages.
/// </summary>
internal static partial class PhoneHoldBenchmark
{
    private static readonly DateTimeOffset Start = new(2026, 11, 1, 0, 0, 0, TimeSpan.Zero);
    private static readonly PhoneHasher Hasher = new(PhoneHashKeyRing.Parse(["bench:" + Convert.ToBase64String(new byte[32])], "bench"));

    public static async Task<int> RunAsync(string[] argv)
    {
        var args = new BenchmarkArgs(argv);
        var calls = args.Int("calls", 1_000_000);
        var matches = args.Int("matches", 20);
        var cameras = args.Int("cameras", 100);
        var clips = args.Int("clips-per-camera", 10_000);
        var ok = true;

        var target = Hasher.Hash("+4791234567");
        var callsTable = FakeMediaTable.ForCalls(calls, matches, target);
        Console.WriteLine($"phone hold on a fake table (real HoldCoverage, TableMediaIndex and SDK): {calls:N0} calls in a {callsTable.WindowDays:0.#}-day window, " +
                          $"{matches} of them with the held number, {Environment.ProcessorCount} cores:");
        var stored = new HoldScope { Type = HoldScope.PhoneType, PhoneHash = target, From = Start, To = callsTable.WindowEnd };
        var placed = stored with { LookupHashes = Hasher.LookupValues("+4791234567") };
        foreach (var (label, scope) in new[] { ("stored hold (listing, evidence, marking)", stored), ("placed from the number (every key form)", placed) })
        {
            foreach (var after in new[] { false, true })
            {
                var (found, line) = await MeasureAsync(callsTable, scope, after);
                ok &= found == matches;
                Console.WriteLine($"  {(after ? "AFTER " : "BEFORE")} {label,-42}: {line}");
            }
        }

        var site = FakeMediaTable.ForSite(cameras, clips);
        Console.WriteLine($"camera hold: one camera of a site with {cameras} cameras x {clips:N0} clips in the window ({cameras * (long)clips:N0} clips):");
        var camera = new HoldScope { Type = HoldScope.CctvType, Site = "site-1", Cameras = [FakeMediaTable.CameraName(cameras / 2)], From = Start, To = site.WindowEnd };
        // The code before this change read the same range without naming the camera: every clip came back to the client.
        var (_, wholeSite) = await MeasureAsync(site, camera with { Cameras = null }, marked: false);
        Console.WriteLine($"  BEFORE {"one camera, code before this change",-42}: {wholeSite} (every clip of the site returned, other cameras dropped on the client)");
        foreach (var after in new[] { false, true })
        {
            var (found, line) = await MeasureAsync(site, camera, after);
            ok &= found == clips;
            Console.WriteLine($"  {(after ? "AFTER " : "BEFORE")} {(after ? "one camera" : "one camera, fallback (camera named to the service)"),-42}: {line}");
        }

        return ok ? 0 : 1;
    }

    private static async Task<(int Found, string Line)> MeasureAsync(FakeMediaTable fake, HoldScope scope, bool marked)
    {
        fake.Marked = marked;
        fake.Reset();
        var service = new TableServiceClient(new Uri("https://bench.table.core.windows.net/"), new TableSharedKeyCredential("bench", Convert.ToBase64String(new byte[32])),
            new TableClientOptions { Transport = new HttpClientTransport(new HttpClient(fake)), Retry = { MaxRetries = 0 } });
        var coverage = new HoldCoverage(new TableMediaIndex(service, Options.Create(new MediaStorageOptions { MediaTable = "media" })), new FixedPhoneHashing(Hasher));
        var watch = Stopwatch.StartNew();
        var found = 0;
        await foreach (var medium in coverage.FindCoveredAsync(scope, default))
        {
            found++;
        }

        return (found, $"{fake.Pages + fake.PointReads,6:N0} requests ({fake.Pages:N0} pages + {fake.PointReads} marker read), {fake.Examined,10:N0} rows examined, {fake.Returned,10:N0} rows returned, " +
                       $"{found,6:N0} covered, {watch.Elapsed.TotalSeconds,6:0.00} s");
    }

    /// <summary>Sorted rows of one kind, built from their index: keys ascend with the index.</summary>
    private interface IRows
    {
        int Count { get; }

        (string PartitionKey, string RowKey) Key(int i);

        MediaRecord Record(int i);
    }

    private sealed class FakeMediaTable : HttpMessageHandler
    {
        private const int MaxPage = 1000;
        private readonly List<IRows> sources;

        private FakeMediaTable(List<IRows> sources, DateTimeOffset windowEnd)
        {
            this.sources = sources.OrderBy(s => s.Count == 0 ? "~" : s.Key(0).PartitionKey, StringComparer.Ordinal).ToList();
            WindowEnd = windowEnd;
        }

        public bool Marked { get; set; }

        public DateTimeOffset WindowEnd { get; }

        public double WindowDays => (WindowEnd - Start).TotalDays;

        public int Pages { get; private set; }

        public int PointReads { get; private set; }

        public long Examined { get; private set; }

        public long Returned { get; private set; }

        public void Reset() => (Pages, PointReads, Examined, Returned) = (0, 0, 0, 0);

        public static string CameraName(int i) => $"cam-{i:D3}";

        /// <summary>
        /// <paramref name="count"/> calls 2 s apart: time rows (the scan's), and phone rows for the held number's
        /// <paramref name="matches"/> calls plus 1,000 calls each of the two numbers whose hashes sort next to it.
        /// </summary>
        public static FakeMediaTable ForCalls(int count, int matches, string target)
        {
            var every = Math.Max(1, count / Math.Max(1, matches));
            var callee = Hasher.Hash("+4722334455");
            // Other callers' hashes only need to differ from the held one (no HMAC per generated row).
            string Caller(int i) => i % every == 0 && i / every < matches ? target : "bench:" + i.ToString("x64", CultureInfo.InvariantCulture);
            (string, string) TimeRow(int i)
            {
                var at = Start.AddSeconds(2L * i);
                return (MediaTableLayout.TimePartition(MediaKind.Call, at), $"{MediaTableLayout.TimeKey(at)}|{i.ToString("x32", CultureInfo.InvariantCulture)}");
            }

            MediaRecord CallAt(int i)
            {
                var id = i.ToString("x32", CultureInfo.InvariantCulture);
                var at = Start.AddSeconds(2L * i);
                return new MediaRecord
                {
                    Id = id, Kind = MediaKind.Call, Container = "calls", BlobName = $"pbx-1/{UploadContractTime(at)}_c{i}.wav", Status = MediaStatus.Indexed,
                    System = "pbx-1", CallId = "c" + i, RecordedAt = at, UploadedAt = at, IndexedAt = at, Size = 1, Sha256 = new string('0', 64), ETag = "\"e\"",
                    CallerHash = Caller(i),
                    CalleeHash = callee,
                };
            }

            var time = new VirtualRows(count, TimeRow, CallAt);
            var phoneRows = new List<(string, string, MediaRecord)>();
            for (var i = 0; i < count; i++)
            {
                if (i % every == 0 && i / every < matches)
                {
                    var record = CallAt(i);
                    var key = MediaTableLayout.PhoneAndCameraKeys(record)[0];
                    phoneRows.Add((key.PartitionKey, key.RowKey, record));
                }
            }

            // Neighbours: other numbers whose phone partitions sort just before and after the held one.
            foreach (var neighbour in new[] { target[..^1], target + "0" })
            {
                for (var n = 0; n < 1000; n++)
                {
                    var record = CallAt(n) with { CallerHash = neighbour };
                    phoneRows.Add((MediaTableLayout.PhonePartition(neighbour), $"{MediaTableLayout.TimeKey(record.RetentionFrom)}|{record.Id}", record));
                }
            }

            return new FakeMediaTable([time, new ListedRows(phoneRows)], Start.AddSeconds(2L * count));
        }

        /// <summary><paramref name="cameras"/> cameras, a clip each every 10 s: site rows, and camera rows of the held camera and its two neighbours.</summary>
        public static FakeMediaTable ForSite(int cameras, int clipsPerCamera)
        {
            MediaRecord ClipAt(int i)
            {
                var at = Start.AddSeconds(10L * (i / cameras));
                var camera = CameraName(i % cameras);
                var name = $"site-1/{camera}/{UploadContractTime(at)}.mp4";
                return new MediaRecord
                {
                    Id = i.ToString("x32", CultureInfo.InvariantCulture), Kind = MediaKind.Cctv, Container = "cctv", BlobName = name, Status = MediaStatus.Indexed,
                    Site = "site-1", Camera = camera, RecordedAt = at, UploadedAt = at, IndexedAt = at, Size = 1, Sha256 = new string('0', 64), ETag = "\"e\"",
                };
            }

            (string, string) SiteRow(int i) =>
                (MediaTableLayout.SitePrefix + "site-1",
                    $"{MediaTableLayout.TimeKey(Start.AddSeconds(10L * (i / cameras)))}|{CameraName(i % cameras)}|{i.ToString("x32", CultureInfo.InvariantCulture)}");
            var site = new VirtualRows(cameras * clipsPerCamera, SiteRow, ClipAt);
            var cameraRows = new List<(string, string, MediaRecord)>();
            var held = cameras / 2;
            foreach (var c in new[] { held - 1, held, held + 1 }.Where(c => c >= 0 && c < cameras))
            {
                for (var n = 0; n < clipsPerCamera; n++)
                {
                    var record = ClipAt((n * cameras) + c);
                    var key = MediaTableLayout.PhoneAndCameraKeys(record)[0];
                    cameraRows.Add((key.PartitionKey, key.RowKey, record));
                }
            }

            return new FakeMediaTable([site, new ListedRows(cameraRows)], Start.AddSeconds(10L * clipsPerCamera));
        }

        private static string UploadContractTime(DateTimeOffset at) => MediaTableLayout.TimeKey(at);

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var path = Uri.UnescapeDataString(request.RequestUri!.AbsolutePath);
            if (PointRead().Match(path) is { Success: true } point)
            {
                PointReads++;
                var isMarker = point.Groups[1].Value.Replace("''", "'") == MediaTableLayout.LookupMarkerKey.PartitionKey
                    && point.Groups[2].Value.Replace("''", "'") == MediaTableLayout.LookupMarkerKey.RowKey;
                return Task.FromResult(isMarker && Marked
                    ? Ok(new Dictionary<string, object> { ["odata.etag"] = "W/\"1\"", ["PartitionKey"] = MediaTableLayout.LookupMarkerKey.PartitionKey, ["RowKey"] = MediaTableLayout.LookupMarkerKey.RowKey })
                    : new HttpResponseMessage(HttpStatusCode.NotFound) { Content = Json(new { }) });
            }

            Pages++;
            var query = System.Web.HttpUtility.ParseQueryString(request.RequestUri.Query);
            var filter = Filter.Parse(query["$filter"] ?? "");
            var top = int.TryParse(query["$top"], out var t) ? Math.Min(t, MaxPage) : MaxPage;
            var (lowPk, highPk, lowRk, highRk) = filter.Bounds();
            var from = query["NextPartitionKey"] is { } nextPk ? (nextPk, query["NextRowKey"] ?? "") : (lowPk, lowRk);
            var rows = new List<Dictionary<string, object?>>();
            string? partition = null;
            (string, string)? next = null;
            foreach (var (source, index) in From(from))
            {
                var (pk, rk) = source.Key(index);
                if ((highPk is not null && string.CompareOrdinal(pk, highPk) > 0) || (highRk is not null && string.CompareOrdinal(rk, highRk) >= 0))
                {
                    break; // past the key range: the service stops reading (a single partition when highRk is set)
                }

                if (rows.Count == top || (partition is not null && pk != partition))
                {
                    next = (pk, rk);
                    break;
                }

                partition = pk;
                Examined++;
                var record = source.Record(index);
                if (filter.Matches(name => Property(record, name, pk, rk)))
                {
                    rows.Add(Entity(record, pk, rk));
                }
            }

            Returned += rows.Count;
            var response = Ok(new Dictionary<string, object> { ["value"] = rows });
            if (next is { } n)
            {
                response.Headers.Add("x-ms-continuation-NextPartitionKey", n.Item1);
                response.Headers.Add("x-ms-continuation-NextRowKey", n.Item2);
            }

            return Task.FromResult(response);
        }

        /// <summary>Every row from the key on, in key order (the sources do not overlap).</summary>
        private IEnumerable<(IRows Source, int Index)> From((string Pk, string Rk) key)
        {
            foreach (var source in sources)
            {
                var lo = 0;
                var hi = source.Count;
                while (lo < hi)
                {
                    var mid = (lo + hi) / 2;
                    var (pk, rk) = source.Key(mid);
                    var cmp = string.CompareOrdinal(pk, key.Pk);
                    if (cmp < 0 || (cmp == 0 && string.CompareOrdinal(rk, key.Rk) < 0))
                    {
                        lo = mid + 1;
                    }
                    else
                    {
                        hi = mid;
                    }
                }

                for (var i = lo; i < source.Count; i++)
                {
                    yield return (source, i);
                }
            }
        }

        private static string? Property(MediaRecord r, string name, string pk, string rk) => name switch
        {
            "PartitionKey" => pk,
            "RowKey" => rk,
            nameof(MediaRecord.Kind) => r.Kind,
            nameof(MediaRecord.Status) => r.Status,
            nameof(MediaRecord.Site) => r.Site,
            nameof(MediaRecord.Camera) => r.Camera,
            nameof(MediaRecord.System) => r.System,
            nameof(MediaRecord.CallId) => r.CallId,
            nameof(MediaRecord.CallerHash) => r.CallerHash,
            nameof(MediaRecord.CalleeHash) => r.CalleeHash,
            _ => null,
        };

        private static Dictionary<string, object?> Entity(MediaRecord r, string pk, string rk)
        {
            static string Date(DateTimeOffset? d) => d!.Value.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'", CultureInfo.InvariantCulture);
            var entity = new Dictionary<string, object?>
            {
                ["odata.etag"] = "W/\"1\"", ["PartitionKey"] = pk, ["RowKey"] = rk, ["Id"] = r.Id, ["Kind"] = r.Kind, ["Container"] = r.Container,
                ["BlobName"] = r.BlobName, ["Status"] = r.Status, ["RecordedAt@odata.type"] = "Edm.DateTime", ["RecordedAt"] = Date(r.RecordedAt),
                ["UploadedAt@odata.type"] = "Edm.DateTime", ["UploadedAt"] = Date(r.UploadedAt), ["IndexedAt@odata.type"] = "Edm.DateTime",
                ["IndexedAt"] = Date(r.IndexedAt), ["Size@odata.type"] = "Edm.Int64", ["Size"] = r.Size.ToString(CultureInfo.InvariantCulture),
                ["Sha256"] = r.Sha256, ["ETag"] = r.ETag,
            };
            foreach (var (name, value) in new[] { ("Site", r.Site), ("Camera", r.Camera), ("System", r.System), ("CallId", r.CallId), ("CallerHash", r.CallerHash), ("CalleeHash", r.CalleeHash) })
            {
                if (value is not null)
                {
                    entity[name] = value;
                }
            }

            return entity;
        }

        private static HttpResponseMessage Ok(object body) => new(HttpStatusCode.OK) { Content = Json(body) };

        private static StringContent Json(object body) => new(JsonSerializer.Serialize(body), Encoding.UTF8, "application/json");
    }

    private sealed class VirtualRows(int count, Func<int, (string, string)> key, Func<int, MediaRecord> record) : IRows
    {
        public int Count => count;

        public (string PartitionKey, string RowKey) Key(int i) => key(i);

        public MediaRecord Record(int i) => record(i);
    }

    private sealed class ListedRows : IRows
    {
        private readonly List<(string Pk, string Rk, MediaRecord Record)> rows;

        public ListedRows(List<(string, string, MediaRecord)> rows) =>
            this.rows = rows.OrderBy(r => r.Item1, StringComparer.Ordinal).ThenBy(r => r.Item2, StringComparer.Ordinal).ToList();

        public int Count => rows.Count;

        public (string PartitionKey, string RowKey) Key(int i) => (rows[i].Pk, rows[i].Rk);

        public MediaRecord Record(int i) => rows[i].Record;
    }

    /// <summary>The OData the index writes: comparisons of a property with a string, 'and', 'or', parentheses, true/false.</summary>
    private sealed partial class Filter
    {
        private readonly List<string> tokens;
        private int position;
        private Func<Func<string, string?>, bool> evaluate = _ => true;
        private readonly List<(string Property, string Op, string Value)> topLevel = [];

        private Filter(List<string> tokens) => this.tokens = tokens;

        public static Filter Parse(string text)
        {
            var filter = new Filter(Token().Matches(text).Select(m => m.Value).ToList());
            if (filter.tokens.Count > 0)
            {
                filter.evaluate = filter.Or(topLevel: true);
            }

            return filter;
        }

        public bool Matches(Func<string, string?> property) => evaluate(property);

        /// <summary>The key bounds of the top-level conjunction: where a scan starts and ends.</summary>
        public (string LowPk, string? HighPk, string LowRk, string? HighRk) Bounds()
        {
            string low = "", lowRk = "";
            string? highRk = null;
            string? high = null, eq = null;
            foreach (var (property, op, value) in topLevel)
            {
                if (property == "PartitionKey")
                {
                    if (op == "eq")
                    {
                        eq = value;
                    }
                    else if (op is "ge" or "gt" && string.CompareOrdinal(value, low) > 0)
                    {
                        low = value;
                    }
                    else if (op is "le" or "lt" && (high is null || string.CompareOrdinal(value, high) < 0))
                    {
                        high = value;
                    }
                }
            }

            if (eq is not null)
            {
                foreach (var (property, op, value) in topLevel)
                {
                    if (property == "RowKey" && op is "ge" or "gt" && string.CompareOrdinal(value, lowRk) > 0)
                    {
                        lowRk = value;
                    }

                    // Only exclusive upper bounds are sent; a row at the bound is past the range as the service reads it.
                    if (property == "RowKey" && op == "lt" && (highRk is null || string.CompareOrdinal(value, highRk) < 0))
                    {
                        highRk = value;
                    }
                }

                return (eq, eq, lowRk, highRk);
            }

            return (low, high, "", null);
        }

        private Func<Func<string, string?>, bool> Or(bool topLevel)
        {
            var terms = new List<Func<Func<string, string?>, bool>> { And(topLevel) };
            while (position < tokens.Count && tokens[position] == "or")
            {
                position++;
                terms.Add(And(false));
                if (topLevel)
                {
                    this.topLevel.Clear(); // an 'or' at the top: no key bound is safe
                }
            }

            return p => terms.Any(t => t(p));
        }

        private Func<Func<string, string?>, bool> And(bool topLevel)
        {
            var terms = new List<Func<Func<string, string?>, bool>> { Atom(topLevel) };
            while (position < tokens.Count && tokens[position] == "and")
            {
                position++;
                terms.Add(Atom(topLevel));
            }

            return p => terms.All(t => t(p));
        }

        private Func<Func<string, string?>, bool> Atom(bool topLevel)
        {
            var token = tokens[position++];
            if (token == "(")
            {
                var inner = Or(false);
                position++; // ')'
                return inner;
            }

            if (token is "true" or "false")
            {
                var value = token == "true";
                return _ => value;
            }

            var op = tokens[position++];
            var literal = tokens[position++];
            var text = literal[1..^1].Replace("''", "'");
            if (topLevel)
            {
                this.topLevel.Add((token, op, text));
            }

            return p =>
            {
                var actual = p(token);
                if (actual is null)
                {
                    return false;
                }

                var cmp = string.CompareOrdinal(actual, text);
                return op switch
                {
                    "eq" => cmp == 0,
                    "ne" => cmp != 0,
                    "ge" => cmp >= 0,
                    "gt" => cmp > 0,
                    "le" => cmp <= 0,
                    "lt" => cmp < 0,
                    _ => throw new NotSupportedException(op),
                };
            };
        }

        [GeneratedRegex(@"'(?:[^']|'')*'|\(|\)|[A-Za-z0-9_]+")]
        private static partial Regex Token();
    }

    [GeneratedRegex(@"\(PartitionKey='((?:[^']|'')*)',RowKey='((?:[^']|'')*)'\)$")]
    private static partial Regex PointRead();
}
