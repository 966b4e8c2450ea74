using System.Threading.Channels;
using MediaRetention.Core.Media;
using MediaRetention.Core.Storage;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace MediaRetention.Core.Ingest;

/// <summary>What one scan looked at and did.</summary>
/// <param name="Listed">Blobs the listings returned.</param>
/// <param name="ListRequests">Listing pages requested (discovery included).</param>
/// <param name="Handled">Blobs handed to ingest and indexed (or found indexed already).</param>
/// <param name="Failed">Blobs ingest failed on; they are retried.</param>
/// <param name="Prefixes">Camera/phone-system prefixes listed.</param>
/// <param name="SawEverything">The scan listed every blob (the first one, or a full scan).</param>
public sealed record IngestScanResult(int Listed, int ListRequests, int Handled, int Failed, int Prefixes, bool SawEverything);

/// <summary>
/// The runner's stand-in for the blob trigger: finds new or changed blobs in the media containers and hands them to
/// ingest, at a cost that follows what is new rather than what is stored.
/// <list type="bullet">
/// <item>Discovery: a '/'-delimited listing of the top levels (sites, then cameras; phone systems) costs one request
/// per 5,000 prefixes, not per blob, and also returns the blobs stored above the contract's depth.</item>
/// <item>New blobs (<see cref="ScanNewAsync"/>, every poll): each camera or phone-system prefix is listed from its
/// checkpoint, the latest recording time seen in its names (never later than now), minus
/// <see cref="IngestOptions.ScanOverlap"/>. Names under a prefix sort by recording time, so what comes back is the
/// overlap window and what is new. A prefix seen for the first time is listed whole.</item>
/// <item>Everything (<see cref="ScanAllAsync"/>, every <see cref="IngestOptions.FullScanInterval"/>): the safety net
/// for what no prefix listing reaches, an upload named long before its camera's newest (a clock reset, a buffer
/// uploaded newest first) or a name outside the contract. Only blobs modified since the previous full scan are
/// looked at.</item>
/// </list>
/// Memory: the checkpoints (one per prefix), one listing page per prefix being listed, a bounded queue of blobs to
/// ingest and the bounded <see cref="SeenBlobCache"/>: none of it grows with the number of stored blobs. Ingest is
/// idempotent, so a blob handed twice (a restart, a full scan, several runners) is indexed once; one seen before costs
/// one index read.
/// </summary>
public sealed class IngestScanner(
    IBlobIngestor ingest,
    IMediaBlobListing listing,
    IIngestScanStateStore store,
    IOptions<MediaStorageOptions> storageOptions,
    IOptions<IngestOptions> ingestOptions,
    TimeProvider time,
    ILogger<IngestScanner> logger)
{
    /// <summary>Margin for the difference between this host's clock and the storage service's Last-Modified clock.</summary>
    public static readonly TimeSpan ClockSkewMargin = TimeSpan.FromMinutes(5);

    // Listings in flight at once: a poll's latency is about (sites + cameras) / this many round trips.
    private const int ListingParallelism = 8;

    // Blobs waiting for ingest: bounds memory when a listing returns far more than ingest keeps up with (a first scan).
    private const int QueueCapacity = 1024;

    private readonly Lock gate = new();
    private readonly Dictionary<(string Container, string Prefix), DateTimeOffset> resumeAt = new();

    // Blobs queued or being ingested by either scan: the other scan leaves them alone rather than race the same ingest.
    private readonly System.Collections.Concurrent.ConcurrentDictionary<(string Container, string Name), byte> inFlight = new();
    private DateTimeOffset? indexedBefore;
    private DateTimeOffset? lastFullScanStartedAt;
    private bool loaded;
    private bool changed;

    public SeenBlobCache Seen { get; } = new(ingestOptions.Value.ScanCacheSize);

    /// <summary>Prefixes with a checkpoint.</summary>
    public int CheckpointedPrefixes
    {
        get
        {
            lock (gate)
            {
                return resumeAt.Count;
            }
        }
    }

    /// <summary>Whether a full scan is due: never done, or the last one began a full-scan interval ago.</summary>
    public bool FullScanDue
    {
        get
        {
            lock (gate)
            {
                return lastFullScanStartedAt is not { } last || time.GetUtcNow() - last >= ingestOptions.Value.FullScanInterval;
            }
        }
    }

    /// <summary>Reads the persisted checkpoints (done by the first scan when not called).</summary>
    public async Task LoadAsync(CancellationToken cancellationToken)
    {
        var state = await store.ReadAsync(cancellationToken);
        lock (gate)
        {
            indexedBefore = state?.IndexedBefore;
            lastFullScanStartedAt = state?.LastFullScanStartedAt;
            resumeAt.Clear();
            foreach (var (container, prefixes) in state?.Prefixes ?? [])
            {
                foreach (var (prefix, at) in prefixes)
                {
                    resumeAt[(container, prefix)] = at;
                }
            }

            loaded = true;
            changed = false;
        }
    }

    /// <summary>Persists the checkpoints if a scan moved them since the last save; true when it wrote.</summary>
    public async Task<bool> SaveAsync(CancellationToken cancellationToken)
    {
        IngestScanState state;
        lock (gate)
        {
            if (!changed)
            {
                return false;
            }

            state = new IngestScanState(indexedBefore, lastFullScanStartedAt,
                resumeAt.GroupBy(p => p.Key.Container, StringComparer.Ordinal)
                    .ToDictionary(g => g.Key, g => g.ToDictionary(p => p.Key.Prefix, p => p.Value, StringComparer.Ordinal), StringComparer.Ordinal));
            changed = false;
        }

        try
        {
            await store.WriteAsync(state, cancellationToken);
            return true;
        }
        catch
        {
            lock (gate)
            {
                changed = true;
            }

            throw;
        }
    }

    /// <summary>Finds what is new: discovery, then each prefix from its checkpoint. See the type's remarks.</summary>
    public async Task<IngestScanResult> ScanNewAsync(CancellationToken cancellationToken)
    {
        if (!Volatile.Read(ref loaded))
        {
            await LoadAsync(cancellationToken);
        }

        var startedAt = time.GetUtcNow();
        var overlap = ingestOptions.Value.ScanOverlap;
        var pass = new PassProgress();
        var prefixes = new List<PrefixProgress>();
        await RunAsync(pass, async (queue, ct) =>
        {
            foreach (var container in storageOptions.Value.MediaContainers)
            {
                foreach (var prefix in await DiscoverAsync(container, queue, pass, ct))
                {
                    prefixes.Add(new PrefixProgress(container, prefix, ResumeAtOf(container, prefix)));
                }
            }

            await Parallel.ForEachAsync(prefixes,
                new ParallelOptions { MaxDegreeOfParallelism = ListingParallelism, CancellationToken = ct },
                async (prefix, token) =>
                {
                    var startFrom = prefix.ResumeAt is { } at ? StartFrom(prefix.Prefix, Min(at, startedAt), overlap) : null;
                    await foreach (var page in listing.ListFromAsync(prefix.Container, prefix.Prefix, startFrom, token))
                    {
                        pass.Page(page.Blobs.Count);
                        foreach (var blob in page.Blobs)
                        {
                            prefix.Saw(TimeOfName(prefix.Prefix, blob.Name));
                            await OfferAsync(queue, new Work(blob, prefix), pass, token);
                        }
                    }
                });
        }, cancellationToken);

        var sawEverything = prefixes.All(p => p.ResumeAt is null);
        lock (gate)
        {
            var live = prefixes.Select(p => (p.Container, p.Prefix)).ToHashSet();
            foreach (var gone in resumeAt.Keys.Where(k => !live.Contains(k)).ToList())
            {
                resumeAt.Remove(gone);
            }

            foreach (var prefix in prefixes)
            {
                if (prefix.NextResumeAt(startedAt) is { } next)
                {
                    resumeAt[(prefix.Container, prefix.Prefix)] = next;
                }
                else
                {
                    resumeAt.Remove((prefix.Container, prefix.Prefix));
                }
            }

            if (sawEverything && pass.NotDoneCount == 0)
            {
                // Every blob was listed and indexed: this was a full scan too.
                indexedBefore = startedAt - ClockSkewMargin;
                lastFullScanStartedAt = startedAt;
            }

            changed = true;
        }

        var result = pass.ToResult(prefixes.Count, sawEverything);
        logger.LogDebug("Ingest scan of {Prefixes} prefixes: {Listed} listed in {Requests} requests, {Handled} handled, {Failed} failed",
            result.Prefixes, result.Listed, result.ListRequests, result.Handled, result.Failed);
        return result;
    }

    /// <summary>
    /// Lists every blob and hands those modified since the previous full scan that this process has not seen indexed;
    /// then the next full scan looks only at what is modified after this one began.
    /// </summary>
    public async Task<IngestScanResult> ScanAllAsync(CancellationToken cancellationToken)
    {
        if (!Volatile.Read(ref loaded))
        {
            await LoadAsync(cancellationToken);
        }

        var startedAt = time.GetUtcNow();
        var pass = new PassProgress();
        await RunAsync(pass, async (queue, ct) =>
        {
            foreach (var container in storageOptions.Value.MediaContainers)
            {
                await foreach (var page in listing.ListFromAsync(container, "", null, ct))
                {
                    pass.Page(page.Blobs.Count);
                    foreach (var blob in page.Blobs)
                    {
                        await OfferAsync(queue, new Work(blob, null), pass, ct);
                    }
                }
            }
        }, cancellationToken);

        lock (gate)
        {
            // A blob that failed is looked at again by the next full scan: the instant stays before it.
            var covered = startedAt - ClockSkewMargin;
            indexedBefore = pass.OldestFailedModified is { } failed && failed < covered ? failed : covered;
            lastFullScanStartedAt = startedAt;
            changed = true;
        }

        var result = pass.ToResult(0, true);
        logger.LogInformation("Ingest full scan: {Listed} listed in {Requests} requests, {Handled} handled, {Failed} failed",
            result.Listed, result.ListRequests, result.Handled, result.Failed);
        return result;
    }

    /// <summary>
    /// The prefixes at the contract's depth (CCTV: site/camera/, calls: system/), by '/'-delimited listings; blobs stored
    /// above that depth (outside the contract) are offered on the way.
    /// </summary>
    private async Task<List<string>> DiscoverAsync(string container, ChannelWriter<Work> queue, PassProgress pass, CancellationToken cancellationToken)
    {
        var depth = storageOptions.Value.KindOfContainer(container) == MediaKind.Cctv ? 2 : 1;
        var level = new List<string> { "" };
        for (var d = 0; d < depth; d++)
        {
            var next = new List<string>();
            await Parallel.ForEachAsync(level,
                new ParallelOptions { MaxDegreeOfParallelism = ListingParallelism, CancellationToken = cancellationToken },
                async (prefix, ct) =>
                {
                    await foreach (var page in listing.ListLevelAsync(container, prefix, ct))
                    {
                        pass.Page(page.Blobs.Count);
                        lock (next)
                        {
                            next.AddRange(page.Prefixes);
                        }

                        foreach (var blob in page.Blobs)
                        {
                            await OfferAsync(queue, new Work(blob, null), pass, ct);
                        }
                    }
                });
            next.Sort(StringComparer.Ordinal);
            level = next;
        }

        return level;
    }

    /// <summary>Runs <paramref name="produce"/> while <see cref="IngestOptions.MaxParallelism"/> workers ingest what it offers.</summary>
    private async Task RunAsync(PassProgress pass, Func<ChannelWriter<Work>, CancellationToken, Task> produce, CancellationToken cancellationToken)
    {
        var queue = Channel.CreateBounded<Work>(new BoundedChannelOptions(QueueCapacity) { SingleWriter = false, SingleReader = false });
        var workers = Enumerable.Range(0, ingestOptions.Value.MaxParallelism)
            .Select(_ => Task.Run(() => IngestAllAsync(queue.Reader, pass, cancellationToken), cancellationToken))
            .ToList();
        try
        {
            await produce(queue.Writer, cancellationToken);
        }
        finally
        {
            queue.Writer.TryComplete();
            try
            {
                await Task.WhenAll(workers);
            }
            finally
            {
                // Left in the queue by a cancellation: no longer in flight.
                while (queue.Reader.TryRead(out var left))
                {
                    inFlight.TryRemove((left.Blob.Container, left.Blob.Name), out _);
                }
            }
        }
    }

    private async Task IngestAllAsync(ChannelReader<Work> queue, PassProgress pass, CancellationToken cancellationToken)
    {
        await foreach (var work in queue.ReadAllAsync(cancellationToken))
        {
            var blob = work.Blob;
            try
            {
                var result = await ingest.HandleAsync(IngestBlobCommand.Listed(blob), cancellationToken);

                // The version indexed (ingest minimises metadata, a new ETag) is the one the next listing shows.
                Seen.Add(blob.Container, blob.Name, result.Record?.ETag ?? blob.ETag);
                pass.Handled();
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                logger.LogError(e, "Could not index {Container}/{BlobName}; it is retried next scan", blob.Container, NameMasking.BlobName(blob.Name));
                pass.Failed(blob);
                work.Prefix?.Failed(TimeOfName(work.Prefix.Prefix, blob.Name));
            }
            finally
            {
                inFlight.TryRemove((blob.Container, blob.Name), out _);
            }
        }
    }

    private ValueTask OfferAsync(ChannelWriter<Work> queue, Work work, PassProgress pass, CancellationToken cancellationToken)
    {
        var blob = work.Blob;
        DateTimeOffset? before;
        lock (gate)
        {
            before = indexedBefore;
        }

        if (blob.LastModified < before || Seen.Contains(blob.Container, blob.Name, blob.ETag))
        {
            return ValueTask.CompletedTask;
        }

        if (!inFlight.TryAdd((blob.Container, blob.Name), 0))
        {
            // The other scan is ingesting it; until that is known to succeed, this scan counts it as not done, so
            // neither its checkpoint nor its IndexedBefore passes it.
            pass.Deferred(blob);
            work.Prefix?.Failed(TimeOfName(work.Prefix.Prefix, blob.Name));
            return ValueTask.CompletedTask;
        }

        return WriteAsync(queue, work, cancellationToken);
    }

    private async ValueTask WriteAsync(ChannelWriter<Work> queue, Work work, CancellationToken cancellationToken)
    {
        try
        {
            await queue.WriteAsync(work, cancellationToken);
        }
        catch
        {
            inFlight.TryRemove((work.Blob.Container, work.Blob.Name), out _);
            throw;
        }
    }

    private DateTimeOffset? ResumeAtOf(string container, string prefix)
    {
        lock (gate)
        {
            return resumeAt.TryGetValue((container, prefix), out var at) ? at : null;
        }
    }

    /// <summary>The name a prefix's listing starts at: the prefix and the contract's timestamp of the window's start.</summary>
    internal static string? StartFrom(string prefix, DateTimeOffset resumeAt, TimeSpan overlap) =>
        resumeAt - DateTimeOffset.MinValue > overlap ? prefix + UploadContract.FormatTimestamp(resumeAt - overlap) : null;

    /// <summary>The recording time a name under <paramref name="prefix"/> starts with, if it follows the contract.</summary>
    internal static DateTimeOffset? TimeOfName(string prefix, string name) =>
        name.Length >= prefix.Length + 16 && UploadContract.TryParseTimestamp(name.AsSpan(prefix.Length, 16), out var at) ? at : null;

    private static DateTimeOffset Min(DateTimeOffset a, DateTimeOffset b) => a < b ? a : b;

    private sealed record Work(BlobSnapshot Blob, PrefixProgress? Prefix);

    private sealed class PassProgress
    {
        private readonly Lock gate = new();
        private int listed;
        private int requests;
        private int handled;
        private int failed;
        private int deferred;

        public DateTimeOffset? OldestFailedModified { get; private set; }

        /// <summary>Blobs not known done: failed, or left to the other scan.</summary>
        public int NotDoneCount
        {
            get
            {
                lock (gate)
                {
                    return failed + deferred;
                }
            }
        }

        public void Page(int blobs)
        {
            lock (gate)
            {
                requests++;
                listed += blobs;
            }
        }

        public void Handled()
        {
            lock (gate)
            {
                handled++;
            }
        }

        public void Failed(BlobSnapshot blob)
        {
            lock (gate)
            {
                failed++;
                OldestFailedModified = OldestFailedModified is { } oldest && oldest < blob.LastModified ? oldest : blob.LastModified;
            }
        }

        /// <summary>Left to the other scan, which was ingesting it: not known done, like a failure, but no error.</summary>
        public void Deferred(BlobSnapshot blob)
        {
            lock (gate)
            {
                deferred++;
                OldestFailedModified = OldestFailedModified is { } oldest && oldest < blob.LastModified ? oldest : blob.LastModified;
            }
        }

        public IngestScanResult ToResult(int prefixes, bool sawEverything)
        {
            lock (gate)
            {
                return new IngestScanResult(listed, requests, handled, failed, prefixes, sawEverything);
            }
        }
    }

    /// <summary>One prefix's listing in a scan: the latest recording time seen, and what failed.</summary>
    private sealed class PrefixProgress(string container, string prefix, DateTimeOffset? resumeAt)
    {
        private readonly Lock gate = new();
        private DateTimeOffset? latest;
        private DateTimeOffset? earliestFailed;
        private bool failedWithoutTime;

        public string Container { get; } = container;

        public string Prefix { get; } = prefix;

        /// <summary>The checkpoint the scan started from; null: listed whole.</summary>
        public DateTimeOffset? ResumeAt { get; } = resumeAt;

        public void Saw(DateTimeOffset? recordedAt)
        {
            if (recordedAt is not { } at)
            {
                return;
            }

            lock (gate)
            {
                latest = latest is { } l && l > at ? l : at;
            }
        }

        public void Failed(DateTimeOffset? recordedAt)
        {
            lock (gate)
            {
                if (recordedAt is { } at)
                {
                    earliestFailed = earliestFailed is { } e && e < at ? e : at;
                }
                else
                {
                    failedWithoutTime = true;
                }
            }
        }

        /// <summary>
        /// The next checkpoint: the latest recording time seen, but never after the scan began (a clock running ahead
        /// must not hide the camera's next clips) and never after a blob that failed (so the next listing retries it).
        /// Null: list the prefix whole again.
        /// </summary>
        public DateTimeOffset? NextResumeAt(DateTimeOffset startedAt)
        {
            lock (gate)
            {
                if (failedWithoutTime)
                {
                    return ResumeAt; // the same range again, whatever sorts where
                }

                var next = latest is { } l && (ResumeAt is not { } r || l > r) ? l : ResumeAt;
                if (next is { } n && n > startedAt)
                {
                    next = startedAt;
                }

                return earliestFailed is { } f && next is { } m && f < m ? f : next;
            }
        }
    }
}
