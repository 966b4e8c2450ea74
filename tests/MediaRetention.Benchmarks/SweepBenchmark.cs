using System.Diagnostics;
using Azure.Storage.Blobs;
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
/// The retention sweep on Azurite: N expired clips, H active holds covering 5 % of them. Prints the sweep's
/// deletes/s (index and audit bookkeeping included), its peak managed memory, and the ratio to a bare loop
/// deleting the same number of blobs with the same parallelism in the same process.
/// </summary>
internal static class SweepBenchmark
{
    public static async Task<int> RunAsync(string[] argv)
    {
        var args = new BenchmarkArgs(argv);
        var clips = args.Int("clips", 20_000);
        var holdCount = args.Int("holds", 1_000);
        var parallel = args.Int("parallel", 16);
        await using var azurite = await AzuriteInstance.StartAsync();
        Console.WriteLine($"sweep benchmark: {clips} expired clips, {holdCount} holds covering 5 %, parallelism {parallel}, {Environment.ProcessorCount} cores, Azurite 127.0.0.1:{azurite.BlobPort}");

        var app = RunnerApp.Build(
        [
            $"--MediaStorage={azurite.ConnectionString}", "--Logging:LogLevel:Default=Warning",
            $"--Retention:MaxParallelDeletes={parallel}", "--Retention:IngestSettleTime=00:00:00",
            // The clips are named as recorded 40 days ago; by default such recording times are Rejected.
            "--Ingest:PastTolerance=3650.00:00:00", SweepRequestsBenchmark.BenchPhoneHashKey,
        ]);
        var services = app.Services;
        await services.GetRequiredService<StorageProvisioner>().EnsureCreatedAsync(default);
        var storage = services.GetRequiredService<Microsoft.Extensions.Options.IOptions<MediaStorageOptions>>().Value;
        var blobs = services.GetRequiredService<BlobServiceClient>();

        var watch = Stopwatch.StartNew();
        var names = await UploadAsync(blobs.GetBlobContainerClient(storage.CctvContainer), clips, parallel, DateTimeOffset.UtcNow.AddDays(-40));
        Console.WriteLine($"  setup: uploaded {clips} clips in {watch.Elapsed.TotalSeconds:0.0} s");
        watch.Restart();
        var ingest = services.GetRequiredService<IngestBlobHandler>();
        await Parallel.ForEachAsync(names, new ParallelOptions { MaxDegreeOfParallelism = parallel }, async (name, ct) =>
            await ingest.HandleAsync(new IngestBlobCommand(storage.CctvContainer, name), ct));
        Console.WriteLine($"  setup: indexed them in {watch.Elapsed.TotalSeconds:0.0} s ({clips / watch.Elapsed.TotalSeconds:0} clips/s)");
        watch.Restart();
        var heldIds = names.Where((_, i) => i % 20 == 0).Select(n => MediaId.For(storage.CctvContainer, n)).ToList();
        var perHold = Math.Max(1, heldIds.Count / holdCount);
        var place = services.GetRequiredService<PlaceHoldHandler>();
        await Parallel.ForEachAsync(heldIds.Chunk(perHold).Take(holdCount).Select((ids, i) => (ids, i)),
            new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (h, ct) =>
                await place.HandleAsync(new PlaceHoldCommand($"BENCH-{h.i}", "benchmark", new RequestedBy("pd", "bench"), "pd", "bench", null,
                    new HoldScope { Type = HoldScope.MediaType, MediaIds = [.. h.ids] }), ct));
        Console.WriteLine($"  setup: placed {holdCount} holds in {watch.Elapsed.TotalSeconds:0.0} s");

        // The bare loop is timed before and after the sweep. Azurite's in-memory delete slows as the store grows,
        // so the loop before (store about twice as large) is slower than the one after (the same store shape as
        // during the sweep); both are printed, and the ratio against each.
        var bareBefore = await BareLoopAsync(blobs, clips - heldIds.Count, parallel);

        GC.Collect();
        GC.WaitForPendingFinalizers();
        var baseline = GC.GetTotalMemory(forceFullCollection: true);
        using var sampler = new PeakMemorySampler();
        watch.Restart();
        var summary = await services.GetRequiredService<RetentionSweepHandler>().SweepAsync("benchmark", default);
        var sweepSeconds = watch.Elapsed.TotalSeconds;
        var peak = sampler.Stop();

        var bareAfter = await BareLoopAsync(blobs, summary.Deleted, parallel);

        var deletePhase = sweepSeconds - summary.ReconcileSeconds;
        Console.WriteLine($"  sweep         : {summary.Deleted} deleted, {summary.HeldKept} held and kept, {summary.Failures} failures, {summary.Deferred} deferred");
        Console.WriteLine($"  sweep         : {summary.Deleted / sweepSeconds,8:0.0} deletes/s ({sweepSeconds:0.00} s, reconcile of {clips} blobs included)");
        Console.WriteLine($"  delete phase  : {summary.Deleted / deletePhase,8:0.0} deletes/s ({deletePhase:0.00} s: holds, conditional deletes, audit, index rows)");
        Console.WriteLine($"  bare loop     : {summary.Deleted / bareAfter,8:0.0} deletes/s after the sweep ({bareAfter:0.00} s, same store shape as the sweep)");
        Console.WriteLine($"  bare loop     : {summary.Deleted / bareBefore,8:0.0} deletes/s before the sweep ({bareBefore:0.00} s, store twice as large)");
        Console.WriteLine($"  ratio         : sweep {bareAfter / sweepSeconds:0.00} of the bare loop after it ({bareBefore / sweepSeconds:0.00} of the one before); delete phase {bareAfter / deletePhase:0.00}");
        Console.WriteLine($"  memory        : managed heap {baseline / 1048576.0:0.0} MiB before, peak {peak / 1048576.0:0.0} MiB during the sweep");
        await app.DisposeAsync();
        return summary.Deleted == clips - heldIds.Count && summary.Failures == 0 ? 0 : 1;
    }

    /// <summary>The baseline: the same number of blobs deleted with the same parallelism, no conditions, no bookkeeping.</summary>
    private static async Task<double> BareLoopAsync(BlobServiceClient blobs, int count, int parallel)
    {
        var container = blobs.GetBlobContainerClient("bare-" + Guid.NewGuid().ToString("N")[..8]);
        await container.CreateAsync();
        var names = await UploadAsync(container, count, parallel, DateTimeOffset.UtcNow.AddDays(-40));
        var deleted = 0;
        var watch = Stopwatch.StartNew();
        await Parallel.ForEachAsync(names, new ParallelOptions { MaxDegreeOfParallelism = parallel }, async (name, ct) =>
        {
            if ((await container.GetBlobClient(name).DeleteIfExistsAsync(cancellationToken: ct)).Value)
            {
                Interlocked.Increment(ref deleted);
            }
        });
        var seconds = watch.Elapsed.TotalSeconds;
        if (deleted != count)
        {
            Console.WriteLine($"  note: the bare loop found {count - deleted} of its {count} blobs already gone (Azurite)");
        }

        return seconds;
    }

    private static async Task<List<string>> UploadAsync(BlobContainerClient container, int count, int parallel, DateTimeOffset start)
    {
        var content = new byte[1024];
        Random.Shared.NextBytes(content);
        var names = Enumerable.Range(0, count)
            .Select(i => $"site-{i % 20}/cam-{i % 5}/{UploadContract.FormatTimestamp(start.AddSeconds(i))}.mp4").ToList();
        await Parallel.ForEachAsync(names, new ParallelOptions { MaxDegreeOfParallelism = parallel }, async (name, ct) =>
            await container.GetBlobClient(name).UploadAsync(new BinaryData(content), ct));
        return names;
    }
}
