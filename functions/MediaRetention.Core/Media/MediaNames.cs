namespace MediaRetention.Core.Media;

/// <summary>How a medium's blob name may appear in logs and in the audit log.</summary>
public static class MediaNames
{
    /// <summary>
    /// The name for logs and the audit log, through the one masking rule (<see cref="NameMasking"/>): any name may hold a
    /// phone number (a call id is free text), and the media id, a hash of the exact name, still identifies it.
    /// </summary>
    public static string Shown(MediaRecord media) => NameMasking.BlobName(media.BlobName);
}
