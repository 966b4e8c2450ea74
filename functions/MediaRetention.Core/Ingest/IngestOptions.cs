using System.ComponentModel.DataAnnotations;

namespace MediaRetention.Core.Ingest;

/// <summary>Ingest rules that decide what counts as a valid upload. Section <c>Ingest</c>.</summary>
public sealed class IngestOptions
{
    public const string SectionName = "Ingest";

    /// <summary>A recording time further than this in the future is rejected (clock skew allowance).</summary>
    [Range(typeof(TimeSpan), "00:00:00", "7.00:00:00")]
    public TimeSpan FutureTolerance { get; set; } = TimeSpan.FromHours(24);

    /// <summary>How often the runner lists the media containers for new or changed blobs.</summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "00:01:00")]
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>Blobs hashed at once by the runner's ingest loop.</summary>
    [Range(1, 64)]
    public int MaxParallelism { get; set; } = 8;
}
