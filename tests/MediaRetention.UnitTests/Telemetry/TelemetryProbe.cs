using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using MediaRetention.Core.Telemetry;

namespace MediaRetention.UnitTests.Telemetry;

/// <summary>
/// A <see cref="MediaRetentionTelemetry"/> of its own, with every measurement it takes: the listener only hears
/// meters made by this probe's factory, so tests running in parallel never see each other's numbers.
/// </summary>
public sealed class TelemetryProbe : IDisposable
{
    private readonly ProbeMeterFactory factory = new();
    private readonly MeterListener listener = new();
    private readonly ConcurrentQueue<(string Instrument, double Value, KeyValuePair<string, object?>[] Tags)> measurements = new();

    public TelemetryProbe()
    {
        Telemetry = new MediaRetentionTelemetry(factory);
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (ReferenceEquals(instrument.Meter.Scope, factory))
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<long>((i, value, tags, _) => measurements.Enqueue((i.Name, value, tags.ToArray())));
        listener.SetMeasurementEventCallback<double>((i, value, tags, _) => measurements.Enqueue((i.Name, value, tags.ToArray())));
        listener.Start();
    }

    public MediaRetentionTelemetry Telemetry { get; }

    /// <summary>The values recorded on an instrument, in order, optionally only those with a tag of that value.</summary>
    public IReadOnlyList<double> Values(string instrument, string? tag = null, object? tagValue = null) =>
        measurements
            .Where(m => m.Instrument == instrument && (tag is null || m.Tags.Any(t => t.Key == tag && Equals(t.Value, tagValue))))
            .Select(m => m.Value)
            .ToList();

    public double Sum(string instrument, string? tag = null, object? tagValue = null) => Values(instrument, tag, tagValue).Sum();

    public void Dispose()
    {
        listener.Dispose();
        Telemetry.Dispose();
        factory.Dispose();
    }

    private sealed class ProbeMeterFactory : IMeterFactory
    {
        private readonly List<Meter> meters = [];

        public Meter Create(MeterOptions options)
        {
            options.Scope = this;
            var meter = new Meter(options);
            lock (meters)
            {
                meters.Add(meter);
            }

            return meter;
        }

        public void Dispose()
        {
            lock (meters)
            {
                meters.ForEach(m => m.Dispose());
            }
        }
    }
}
