using System.Collections.Concurrent;
using MediaRetention.Core.Ingest;

namespace MediaRetention.Testing;

/// <summary>The runner's scan state kept in memory; <see cref="Writes"/> counts saves.</summary>
public sealed class InMemoryIngestScanStateStore : IIngestScanStateStore
{
    private volatile IngestScanState? saved;
    private int writes;

    public IngestScanState? State
    {
        get => saved;
        set => saved = value;
    }

    public int Writes => Volatile.Read(ref writes);

    public Task<IngestScanState?> ReadAsync(CancellationToken cancellationToken) => Task.FromResult(saved);

    public Task WriteAsync(IngestScanState state, CancellationToken cancellationToken)
    {
        saved = state;
        Interlocked.Increment(ref writes);
        return Task.CompletedTask;
    }
}

/// <summary>Stands in for ingest: records what it is handed; <see cref="FailOn"/> makes it throw for chosen names.</summary>
public sealed class RecordingBlobIngestor : IBlobIngestor
{
    private readonly ConcurrentQueue<IngestBlobCommand> handled = new();

    private int count;

    public Func<string, bool> FailOn { get; set; } = _ => false;

    /// <summary>Whether to keep each command (off: count only, for benchmarks handing it millions).</summary>
    public bool Keep { get; set; } = true;

    public IReadOnlyList<IngestBlobCommand> Handled => handled.ToList();

    public int Count => Volatile.Read(ref count);

    public void Clear()
    {
        handled.Clear();
        Interlocked.Exchange(ref count, 0);
    }

    public Task<IngestResult> HandleAsync(IngestBlobCommand command, CancellationToken cancellationToken)
    {
        if (FailOn(command.BlobName))
        {
            throw new InvalidOperationException("ingest failed (test)");
        }

        if (Keep)
        {
            handled.Enqueue(command);
        }

        Interlocked.Increment(ref count);
        return Task.FromResult(new IngestResult(IngestOutcome.Indexed));
    }
}
