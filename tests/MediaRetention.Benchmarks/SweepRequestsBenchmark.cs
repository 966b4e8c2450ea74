using System.Diagnostics;
using System.Runtime.CompilerServices;
using Azure.Data.Tables;
using Azure.Storage.Blobs;
using MediaRetention.Core.Ingest;
using MediaRetention.Core.Media;
using MediaRetention.Core.Retention;
using MediaRetention.Core.Storage;
using MediaRetention.Runner;
using MediaRetention.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace MediaRetention.Benchmarks;

/// <summary>
/// What a sweep costs in storage requests (counted at the client) and memory:
/// <list type="number">
/// <item>On Azurite with M media stored: a sweep with nothing expired between full reconciles, a full reconcile (what
/// every sweep cost before Retention:FullReconcileInterval), and a sweep deleting E expired media, per deleted medium.</item>
/// <item>On in-memory fakes of the blob store and the index (no data held: names are generated as listed) at 100 k and
/// 1 M media: the full reconcile's peak managed memory, beside the id→ETag map the previous reconcile loaded.</item>
/// </list>
/// </summary>
internal static class SweepRequestsBenchmark
{
    /// <summary>Hosts need a phone-hash key ring to start; the benchmark's clips are CCTV, so any key does.</summary>
    public static readonly string BenchPhoneHashKey =
        "--PhoneHash:Keys:0=bench:" + Convert.ToBase64String(System.Security.Cryptography.SHA256.HashData("MediaRetention benchmark key"u8.ToArray()));

    public static async Task<int> RunAsync(string[] argv)
    {
        var args = new BenchmarkArgs(argv);
        var media = args.Int("media", 2_000);
        var expired = args.Int("expired", 200);
        var holds = args.Int("holds", 10_000);
        var fakeSizes = new[] { args.Int("fake-small", 100_000), args.Int("fake-large", 1_000_000) };
        var failed = false;
        await using (var azurite = await AzuriteInstance.StartAsync())
        {
            failed |= !await OnAzuriteAsync(azurite, media, expired, holds);
        }

        Console.WriteLine($"sweep memory on fakes (full reconcile, every blob matched), {Environment.ProcessorCount} cores:");
        long? first = null;
        foreach (var size in fakeSizes)
        {
            var (peak, mapBytes, seconds) = await FullReconcileOnFakesAsync(size);
            first ??= peak;
            Console.WriteLine($"  {size,9:N0} media: peak {peak / 1048576.0,6:0.0} MiB above baseline during the sweep ({seconds:0.0} s, {size / seconds:N0} blobs/s); " +
                              $"before: the id->ETag map alone {mapBytes / 1048576.0,7:0.0} MiB");
        }

        return failed ? 1 : 0;
    }

    private static async Task<bool> OnAzuriteAsync(AzuriteInstance azurite, int media, int expired, int holds)
    {
        var counter = new StorageRequestCounter();
        var app = RunnerApp.Build(
            [
                $"--MediaStorage={azurite.ConnectionString}", "--Logging:LogLevel:Default=Warning", "--Retention:IngestSettleTime=00:00:00",
                "--Ingest:PastTolerance=3650.00:00:00", "--Retention:FullReconcileInterval=1.00:00:00", BenchPhoneHashKey,
            ],
            builder =>
            {
                builder.Services.AddSingleton(new BlobServiceClient(azurite.ConnectionString, counter.BlobOptions()));
                builder.Services.AddSingleton(new TableServiceClient(azurite.ConnectionString, counter.TableOptions()));
            });
        await using var _ = app;
        var services = app.Services;
        await services.GetRequiredService<StorageProvisioner>().EnsureCreatedAsync(default);
        var storage = services.GetRequiredService<IOptions<MediaStorageOptions>>().Value;
        var blobs = services.GetRequiredService<BlobServiceClient>();
        var container = blobs.GetBlobContainerClient(storage.CctvContainer);
        var ingest = services.GetRequiredService<IngestBlobHandler>();
        var sweeper = services.GetRequiredService<RetentionSweepHandler>();
        Console.WriteLine($"sweep requests on Azurite 127.0.0.1:{azurite.BlobPort}, {Environment.ProcessorCount} cores:");

        await UploadAndIngestAsync(container, ingest, storage.CctvContainer, "kept", media, DateTimeOffset.UtcNow.AddDays(-2));
        var (_, warm) = await SweepCountedAsync(sweeper, counter); // the first sweep ever reconciles in full
        Console.WriteLine($"  store {media:N0} blobs, {media:N0} media: full reconcile (before: every sweep) {warm.Requests,6} requests = {warm.Describe}");
        var (quiet, idle) = await SweepCountedAsync(sweeper, counter);
        Console.WriteLine($"  store {media:N0} blobs, {media:N0} media: sweep, nothing expired   {idle.Requests,6} requests = {idle.Describe} (full reconcile: {quiet.FullReconcile})");

        await UploadAndIngestAsync(container, ingest, storage.CctvContainer, "old", expired, DateTimeOffset.UtcNow.AddDays(-40));
        var (deleting, cost) = await SweepCountedAsync(sweeper, counter);
        var perDeleted = (cost.Requests - idle.Requests) / (double)Math.Max(1, deleting.Deleted);
        Console.WriteLine($"  store {media + expired:N0} blobs: sweep deleting {deleting.Deleted} media        {cost.Requests,6} requests = {cost.Describe}");
        Console.WriteLine($"  per deleted medium: {perDeleted:0.00} requests (above the {idle.Requests} of a sweep with nothing to do)");
        var ok = deleting.Deleted == expired && deleting.Failures == 0 && !quiet.FullReconcile && quiet.Reconciled == 0;
        if (holds == 0)
        {
            return ok;
        }

        // The same with many holds: the sweep reads the active ones (a page per 1,000), released ones cost nothing.
        await IngestBenchmark.CreateHoldsAsync(services.GetRequiredService<MediaRetention.Core.Holds.IHoldStore>(), holds);
        var (_, idleHeld) = await SweepCountedAsync(sweeper, counter);
        Console.WriteLine($"  store {media:N0} blobs, {holds:N0} holds ({holds / 2:N0} active): sweep, nothing expired {idleHeld.Requests,6} requests = {idleHeld.Describe}");
        await UploadAndIngestAsync(container, ingest, storage.CctvContainer, "older", expired, DateTimeOffset.UtcNow.AddDays(-41));
        var (deletingHeld, costHeld) = await SweepCountedAsync(sweeper, counter);
        var perDeletedHeld = (costHeld.Requests - idleHeld.Requests) / (double)Math.Max(1, deletingHeld.Deleted);
        Console.WriteLine($"  store {media + expired:N0} blobs, {holds:N0} holds: sweep deleting {deletingHeld.Deleted} media {costHeld.Requests,6} requests = {costHeld.Describe}");
        Console.WriteLine($"  per deleted medium with {holds:N0} holds: {perDeletedHeld:0.00} requests (above the {idleHeld.Requests} of a sweep with nothing to do)");
        return ok && deletingHeld.Deleted == expired && deletingHeld.Failures == 0;
    }

    private static async Task<(SweepSummary Summary, (long Requests, string Describe) Cost)> SweepCountedAsync(RetentionSweepHandler sweeper, StorageRequestCounter counter)
    {
        counter.Reset();
        var summary = await sweeper.SweepAsync("benchmark", default);
        return (summary, (counter.Total, counter.Describe()));
    }

    private static async Task UploadAndIngestAsync(BlobContainerClient container, IngestBlobHandler ingest, string name, string site, int count, DateTimeOffset start)
    {
        var content = new byte[1024];
        Random.Shared.NextBytes(content);
        var names = Enumerable.Range(0, count).Select(i => $"{site}/cam-{i % 5}/{UploadContract.FormatTimestamp(start.AddSeconds(i))}.mp4").ToList();
        await Parallel.ForEachAsync(names, new ParallelOptions { MaxDegreeOfParallelism = 16 }, async (blob, ct) =>
        {
            await container.GetBlobClient(blob).UploadAsync(new BinaryData(content), ct);
            await ingest.HandleAsync(new IngestBlobCommand(name, blob), ct);
        });
    }

    /// <summary>A full reconcile over <paramref name="size"/> generated media that the index all knows; nothing expires.</summary>
    private static async Task<(long Peak, long MapBytes, double Seconds)> FullReconcileOnFakesAsync(int size)
    {
        await using var azurite = await AzuriteInstance.StartAsync(); // holds, audit and the checkpoint: a few rows
        var fake = new GeneratedMedia(size);
        var app = RunnerApp.Build(
            [
                $"--MediaStorage={azurite.ConnectionString}", "--Logging:LogLevel:Default=Warning",
                "--Retention:FullReconcileInterval=00:00:00", BenchPhoneHashKey,
            ],
            builder =>
            {
                builder.Services.AddSingleton<IMediaBlobStore>(fake);
                builder.Services.AddSingleton<IMediaIndex>(fake);
            });
        await using var _ = app;
        await app.Services.GetRequiredService<StorageProvisioner>().EnsureCreatedAsync(default);
        var sweeper = app.Services.GetRequiredService<RetentionSweepHandler>();

        GC.Collect();
        GC.WaitForPendingFinalizers();
        var baseline = GC.GetTotalMemory(forceFullCollection: true);
        using var sampler = new PeakMemorySampler();
        var watch = Stopwatch.StartNew();
        var summary = await sweeper.SweepAsync("benchmark", default);
        var seconds = watch.Elapsed.TotalSeconds;
        var peak = sampler.Stop() - baseline;
        if (summary.Reconciled != 0 || fake.PointReads != 0)
        {
            throw new InvalidOperationException($"the merge missed matches: {summary.Reconciled} reconciled, {fake.PointReads} point reads");
        }

        // The previous reconcile's id -> ETag map of every medium, built the way it was, measured.
        GC.Collect();
        var before = GC.GetTotalMemory(forceFullCollection: true);
        var map = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var i = 0; i < size; i++)
        {
            var (name, etag) = GeneratedMedia.At(i);
            map[MediaId.For(GeneratedMedia.Container, name)] = etag;
        }

        var mapBytes = GC.GetTotalMemory(forceFullCollection: true) - before;
        GC.KeepAlive(map);
        return (peak, mapBytes, seconds);
    }

    /// <summary>
    /// <paramref name="count"/> CCTV blobs, all indexed, generated on demand in name order: the store and the index as
    /// the sweep sees them, with nothing held in memory.
    /// </summary>
    private sealed class GeneratedMedia(int count) : IMediaBlobStore, IMediaIndex
    {
        public const string Container = "cctv";
        private const int ListPageSize = 5000;
        private int pointReads;

        public int PointReads => pointReads;

        /// <summary>The i-th blob in name order: 1,000 sites of 10 cameras, one clip a minute.</summary>
        public static (string Name, string ETag) At(int i)
        {
            var start = new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
            var site = i % 1000;
            var camera = i / 1000 % 10;
            var clip = i / 10_000;
            return ($"site-{site:D4}/cam-{camera:D2}/{UploadContract.FormatTimestamp(start.AddMinutes(clip))}.mp4", $"\"0x{i:X8}\"");
        }

        /// <summary>Indexes in name order (site, camera, clip), for a listing that must come sorted.</summary>
        private IEnumerable<int> InNameOrder()
        {
            var clips = (count + 9_999) / 10_000;
            for (var site = 0; site < 1000; site++)
            {
                for (var camera = 0; camera < 10; camera++)
                {
                    for (var clip = 0; clip < clips; clip++)
                    {
                        var i = (clip * 10_000) + (camera * 1000) + site;
                        if (i < count)
                        {
                            yield return i;
                        }
                    }
                }
            }
        }

        public async IAsyncEnumerable<BlobListPage> ListPagesAsync(string container, string? continuation, [EnumeratorCancellation] CancellationToken cancellationToken)
        {
            if (container != Container)
            {
                yield break;
            }

            var page = new List<BlobSnapshot>(ListPageSize);
            foreach (var i in InNameOrder())
            {
                var (name, etag) = At(i);
                page.Add(new BlobSnapshot(Container, name, etag, 1024, DateTimeOffset.UnixEpoch, "video/mp4", new Dictionary<string, string>()));
                if (page.Count == ListPageSize)
                {
                    yield return new BlobListPage(page, "more");
                    page = new List<BlobSnapshot>(ListPageSize);
                    await Task.Yield();
                }
            }

            yield return new BlobListPage(page, null);
        }

        public async IAsyncEnumerable<IndexedName> ListNamesAsync(string container, string? fromBlobName, [EnumeratorCancellation] CancellationToken cancellationToken)
        {
            if (container != Container)
            {
                yield break;
            }

            foreach (var i in InNameOrder())
            {
                var (name, etag) = At(i);
                yield return new IndexedName(MediaTableLayout.NameRowKey(container, name)!, MediaId.For(container, name), etag);
            }

            await Task.CompletedTask;
        }

        public Task<StoredMedia?> GetAsync(string id, CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref pointReads);
            return Task.FromResult<StoredMedia?>(null);
        }

        public IAsyncEnumerable<MediaScanPage> ScanRetainedBeforeAsync(string kind, DateTimeOffset before, int pageSize, RowKeyPair? after, CancellationToken cancellationToken) =>
            AsyncEnumerable.Empty<MediaScanPage>();

        public Task RepairNameRowAsync(MediaRecord record, CancellationToken cancellationToken) => Task.CompletedTask;

        public Task<BlobSnapshot?> GetPropertiesAsync(string container, string name, CancellationToken cancellationToken) => throw Unused();
        public Task<Stream> OpenReadAsync(string container, string name, string etag, CancellationToken cancellationToken) => throw Unused();
        public Task<(BlobSnapshot Blob, Stream Content)> OpenReadWithPropertiesAsync(string container, string name, string etag, CancellationToken cancellationToken) => throw Unused();
        public IAsyncEnumerable<BlobSnapshot> ListAsync(string container, CancellationToken cancellationToken) => throw Unused();
        public Task<string> ReplaceMetadataAsync(string container, string name, IDictionary<string, string> metadata, string etag, CancellationToken cancellationToken) => throw Unused();
        public Task<BlobDeleteOutcome> DeleteIfUnchangedAndNotHeldAsync(string container, string name, string etag, CancellationToken cancellationToken) => throw Unused();
        public Task<bool> TrySaveAsync(MediaRecord record, StoredMedia? previous, CancellationToken cancellationToken) => throw Unused();
        public Task RepairLookupRowsAsync(StoredMedia stored, CancellationToken cancellationToken) => throw Unused();
        public Task<MediaPage> QueryAsync(MediaQuery query, string? continuationToken, int pageSize, CancellationToken cancellationToken) => throw Unused();
        public Task RemoveAsync(IReadOnlyList<MediaRecord> records, CancellationToken cancellationToken) => throw Unused();
        public IAsyncEnumerable<(string Id, string ETag)> ListRecordVersionsAsync(CancellationToken cancellationToken) => throw Unused();
        public Task<(IReadOnlyList<StoredMedia> Rows, string? ContinuationToken)> ListCallRecordsAsync(string? continuationToken, int pageSize, CancellationToken cancellationToken) => throw Unused();

        private static NotSupportedException Unused() => new("not used by a full reconcile where every blob is indexed");
    }
}
