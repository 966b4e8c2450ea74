namespace MediaRetention.Core.Storage;

/// <summary>A blob as seen by a listing or a properties call.</summary>
public sealed record BlobSnapshot(
    string Container,
    string Name,
    string ETag,
    long Size,
    DateTimeOffset LastModified,
    string? ContentType,
    IReadOnlyDictionary<string, string> Metadata)
{
    /// <summary>
    /// From a listing: whether the blob carries a hold mark (<see cref="Holds.IBlobHoldMarks.TagName"/>); null when not
    /// known. A version without one was never marked by ingest, so none of its marks can be undone by marking it anew.
    /// </summary>
    public bool? HoldMarked { get; init; }
}

/// <summary>A page of a listing; <see cref="Continuation"/> resumes after it (null after the last page).</summary>
public sealed record BlobListPage(IReadOnlyList<BlobSnapshot> Blobs, string? Continuation);

/// <summary>Outcome of a conditional delete.</summary>
public enum BlobDeleteOutcome
{
    Deleted,
    AlreadyGone,

    /// <summary>The blob changed or was marked held after the caller decided: it was kept.</summary>
    ConditionFailed,
}

/// <summary>Thrown when the blob changed between reading its properties and reading its content.</summary>
public sealed class BlobChangedException(string container, string name)
    : Exception($"Blob {container}/{name} changed while it was being read.");

/// <summary>The media blobs, as the handlers need them. Nothing here deletes unconditionally.</summary>
public interface IMediaBlobStore
{
    Task<BlobSnapshot?> GetPropertiesAsync(string container, string name, CancellationToken cancellationToken);

    /// <summary>Streams the content of exactly the version with <paramref name="etag"/>.</summary>
    /// <exception cref="BlobChangedException">The blob was overwritten or deleted meanwhile.</exception>
    Task<Stream> OpenReadAsync(string container, string name, string etag, CancellationToken cancellationToken);

    /// <summary>
    /// Streams the content of exactly the version with <paramref name="etag"/>, with the properties and metadata the
    /// same response carries: one request where properties and then content would be two.
    /// </summary>
    /// <exception cref="BlobChangedException">The blob was overwritten or deleted meanwhile.</exception>
    Task<(BlobSnapshot Blob, Stream Content)> OpenReadWithPropertiesAsync(string container, string name, string etag, CancellationToken cancellationToken);

    IAsyncEnumerable<BlobSnapshot> ListAsync(string container, CancellationToken cancellationToken);

    /// <summary>
    /// Replaces the blob's metadata if it is still the version with <paramref name="etag"/>; returns the new ETag
    /// (metadata changes the ETag, not the content).
    /// </summary>
    /// <exception cref="BlobChangedException">The blob was overwritten or deleted meanwhile.</exception>
    Task<string> ReplaceMetadataAsync(string container, string name, IDictionary<string, string> metadata, string etag, CancellationToken cancellationToken);

    /// <summary>
    /// The container's blobs page by page, from <paramref name="continuation"/> (a page's
    /// <see cref="BlobListPage.Continuation"/>; null: from the start). A missing container lists nothing.
    /// </summary>
    IAsyncEnumerable<BlobListPage> ListPagesAsync(string container, string? continuation, CancellationToken cancellationToken);

    /// <summary>
    /// Deletes the blob and its snapshots only if it is marked not held at the version with
    /// <paramref name="etag"/> (<see cref="Holds.IBlobHoldMarks.DeleteCondition"/>) and, where the storage evaluates
    /// both (<see cref="IDeleteConditionSupport"/>), still is that version (If-Match). Anything else keeps the blob.
    /// </summary>
    /// <exception cref="DeleteConditionsUnverifiedException">The storage's delete conditions are not measured yet.</exception>
    Task<BlobDeleteOutcome> DeleteIfUnchangedAndNotHeldAsync(string container, string name, string etag, CancellationToken cancellationToken);
}
