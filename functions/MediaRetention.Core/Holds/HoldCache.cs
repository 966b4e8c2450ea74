using Microsoft.Extensions.Options;

namespace MediaRetention.Core.Holds;

/// <summary>
/// The active holds, kept in this host and revalidated with one point read of the holds version
/// (<see cref="IHoldStore.GetVersionAsync"/>) instead of reading every hold row: ingest and the media API pay one small
/// read, however many holds there are. Reloaded whole when the version moved (or the copy is older than
/// <see cref="HoldOptions.CacheMaxAge"/>). Never used for a deletion decision: the retention sweep reads the holds
/// themselves.
/// </summary>
public sealed class HoldCache(IHoldStore store, IOptions<HoldOptions> options, TimeProvider time) : IDisposable
{
    private readonly SemaphoreSlim gate = new(1, 1);
    private Entry? entry;
    private long readsStarted;
    private long lastReadNumber;

    private sealed record Entry(string? Version, ActiveHolds Holds, DateTimeOffset LoadedAt);

    public void Dispose() => gate.Dispose();

    /// <summary>Number of times the holds were loaded whole (for tests and benchmarks).</summary>
    public long Reloads { get; private set; }

    /// <summary>
    /// The active holds as of a version read that began after this call: every hold whose write completed before the
    /// call is in it. Concurrent callers share one read when it began after each of them called.
    /// </summary>
    public async Task<ActiveHolds> GetFreshAsync(CancellationToken cancellationToken)
    {
        var calledAfter = Interlocked.Read(ref readsStarted);
        await gate.WaitAsync(cancellationToken);
        try
        {
            if (lastReadNumber > calledAfter && entry is not null)
            {
                return entry.Holds; // a read that began after our call has finished while we waited
            }

            var number = Interlocked.Increment(ref readsStarted);
            var version = await store.GetVersionAsync(cancellationToken);
            var current = entry;
            if (current is null || current.Version != version
                || time.GetUtcNow() - current.LoadedAt > options.Value.CacheMaxAge)
            {
                // The version was read first: a hold written after that read changes the version again.
                current = new Entry(version, await store.LoadActiveAsync(cancellationToken), time.GetUtcNow());
                entry = current;
                Reloads++;
            }

            lastReadNumber = number;
            return current.Holds;
        }
        finally
        {
            gate.Release();
        }
    }
}
