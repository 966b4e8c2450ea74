using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Options;
using NCrontab;

namespace MediaRetention.Core.Retention;

/// <summary>
/// Section <c>Retention</c>: how long media are kept, per kind, with overrides per CCTV site or phone system.
/// The schedule is the top-level <c>RetentionSchedule</c> setting, because the Functions TimerTrigger reads it
/// by that name.
/// </summary>
public sealed class RetentionOptions
{
    public const string SectionName = "Retention";
    public const string ScheduleSetting = "RetentionSchedule";
    public const string DefaultSchedule = "0 */15 * * * *";

    [Range(1, 3650)]
    public int CctvDays { get; set; } = 30;

    [Range(1, 3650)]
    public int CallDays { get; set; } = 30;

    /// <summary>Days per CCTV site, e.g. <c>Retention__SiteDays__oslo-1=60</c>.</summary>
    public Dictionary<string, int> SiteDays { get; set; } = [];

    /// <summary>Days per phone system.</summary>
    public Dictionary<string, int> SystemDays { get; set; } = [];

    /// <summary>
    /// The runner's timer (on by default). The Functions app disables its TimerTrigger the platform way instead:
    /// <c>AzureWebJobs.RetentionSweepTimer.Disabled=true</c>.
    /// </summary>
    public bool TimerEnabled { get; set; } = true;

    /// <summary>Blob deletes in flight at once.</summary>
    [Range(1, 256)]
    public int MaxParallelDeletes { get; set; } = 16;

    /// <summary>
    /// A sweep stops after this many storage failures in a row (storage is probably down); the next sweep
    /// resumes. Nothing is deleted on a failure path either way.
    /// </summary>
    [Range(1, 10_000)]
    public int MaxConsecutiveFailures { get; set; } = 25;

    /// <summary>
    /// Records indexed less than this before a sweep starts are left for the next sweep, so a sweep never races
    /// an ingest (and the hold checks that come with it) still in flight.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00", "01:00:00")]
    public TimeSpan IngestSettleTime { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// How long one sweep may work before it stops cleanly at the next page boundary and saves a checkpoint that the
    /// next sweep resumes from. Must stay below the Functions host's <c>functionTimeout</c> (host.json: 30 minutes),
    /// with room for the page in flight and the bookkeeping after it.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:01", "1.00:00:00")]
    public TimeSpan MaxSweepDuration { get; set; } = DefaultMaxSweepDuration;

    public static readonly TimeSpan DefaultMaxSweepDuration = TimeSpan.FromMinutes(20);

    /// <summary>
    /// How often a sweep reconciles the index with the full container listings (0: every sweep). In between, sweeps skip
    /// the reconcile and cost a handful of requests when nothing expires; the event path (Event Grid, the runner's scan)
    /// indexes new blobs. A blob that path missed is kept (unindexed media are never deleted) and is indexed by the next
    /// full pass, at most this long plus the pass's own duration after it was written; at most a day, the shortest
    /// retention there is. See README "Retention".
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00", "1.00:00:00")]
    public TimeSpan FullReconcileInterval { get; set; } = TimeSpan.FromHours(24);

    /// <summary>Index rows read per page of the expired scan; the time budget is checked between pages.</summary>
    [Range(1, 1000)]
    public int ScanPageSize { get; set; } = 1000;
}

/// <summary>Binds the schedule and validates it as NCRONTAB with seconds at start-up.</summary>
public sealed class RetentionScheduleOptions
{
    public string RetentionSchedule { get; set; } = RetentionOptions.DefaultSchedule;

    public CrontabSchedule Parse() =>
        CrontabSchedule.Parse(RetentionSchedule, new CrontabSchedule.ParseOptions { IncludingSeconds = true });
}

public sealed class RetentionOptionsValidator : IValidateOptions<RetentionOptions>, IValidateOptions<RetentionScheduleOptions>
{
    public ValidateOptionsResult Validate(string? name, RetentionOptions options)
    {
        var bad = options.SiteDays.Concat(options.SystemDays).Where(kv => kv.Value is < 1 or > 3650).Select(kv => kv.Key).ToList();
        return bad.Count == 0
            ? ValidateOptionsResult.Success
            : ValidateOptionsResult.Fail($"Retention overrides must be 1-3650 days: {string.Join(", ", bad)}.");
    }

    public ValidateOptionsResult Validate(string? name, RetentionScheduleOptions options) =>
        CrontabSchedule.TryParse(options.RetentionSchedule, new CrontabSchedule.ParseOptions { IncludingSeconds = true }) is null
            ? ValidateOptionsResult.Fail($"{RetentionOptions.ScheduleSetting} '{options.RetentionSchedule}' is not NCRONTAB with seconds, e.g. '{RetentionOptions.DefaultSchedule}'.")
            : ValidateOptionsResult.Success;
}
