using MediaRetention.Core.Media;

namespace MediaRetention.Core.Ingest;

/// <summary>
/// The held marks of a blob version being indexed (see <see cref="Holds.HoldIngestMarker"/> for why the order of the
/// calls matters).
/// </summary>
public interface IIngestHoldMarker
{
    /// <summary>
    /// Marks the blob "not held" at <paramref name="etag"/>, before its content is read: the read, conditional on that
    /// ETag, then proves the mark is on that version. A missing blob is no error (the read finds it gone).
    /// </summary>
    Task PrepareAsync(string container, string blobName, string etag, CancellationToken cancellationToken);

    /// <summary>Whether an active hold covers the medium (holds as of now; nothing is marked).</summary>
    Task<bool> IsHeldAsync(MediaRecord record, CancellationToken cancellationToken);

    /// <summary>
    /// After the index row is written: marks the blob held if an active hold covers it now; returns whether one does.
    /// </summary>
    Task<bool> MarkAsync(MediaRecord record, CancellationToken cancellationToken);
}
