namespace MediaRetention.Core.Storage;

/// <summary>One level of a hierarchical listing: the sub-prefixes (each ending in '/') and the blobs directly at it.</summary>
public sealed record BlobLevelPage(IReadOnlyList<string> Prefixes, IReadOnlyList<BlobSnapshot> Blobs);

/// <summary>
/// Listings narrowed by name, for the runner's scan: what it costs to look is what it finds, not what is stored.
/// Names are compared in the service's order (ordinal; the upload contract's names are ASCII).
/// </summary>
public interface IMediaBlobListing
{
    /// <summary>
    /// The blobs whose names start with <paramref name="prefix"/> and sort at or after <paramref name="startFrom"/>
    /// (null: from the start of the prefix), page by page. A missing container lists nothing.
    /// </summary>
    IAsyncEnumerable<BlobListPage> ListFromAsync(string container, string prefix, string? startFrom, CancellationToken cancellationToken);

    /// <summary>
    /// One level under <paramref name="prefix"/> ("" for the root, else ending in '/'), with '/' as the delimiter: each
    /// sub-prefix once, however many blobs it holds, and the blobs directly at this level. A missing container lists nothing.
    /// </summary>
    IAsyncEnumerable<BlobLevelPage> ListLevelAsync(string container, string prefix, CancellationToken cancellationToken);
}
