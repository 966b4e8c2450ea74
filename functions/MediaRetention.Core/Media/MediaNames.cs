namespace MediaRetention.Core.Media;

/// <summary>How a medium's blob name may appear in logs and in the audit log.</summary>
public static class MediaNames
{
    /// <summary>
    /// The name for logs and the audit log. A rejected name broke the contract and may hold a phone number: its digit
    /// runs are masked (the media id, a hash of the exact name, still identifies it).
    /// </summary>
    public static string Shown(MediaRecord media) =>
        media.Status == MediaStatus.Indexed ? media.BlobName : PhoneNumber.MaskDigitRuns(media.BlobName);
}
