using System.Security.Cryptography;
using System.Diagnostics;
using Azure.Data.Tables;
using Azure.Storage.Blobs;
using MediaRetention.Core.Holds;
using MediaRetention.Core.Storage;
using MediaRetention.Runner;
using MediaRetention.Runner.Ingest;
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

        var rounds = Math.Max(1, args.Int("rounds", 3));
        await PrintRequestCostsAsync(azurite, args.Int("cost-samples", 400), parallel);
        await RunCaseAsync(azurite, "small clips", args.Int("small", 1000), 4 * 1024, parallel, rounds, holds);
        await RunCaseAsync(azurite, "large clips", args.Int("large", 10), args.Int("large-mb", 20) * 1024 * 1024, parallel, rounds, holds: 0);
        return 0;
    }

    private static async Task RunCaseAsync(AzuriteInstance azurite, string label, int count, int size, int parallel, int rounds, int holds)
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
        var scanner = ActivatorUtilities.CreateInstance<BlobScanIngestService>(app.Services);

        // Warm-up (JIT, connection pools, Azurite's first writes), not counted: both paths once on a few blobs.
        var warm = await UploadAsync(uncounted, 0, Math.Min(count, 20), size, parallel);
        await RawReadHashAndWriteAsync(azurite.ConnectionString, storage.CctvContainer, warm, parallel);
        await scanner.ScanOnceAsync(checkpoint: null, default);
        var offset = warm.Count;

        // Rounds on fresh blobs, the two paths in alternating order, so neither always pays (or profits from) going
        // first on a shared machine; the ratio is of the medians.
        var megabytes = (double)count * size / (1024 * 1024);
        var rawTimes = new List<double>();
        var ingestTimes = new List<double>();
        requests.Reset();
        for (var round = 0; round < rounds; round++)
        {
            var names = await UploadAsync(uncounted, offset, count, size, parallel);
            offset += count;
            var raw = TimeSpan.Zero;
            var counted = requests.Total;
            if (round % 2 == 1)
            {
                raw = await TimeAsync(() => RawReadHashAndWriteAsync(azurite.ConnectionString, storage.CctvContainer, names, parallel));
            }

            var ingest = await TimeAsync(() => scanner.ScanOnceAsync(checkpoint: null, default));
            if (round % 2 == 0)
            {
                raw = await TimeAsync(() => RawReadHashAndWriteAsync(azurite.ConnectionString, storage.CctvContainer, names, parallel));
            }

            rawTimes.Add(raw.TotalSeconds);
            ingestTimes.Add(ingest.TotalSeconds);
            Console.WriteLine($"  round {round + 1} ({(round % 2 == 0 ? "ingest first" : "raw first")}): ingest {ingest.TotalSeconds:0.00} s, raw {raw.TotalSeconds:0.00} s, " +
                              $"ratio {raw.TotalSeconds / ingest.TotalSeconds:0.00}, {(requests.Total - counted) / (double)count:0.00} requests per medium");
        }

        var indexed = await CountIndexedAsync(app.Services, storage.MediaTable);
        var ingestMedian = Median(ingestTimes);
        var rawMedian = Median(rawTimes);
        Console.WriteLine($"{label}: {rounds} rounds of {count} x {size / 1024.0:0.#} KiB ({megabytes:0.#} MB), indexed {indexed}/{offset}; " +
                          $"store after: {offset} blobs, {await CountRowsAsync(azurite, storage.MediaTable)} media rows, 0 holds");
        Console.WriteLine($"  runner ingest : {count / ingestMedian,8:0.0} clips/s {megabytes / ingestMedian,8:0.0} MB/s (median {ingestMedian:0.00} s)");
        Console.WriteLine($"  raw baseline  : {count / rawMedian,8:0.0} clips/s {megabytes / rawMedian,8:0.0} MB/s (median {rawMedian:0.00} s)  read + SHA-256 each blob, write one table row");
        Console.WriteLine($"  ratio         : {rawMedian / ingestMedian:0.00} of raw throughput (medians; per round {string.Join(", ", rawTimes.Zip(ingestTimes, (r, i) => (r / i).ToString("0.00")))})");
        Console.WriteLine($"  requests      : {requests.Total / (double)(rounds * count):0.00} per new medium ({requests.Describe(rounds * count)}); the raw baseline makes 2");
        if (indexed != offset)
        {
            throw new InvalidOperationException($"only {indexed} of {offset} clips were indexed");
        }

        if (holds > 0)
        {
            // Half active, half released; none covers the clips, so the figure is what holds cost ingest by their number.
            await CreateHoldsAsync(app.Services.GetRequiredService<IHoldStore>(), holds);
            var second = await UploadAsync(uncounted, offset, count, size, parallel);
            requests.Reset();
            var withHolds = await TimeAsync(() => scanner.ScanOnceAsync(checkpoint: null, default));
            indexed = await CountIndexedAsync(app.Services, storage.MediaTable);
            Console.WriteLine($"{label} with {holds:N0} holds ({holds / 2:N0} active, {holds - holds / 2:N0} released): {second.Count} more; store after: {offset + count} blobs, " +
                              $"{await CountRowsAsync(azurite, storage.MediaTable)} media rows, {holds:N0} holds");
            Console.WriteLine($"  runner ingest : {count / withHolds.TotalSeconds,8:0.0} clips/s ({withHolds.TotalSeconds:0.00} s)");
            Console.WriteLine($"  requests      : {requests.Total / (double)count:0.00} per new medium ({requests.Describe(count)})");
            if (indexed != offset + count)
            {
                throw new InvalidOperationException($"only {indexed} of {offset + count} clips were indexed");
            }
        }

        await app.DisposeAsync();
    }

    /// <summary>Half active, half released; each on a site no clip uses.</summary>
    internal static async Task CreateHoldsAsync(IHoldStore store, int count)
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
                           .QueryAsync<TableEntity>($"PartitionKey ge 'm|' and PartitionKey lt 'm|~' and RowKey lt '{MediaRetention.Core.Media.MediaTableLayout.NameRowPrefix}'", select: ["RowKey"]))
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
        // Recorded yesterday, so Ingest:PastTolerance accepts them whenever the benchmark runs.
        var start = DateTimeOffset.UtcNow.Date.AddDays(-1);
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

    /// <summary>
    /// What each kind of request ingest makes costs on this Azurite at the same parallelism (4 KiB blobs, rows the size
    /// of a clip's record): the throughput ratio that request counts alone predict, to read the measured ratio against.
    /// </summary>
    private static async Task PrintRequestCostsAsync(AzuriteInstance azurite, int samples, int parallel)
    {
        var service = new BlobServiceClient(azurite.ConnectionString);
        var container = service.GetBlobContainerClient("cost" + Guid.NewGuid().ToString("N")[..8]);
        await container.CreateAsync();
        var table = new TableServiceClient(azurite.ConnectionString).GetTableClient("cost" + Guid.NewGuid().ToString("N")[..8]);
        await table.CreateAsync();
        var names = await UploadAsync(container, 0, samples, 4 * 1024, parallel);
        var padding = new string('x', 900); // a record row carries ~1 KB of properties
        TableEntity Row(string partition, string key) => new(partition, key) { ["Name"] = key, ["Sha256"] = padding[..64], ["Extra"] = padding };

        async Task<double> PerSecondAsync(Func<int, CancellationToken, Task> request)
        {
            var watch = Stopwatch.StartNew();
            await Parallel.ForEachAsync(Enumerable.Range(0, samples), new ParallelOptions { MaxDegreeOfParallelism = parallel },
                async (i, ct) => await request(i, ct));
            return samples / watch.Elapsed.TotalSeconds;
        }

        await PerSecondAsync(async (i, ct) => await table.UpsertEntityAsync(Row("warm", i.ToString("D6")), cancellationToken: ct)); // JIT, pools
        var download = await PerSecondAsync(async (i, ct) =>
        {
            var result = await container.GetBlobClient(names[i]).DownloadContentAsync(ct);
            SHA256.HashData(result.Value.Content.ToMemory().Span);
        });
        var tags = await PerSecondAsync(async (i, ct) =>
            await container.GetBlobClient(names[i]).SetTagsAsync(new Dictionary<string, string> { ["held"] = "no" }, cancellationToken: ct));
        var upsert = await PerSecondAsync(async (i, ct) => await table.UpsertEntityAsync(Row("u", i.ToString("D6")), TableUpdateMode.Replace, ct));
        var batch = await PerSecondAsync(async (i, ct) => await table.SubmitTransactionAsync(
        [
            new TableTransactionAction(TableTransactionActionType.Add, Row("b" + (i % 16), i.ToString("D6"))),
            new TableTransactionAction(TableTransactionActionType.UpsertReplace, Row("b" + (i % 16), "n|" + i.ToString("D6"))),
        ], ct));
        var pointRead = await PerSecondAsync(async (i, ct) => await table.GetEntityIfExistsAsync<TableEntity>("u", i.ToString("D6"), cancellationToken: ct));

        // Ingest of a new clip: download, tags, 2 lookup upserts, the record transaction, ~0.6 version reads; raw: download + upsert.
        var ingestSeconds = (1 / download) + (1 / tags) + (2 / upsert) + (1 / batch) + (0.6 / pointRead);
        var rawSeconds = (1 / download) + (1 / upsert);
        Console.WriteLine($"request costs on this Azurite ({samples} each, parallelism {parallel}, store: {samples} blobs, {3 * samples} rows): " +
                          $"download+SHA-256 {download:0}/s, set tags {tags:0}/s, upsert {upsert:0}/s, 2-row transaction {batch:0}/s, point read {pointRead:0}/s");
        Console.WriteLine($"  ratio these costs predict for a request-bound emulator: {rawSeconds / ingestSeconds:0.00} (ingest {1 / ingestSeconds:0} clips/s, raw {1 / rawSeconds:0} clips/s)");
    }

    private static double Median(List<double> values)
    {
        var sorted = values.Order().ToList();
        return sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[(sorted.Count / 2) - 1] + sorted[sorted.Count / 2]) / 2;
    }

    private static async Task<TimeSpan> TimeAsync(Func<Task> action)
    {
        var watch = Stopwatch.StartNew();
        await action();
        return watch.Elapsed;
    }
}
