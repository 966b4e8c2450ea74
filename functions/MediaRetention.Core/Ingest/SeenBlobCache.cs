namespace MediaRetention.Core.Ingest;

/// <summary>
/// The blob versions this process has seen indexed, least recently seen forgotten first, so memory is bounded by
/// <see cref="Capacity"/> however many blobs are stored. Only a cache: the index is the truth, and a forgotten
/// version costs one index read when it is listed again. Keyed by the exact stored name.
/// </summary>
public sealed class SeenBlobCache(int capacity)
{
    private readonly Dictionary<(string Container, string Name), LinkedListNode<Entry>> entries = new();
    private readonly LinkedList<Entry> recency = new();
    private readonly Lock gate = new();

    public int Capacity { get; } = capacity;

    public int Count
    {
        get
        {
            lock (gate)
            {
                return entries.Count;
            }
        }
    }

    /// <summary>Whether exactly this version was seen indexed; a hit counts as a use.</summary>
    public bool Contains(string container, string name, string etag)
    {
        lock (gate)
        {
            if (!entries.TryGetValue((container, name), out var node) || node.Value.ETag != etag)
            {
                return false;
            }

            recency.Remove(node);
            recency.AddFirst(node);
            return true;
        }
    }

    public void Add(string container, string name, string etag)
    {
        if (Capacity == 0)
        {
            return;
        }

        lock (gate)
        {
            if (entries.TryGetValue((container, name), out var node))
            {
                recency.Remove(node);
                node.Value = new Entry(container, name, etag);
                recency.AddFirst(node);
                return;
            }

            if (entries.Count >= Capacity && recency.Last is { } oldest)
            {
                entries.Remove((oldest.Value.Container, oldest.Value.Name));
                recency.RemoveLast();
            }

            entries[(container, name)] = recency.AddFirst(new Entry(container, name, etag));
        }
    }

    private sealed record Entry(string Container, string Name, string ETag);
}
