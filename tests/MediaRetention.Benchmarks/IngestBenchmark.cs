using System.Buffers;
using System.Diagnostics;
using Azure.Data.Tables;
using Azure.Storage.Blobs;
using MediaRetention.Core.Storage;
using MediaRetention.Runner;
using MediaRetention.Runner.Ingest;
using MediaRetention.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace MediaRetention.Benchmarks;

/// <summary>
/// Ingest throughput of the runner's scan-and-index pass on Azurite, against a baseline in the same process:
/// reading the same blobs and writing one table row each, with the same parallelism. The ratio says how
/// much the index bookkeeping (properties, hash, lookup rows, conditional write) costs over the bare I/O.
/// </summary>
internal static class IngestBenchmark
{
    public static async Task<int> RunAsync(string[] argv)
    {
        var args = new BenchmarkArgs(argv);
        var parallel = args.Int("parallel", 8);
        await using var azurite = await AzuriteInstance.StartAsync();
        Console.WriteLine($"ingest benchmark: Azurite 127.0.0.1:{azurite.BlobPort}, parallelism {parallel}, {Environment.ProcessorCount} cores");

        await RunCaseAsync(azurite, "small clips", args.Int("small", 1000), 4 * 1024, parallel);
        await RunCaseAsync(azurite, "large clips", args.Int("large", 20), args.Int("large-mb", 50) * 1024 * 1024, parallel);
        return 0;
    }

    private static async Task RunCaseAsync(AzuriteInstance azurite, string label, int count, int size, int parallel)
    {
        var storage = new MediaStorageOptions { CctvContainer = "cctv-" + Guid.NewGuid().ToString("N")[..8], MediaTable = "media" + Guid.NewGuid().ToString("N")[..8] };
        var app = RunnerApp.Build(
        [
            $"--MediaStorage={azurite.ConnectionString}", $"--CctvContainer={storage.CctvContainer}",
            $"--MediaTable={storage.MediaTable}", $"--Ingest:MaxParallelism={parallel}", "--Logging:LogLevel:Default=Warning",
        ]);
        await app.Services.GetRequiredService<StorageProvisioner>().EnsureCreatedAsync(default);
        var blobs = app.Services.GetRequiredService<BlobServiceClient>();
        var names = await UploadAsync(blobs.GetBlobContainerClient(storage.CctvContainer), count, size, parallel);
        var megabytes = (double)count * size / (1024 * 1024);

        var baseline = await TimeAsync(() => RawReadAndWriteAsync(app.Services, storage.CctvContainer, names, parallel));

        var scanner = ActivatorUtilities.CreateInstance<BlobScanIngestService>(app.Services);
        var ingest = await TimeAsync(() => scanner.ScanOnceAsync(checkpoint: null, default));

        var indexed = 0;
        await foreach (var _ in app.Services.GetRequiredService<TableServiceClient>().GetTableClient(storage.MediaTable)
                           .QueryAsync<TableEntity>("PartitionKey ge 'm|' and PartitionKey lt 'm|~'", select: ["RowKey"]))
        {
            indexed++;
        }

        Console.WriteLine($"{label}: {count} x {size / 1024.0:0.#} KiB ({megabytes:0.#} MB), indexed {indexed}/{count}");
        Console.WriteLine($"  runner ingest : {count / ingest.TotalSeconds,8:0.0} clips/s {megabytes / ingest.TotalSeconds,8:0.0} MB/s ({ingest.TotalSeconds:0.00} s)");
        Console.WriteLine($"  raw baseline  : {count / baseline.TotalSeconds,8:0.0} clips/s {megabytes / baseline.TotalSeconds,8:0.0} MB/s ({baseline.TotalSeconds:0.00} s)  read each blob + write one table row");
        Console.WriteLine($"  ratio         : {baseline.TotalSeconds / ingest.TotalSeconds:0.00} of raw throughput");
        await app.DisposeAsync();
        if (indexed != count)
        {
            throw new InvalidOperationException($"only {indexed} of {count} clips were indexed");
        }
    }

    private static async Task<List<string>> UploadAsync(BlobContainerClient container, int count, int size, int parallel)
    {
        var content = new byte[size];
        Random.Shared.NextBytes(content);
        var start = new DateTimeOffset(2026, 11, 1, 0, 0, 0, TimeSpan.Zero);
        var names = Enumerable.Range(0, count)
            .Select(i => $"site-{i % 10}/cam-{i % 7}/{start.AddSeconds(i):yyyyMMdd'T'HHmmss'Z'}.mp4").ToList();
        await Parallel.ForEachAsync(names, new ParallelOptions { MaxDegreeOfParallelism = parallel }, async (name, ct) =>
            await container.GetBlobClient(name).UploadAsync(new BinaryData(content), ct));
        return names;
    }

    private static async Task RawReadAndWriteAsync(IServiceProvider services, string container, List<string> names, int parallel)
    {
        var blobContainer = services.GetRequiredService<BlobServiceClient>().GetBlobContainerClient(container);
        var tables = services.GetRequiredService<TableServiceClient>();
        var table = tables.GetTableClient("raw" + Guid.NewGuid().ToString("N")[..8]);
        await table.CreateAsync();
        await Parallel.ForEachAsync(names, new ParallelOptions { MaxDegreeOfParallelism = parallel }, async (name, ct) =>
        {
            var download = await blobContainer.GetBlobClient(name).DownloadStreamingAsync(cancellationToken: ct);
            await using (var stream = download.Value.Content)
            {
                var buffer = ArrayPool<byte>.Shared.Rent(1024 * 1024);
                while (await stream.ReadAsync(buffer, ct) > 0)
                {
                }

                ArrayPool<byte>.Shared.Return(buffer);
            }

            await table.UpsertEntityAsync(new TableEntity("raw", MediaRetention.Core.Media.MediaId.For(container, name)) { ["Name"] = name }, cancellationToken: ct);
        });
    }

    private static async Task<TimeSpan> TimeAsync(Func<Task> action)
    {
        var watch = Stopwatch.StartNew();
        await action();
        return watch.Elapsed;
    }
}
