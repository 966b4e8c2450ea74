namespace MediaRetention.Benchmarks;

/// <summary>
/// Samples the managed heap on a timer until stopped: the peak with garbage included (what a run needed at most) and
/// the peak of the heap as the last collection left it (what was still reachable then).
/// </summary>
internal sealed class PeakMemorySampler : IDisposable
{
    private readonly CancellationTokenSource stop = new();
    private readonly Task<(long Peak, long PeakAfterCollection)> sampling;

    public PeakMemorySampler(TimeSpan? interval = null) => sampling = Task.Run(async () =>
    {
        long peak = 0, afterCollection = 0;
        using var timer = new PeriodicTimer(interval ?? TimeSpan.FromMilliseconds(20));
        do
        {
            peak = Math.Max(peak, GC.GetTotalMemory(forceFullCollection: false));
            afterCollection = Math.Max(afterCollection, GC.GetGCMemoryInfo(GCKind.Any).HeapSizeBytes);
        }
        while (await NextTickAsync(timer));

        return (peak, afterCollection);
    });

    private async Task<bool> NextTickAsync(PeriodicTimer timer)
    {
        try
        {
            return await timer.WaitForNextTickAsync(stop.Token);
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    /// <summary>Peak heap, garbage included.</summary>
    public long Stop() => StopBoth().Peak;

    public (long Peak, long PeakAfterCollection) StopBoth()
    {
        stop.Cancel();
        return sampling.GetAwaiter().GetResult();
    }

    public void Dispose() => stop.Dispose();
}
