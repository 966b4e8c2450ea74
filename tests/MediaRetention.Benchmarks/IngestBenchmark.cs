using System.Security.Cryptography;
using System.Diagnostics;
using Azure.Data.Tables;
using Azure.Storage.Blobs;
using MediaRetention.Core.Holds;
using MediaRetention.Core.Storage;
using MediaRetention.Runner;
using MediaRetention.Core.Ingest;
using MediaRetention.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace MediaRetention.Benchmarks;

/// <summary>
/// Ingest throughput of the runner's scan-and-index pass on Azurite, against a baseline in the same process:
/// reading and SHA-256-hashing the same blobs and writing one table row each, with the same parallelism. The ratio says
/// how much the index bookkeeping (marks, lookup rows, conditional write, hold check) costs over the bare job; the
/// request counts (at the storage client) say what each new medium costs, with no holds and with many.
/// </summary>
internal static class IngestBenchmark
{
    // A throwaway key: outside Development the runner refuses to hash phone numbers without one.
    internal static readonly string BenchPhoneHashKey =
        "bench:" + Convert.ToBase64String(SHA256.HashData("MediaRetention benchmark phone hash key"u8.ToArray()));

    public static async Task<int> RunAsync(string[] argv)
    {
        var args = new BenchmarkArgs(argv);
        var parallel = args.Int("parallel", 8);
        var holds = args.Int("holds", 10_000);
        await using var azurite = await AzuriteInstance.StartAsync();
        Console.WriteLine($"ingest benchmark: Azurite 127.0.0.1:{azurite.BlobPort}, parallelism {parallel}, {Environment.ProcessorCount} cores");
        Console.WriteLine("requests are counted at the storage client (a pipeline policy, every attempt); the listing is included, amortised");

        await RunCaseAsync(azurite, "small clips", args.Int("small", 1000), 4 * 1024, parallel, holds);
        await RunCaseAsync(azurite, "large clips", args.Int("large", 20), args.Int("large-mb", 50) * 1024 * 1024, parallel, holds: 0);
        return 0;
    }

    private static async Task RunCaseAsync(AzuriteInstance azurite, string label, int count, int size, int parallel, int holds)
    {
        var storage = new MediaStorageOptions
        {
            CctvContainer = "cctv-" + Guid.NewGuid().ToString("N")[..8],
            MediaTable = "media" + Guid.NewGuid().ToString("N")[..8],
            HoldsTable = "holds" + Guid.NewGuid().ToString("N")[..8],
        };
        var requests = new StorageRequestCounter();
        var app = RunnerApp.Build(
        [
            $"--MediaStorage={azurite.ConnectionString}", $"--CctvContainer={storage.CctvContainer}", $"--HoldsTable={storage.HoldsTable}",
            $"--MediaTable={storage.MediaTable}", $"--Ingest:MaxParallelism={parallel}", "--Logging:LogLevel:Default=Warning",
            $"--PhoneHash:Keys:0={BenchPhoneHashKey}",
        ], builder =>
        {
            builder.Services.AddSingleton(new BlobServiceClient(azurite.ConnectionString, requests.BlobOptions()));
            builder.Services.AddSingleton(new TableServiceClient(azurite.ConnectionString, requests.TableOptions()));
        });
        await app.Services.GetRequiredService<StorageProvisioner>().EnsureCreatedAsync(default);
        var uncounted = new BlobServiceClient(azurite.ConnectionString).GetBlobContainerClient(storage.CctvContainer);
        var scanner = ActivatorUtilities.CreateInstance<IngestScanner>(app.Services);

        var first = await UploadAsync(uncounted, 0, count, size, parallel);
        var megabytes = (double)count * size / (1024 * 1024);
        var baseline = await TimeAsync(() => RawReadHashAndWriteAsync(azurite.ConnectionString, storage.CctvContainer, first, parallel));

        requests.Reset();
        var ingest = await TimeAsync(() => scanner.ScanAllAsync(default));
        var indexed = await CountIndexedAsync(app.Services, storage.MediaTable);
        Console.WriteLine($"{label}: {count} x {size / 1024.0:0.#} KiB ({megabytes:0.#} MB), indexed {indexed}/{count}; store: {count} blobs, {await CountRowsAsync(azurite, storage.MediaTable)} media rows, 0 holds");
        Console.WriteLine($"  runner ingest : {count / ingest.TotalSeconds,8:0.0} clips/s {megabytes / ingest.TotalSeconds,8:0.0} MB/s ({ingest.TotalSeconds:0.00} s)");
        Console.WriteLine($"  raw baseline  : {count / baseline.TotalSeconds,8:0.0} clips/s {megabytes / baseline.TotalSeconds,8:0.0} MB/s ({baseline.TotalSeconds:0.00} s)  read + SHA-256 each blob, write one table row");
        Console.WriteLine($"  ratio         : {baseline.TotalSeconds / ingest.TotalSeconds:0.00} of raw throughput");
        Console.WriteLine($"  requests      : {requests.Total / (double)count:0.00} per new medium ({requests.Describe(count)})");
        if (indexed != count)
        {
            throw new InvalidOperationException($"only {indexed} of {count} clips were indexed");
        }

        if (holds > 0)
        {
            // Half active, half released; none covers the clips, so the figure is what holds cost ingest by their number.
            await CreateHoldsAsync(app.Services.GetRequiredService<IHoldStore>(), holds);
            var second = await UploadAsync(uncounted, count, count, size, parallel);
            requests.Reset();
            var withHolds = await TimeAsync(() => scanner.ScanAllAsync(default));
            indexed = await CountIndexedAsync(app.Services, storage.MediaTable);
            Console.WriteLine($"{label} with {holds:N0} holds ({holds / 2:N0} active, {holds - holds / 2:N0} released): {second.Count} more; store: {2 * count} blobs, " +
                              $"{await CountRowsAsync(azurite, storage.MediaTable)} media rows, {holds:N0} holds");
            Console.WriteLine($"  runner ingest : {count / withHolds.TotalSeconds,8:0.0} clips/s ({withHolds.TotalSeconds:0.00} s)");
            Console.WriteLine($"  requests      : {requests.Total / (double)count:0.00} per new medium ({requests.Describe(count)})");
            if (indexed != 2 * count)
            {
                throw new InvalidOperationException($"only {indexed} of {2 * count} clips were indexed");
            }
        }

        await app.DisposeAsync();
    }

    private static async Task CreateHoldsAsync(IHoldStore store, int count)
    {
        var placedAt = new DateTimeOffset(2026, 11, 1, 0, 0, 0, TimeSpan.Zero);
        await Parallel.ForEachAsync(Enumerable.Range(0, count), new ParallelOptions { MaxDegreeOfParallelism = 16 }, async (i, ct) =>
        {
            var hold = new Hold
            {
                Id = Guid.CreateVersion7(placedAt.AddSeconds(i)).ToString("N"), CaseNumber = "BENCH-" + i, Reason = "benchmark",
                RequestedBy = new RequestedBy("pd", "o"), Agency = "pd", PlacedBy = "bench", PlacedAt = placedAt, Status = HoldStatus.Active,
                Scope = new HoldScope { Type = HoldScope.CctvType, Site = "elsewhere-" + i, From = placedAt, To = placedAt.AddDays(1) },
            };
            await store.CreateAsync(hold, ct);
            if (i % 2 == 1)
            {
                var stored = await store.GetAsync(hold.Id, ct);
                await store.TryUpdateAsync(hold with { Status = HoldStatus.Released, Release = new HoldRelease("bench", placedAt, "done") }, stored!.StorageETag, ct);
            }
        });
    }

    private static async Task<int> CountIndexedAsync(IServiceProvider services, string table)
    {
        var indexed = 0;
        await foreach (var _ in services.GetRequiredService<TableServiceClient>().GetTableClient(table)
                           .QueryAsync<TableEntity>("PartitionKey ge 'm|' and PartitionKey lt 'm|~'", select: ["RowKey"]))
        {
            indexed++;
        }

        return indexed;
    }

    private static async Task<int> CountRowsAsync(AzuriteInstance azurite, string table)
    {
        var rows = 0;
        await foreach (var _ in new TableServiceClient(azurite.ConnectionString).GetTableClient(table).QueryAsync<TableEntity>(select: ["RowKey"]))
        {
            rows++;
        }

        return rows;
    }

    private static async Task<List<string>> UploadAsync(BlobContainerClient container, int offset, int count, int size, int parallel)
    {
        var content = new byte[size];
        Random.Shared.NextBytes(content);
        var start = new DateTimeOffset(2026, 11, 1, 0, 0, 0, TimeSpan.Zero);
        var names = Enumerable.Range(offset, count)
            .Select(i => $"site-{i % 10}/cam-{i % 7}/{start.AddSeconds(i):yyyyMMdd'T'HHmmss'Z'}.mp4").ToList();
        await Parallel.ForEachAsync(names, new ParallelOptions { MaxDegreeOfParallelism = parallel }, async (name, ct) =>
            await container.GetBlobClient(name).UploadAsync(new BinaryData(content), ct));
        return names;
    }

    /// <summary>The bare job: read each blob, SHA-256 it (hashing is part of the job), write one table row.</summary>
    private static async Task RawReadHashAndWriteAsync(string connectionString, string container, List<string> names, int parallel)
    {
        var blobContainer = new BlobServiceClient(connectionString).GetBlobContainerClient(container);
        var table = new TableServiceClient(connectionString).GetTableClient("raw" + Guid.NewGuid().ToString("N")[..8]);
        await table.CreateAsync();
        await Parallel.ForEachAsync(names, new ParallelOptions { MaxDegreeOfParallelism = parallel }, async (name, ct) =>
        {
            var download = await blobContainer.GetBlobClient(name).DownloadStreamingAsync(cancellationToken: ct);
            string sha256;
            await using (var stream = download.Value.Content)
            {
                sha256 = Convert.ToHexStringLower(await SHA256.HashDataAsync(stream, ct));
            }

            await table.UpsertEntityAsync(new TableEntity("raw", MediaRetention.Core.Media.MediaId.For(container, name)) { ["Name"] = name, ["Sha256"] = sha256 },
                cancellationToken: ct);
        });
    }

    private static async Task<TimeSpan> TimeAsync(Func<Task> action)
    {
        var watch = Stopwatch.StartNew();
        await action();
        return watch.Elapsed;
    }
}
