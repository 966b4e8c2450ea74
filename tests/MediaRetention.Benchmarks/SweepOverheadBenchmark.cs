using System.Diagnostics;
using System.Runtime.CompilerServices;
using MediaRetention.Core.Audit;
using MediaRetention.Core.Holds;
using MediaRetention.Core.Ingest;
using MediaRetention.Core.Media;
using MediaRetention.Core.Retention;
using MediaRetention.Core.Storage;
using MediaRetention.Runner;
using MediaRetention.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace MediaRetention.Benchmarks;

/// <summary>
/// The sweep's own cost per deleted medium, without an emulator measuring itself: the real
/// <see cref="RetentionSweepHandler"/> and <see cref="HoldSafeDeleter"/> over in-memory fakes of the index, the blob
/// store and the audit log that generate expired media on demand and keep nothing per medium, with 10,000 holds (half
/// active) of which a few cover 1 % of the media. Prints CPU and allocation per deleted medium and the peak live heap
/// (sampled after a full collection every 20,000 deletions), which must stay flat from 100 k to 1 M expired media.
/// </summary>
internal static class SweepOverheadBenchmark
{
    public static async Task<int> RunAsync(string[] argv)
    {
        var args = new BenchmarkArgs(argv);
        var sizes = new[] { args.Int("small", 100_000), args.Int("large", 1_000_000) };
        var holds = args.Int("holds", 10_000);
        Console.WriteLine($"sweep overhead benchmark on in-memory fakes: {holds:N0} holds ({holds / 2:N0} active; every 100th medium is on a site an active hold covers), " +
                          $"{Environment.ProcessorCount} cores, every medium expired (recorded 60 to 48 days ago, one a second)");
        var results = new List<(int Media, double PeakMiB)>();
        var failed = false;
        foreach (var size in sizes)
        {
            var (peak, ok) = await RunCaseAsync(size, holds);
            results.Add((size, peak));
            failed |= !ok;
        }

        if (results.Count == 2)
        {
            Console.WriteLine($"  peak live heap at {results[1].Media:N0} expired media / at {results[0].Media:N0}: {results[1].PeakMiB / results[0].PeakMiB:0.00}");
        }

        return failed ? 1 : 0;
    }

    private static async Task<(double PeakMiB, bool Ok)> RunCaseAsync(int media, int holdCount)
    {
        // Holds, checkpoint and lease live on a throwaway Azurite (a few rows); the media, their blobs and the audit
        // entries are fakes.
        await using var azurite = await AzuriteInstance.StartAsync();
        var fake = new ExpiredMedia(media, activeHoldSites: holdCount - (holdCount / 2));
        var audit = new CountingAudit();
        var app = RunnerApp.Build(
            [
                $"--MediaStorage={azurite.ConnectionString}", "--Logging:LogLevel:Default=Warning", "--Retention:MaxSweepDuration=01:00:00",
                "--Retention:FullReconcileInterval=1.00:00:00", SweepRequestsBenchmark.BenchPhoneHashKey,
            ],
            builder =>
            {
                builder.Services.AddSingleton<IMediaBlobStore>(fake);
                builder.Services.AddSingleton<IMediaIndex>(fake);
                builder.Services.AddSingleton<IAuditLog>(audit);
                builder.Services.AddSingleton<IHoldStore>(new IngestOverheadBenchmark.FakeHoldStore(holdCount, ExpiredMedia.Recorded.AddDays(-1)));
                builder.Services.AddSingleton<IDeleteConditionSupport>(new ProbedConditions());
            });
        await using var _ = app;
        await app.Services.GetRequiredService<StorageProvisioner>().EnsureCreatedAsync(default);
        var sweeper = app.Services.GetRequiredService<RetentionSweepHandler>();

        // The first sweep ever reconciles in full (an empty listing here) and records it; then the measured sweep.
        await sweeper.SweepAsync("benchmark warm-up", default);
        fake.Arm();
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        var baseHeap = GC.GetTotalMemory(true);
        var allocatedBefore = GC.GetTotalAllocatedBytes(precise: true);
        var cpuBefore = Process.GetCurrentProcess().TotalProcessorTime;
        var watch = Stopwatch.StartNew();
        var summary = await sweeper.SweepAsync("benchmark", default);
        watch.Stop();
        var cpu = Process.GetCurrentProcess().TotalProcessorTime - cpuBefore;
        var allocated = GC.GetTotalAllocatedBytes(precise: true) - allocatedBefore;
        var peakMiB = Math.Max(fake.PeakLiveHeap, GC.GetTotalMemory(forceFullCollection: true)) / (1024.0 * 1024);
        var expectedKept = fake.Covered;
        var deleted = fake.Deleted;
        Console.WriteLine($"{media:N0} expired media: {deleted / watch.Elapsed.TotalSeconds:N0} deletions/s, CPU {cpu.TotalMicroseconds / Math.Max(1, deleted):0.0} µs per deleted medium, " +
                          $"{allocated / (double)Math.Max(1, deleted):N0} B allocated per deleted medium, peak live heap {peakMiB:0.0} MiB (after set-up {baseHeap / (1024.0 * 1024):0.0} MiB); " +
                          $"deleted {deleted:N0}, kept under holds {summary.HeldKept:N0} (covered {expectedKept:N0}), audit entries {audit.Entries:N0}, index rows removed {fake.Removed:N0}");
        var ok = deleted == media - expectedKept && summary.HeldKept == expectedKept && fake.Removed == deleted && audit.Entries >= deleted && summary.Failures == 0;
        if (!ok)
        {
            Console.WriteLine($"  MISMATCH: {summary}");
        }

        return (peakMiB, ok);
    }

    /// <summary>Both delete conditions evaluated, as on Azure.</summary>
    private sealed class ProbedConditions : IDeleteConditionSupport
    {
        public DeleteConditionMode Mode => DeleteConditionMode.TagsAndETag;

        public Task<DeleteConditionMode> EnsureProbedAsync(CancellationToken cancellationToken) => Task.FromResult(Mode);
    }

    /// <summary>Appends nothing anywhere; counts what the sweep records.</summary>
    private sealed class CountingAudit : IAuditLog
    {
        private long entries;

        public long Entries => Interlocked.Read(ref entries);

        public Task<AuditEntry> AppendAsync(AuditEvent auditEvent, CancellationToken cancellationToken)
        {
            var sequence = Interlocked.Increment(ref entries);
            return Task.FromResult(Entry(auditEvent, sequence));
        }

        public Task<IReadOnlyList<AuditEntry>> AppendManyAsync(IReadOnlyList<AuditEvent> events, CancellationToken cancellationToken)
        {
            var last = Interlocked.Add(ref entries, events.Count);
            return Task.FromResult<IReadOnlyList<AuditEntry>>([.. events.Select((e, i) => Entry(e, last - events.Count + i + 1))]);
        }

        private static AuditEntry Entry(AuditEvent auditEvent, long sequence) =>
            new(sequence, DateTimeOffset.UnixEpoch, auditEvent.Actor, auditEvent.Action, auditEvent.Target, auditEvent.Details ?? new Dictionary<string, string?>(), "", "");

        public Task<AuditPage> QueryAsync(DateTimeOffset? from, DateTimeOffset? to, string? continuationToken, int pageSize, CancellationToken cancellationToken) =>
            throw new NotSupportedException();

        public Task<AuditVerification> VerifyAsync(CancellationToken cancellationToken) => throw new NotSupportedException();
    }

    /// <summary>
    /// <paramref name="count"/> expired CCTV clips generated in key order on demand, each blob deletable once; clips of
    /// every 100th are on a site an active hold covers. Nothing is kept per medium.
    /// </summary>
    private sealed class ExpiredMedia(int count, int activeHoldSites) : IMediaBlobStore, IMediaIndex
    {
        private const string Container = "cctv";
        public static readonly DateTimeOffset Recorded = new(DateTimeOffset.UtcNow.AddDays(-60).UtcDateTime.Date, TimeSpan.Zero);
        private long deleted;
        private long removed;
        private long peakLiveHeap;
        private bool armed;

        public long Deleted => Interlocked.Read(ref deleted);
        public long Removed => Interlocked.Read(ref removed);
        public long PeakLiveHeap => Interlocked.Read(ref peakLiveHeap);

        /// <summary>Media the fake hold store's active holds cover (sites site-0 … site-{activeHoldSites - 1}).</summary>
        public int Covered => Enumerable.Range(0, (count + 99) / 100).Count(k => k % 1000 < activeHoldSites);

        public void Arm() => armed = true;

        private static MediaRecord At(int i)
        {
            var recorded = Recorded.AddSeconds(i);
            var site = i % 100 == 0 ? "site-" + (i / 100 % 1000) : "sweep-" + (i % 1000);
            var name = $"{site}/cam-{i % 7}/{UploadContract.FormatTimestamp(recorded)}.mp4";
            return new MediaRecord
            {
                Id = MediaId.For(Container, name), Kind = MediaKind.Cctv, Container = Container, BlobName = name, Status = MediaStatus.Indexed,
                Site = site, Camera = "cam-" + (i % 7), RecordedAt = recorded, UploadedAt = recorded, IndexedAt = recorded, Size = 4096,
                ContentType = "video/mp4", Sha256 = new string('a', 64), ETag = $"\"0x{i:X8}\"",
            };
        }

        public async IAsyncEnumerable<MediaScanPage> ScanRetainedBeforeAsync(
            string kind, DateTimeOffset before, int pageSize, RowKeyPair? after, [EnumeratorCancellation] CancellationToken cancellationToken)
        {
            if (!armed || kind != MediaKind.Cctv)
            {
                yield break;
            }

            // Keys are "{time}|{id}", so the index of the last row read is recovered from its time.
            var start = after is { } last && UploadContract.TryParseTimestamp(last.RowKey.AsSpan(0, last.RowKey.IndexOf('|')), out var lastTime)
                ? (int)Math.Round((lastTime - Recorded).TotalSeconds) + 1
                : 0;
            for (var first = Math.Max(0, start); first < count; first += pageSize)
            {
                var records = Enumerable.Range(first, Math.Min(pageSize, count - first)).Select(At).ToList();
                var end = records[^1];
                yield return new MediaScanPage(records, [])
                {
                    Last = new RowKeyPair(MediaTableLayout.TimePartition(kind, end.RetentionFrom), $"{MediaTableLayout.TimeKey(end.RetentionFrom)}|{end.Id}"),
                };
                await Task.Yield();
            }
        }

        public Task<BlobDeleteOutcome> DeleteIfUnchangedAndNotHeldAsync(string container, string name, string etag, CancellationToken cancellationToken)
        {
            if (Interlocked.Increment(ref deleted) % 20_000 == 0)
            {
                // What is still reachable (a full collection first): per-medium state would show here as growth.
                var live = GC.GetTotalMemory(forceFullCollection: true);
                long current;
                while ((current = Interlocked.Read(ref peakLiveHeap)) < live && Interlocked.CompareExchange(ref peakLiveHeap, live, current) != current)
                {
                }
            }

            return Task.FromResult(BlobDeleteOutcome.Deleted);
        }

        public Task RemoveAsync(IReadOnlyList<MediaRecord> records, CancellationToken cancellationToken)
        {
            Interlocked.Add(ref removed, records.Count);
            return Task.CompletedTask;
        }

        public async IAsyncEnumerable<BlobListPage> ListPagesAsync(string container, string? continuation, [EnumeratorCancellation] CancellationToken cancellationToken)
        {
            await Task.CompletedTask;
            yield return new BlobListPage([], null);
        }

        public IAsyncEnumerable<IndexedName> ListNamesAsync(string container, string? fromBlobName, CancellationToken cancellationToken) =>
            AsyncEnumerable.Empty<IndexedName>();

        public Task<StoredMedia?> GetAsync(string id, CancellationToken cancellationToken) => Task.FromResult<StoredMedia?>(null);
        public Task RepairNameRowAsync(MediaRecord record, CancellationToken cancellationToken) => Task.CompletedTask;
        public Task<BlobSnapshot?> GetPropertiesAsync(string container, string name, CancellationToken cancellationToken) => throw Unused();
        public Task<Stream> OpenReadAsync(string container, string name, string etag, CancellationToken cancellationToken) => throw Unused();
        public Task<(BlobSnapshot Blob, Stream Content)> OpenReadWithPropertiesAsync(string container, string name, string etag, CancellationToken cancellationToken) => throw Unused();
        public IAsyncEnumerable<BlobSnapshot> ListAsync(string container, CancellationToken cancellationToken) => throw Unused();
        public Task<string> ReplaceMetadataAsync(string container, string name, IDictionary<string, string> metadata, string etag, CancellationToken cancellationToken) => throw Unused();
        public Task<bool> TrySaveAsync(MediaRecord record, StoredMedia? previous, CancellationToken cancellationToken) => throw Unused();
        public Task RepairLookupRowsAsync(StoredMedia stored, CancellationToken cancellationToken) => throw Unused();
        public Task<MediaPage> QueryAsync(MediaQuery query, string? continuationToken, int pageSize, CancellationToken cancellationToken) => throw Unused();
        public IAsyncEnumerable<(string Id, string ETag)> ListRecordVersionsAsync(CancellationToken cancellationToken) => throw Unused();
        public Task<(IReadOnlyList<StoredMedia> Rows, string? ContinuationToken)> ListCallRecordsAsync(string? continuationToken, int pageSize, CancellationToken cancellationToken) => throw Unused();

        private static NotSupportedException Unused() => new("not used by a sweep of expired, indexed media");
    }
}
