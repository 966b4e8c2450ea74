using System.Diagnostics;
using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json.Nodes;
using Azure.Storage;
using MediaRetention.Core.Audit;
using MediaRetention.Core.Evidence;
using MediaRetention.Core.Evidence.Signing;
using MediaRetention.Core.Holds;
using MediaRetention.Core.Ingest;
using MediaRetention.Core.Media;
using MediaRetention.Core.Storage;
using MediaRetention.Core.Telemetry;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace MediaRetention.Benchmarks;

/// <summary>
/// The evidence manifest of a hold covering 1 k and 100 k media, on in-memory fakes (a generated media index, the
/// real account-key SAS issuer, a counting audit log): peak managed heap, allocation and time of the old
/// whole-document manifest (BEFORE, the code main had, kept here only as the baseline) and of the streamed one
/// (AFTER, <see cref="BuildEvidenceManifestHandler"/>), plus index queries and audit appends per manifest page.
/// Also checks, at the smaller size, that both give the same canonical bytes and seal.
/// </summary>
internal static class EvidenceManifestBenchmark
{
    private static readonly DateTimeOffset Now = new(2026, 11, 27, 12, 0, 0, TimeSpan.Zero);
    private static readonly DateTimeOffset WindowStart = new(2026, 11, 1, 0, 0, 0, TimeSpan.Zero);

    public static async Task<int> RunAsync(string[] argv)
    {
        var args = new BenchmarkArgs(argv);
        var sizes = new[] { args.Int("small", 1_000), args.Int("large", 100_000) };
        Console.WriteLine($"evidence manifest on in-memory fakes (generated index, real account-key SAS links, counting audit), " +
                          $"{Environment.ProcessorCount} cores, page {EvidenceOptions.MaxManifestPageSize:N0} media; " +
                          "peak heap = managed heap above the start, sampled every ms (garbage included); after a GC = the largest heap a collection left:");
        var ok = await SameBytesAsync(Math.Min(sizes[0], 2_500));
        var peaks = new List<(string Path, int Items, double PeakMiB)>();
        foreach (var size in sizes)
        {
            // After first: the whole document's gigabyte heap would leave the collector tuned to it (larger gen0 budgets).
            var after = await MeasureAsync($"after (streamed)", size, StreamedAsync);
            var before = await MeasureAsync($"before (whole document)", size, WholeDocumentAsync);
            ok &= before.Items == size && after.Items == size;
            peaks.Add(("before", size, before.PeakMiB));
            peaks.Add(("after", size, after.PeakMiB));
        }

        foreach (var path in new[] { "before", "after" })
        {
            var (small, large) = (peaks.First(p => p.Path == path), peaks.Last(p => p.Path == path));
            Console.WriteLine($"  {path,-6} peak heap at {large.Items:N0} / at {small.Items:N0} items: {large.PeakMiB / Math.Max(small.PeakMiB, 0.01):0.0}x");
        }

        return ok ? 0 : 1;
    }

    private sealed record Run(int Items, long Bytes, int Pages, int IndexQueries, int AuditAppends);

    private sealed record Measured(int Items, double PeakMiB);

    private static async Task<Measured> MeasureAsync(string label, int size, Func<Fakes, Task<Run>> run)
    {
        var fakes = new Fakes(size);
        System.Runtime.GCSettings.LargeObjectHeapCompactionMode = System.Runtime.GCLargeObjectHeapCompactionMode.CompactOnce;
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        var startHeap = GC.GetTotalMemory(forceFullCollection: true);
        var allocatedBefore = GC.GetTotalAllocatedBytes(precise: true);
        var startAfterGc = GC.GetGCMemoryInfo(GCKind.Any).HeapSizeBytes;
        using var sampler = new PeakMemorySampler(TimeSpan.FromMilliseconds(1));
        var watch = Stopwatch.StartNew();
        var result = await run(fakes);
        watch.Stop();
        var (sampledPeak, sampledAfterGc) = sampler.StopBoth();
        var peak = Math.Max(startHeap, sampledPeak);
        var peakAfterGc = Math.Max(startAfterGc, sampledAfterGc);
        var allocated = GC.GetTotalAllocatedBytes(precise: true) - allocatedBefore;
        var peakMiB = (peak - startHeap) / (1024.0 * 1024);
        var afterGcMiB = Math.Max(0, peakAfterGc - startAfterGc) / (1024.0 * 1024);
        Console.WriteLine(
            $"  {size,7:N0} items {label,-24}: peak heap +{peakMiB,7:0.0} MiB (after a GC +{afterGcMiB,6:0.0} MiB), allocated {allocated / (1024.0 * 1024),8:0.0} MiB, " +
            $"{watch.Elapsed.TotalMilliseconds,7:0} ms, {result.Bytes / (1024.0 * 1024),6:0.0} MiB sent; " +
            $"{result.Pages} pages: {result.IndexQueries} index queries, {result.AuditAppends} audit appends " +
            $"({result.IndexQueries / (double)Math.Max(result.Pages, 1):0.0} and {result.AuditAppends / (double)Math.Max(result.Pages, 1):0.00} requests per page)");
        return new Measured(result.Items, peakMiB);
    }

    private static async Task<Run> StreamedAsync(Fakes fakes)
    {
        var handler = fakes.Handler();
        var prepared = await handler.PrepareAsync(new BuildEvidenceManifestCommand(fakes.Hold, "bench", null), default);
        var manifest = await handler.WriteAsync(prepared, Stream.Null, default);
        return new Run(manifest.ItemCount, manifest.Bytes, manifest.Pages, fakes.Index.Queries, fakes.Audit.Appends);
    }

    /// <summary>
    /// BEFORE: the manifest as main built it until the streamed one replaced it (BuildEvidenceManifestHandler and
    /// EvidenceEndpoints.ManifestAsync): every item in a list, one JsonObject, signed, sealed, then the whole text and
    /// its UTF-8 bytes for the response. Kept only here, as the baseline.
    /// </summary>
    private static async Task<Run> WholeDocumentAsync(Fakes fakes)
    {
        var document = await WholeDocumentBodyAsync(fakes);
        await fakes.Signer.SignAsync(document, default);
        CanonicalJson.Seal(document);
        await fakes.Audit.AppendAsync(new AuditEvent("bench", AuditActions.EvidenceManifestIssued, "hold/" + fakes.Hold.Id), default);
        var bytes = Encoding.UTF8.GetBytes(document.ToJsonString());
        await Stream.Null.WriteAsync(bytes);
        var items = document["items"]!.AsArray().Count;
        return new Run(items, bytes.Length, (items + EvidenceOptions.MaxManifestPageSize - 1) / EvidenceOptions.MaxManifestPageSize,
            fakes.Index.Queries, fakes.Audit.Appends);
    }

    private static async Task<JsonObject> WholeDocumentBodyAsync(Fakes fakes)
    {
        var expiresAt = Now.AddHours(1);
        var items = new List<EvidenceItem>();
        await foreach (var media in fakes.Coverage.FindCoveredAsync(fakes.Hold.Scope, default))
        {
            items.Add(EvidenceItem.For(media, await fakes.Links.IssueReadLinkAsync(media.Container, media.BlobName, expiresAt, default)));
        }

        return EvidenceDocument.Body(fakes.Hold, Now, "bench", items);
    }

    /// <summary>The streamed bytes are the canonical form of the whole document, with the same seal for the same signature.</summary>
    private static async Task<bool> SameBytesAsync(int size)
    {
        var fakes = new Fakes(size);
        var handler = fakes.Handler();
        var output = new MemoryStream();
        var streamed = await handler.WriteAsync(await handler.PrepareAsync(new BuildEvidenceManifestCommand(fakes.Hold, "bench", null), default), output, default);
        var parsed = JsonNode.Parse(output.ToArray())!.AsObject();

        var whole = await WholeDocumentBodyAsync(new Fakes(size));
        whole[ManifestSignature.Property] = parsed[ManifestSignature.Property]!.DeepClone();
        var canonical = CanonicalJson.Serialize(whole);
        CanonicalJson.Seal(whole);
        var text = Encoding.UTF8.GetString(output.ToArray());
        var trailer = $",\"{CanonicalJson.DocumentHashProperty}\":\"{streamed.DocumentSha256}\"}}";
        var same = text.EndsWith(trailer, StringComparison.Ordinal)
            && text[..^trailer.Length] + "}" == canonical
            && whole[CanonicalJson.DocumentHashProperty]!.GetValue<string>() == streamed.DocumentSha256
            && CanonicalJson.IsIntact(parsed);
        Console.WriteLine($"  {size:N0} items: streamed bytes = canonical whole document, same seal: {(same ? "yes" : "NO")}");
        return same;
    }

    /// <summary>A fixed clock, so both paths write the same generatedAt and link expiries.</summary>
    private sealed class FixedTime : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => Now;
    }

    private sealed class Fakes
    {
        private static readonly ServiceProvider Services = new ServiceCollection().AddMetrics().BuildServiceProvider();

        public Fakes(int size)
        {
            Index = new GeneratedIndex(size);
            Coverage = new HoldCoverage(Index);
            Links = new AccountKeySasLinkIssuer(new Uri("https://bench.blob.core.windows.net/"),
                new StorageSharedKeyCredential("bench", Convert.ToBase64String(new byte[64])), Time);
        }

        public static TimeProvider Time { get; } = new FixedTime();

        public GeneratedIndex Index { get; }

        public HoldCoverage Coverage { get; }

        public IEvidenceLinkIssuer Links { get; }

        public CountingAudit Audit { get; } = new();

        public IManifestSigner Signer { get; } = new EcdsaManifestSigner(new EphemeralSigningKeyStore());

        public Hold Hold { get; } = new()
        {
            Id = "0190bench0000000000000000000000",
            CaseNumber = "OPD-2026-100000",
            Reason = "A month of one site",
            RequestedBy = new RequestedBy("oslo-pd", "Insp. Hansen"),
            Agency = "oslo-pd",
            PlacedBy = "security",
            PlacedAt = WindowStart,
            Status = HoldStatus.Active,
            Scope = new HoldScope { Type = HoldScope.CctvType, Site = "oslo-1", From = WindowStart, To = Now },
        };

        public BuildEvidenceManifestHandler Handler() => new(Coverage, Links, Audit,
            Options.Create(new EvidenceOptions { LinkLifetime = TimeSpan.FromHours(1) }), Time,
            new MediaRetentionTelemetry(Services.GetRequiredService<System.Diagnostics.Metrics.IMeterFactory>()), Signer);
    }

    /// <summary>The site's clips, made page by page as the table would return them: the fake itself keeps none.</summary>
    private sealed class GeneratedIndex(int count) : IMediaIndex
    {
        public int Queries { get; private set; }

        public Task<MediaPage> QueryAsync(MediaQuery query, string? continuationToken, int pageSize, CancellationToken cancellationToken)
        {
            Queries++;
            var offset = continuationToken is null ? 0 : int.Parse(continuationToken, CultureInfo.InvariantCulture);
            var end = Math.Min(count, offset + pageSize);
            var items = Enumerable.Range(offset, end - offset).Select(Clip).ToList();
            return Task.FromResult(new MediaPage(items, end < count ? end.ToString(CultureInfo.InvariantCulture) : null));
        }

        private static MediaRecord Clip(int i)
        {
            var at = WindowStart.AddSeconds(i * 10);
            var name = $"oslo-1/cam-{i % 16:D2}/{UploadContract.FormatTimestamp(at)}.mp4";
            return new MediaRecord
            {
                Id = MediaId.For("cctv", name), Kind = MediaKind.Cctv, Container = "cctv", BlobName = name, Status = MediaStatus.Indexed,
                Site = "oslo-1", Camera = $"cam-{i % 16:D2}", RecordedAt = at, UploadedAt = at, IndexedAt = at, Size = 8_000_000 + i,
                Sha256 = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(BitConverter.GetBytes(i))), ETag = "\"e\"",
            };
        }

        public Task<StoredMedia?> GetAsync(string id, CancellationToken cancellationToken) => throw new NotSupportedException();

        public Task<bool> TrySaveAsync(MediaRecord record, StoredMedia? previous, CancellationToken cancellationToken) => throw new NotSupportedException();

        public Task RepairLookupRowsAsync(StoredMedia stored, CancellationToken cancellationToken) => throw new NotSupportedException();

        public IAsyncEnumerable<MediaScanPage> ScanRetainedBeforeAsync(
            string kind, DateTimeOffset before, int pageSize, RowKeyPair? after, CancellationToken cancellationToken) => throw new NotSupportedException();

        public Task RemoveAsync(IReadOnlyList<MediaRecord> records, CancellationToken cancellationToken) => throw new NotSupportedException();

        public IAsyncEnumerable<(string Id, string ETag)> ListRecordVersionsAsync(CancellationToken cancellationToken) => throw new NotSupportedException();

        public IAsyncEnumerable<IndexedName> ListNamesAsync(string container, string? fromBlobName, CancellationToken cancellationToken) =>
            throw new NotSupportedException();

        public Task RepairNameRowAsync(MediaRecord record, CancellationToken cancellationToken) => throw new NotSupportedException();

        public Task<(IReadOnlyList<StoredMedia> Rows, string? ContinuationToken)> ListCallRecordsAsync(string? continuationToken, int pageSize, CancellationToken cancellationToken) =>
            throw new NotSupportedException();
    }

    private sealed class CountingAudit : IAuditLog
    {
        public int Appends { get; private set; }

        public Task<AuditEntry> AppendAsync(AuditEvent auditEvent, CancellationToken cancellationToken)
        {
            Appends++;
            return Task.FromResult(new AuditEntry(Appends, Now, auditEvent.Actor, auditEvent.Action, auditEvent.Target,
                auditEvent.Details ?? new Dictionary<string, string?>(), AuditHash.Genesis, AuditHash.Genesis));
        }

        public Task<IReadOnlyList<AuditEntry>> AppendManyAsync(IReadOnlyList<AuditEvent> events, CancellationToken cancellationToken) => throw new NotSupportedException();

        public Task<AuditPage> QueryAsync(DateTimeOffset? from, DateTimeOffset? to, string? continuationToken, int pageSize, CancellationToken cancellationToken) =>
            throw new NotSupportedException();

        public Task<AuditVerification> VerifyAsync(CancellationToken cancellationToken) => throw new NotSupportedException();
    }
}
