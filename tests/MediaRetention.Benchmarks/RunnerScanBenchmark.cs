using System.Diagnostics;
using MediaRetention.Core.Ingest;
using MediaRetention.Core.Storage;
using MediaRetention.Testing;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace MediaRetention.Benchmarks;

/// <summary>
/// What the runner's ingest scan costs to detect one new clip with 100 k and 1 M clips stored, on an in-memory fake of
/// the blob listing with Azure's paging (5,000 items a page) and a request count:
/// <list type="bullet">
/// <item>before: the previous scan, kept here only as the baseline (every blob in both containers listed every poll,
/// every name ever seen kept in a dictionary);</item>
/// <item>after: <see cref="IngestScanner"/> (delimiter discovery, then each camera from its checkpoint minus the
/// overlap), and its hourly full scan, the safety net.</item>
/// </list>
/// Ingest itself is a stand-in that records what it is handed: the figures are the scan's own.
/// </summary>
internal static class RunnerScanBenchmark
{
    private const int Sites = 10;

    public static async Task<int> RunAsync(string[] argv)
    {
        var args = new BenchmarkArgs(argv);
        var sizes = new[] { args.Int("small", 100_000), args.Int("large", 1_000_000) };
        var cameras = args.Int("cameras", 100);
        var failed = false;
        Console.WriteLine($"runner scan on an in-memory listing fake ({InMemoryBlobListing.PageSize:N0} items a page), {cameras} cameras on {Sites} sites, " +
                          $"one clip a minute each, {Environment.ProcessorCount} cores; detection of one new clip:");
        foreach (var size in sizes)
        {
            failed |= !await RunSizeAsync(size, cameras);
        }

        return failed ? 1 : 0;
    }

    private static async Task<bool> RunSizeAsync(int size, int cameras)
    {
        var storage = new MediaStorageOptions();
        var now = DateTimeOffset.UtcNow;
        var perCamera = size / cameras;
        var listing = new InMemoryBlobListing();
        listing.PutMany(storage.CctvContainer,
            Enumerable.Range(0, cameras).SelectMany(c => Enumerable.Range(1, perCamera)
                .Select(m => $"site-{c % Sites:00}/cam-{c:000}/{UploadContract.FormatTimestamp(now.AddMinutes(-m))}.mp4")),
            now.AddDays(-1));
        var stored = listing.Count(storage.CctvContainer);
        Console.WriteLine($"  store: {stored:N0} clips ({perCamera:N0} per camera)");
        var ok = true;

        // Before: one poll of the previous scan once it has seen every blob.
        var baseline = new FullListingBaseline(listing, storage);
        await baseline.ScanAsync(); // sees everything once (as the previous runner's first scan)
        var newClip = $"site-03/cam-003/{UploadContract.FormatTimestamp(now.AddSeconds(5))}.mp4";
        listing.Put(storage.CctvContainer, newClip, now);
        var before = await MeasureAsync(listing, baseline.ScanAsync);
        ok &= Check(before.Handled == 1, $"the baseline found {before.Handled} new clips, not 1");
        GC.KeepAlive(baseline);
        baseline = null;
        Print("before", before, "every blob listed every poll");

        // After: a scanner that has seen everything (its first scan, which lists everything once like the baseline's).
        var ingest = new RecordingBlobIngestor { Keep = false };
        var state = new InMemoryIngestScanStateStore();
        var options = new IngestOptions();
        var scanner = new IngestScanner(ingest, listing, state, Options.Create(storage), Options.Create(options), TimeProvider.System, NullLogger<IngestScanner>.Instance);
        var first = await MeasureAsync(listing, async () => (await scanner.ScanNewAsync(default)).Handled);
        Print("first", first, "first scan of an empty state (also a full scan): once per store");
        ingest.Clear();
        ingest.Keep = true;

        var secondClip = $"site-04/cam-004/{UploadContract.FormatTimestamp(now.AddSeconds(10))}.mp4";
        listing.Put(storage.CctvContainer, secondClip, now);
        var after = await MeasureAsync(listing, async () => (await scanner.ScanNewAsync(default)).Handled);
        // Handed: the new clip, and what the bounded cache forgot of the overlap windows' blobs modified since the last full
        // scan (at 1 M, the clip the baseline found: the first scan handed a million after it). Ingest finds those indexed.
        ok &= Check(ingest.Handled.Any(c => c.BlobName == secondClip) && after.Handled <= 2, $"the scanner handed {after.Handled}, not the new clip");
        var latencyPath = 1 + (Sites + 7) / 8 + 1 + (cameras + 7) / 8; // discovery levels in sequence, 8 listings at a time
        Print("after", after, $"{after.Handled} handed to ingest; ~{latencyPath} requests on the critical path vs {before.Requests} before");

        // The safety net, every Ingest:FullScanInterval (1 h): lists everything, hands only what it has not seen indexed.
        ingest.Clear();
        var lateClip = $"site-05/cam-005/{UploadContract.FormatTimestamp(now.AddDays(-30))}.mp4";
        listing.Put(storage.CctvContainer, lateClip, now.AddSeconds(1));
        var full = await MeasureAsync(listing, async () => (await scanner.ScanAllAsync(default)).Handled);
        ok &= Check(ingest.Handled.Any(c => c.BlobName == lateClip), "the full scan missed the late clip");
        Print("full", full, $"safety net, once per Ingest:FullScanInterval: found the clip named 30 days back; {full.Handled} handed to ingest");
        var (cached, checkpoints) = (scanner.Seen.Count, scanner.CheckpointedPrefixes);
        scanner = null!;
        var cacheBytes = SeenCacheBytes(options.ScanCacheSize, storage.CctvContainer, now);
        var mapBytes = NameMapBytes(stored, storage.CctvContainer, now);
        Console.WriteLine($"    memory: the scanner keeps its seen cache ({cached:N0} of {options.ScanCacheSize:N0} entries: {cacheBytes / 1048576.0:0.0} MiB at capacity, measured alone) " +
                          $"and {checkpoints} checkpoints, whatever the store size; before: {mapBytes / 1048576.0:0.0} MiB of names ({mapBytes / (double)stored:0} B a blob), growing with it (both measured alone)");
        return ok;
    }

    private static void Print(string label, Measurement m, string note) =>
        Console.WriteLine($"    {label,-6}: {m.Requests,6:N0} list requests, {m.Items,9:N0} items listed, CPU {m.CpuMs,8:N1} ms, wall {m.WallMs,8:N1} ms, " +
                          $"peak {m.PeakMiB,6:0.0} MiB above start; {note}");

    private static bool Check(bool condition, string failure)
    {
        if (!condition)
        {
            Console.Error.WriteLine("FAILED: " + failure);
        }

        return condition;
    }

    /// <summary>A seen cache filled to <paramref name="capacity"/> with names and ETags as listings deliver them.</summary>
    private static long SeenCacheBytes(int capacity, string container, DateTimeOffset now)
    {
        var heap = Heap();
        var cache = new SeenBlobCache(capacity);
        for (var i = 0; i < capacity; i++)
        {
            cache.Add(container, $"site-{i % Sites:00}/cam-{i % 100:000}/{UploadContract.FormatTimestamp(now.AddMinutes(-i))}.mp4", $"\"{Guid.NewGuid():N}\"");
        }

        var bytes = Heap() - heap;
        GC.KeepAlive(cache);
        return bytes;
    }

    /// <summary>The baseline's name → ETag map for <paramref name="count"/> blobs, names and ETags as listings deliver them.</summary>
    private static long NameMapBytes(int count, string container, DateTimeOffset now)
    {
        var heap = Heap();
        var known = new Dictionary<(string Container, string Name), string>();
        for (var i = 0; i < count; i++)
        {
            known[(container, $"site-{i % Sites:00}/cam-{i % 100:000}/{UploadContract.FormatTimestamp(now.AddMinutes(-i))}.mp4")] = $"\"{Guid.NewGuid():N}\"";
        }

        var bytes = Heap() - heap;
        GC.KeepAlive(known);
        return bytes;
    }

    /// <summary>Live managed memory after full, compacting collections.</summary>
    internal static long Heap()
    {
        for (var i = 0; i < 3; i++)
        {
            GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true, compacting: true);
            GC.WaitForPendingFinalizers();
        }

        // What survived the last full blocking collection: the live heap, without what allocation contexts hold.
        return GC.GetGCMemoryInfo(GCKind.FullBlocking).PromotedBytes;
    }

    private static async Task<Measurement> MeasureAsync(InMemoryBlobListing listing, Func<Task<int>> scan)
    {
        var heap = Heap();
        listing.ResetCounts();
        var cpu = Process.GetCurrentProcess().TotalProcessorTime;
        var wall = Stopwatch.StartNew();
        using var sampler = new PeakMemorySampler();
        var handled = await scan();
        var peak = sampler.Stop();
        wall.Stop();
        var cpuMs = (Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalMilliseconds;
        return new Measurement(listing.Requests, listing.Items, handled, cpuMs, wall.Elapsed.TotalMilliseconds, Math.Max(0, peak - heap) / 1048576.0);
    }

    private sealed record Measurement(long Requests, long Items, int Handled, double CpuMs, double WallMs, double PeakMiB);

    /// <summary>
    /// The scan this benchmark compares with (the runner's before the prefix scan), minus the ingest calls: every blob
    /// of both containers listed every poll, and every name ever seen in a dictionary (keyed then, wrongly, by the
    /// masked name; here by the exact one).
    /// </summary>
    private sealed class FullListingBaseline(InMemoryBlobListing listing, MediaStorageOptions storage)
    {
        private Dictionary<(string Container, string Name), string>? known = new();

        public async Task<int> ScanAsync()
        {
            var seen = new HashSet<(string, string)>();
            var work = 0;
            foreach (var container in storage.MediaContainers)
            {
                await foreach (var page in listing.ListFromAsync(container, "", null, default))
                {
                    foreach (var blob in page.Blobs)
                    {
                        var key = (blob.Container, blob.Name);
                        seen.Add(key);
                        if (known!.TryGetValue(key, out var etag) && etag == blob.ETag)
                        {
                            continue;
                        }

                        known[key] = blob.ETag;
                        work++;
                    }
                }
            }

            foreach (var key in known!.Keys.Where(k => !seen.Contains(k)).ToList())
            {
                known.Remove(key);
            }

            return work;
        }
    }
}
