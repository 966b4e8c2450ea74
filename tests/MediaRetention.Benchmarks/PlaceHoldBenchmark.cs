using System.Collections.Concurrent;
using System.Diagnostics;
using System.Reflection;
using Azure.Storage.Blobs;
using MediaRetention.Core.Audit;
using MediaRetention.Core.Holds;
using MediaRetention.Core.Media;
using MediaRetention.Core.Operations;
using MediaRetention.Core.Retention;
using MediaRetention.Core.Storage;
using MediaRetention.Core.Telemetry;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace MediaRetention.Benchmarks;

/// <summary>
/// Placing a hold that covers N media (a CCTV site over a window), on in-memory fakes of the storage interfaces that
/// count every call (one call = one storage request, except placing the hold row: row + version bump = 2) and may wait
/// <c>--latency-ms</c> per call, as a stand-in for a storage round trip. BEFORE: main's path before background marking
/// (kept here as the baseline: every covered blob marked inside the POST, 16 at a time). AFTER: the real
/// <see cref="PlaceHoldHandler"/> (at most Holds:InlineMarkLimit marks in the POST) and then the real
/// <see cref="RunOperationHandler"/> running the hold.mark operation to its end. Prints requests and time inside the POST,
/// and the background's requests and time. Exits 1 when a covered medium was left unmarked.
/// </summary>
internal static class PlaceHoldBenchmark
{
    private static readonly DateTimeOffset Start = new(2026, 11, 1, 0, 0, 0, TimeSpan.Zero);

    public static async Task<int> RunAsync(string[] argv)
    {
        var args = new BenchmarkArgs(argv);
        var media = args.Int("media", 100_000);
        var inline = args.Int("inline", new HoldOptions().InlineMarkLimit);
        var latency = TimeSpan.FromMilliseconds(args.Int("latency-ms", 2));
        Console.WriteLine($"place-hold benchmark on in-memory fakes: a CCTV hold covering {media:N0} media, Holds:InlineMarkLimit {inline}, " +
                          $"{latency.TotalMilliseconds:0} ms per storage call, 16 marks in flight, {Environment.ProcessorCount} cores");

        var before = new Storage(media, latency);
        var watch = Stopwatch.StartNew();
        await PlaceAllInlineAsync(before, Hold("before"));
        var beforeSeconds = watch.Elapsed.TotalSeconds;
        Console.WriteLine($"  BEFORE (all inline)  : POST {before.Requests,9:N0} requests, {beforeSeconds,7:0.00} s; {before.Marked:N0} marked in the request ({before.Breakdown()})");

        var after = new Storage(media, latency);
        var options = Options.Create(new HoldOptions { InlineMarkLimit = inline });
        var (place, run, dispatcher) = after.Handlers(options);
        watch.Restart();
        var placed = await place.HandleAsync(Command(), default);
        var postSeconds = watch.Elapsed.TotalSeconds;
        var postRequests = after.Requests;
        var postBreakdown = after.Breakdown();
        Console.WriteLine($"  AFTER  (bounded)     : POST {postRequests,9:N0} requests, {postSeconds,7:0.00} s; {placed.CoveredMedia:N0} marked in the request, " +
                          $"answer {(placed.MarkingComplete ? "201" : "202 + operation")} ({postBreakdown})");

        after.ResetCounts();
        watch.Restart();
        foreach (var operationId in dispatcher.Dispatched)
        {
            await run.RunAsync(operationId, default);
        }

        var backgroundSeconds = watch.Elapsed.TotalSeconds;
        Console.WriteLine($"  AFTER  background    :      {after.Requests,9:N0} requests, {backgroundSeconds,7:0.00} s; {after.Marked:N0} marked by the operation ({after.Breakdown()})");
        var total = placed.CoveredMedia + after.Marked;
        Console.WriteLine($"  marked in all: before {before.Marked:N0}, after {total:N0} of {media:N0}; POST requests after/before: {(double)postRequests / before.Requests:0.0000}");
        return before.Marked == media && total == media ? 0 : 1;
    }

    private static PlaceHoldCommand Command() =>
        new("BENCH-1", "benchmark", new RequestedBy("pd", "bench"), "pd", "bench", null,
            new HoldScope { Type = HoldScope.CctvType, Site = "site-1", From = Start, To = Start.AddDays(31) });

    private static Hold Hold(string id) => new()
    {
        Id = id, CaseNumber = "BENCH-1", Reason = "benchmark", RequestedBy = new RequestedBy("pd", "bench"), Agency = "pd", PlacedBy = "bench",
        PlacedAt = Start, Status = HoldStatus.Active, Scope = Command().Scope,
    };

    /// <summary>The placement as it was before background marking: the row, every covered blob marked, the audit entry.</summary>
    private static async Task PlaceAllInlineAsync(Storage storage, Hold hold)
    {
        await storage.Holds.CreateAsync(hold, default);
        var coverage = new HoldCoverage(storage.Index);
        await Parallel.ForEachAsync(coverage.FindCoveredAsync(hold.Scope, default), new ParallelOptions { MaxDegreeOfParallelism = 16 },
            async (m, ct) => await storage.Marks.MarkHeldAsync(m.Container, m.BlobName, ct));
        await storage.Audit.AppendAsync(new AuditEvent("bench", AuditActions.HoldPlaced, "hold/" + hold.Id), default);
    }

    /// <summary>Fakes of every storage interface placing and marking touch, generated per call (nothing per medium is kept).</summary>
    private sealed class Storage
    {
        private readonly ConcurrentDictionary<string, int> calls = new(StringComparer.Ordinal);
        private readonly TimeSpan latency;
        private readonly int media;
        private readonly ConcurrentDictionary<string, (Operation Operation, int Version)> operations = new();
        private HoldMarking? marking;
        private int markingVersion;
        private int marked;
        private Hold? hold;

        public Storage(int media, TimeSpan latency)
        {
            this.media = media;
            this.latency = latency;
            Index = Fake<IMediaIndex>.Create(Count, new()
            {
                [nameof(IMediaIndex.QueryAsync)] = a => Delayed(Page((string?)a[1], (int)a[2]!)),
            });
            Holds = Fake<IHoldStore>.Create(Count, new()
            {
                [nameof(IHoldStore.CreateAsync)] = a => Delayed(Set(ref hold, (Hold)a[0]!)),
                [nameof(IHoldStore.GetAsync)] = _ => Delayed<StoredHold?>(new StoredHold(hold, "h1")),
            });
            Marks = Fake<IBlobHoldMarks>.Create(Count, new()
            {
                [nameof(IBlobHoldMarks.MarkHeldAsync)] = _ => Delayed(Interlocked.Increment(ref marked) > 0),
            });
            Markings = Fake<IHoldMarkingStore>.Create(Count, new()
            {
                [nameof(IHoldMarkingStore.GetAsync)] = _ => Delayed(marking is null ? null : new StoredHoldMarking(marking, "m" + markingVersion)),
                [nameof(IHoldMarkingStore.PutAsync)] = a => Delayed(SetMarking((HoldMarking)a[0]!)),
                [nameof(IHoldMarkingStore.TryReplaceAsync)] = a => Delayed((string)a[1]! == "m" + markingVersion ? "m" + SetMarking((HoldMarking)a[0]!) : null),
            });
            Operations = Fake<IOperationStore>.Create(Count, new()
            {
                [nameof(IOperationStore.CreateAsync)] = a => Delayed(operations.TryAdd(((Operation)a[0]!).Id, ((Operation)a[0]!, 1))),
                [nameof(IOperationStore.GetAsync)] = a => Delayed(operations.TryGetValue((string)a[0]!, out var o) ? new StoredOperation(o.Operation, "o" + o.Version) : null),
                [nameof(IOperationStore.TryReplaceAsync)] = a => Delayed(ReplaceOperation((Operation)a[0]!, (string)a[1]!)),
                [nameof(IOperationStore.ListAsync)] = _ => AsyncEnumerable.Empty<OperationListing>(),
            });
            Audit = Fake<IAuditLog>.Create(Count, new()
            {
                [nameof(IAuditLog.AppendAsync)] = a => Delayed(new AuditEntry(1, Start, "bench", ((AuditEvent)a[0]!).Action, "", new Dictionary<string, string?>(), "", "")),
            });
        }

        public IMediaIndex Index { get; }

        public IHoldStore Holds { get; }

        public IBlobHoldMarks Marks { get; }

        public IHoldMarkingStore Markings { get; }

        public IOperationStore Operations { get; }

        public IAuditLog Audit { get; }

        public int Marked => Volatile.Read(ref marked);

        /// <summary>Storage requests: one per call, two for a hold row (the row and the holds version bump).</summary>
        public int Requests => calls.Sum(c => c.Key == "IHoldStore.CreateAsync" ? 2 * c.Value : c.Value);

        public string Breakdown() => string.Join(", ", calls.OrderByDescending(c => c.Value).Select(c => $"{c.Key.Replace("Async", "", StringComparison.Ordinal)} {c.Value:N0}"));

        public void ResetCounts()
        {
            calls.Clear();
            Volatile.Write(ref marked, 0);
        }

        public (PlaceHoldHandler Place, RunOperationHandler Run, RecordingDispatcher Dispatcher) Handlers(IOptions<HoldOptions> options)
        {
            var time = TimeProvider.System;
            var services = new ServiceCollection().AddMetrics().BuildServiceProvider();
            var telemetry = new MediaRetentionTelemetry(services.GetRequiredService<System.Diagnostics.Metrics.IMeterFactory>());
            var operationOptions = Options.Create(new OperationOptions());
            var dispatcher = new RecordingDispatcher(this);
            var storageOptions = Options.Create(new MediaStorageOptions());

            // Never used while starting an operation (only to ask whether a sweep runs); no request is sent.
            var sweepLock = new RetentionSweepLock(new BlobServiceClient("UseDevelopmentStorage=true"), storageOptions, time, NullLogger<RetentionSweepLock>.Instance);
            var start = new StartOperationHandler(Operations, dispatcher, sweepLock, operationOptions, time, NullLogger<StartOperationHandler>.Instance);
            var coverage = new HoldCoverage(Index);
            var marker = new HoldMarker(coverage, Marks, Markings, start, options, time, NullLogger<HoldMarker>.Instance);
            var place = new PlaceHoldHandler(Holds, marker, Audit, time, telemetry);
            var work = new MarkHoldMediaOperationWork(Holds, Markings, coverage, marker, Audit, options, time);
            var run = new RunOperationHandler(Operations, [work], operationOptions, time, NullLogger<RunOperationHandler>.Instance);
            return (place, run, dispatcher);
        }

        private void Count(string call) => calls.AddOrUpdate(call, 1, (_, n) => n + 1);

        private async Task<T> Delayed<T>(T value)
        {
            if (latency > TimeSpan.Zero)
            {
                await Task.Delay(latency);
            }

            return value;
        }

        private MediaPage Page(string? token, int pageSize)
        {
            var offset = token is null ? 0 : int.Parse(token, System.Globalization.CultureInfo.InvariantCulture);
            var count = Math.Min(pageSize, media - offset);
            var items = Enumerable.Range(offset, count).Select(Medium).ToList();
            return new MediaPage(items, offset + count < media ? (offset + count).ToString(System.Globalization.CultureInfo.InvariantCulture) : null);
        }

        private static MediaRecord Medium(int i)
        {
            var recorded = Start.AddSeconds(i);
            var name = $"site-1/cam-{i % 100:00}/{Core.Ingest.UploadContract.FormatTimestamp(recorded)}.mp4";
            return new MediaRecord
            {
                Id = MediaId.For("cctv", name), Kind = MediaKind.Cctv, Container = "cctv", BlobName = name, Status = MediaStatus.Indexed,
                Site = "site-1", Camera = $"cam-{i % 100:00}", RecordedAt = recorded, UploadedAt = recorded, IndexedAt = recorded, Size = 1, Sha256 = "", ETag = "\"e\"",
            };
        }

        private static bool Set(ref Hold? field, Hold value)
        {
            field = value;
            return true;
        }

        private int SetMarking(HoldMarking value)
        {
            marking = value;
            return Interlocked.Increment(ref markingVersion);
        }

        private string? ReplaceOperation(Operation operation, string etag)
        {
            var current = operations[operation.Id];
            if (etag != "o" + current.Version)
            {
                return null;
            }

            operations[operation.Id] = (operation, current.Version + 1);
            return "o" + (current.Version + 1);
        }

        public void Dispatched() => Count("Queue.SendMessage");
    }

    /// <summary>The Functions app's queue: one message per operation (counted as a request); the benchmark runs them.</summary>
    private sealed class RecordingDispatcher(Storage storage) : IOperationDispatcher
    {
        public List<string> Dispatched { get; } = [];

        public Task DispatchAsync(string operationId, CancellationToken cancellationToken)
        {
            storage.Dispatched();
            Dispatched.Add(operationId);
            return Task.CompletedTask;
        }
    }

    /// <summary>An implementation of <typeparamref name="T"/> made of handlers by method name; every call is counted, anything else throws.</summary>
#pragma warning disable CA1852 // DispatchProxy derives from it at run time: it must not be sealed
    public class Fake<T> : DispatchProxy where T : class
#pragma warning restore CA1852
    {
        private Action<string> count = _ => { };
        private Dictionary<string, Func<object?[], object?>> handlers = [];

        public static T Create(Action<string> count, Dictionary<string, Func<object?[], object?>> handlers)
        {
            var proxy = DispatchProxy.Create<T, Fake<T>>();
            var fake = (Fake<T>)(object)proxy;
            fake.count = count;
            fake.handlers = handlers;
            return proxy;
        }

        protected override object? Invoke(MethodInfo? targetMethod, object?[]? args)
        {
            var name = targetMethod!.Name;
            count(typeof(T).Name + "." + name);
            return handlers.TryGetValue(name, out var handler) ? handler(args ?? []) : throw new NotSupportedException(typeof(T).Name + "." + name);
        }
    }
}
