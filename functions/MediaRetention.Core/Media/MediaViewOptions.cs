using System.ComponentModel.DataAnnotations;

namespace MediaRetention.Core.Media;

/// <summary>Playing media in the web console. Section <c>Media</c>.</summary>
public sealed class MediaViewOptions
{
    public const string SectionName = "Media";

    /// <summary>
    /// How long a playback link works. Short: it exists to play one recording now, and a player seeking late
    /// in a long call needs it only for that call's length. At most a day, far below the evidence maximum.
    /// </summary>
    [Range(typeof(TimeSpan), "00:01:00", "1.00:00:00")]
    public TimeSpan ViewLinkLifetime { get; set; } = TimeSpan.FromMinutes(30);
}
