using System.Collections;
using System.Diagnostics;
using MediaRetention.Runner;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;

namespace MediaRetention.IntegrationTests.Infrastructure;

/// <summary>
/// The runner's own OpenTelemetry pipeline with an in-memory exporter added: what an OTLP collector would receive.
/// </summary>
public sealed class InMemoryTelemetry
{
    private readonly LockedCollection<MetricSnapshot> metrics = new();
    private readonly LockedCollection<Activity> spans = new();

    /// <summary>Pass to <see cref="RunnerHost.StartAsync"/> as its configure callback.</summary>
    public void AddTo(WebApplicationBuilder builder) => builder.Services
        .ConfigureOpenTelemetryMeterProvider(m => m.AddInMemoryExporter(metrics))
        .ConfigureOpenTelemetryTracerProvider(t => t.AddInMemoryExporter(spans));

    /// <summary>Collects now and returns the latest points of a metric (empty when it was never recorded).</summary>
    public IReadOnlyList<MetricPoint> Points(RunnerHost runner, string metric)
    {
        Assert.True(runner.Services.GetRequiredService<MeterProvider>().ForceFlush(10_000), "metrics were not collected");
        var latest = metrics.Snapshot().LastOrDefault(m => m.Name == metric);
        return latest is null ? [] : [.. latest.MetricPoints];
    }

    public IReadOnlyList<Activity> Spans(string name) => spans.Snapshot().Where(a => a.OperationName == name).ToList();

    public static object? Tag(MetricPoint point, string key)
    {
        foreach (var tag in point.Tags)
        {
            if (tag.Key == key)
            {
                return tag.Value;
            }
        }

        return null;
    }

    /// <summary>The exporters add from whichever thread ends a span or collects; a plain list would race.</summary>
    private sealed class LockedCollection<T> : ICollection<T>
    {
        private readonly List<T> items = [];

        public int Count
        {
            get
            {
                lock (items)
                {
                    return items.Count;
                }
            }
        }

        public bool IsReadOnly => false;

        public List<T> Snapshot()
        {
            lock (items)
            {
                return [.. items];
            }
        }

        public void Add(T item)
        {
            lock (items)
            {
                items.Add(item);
            }
        }

        public void Clear()
        {
            lock (items)
            {
                items.Clear();
            }
        }

        public bool Contains(T item) => Snapshot().Contains(item);

        public void CopyTo(T[] array, int arrayIndex) => Snapshot().CopyTo(array, arrayIndex);

        public bool Remove(T item)
        {
            lock (items)
            {
                return items.Remove(item);
            }
        }

        public IEnumerator<T> GetEnumerator() => Snapshot().GetEnumerator();

        IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
    }
}
