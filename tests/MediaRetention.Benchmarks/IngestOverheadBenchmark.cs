using System.Diagnostics;
using MediaRetention.Core.Audit;
using MediaRetention.Core.Holds;
using MediaRetention.Core.Ingest;
using MediaRetention.Core.Media;
using MediaRetention.Core.Storage;
using MediaRetention.Core.Telemetry;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace MediaRetention.Benchmarks;

/// <summary>
/// The ingest code's own cost, without an emulator measuring itself: the real <see cref="IngestBlobHandler"/>, hold
/// cache and marker over in-memory fakes of the storage interfaces that keep nothing per medium, at 100 k and 1 M
/// media with 10,000 holds (half active, half released). Prints CPU and allocation per medium and the peak managed
/// heap, which must stay flat as the number of media grows (nothing in ingest may keep per-medium state).
/// </summary>
internal static class IngestOverheadBenchmark
{
    private static readonly DateTimeOffset Start = new(2026, 11, 1, 0, 0, 0, TimeSpan.Zero);

    public static async Task<int> RunAsync(string[] argv)
    {
        var args = new BenchmarkArgs(argv);
        var sizes = new[] { args.Int("small", 100_000), args.Int("large", 1_000_000) };
        var holds = args.Int("holds", 10_000);
        var parallel = args.Int("parallel", 8);
        Console.WriteLine($"ingest overhead benchmark on in-memory fakes: {holds:N0} holds ({holds / 2:N0} active), parallelism {parallel}, " +
                          $"{Environment.ProcessorCount} cores, 4 KiB clips (SHA-256 included)");
        var results = new List<(int Media, double PeakMiB)>();
        foreach (var size in sizes)
        {
            results.Add((size, await RunCaseAsync(size, holds, parallel)));
        }

        if (results.Count == 2)
        {
            Console.WriteLine($"  peak live heap at {results[1].Media:N0} media / at {results[0].Media:N0}: {results[1].PeakMiB / results[0].PeakMiB:0.00}");
        }

        return 0;
    }

    private static async Task<double> RunCaseAsync(int media, int holdCount, int parallel)
    {
        var store = new FakeHoldStore(holdCount);
        var marks = new FakeMarks();
        var time = TimeProvider.System;
        using var cache = new HoldCache(store, Options.Create(new HoldOptions()), time);
        using var services = new ServiceCollection().AddMetrics().BuildServiceProvider();
        var handler = new IngestBlobHandler(new FakeBlobs(), new FakeIndex(), new HoldIngestMarker(cache, marks, NullLogger<HoldIngestMarker>.Instance),
            new NoAudit(), Options.Create(new MediaStorageOptions()), Options.Create(new IngestOptions { PastTolerance = TimeSpan.FromDays(3650) }),
            time, NullLogger<IngestBlobHandler>.Instance, new MediaRetentionTelemetry(services.GetRequiredService<System.Diagnostics.Metrics.IMeterFactory>()));

        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        var baseHeap = GC.GetTotalMemory(true);
        var allocatedBefore = GC.GetTotalAllocatedBytes(precise: true);
        var cpuBefore = Process.GetCurrentProcess().TotalProcessorTime;
        var watch = Stopwatch.StartNew();
        long peak = 0;
        var done = 0;
        await Parallel.ForEachAsync(Enumerable.Range(0, media), new ParallelOptions { MaxDegreeOfParallelism = parallel }, async (i, ct) =>
        {
            var name = $"site-{i % 1000}/cam-{i % 7}/{UploadContract.FormatTimestamp(Start.AddSeconds(i))}.mp4";
            await handler.HandleAsync(new IngestBlobCommand("cctv", name, FakeBlobs.ETag) { Unmarked = true }, ct);
            if (Interlocked.Increment(ref done) % 20_000 == 0)
            {
                // What is still reachable (a full collection first): per-medium state would show here as growth.
                InterlockedMax(ref peak, GC.GetTotalMemory(forceFullCollection: true));
            }
        });
        watch.Stop();
        var cpu = Process.GetCurrentProcess().TotalProcessorTime - cpuBefore;
        var allocated = GC.GetTotalAllocatedBytes(precise: true) - allocatedBefore;
        var peakMiB = Math.Max(peak, GC.GetTotalMemory(forceFullCollection: true)) / (1024.0 * 1024);
        Console.WriteLine($"{media:N0} media: {media / watch.Elapsed.TotalSeconds:N0} media/s, CPU {cpu.TotalMicroseconds / media:0.0} µs per medium, " +
                          $"{allocated / (double)media:N0} B allocated per medium, peak live heap {peakMiB:0.0} MiB (after set-up {baseHeap / (1024.0 * 1024):0.0} MiB); " +
                          $"held {marks.Held:N0}, holds reloaded {cache.Reloads}");
        return peakMiB;
    }

    private static void InterlockedMax(ref long target, long value)
    {
        long current;
        while ((current = Interlocked.Read(ref target)) < value && Interlocked.CompareExchange(ref target, value, current) != current)
        {
        }
    }

    /// <summary>Every blob exists, 4 KiB, at one version; the content is one shared buffer.</summary>
    private sealed class FakeBlobs : IMediaBlobStore
    {
        public const string ETag = "\"0x8DD00000000001\"";
        private static readonly byte[] Content = Enumerable.Range(0, 4096).Select(i => (byte)i).ToArray();
        private static readonly IReadOnlyDictionary<string, string> NoMetadata = new Dictionary<string, string>();

        private static BlobSnapshot Snapshot(string container, string name) =>
            new(container, name, ETag, Content.Length, Start.AddDays(1), "video/mp4", NoMetadata);

        public Task<BlobSnapshot?> GetPropertiesAsync(string container, string name, CancellationToken cancellationToken) =>
            Task.FromResult<BlobSnapshot?>(Snapshot(container, name));

        public Task<Stream> OpenReadAsync(string container, string name, string etag, CancellationToken cancellationToken) =>
            Task.FromResult<Stream>(new MemoryStream(Content, writable: false));

        public Task<(BlobSnapshot Blob, Stream Content)> OpenReadWithPropertiesAsync(string container, string name, string etag, CancellationToken cancellationToken) =>
            Task.FromResult((Snapshot(container, name), (Stream)new MemoryStream(Content, writable: false)));

        public IAsyncEnumerable<BlobSnapshot> ListAsync(string container, CancellationToken cancellationToken) => throw new NotSupportedException();

        public IAsyncEnumerable<BlobListPage> ListPagesAsync(string container, string? continuation, CancellationToken cancellationToken) =>
            throw new NotSupportedException();

        public Task<string> ReplaceMetadataAsync(string container, string name, IDictionary<string, string> metadata, string etag, CancellationToken cancellationToken) =>
            throw new NotSupportedException();

        public Task<BlobDeleteOutcome> DeleteIfUnchangedAndNotHeldAsync(string container, string name, string etag, CancellationToken cancellationToken) =>
            throw new NotSupportedException();
    }

    /// <summary>Accepts every insert and keeps nothing: what grows with the media here is the handler's, not the fake's.</summary>
    private sealed class FakeIndex : IMediaIndex
    {
        public IAsyncEnumerable<IndexedName> ListNamesAsync(string container, string? fromBlobName, CancellationToken cancellationToken) =>
            throw new NotSupportedException();

        public Task RepairNameRowAsync(MediaRecord record, CancellationToken cancellationToken) => throw new NotSupportedException();

        public Task<StoredMedia?> GetAsync(string id, CancellationToken cancellationToken) => Task.FromResult<StoredMedia?>(null);

        public Task<bool> TrySaveAsync(MediaRecord record, StoredMedia? previous, CancellationToken cancellationToken)
        {
            _ = MediaTableLayout.LookupKeys(record); // the layout work a real index does
            return Task.FromResult(true);
        }

        public Task RepairLookupRowsAsync(StoredMedia stored, CancellationToken cancellationToken) => Task.CompletedTask;

        public Task<MediaPage> QueryAsync(MediaQuery query, string? continuationToken, int pageSize, CancellationToken cancellationToken) =>
            throw new NotSupportedException();

        public IAsyncEnumerable<MediaScanPage> ScanRetainedBeforeAsync(
            string kind, DateTimeOffset before, int pageSize, RowKeyPair? after, CancellationToken cancellationToken) =>
            throw new NotSupportedException();

        public Task RemoveAsync(IReadOnlyList<MediaRecord> records, CancellationToken cancellationToken) => throw new NotSupportedException();

        public IAsyncEnumerable<(string Id, string ETag)> ListRecordVersionsAsync(CancellationToken cancellationToken) => throw new NotSupportedException();

        public Task<(IReadOnlyList<StoredMedia> Rows, string? ContinuationToken)> ListCallRecordsAsync(string? continuationToken, int pageSize, CancellationToken cancellationToken) =>
            throw new NotSupportedException();
    }

    /// <summary>
    /// Holds on sites site-0… (active) and site-5000… (released): with 1,000 sites in use, 10,000 holds cover every
    /// site's clips, so every medium is also marked held (the marker's worst case).
    /// </summary>
    internal sealed class FakeHoldStore(int count, DateTimeOffset? from = null) : IHoldStore
    {
        private readonly List<Hold> holds = Enumerable.Range(0, count).Select(i => new Hold
        {
            Id = Guid.CreateVersion7(Start.AddSeconds(i)).ToString("N"), CaseNumber = "C-" + i, Reason = "bench", RequestedBy = new RequestedBy("pd", "o"),
            Agency = "pd", PlacedBy = "bench", PlacedAt = Start, Status = i % 2 == 0 ? HoldStatus.Active : HoldStatus.Released,
            Scope = new HoldScope { Type = HoldScope.CctvType, Site = "site-" + (i % 2 == 0 ? i / 2 : 5000 + i), From = from ?? Start, To = (from ?? Start).AddDays(400) },
        }).ToList();

        public Task<string?> GetVersionAsync(CancellationToken cancellationToken) => Task.FromResult<string?>("v1");

        public Task<ActiveHolds> LoadActiveAsync(CancellationToken cancellationToken) => Task.FromResult(new ActiveHolds(holds));

        public Task<ActiveHolds> LoadActiveThoroughAsync(CancellationToken cancellationToken) => LoadActiveAsync(cancellationToken);

        public Task CreateAsync(Hold hold, CancellationToken cancellationToken) => throw new NotSupportedException();

        public Task<StoredHold?> GetAsync(string id, CancellationToken cancellationToken) => throw new NotSupportedException();

        public Task<bool> TryUpdateAsync(Hold hold, string storageETag, CancellationToken cancellationToken) => throw new NotSupportedException();

        public Task<bool> TryReleaseUnreadableAsync(UnreadableHold hold, HoldRelease release, CancellationToken cancellationToken) => throw new NotSupportedException();

        public Task<HoldPage> ListAsync(string? status, string? agency, string? continuationToken, int pageSize, CancellationToken cancellationToken) =>
            throw new NotSupportedException();

        public Task<int> CountAsync(string status, string? agency, int stopAt, CancellationToken cancellationToken) => throw new NotSupportedException();

        public Task<bool> IsUnreadableReportedAsync(UnreadableHold hold, CancellationToken cancellationToken) => throw new NotSupportedException();

        public Task MarkUnreadableReportedAsync(UnreadableHold hold, CancellationToken cancellationToken) => throw new NotSupportedException();
    }

    private sealed class FakeMarks : IBlobHoldMarks
    {
        private long held;

        public long Held => Interlocked.Read(ref held);

        public Task<bool> MarkHeldAsync(string container, string blobName, CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref held);
            return Task.FromResult(true);
        }

        public Task<bool> MarkNotHeldAsync(string container, string blobName, string etag, CancellationToken cancellationToken) => Task.FromResult(true);

        public Task<string?> GetMarkAsync(string container, string blobName, CancellationToken cancellationToken) => throw new NotSupportedException();
    }

    private sealed class NoAudit : IAuditLog
    {
        public Task<AuditEntry> AppendAsync(AuditEvent auditEvent, CancellationToken cancellationToken) => throw new NotSupportedException();

        public Task<IReadOnlyList<AuditEntry>> AppendManyAsync(IReadOnlyList<AuditEvent> events, CancellationToken cancellationToken) => throw new NotSupportedException();

        public Task<AuditPage> QueryAsync(DateTimeOffset? from, DateTimeOffset? to, string? continuationToken, int pageSize, CancellationToken cancellationToken) =>
            throw new NotSupportedException();

        public Task<AuditVerification> VerifyAsync(CancellationToken cancellationToken) => throw new NotSupportedException();
    }
}
