using MediaRetention.Core.Media;

namespace MediaRetention.Core.Ingest;

/// <summary>
/// Told about each newly indexed version of a blob, after the index row is written. Legal holds use it
/// to mark media that fall inside an existing hold's window.
/// </summary>
public interface IMediaIndexedObserver
{
    Task OnIndexedAsync(MediaRecord record, CancellationToken cancellationToken);
}
