using System.Runtime.CompilerServices;
using MediaRetention.Core.Storage;

namespace MediaRetention.Testing;

/// <summary>
/// Listings over names kept sorted in memory, with Azure's paging (5,000 items a page, prefixes counting as items) and
/// a request count: what the runner's scan costs, at store sizes Azurite cannot hold. Thread-safe.
/// </summary>
public sealed class InMemoryBlobListing : IMediaBlobListing
{
    public const int PageSize = 5000;

    private static readonly IReadOnlyDictionary<string, string> NoMetadata = new Dictionary<string, string>();
    private readonly Dictionary<string, List<Entry>> containers = new(StringComparer.Ordinal);
    private readonly Lock gate = new();
    private long requests;
    private long items;

    /// <summary>List requests (pages) served.</summary>
    public long Requests => Interlocked.Read(ref requests);

    /// <summary>Items (blobs and prefixes) returned.</summary>
    public long Items => Interlocked.Read(ref items);

    public void ResetCounts()
    {
        Interlocked.Exchange(ref requests, 0);
        Interlocked.Exchange(ref items, 0);
    }

    public int Count(string container)
    {
        lock (gate)
        {
            return containers.TryGetValue(container, out var list) ? list.Count : 0;
        }
    }

    /// <summary>Adds or overwrites a blob (a new ETag); <paramref name="marked"/>: ingest's hold mark is on it.</summary>
    public string Put(string container, string name, DateTimeOffset lastModified, bool marked = false)
    {
        lock (gate)
        {
            var list = List(container);
            var etag = $"\"{Guid.NewGuid():N}\"";
            var i = LowerBound(list, name);
            var entry = new Entry(name, etag, lastModified, marked);
            if (i < list.Count && list[i].Name == name)
            {
                list[i] = entry;
            }
            else
            {
                list.Insert(i, entry);
            }

            return etag;
        }
    }

    /// <summary>Many blobs at once (a sort at the end instead of an insert each), marked as indexed ones are.</summary>
    public void PutMany(string container, IEnumerable<string> names, DateTimeOffset lastModified)
    {
        lock (gate)
        {
            var list = List(container);
            list.AddRange(names.Select(n => new Entry(n, $"\"{n.GetHashCode():x8}\"", lastModified, true)));
            list.Sort((a, b) => string.CompareOrdinal(a.Name, b.Name));
        }
    }

    /// <summary>Records that ingest re-wrote the blob (the minimised metadata: a new ETag, now marked).</summary>
    public string? MarkIndexed(string container, string name)
    {
        lock (gate)
        {
            var list = List(container);
            var i = LowerBound(list, name);
            if (i >= list.Count || list[i].Name != name)
            {
                return null;
            }

            var etag = $"\"{Guid.NewGuid():N}\"";
            list[i] = list[i] with { ETag = etag, Marked = true };
            return etag;
        }
    }

    public async IAsyncEnumerable<BlobListPage> ListFromAsync(string container, string prefix, string? startFrom,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var from = startFrom is not null && string.CompareOrdinal(startFrom, prefix) > 0 ? startFrom : prefix;
        var position = -1;
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            List<BlobSnapshot> page = [];
            bool more;
            lock (gate)
            {
                var list = List(container);
                if (position < 0)
                {
                    position = LowerBound(list, from);
                }

                while (page.Count < PageSize && position < list.Count && list[position].Name.StartsWith(prefix, StringComparison.Ordinal))
                {
                    page.Add(Snapshot(container, list[position++]));
                }

                more = position < list.Count && list[position].Name.StartsWith(prefix, StringComparison.Ordinal);
            }

            Interlocked.Increment(ref requests);
            Interlocked.Add(ref items, page.Count);
            yield return new BlobListPage(page, more ? "more" : null);
            if (!more)
            {
                yield break;
            }

            await Task.Yield();
        }
    }

    public async IAsyncEnumerable<BlobLevelPage> ListLevelAsync(string container, string prefix,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var position = -1;
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            List<string> prefixes = [];
            List<BlobSnapshot> blobs = [];
            bool more;
            lock (gate)
            {
                var list = List(container);
                if (position < 0)
                {
                    position = LowerBound(list, prefix);
                }

                while (prefixes.Count + blobs.Count < PageSize && position < list.Count && list[position].Name.StartsWith(prefix, StringComparison.Ordinal))
                {
                    var name = list[position].Name;
                    var slash = name.IndexOf('/', prefix.Length);
                    if (slash < 0)
                    {
                        blobs.Add(Snapshot(container, list[position++]));
                        continue;
                    }

                    // One item per sub-prefix, however many blobs it holds: skip past them by binary search
                    // ('0' is the character after '/').
                    var sub = name[..(slash + 1)];
                    prefixes.Add(sub);
                    position = LowerBound(list, sub[..^1] + "0");
                }

                more = position < list.Count && list[position].Name.StartsWith(prefix, StringComparison.Ordinal);
            }

            Interlocked.Increment(ref requests);
            Interlocked.Add(ref items, prefixes.Count + blobs.Count);
            yield return new BlobLevelPage(prefixes, blobs);
            if (!more)
            {
                yield break;
            }

            await Task.Yield();
        }
    }

    private List<Entry> List(string container)
    {
        if (!containers.TryGetValue(container, out var list))
        {
            containers[container] = list = [];
        }

        return list;
    }

    private static int LowerBound(List<Entry> list, string name)
    {
        var (lo, hi) = (0, list.Count);
        while (lo < hi)
        {
            var mid = (lo + hi) >>> 1;
            if (string.CompareOrdinal(list[mid].Name, name) < 0)
            {
                lo = mid + 1;
            }
            else
            {
                hi = mid;
            }
        }

        return lo;
    }

    // Fresh strings, as a listing response's deserialiser makes: what a caller keeps of them is its own memory.
    private static BlobSnapshot Snapshot(string container, Entry entry) =>
        new(container, new string(entry.Name), new string(entry.ETag), 1, entry.LastModified, "video/mp4", NoMetadata) { HoldMarked = entry.Marked };

    private readonly record struct Entry(string Name, string ETag, DateTimeOffset LastModified, bool Marked);
}
