using System.ComponentModel.DataAnnotations;
using MediaRetention.Core.Storage;
using Microsoft.Extensions.Options;

namespace MediaRetention.Core.Ingest;

/// <summary>Ingest rules that decide what counts as a valid upload. Section <c>Ingest</c>.</summary>
public sealed class IngestOptions
{
    public const string SectionName = "Ingest";

    /// <summary>A recording time further than this in the future is rejected (clock skew allowance).</summary>
    [Range(typeof(TimeSpan), "00:00:00", "7.00:00:00")]
    public TimeSpan FutureTolerance { get; set; } = TimeSpan.FromHours(24);

    /// <summary>
    /// A recording time before this is rejected as implausible (a camera clock never set, a mistyped name); such a
    /// medium is kept as Rejected and its retention counts from its upload time. Table Storage cannot store times
    /// before 1601, so the floor is never lower than that.
    /// </summary>
    public DateTimeOffset EarliestRecordingTime { get; set; } = DefaultEarliestRecordingTime;

    public static readonly DateTimeOffset DefaultEarliestRecordingTime = new(2000, 1, 1, 0, 0, 0, TimeSpan.Zero);

    /// <summary>
    /// A recording time further than this before the upload is rejected as implausible (a camera whose clock reset to
    /// 2000 after a power cut names today's footage as old): kept as Rejected, retention counted from the upload time, so
    /// nothing is deleted because of a wrong clock. Empty (the default): the retention period of that medium's
    /// kind, site or phone system, i.e. anything that would already be expired when it arrives.
    /// </summary>
    [Range(typeof(TimeSpan), "01:00:00", "3650.00:00:00")]
    public TimeSpan? PastTolerance { get; set; }

    /// <summary>How often the runner lists the media containers for new or changed blobs.</summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "00:01:00")]
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>Blobs hashed at once by the runner's ingest loop.</summary>
    [Range(1, 64)]
    public int MaxParallelism { get; set; } = 8;

    /// <summary>
    /// The runner lists each site/camera (CCTV) or phone-system (calls) prefix from its checkpoint, the latest recording
    /// time seen there, minus this overlap: a clip uploaded up to this much later than a newer one of the same camera is
    /// still found by the next poll. Later ones are found by the full scan (<see cref="FullScanInterval"/>).
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00", "1.00:00:00")]
    public TimeSpan ScanOverlap { get; set; } = TimeSpan.FromHours(1);

    /// <summary>
    /// How often the runner also lists the media containers in full, as a safety net for what the prefix listings cannot
    /// see (an upload named long before its camera's newest, a name outside the contract). 0: every poll (the listing of
    /// every blob every poll that the prefix scan replaces).
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00", "7.00:00:00")]
    public TimeSpan FullScanInterval { get; set; } = TimeSpan.FromHours(1);

    /// <summary>
    /// Blob versions the runner remembers as indexed (about 330 bytes each), so a blob listed again in an overlap window
    /// costs no storage request. Bounded: the least recently seen are forgotten (forgetting only costs one index read);
    /// enough for cameras × clips per <see cref="ScanOverlap"/> (100 cameras with a clip a minute: about 6,100).
    /// </summary>
    [Range(0, 5_000_000)]
    public int ScanCacheSize { get; set; } = 20_000;
}

/// <summary>Checks what data annotations cannot: the recording-time floor is storable.</summary>
public sealed class IngestOptionsValidator : IValidateOptions<IngestOptions>
{
    public ValidateOptionsResult Validate(string? name, IngestOptions options) =>
        options.EarliestRecordingTime < AzureTableLimits.EarliestDateTime.AddDays(1)
            ? ValidateOptionsResult.Fail(
                $"{IngestOptions.SectionName}:{nameof(IngestOptions.EarliestRecordingTime)} must be after 1601-01-02 (Table Storage keeps no earlier time); it is {options.EarliestRecordingTime:O}.")
            : ValidateOptionsResult.Success;
}
