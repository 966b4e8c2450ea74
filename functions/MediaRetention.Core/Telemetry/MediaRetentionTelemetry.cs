using System.Diagnostics;
using System.Diagnostics.Metrics;
using MediaRetention.Core.Media;
using MediaRetention.Core.Retention;

namespace MediaRetention.Core.Telemetry;

/// <summary>
/// The pipeline's traces and metrics: one <see cref="ActivitySource"/> and one <see cref="Meter"/>, both named
/// <see cref="Name"/>, which each host hands to OpenTelemetry (the runner to OTLP, the Functions app to Azure Monitor).
/// A singleton per host, made through <see cref="IMeterFactory"/> so two hosts in one process (as in tests) never
/// share instruments.
/// </summary>
/// <remarks>
/// Tags carry kinds, outcomes and ids, never phone numbers or other personal data.
/// </remarks>
public sealed class MediaRetentionTelemetry : IDisposable
{
    public const string Name = "MediaRetention";

    /// <summary>Instrument names, also used by infra/main.bicep's alerts and the tests.</summary>
    public static class Metrics
    {
        public const string MediaIndexed = "mediaretention.media.indexed";
        public const string MediaRejected = "mediaretention.media.rejected";
        public const string IngestLag = "mediaretention.ingest.lag";
        public const string SweepDeleted = "mediaretention.sweep.deleted";
        public const string SweepHeld = "mediaretention.sweep.held";
        public const string SweepFailures = "mediaretention.sweep.failures";
        public const string SweepRuns = "mediaretention.sweep.runs";
        public const string SweepDuration = "mediaretention.sweep.duration";
        public const string ActiveHolds = "mediaretention.holds.active";
        public const string UnreadableHolds = "mediaretention.holds.unreadable";
        public const string RetentionLag = "mediaretention.retention.lag";
    }

    /// <summary>Tag names.</summary>
    public static class Tags
    {
        public const string Kind = "media.kind";
        public const string Outcome = "outcome";
        public const string MediaId = "media.id";
        public const string Container = "media.container";
        public const string HoldId = "hold.id";
        public const string ScopeType = "hold.scope";
        public const string Trigger = "sweep.trigger";
    }

    private readonly Meter meter;
    private readonly Counter<long> indexed;
    private readonly Counter<long> rejected;
    private readonly Histogram<double> ingestLag;
    private readonly Counter<long> sweepDeleted;
    private readonly Counter<long> sweepHeld;
    private readonly Counter<long> sweepFailures;
    private readonly Counter<long> sweepRuns;
    private readonly Histogram<double> sweepDuration;
    private readonly Gauge<long> activeHolds;
    private readonly Gauge<long> unreadableHolds;
    private readonly Gauge<double> retentionLag;

    public MediaRetentionTelemetry(IMeterFactory meterFactory)
    {
        ArgumentNullException.ThrowIfNull(meterFactory);
        meter = meterFactory.Create(new MeterOptions(Name));
        ActivitySource = new ActivitySource(Name);
        indexed = meter.CreateCounter<long>(Metrics.MediaIndexed, "{medium}", "Media indexed as following the upload contract.");
        rejected = meter.CreateCounter<long>(Metrics.MediaRejected, "{medium}", "Media indexed as Rejected (kept, with a reason).");
        ingestLag = meter.CreateHistogram<double>(Metrics.IngestLag, "s", "From a blob version's upload (Last-Modified) to its index record.");
        sweepDeleted = meter.CreateCounter<long>(Metrics.SweepDeleted, "{medium}", "Expired media deleted by retention sweeps.");
        sweepHeld = meter.CreateCounter<long>(Metrics.SweepHeld, "{medium}", "Expired media kept because a legal hold covers them.");
        sweepFailures = meter.CreateCounter<long>(Metrics.SweepFailures, "{failure}", "Storage failures during sweeps (the media are kept and retried).");
        sweepRuns = meter.CreateCounter<long>(Metrics.SweepRuns, "{sweep}", "Retention sweeps, by outcome: succeeded, completedWithFailures, failed.");
        sweepDuration = meter.CreateHistogram<double>(Metrics.SweepDuration, "s", "Duration of completed retention sweeps.");
        activeHolds = meter.CreateGauge<long>(Metrics.ActiveHolds, "{hold}", "Active legal holds, as last loaded by a sweep or preview.");
        unreadableHolds = meter.CreateGauge<long>(Metrics.UnreadableHolds, "{hold}",
            "Hold rows that may be active but cannot be read, as last loaded by a sweep or preview: above 0, nothing is deleted.");
        retentionLag = meter.CreateGauge<double>(Metrics.RetentionLag, "s",
            "How long the oldest expired, unheld medium has been past its expiry (0 when none is): whether 'deleted after N days' is kept.");
    }

    public ActivitySource ActivitySource { get; }

    /// <summary>Starts a span named <c>mediaretention.{operation}</c>, or returns null when nobody listens.</summary>
    public Activity? StartActivity(string operation, ActivityKind kind = ActivityKind.Internal) =>
        ActivitySource.StartActivity("mediaretention." + operation, kind);

    /// <summary>A new index record: counted by kind and status, and its upload-to-index lag recorded.</summary>
    public void MediaRecorded(MediaRecord record)
    {
        var kind = new KeyValuePair<string, object?>(Tags.Kind, record.Kind);
        (record.Status == MediaStatus.Rejected ? rejected : indexed).Add(1, kind);
        ingestLag.Record(Math.Max(0, (record.IndexedAt - record.UploadedAt).TotalSeconds), kind);
    }

    public void SweepFinished(string outcome, int deleted, int heldKept, int failures, double durationSeconds)
    {
        sweepRuns.Add(1, new KeyValuePair<string, object?>(Tags.Outcome, outcome));
        if (deleted > 0)
        {
            sweepDeleted.Add(deleted);
        }

        if (heldKept > 0)
        {
            sweepHeld.Add(heldKept);
        }

        if (failures > 0)
        {
            sweepFailures.Add(failures);
        }

        sweepDuration.Record(durationSeconds, new KeyValuePair<string, object?>(Tags.Outcome, outcome));
    }

    /// <summary>A sweep that threw: nothing else about it is known.</summary>
    public void SweepFailed() => sweepRuns.Add(1, new KeyValuePair<string, object?>(Tags.Outcome, SweepOutcomes.Failed));

    public void ActiveHolds(int count) => activeHolds.Record(count);

    public void UnreadableHolds(int count) => unreadableHolds.Record(count);

    public void RetentionLag(TimeSpan lag) => retentionLag.Record(Math.Max(0, lag.TotalSeconds));

    public void Dispose()
    {
        ActivitySource.Dispose();
        meter.Dispose();
    }
}

/// <summary>Marks the current span as failed with the exception's type (never its message, which may name a blob).</summary>
public static class ActivityExtensions
{
    public static void MarkFailed(this Activity? activity, Exception exception)
    {
        activity?.SetStatus(ActivityStatusCode.Error, exception.GetType().Name);
    }
}
