using Azure.Monitor.OpenTelemetry.Exporter;
using Azure.Storage.Blobs;
using MediaRetention.Core.Storage;
using MediaRetention.Core.Telemetry;
using MediaRetention.Functions;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;

namespace MediaRetention.FunctionsTests;

/// <summary>
/// The Functions app's OpenTelemetry, built from exactly what Program.cs registers: the pipeline's meter and source are
/// in it, and the Azure Monitor exporter is there only when APPLICATIONINSIGHTS_CONNECTION_STRING is set.
/// </summary>
[Collection(AzuriteCollection.Name)]
public sealed class FunctionsTelemetryTests(AzuriteFixture azurite)
{
    // Nothing listens there: a test must never send telemetry anywhere.
    private const string FakeConnectionString = "InstrumentationKey=00000000-0000-0000-0000-000000000000;IngestionEndpoint=http://127.0.0.1:9/";

    [Fact]
    public async Task An_ingested_clip_reaches_the_apps_OpenTelemetry_pipeline()
    {
        var names = Names.Unique();
        var metrics = new List<MetricSnapshot>();
        var azureMonitor = new List<ServiceDescriptor>();
        await using var services = FunctionsWiringTests.BuildFunctionsServices(azurite.ConnectionString, names, new FakeTimeProvider(DateTimeOffset.UtcNow),
            configure: c =>
            {
                c.ConfigureOpenTelemetryMeterProvider(m => m.AddInMemoryExporter(metrics));
                azureMonitor.AddRange(AzureMonitorRegistrations(c));
            });
        await services.GetRequiredService<StorageProvisioner>().EnsureCreatedAsync(default);
        var meters = services.GetRequiredService<MeterProvider>(); // the host starts the providers before any function runs
        var blob = new BlobContainerClient(azurite.ConnectionString, names.Cctv).GetBlobClient("oslo-1/cam-02/20261127T101500Z.mp4");
        await blob.UploadAsync(new BinaryData("a clip"u8.ToArray()));

        await ActivatorUtilities.CreateInstance<IngestFunctions>(services).IngestCctvBlob(blob, blob.Name, CancellationToken.None);

        Assert.True(meters.ForceFlush(10_000));
        var indexed = metrics.Last(m => m.Name == MediaRetentionTelemetry.Metrics.MediaIndexed);
        Assert.Equal(1, indexed.MetricPoints.Sum(p => p.GetSumLong()));
        Assert.Empty(azureMonitor);
    }

    [Fact]
    public async Task With_an_Application_Insights_connection_string_the_Azure_Monitor_exporter_is_wired_and_the_graph_builds()
    {
        var azureMonitor = new List<ServiceDescriptor>();
        await using var services = FunctionsWiringTests.BuildFunctionsServices(azurite.ConnectionString, Names.Unique(), TimeProvider.System,
            settings: new Dictionary<string, string?> { [FunctionsTelemetry.ConnectionStringSetting] = FakeConnectionString },
            configure: c =>
            {
                azureMonitor.AddRange(AzureMonitorRegistrations(c));
                c.Configure<AzureMonitorExporterOptions>(o =>
                {
                    o.DisableOfflineStorage = true;
                    o.EnableLiveMetrics = false;
                });
            });

        Assert.NotEmpty(azureMonitor);
        Assert.NotNull(services.GetRequiredService<TracerProvider>());
        Assert.NotNull(services.GetRequiredService<MeterProvider>());
    }

    /// <summary>What UseAzureMonitorExporter registered: services of the exporter's own assembly.</summary>
    private static IEnumerable<ServiceDescriptor> AzureMonitorRegistrations(IServiceCollection services)
    {
        var exporter = typeof(AzureMonitorExporterOptions).Assembly;
        return services.Where(d =>
            d.ServiceType.Assembly == exporter
            || d.ServiceType.GenericTypeArguments.Any(t => t.Assembly == exporter)
            || (!d.IsKeyedService && (d.ImplementationType?.Assembly == exporter || d.ImplementationInstance?.GetType().Assembly == exporter))).ToList();
    }
}
