using Azure.Monitor.OpenTelemetry.Exporter;
using MediaRetention.Core.Telemetry;
using Microsoft.Azure.Functions.Worker.OpenTelemetry;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;

namespace MediaRetention.Functions;

/// <summary>
/// OpenTelemetry in the worker: the Functions worker's invocation spans (correlated with the host's, which host.json's
/// <c>telemetryMode: OpenTelemetry</c> turns on) and the pipeline's traces and metrics (<see cref="MediaRetentionTelemetry"/>),
/// exported to Application Insights when <c>APPLICATIONINSIGHTS_CONNECTION_STRING</c> is set (infra/main.bicep sets it).
/// Without it nothing leaves the process, so a local run needs no Azure account.
/// </summary>
public static class FunctionsTelemetry
{
    public const string ConnectionStringSetting = "APPLICATIONINSIGHTS_CONNECTION_STRING";

    public static IServiceCollection AddMediaRetentionFunctionsTelemetry(this IServiceCollection services, IConfiguration configuration)
    {
        var telemetry = services.AddOpenTelemetry()
            .UseFunctionsWorkerDefaults()
            .WithTracing(tracing => tracing.AddSource(MediaRetentionTelemetry.Name))
            .WithMetrics(metrics => metrics.AddMeter(MediaRetentionTelemetry.Name));

        if (!string.IsNullOrWhiteSpace(configuration[ConnectionStringSetting]))
        {
            telemetry.UseAzureMonitorExporter(o => o.ConnectionString = configuration[ConnectionStringSetting]);
        }

        return services;
    }
}
