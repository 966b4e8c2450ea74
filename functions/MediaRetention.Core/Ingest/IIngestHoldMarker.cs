using MediaRetention.Core.Media;

namespace MediaRetention.Core.Ingest;

/// <summary>
/// Sets the held mark of a newly seen blob version before its index row is written (see
/// <see cref="Holds.HoldIngestMarker"/> for why the order matters).
/// </summary>
public interface IIngestHoldMarker
{
    /// <summary>Marks the blob; returns whether an active hold covers the medium.</summary>
    Task<bool> MarkAsync(MediaRecord record, CancellationToken cancellationToken);
}
