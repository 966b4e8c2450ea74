using MediaRetention.Api.Http;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace MediaRetention.Runner.Health;

/// <summary><c>GET /healthz</c>'s answer: the overall status and each check's, with what it found.</summary>
public sealed record HealthResponse(string Status, double DurationMs, IReadOnlyDictionary<string, HealthCheckResponse> Checks)
{
    public static HealthResponse From(HealthReport report) => new(
        Lower(report.Status),
        Math.Round(report.TotalDuration.TotalMilliseconds, 1),
        report.Entries.ToDictionary(e => e.Key, e => new HealthCheckResponse(
            Lower(e.Value.Status),
            e.Value.Description,
            Math.Round(e.Value.Duration.TotalMilliseconds, 1),
            e.Value.Data.Count == 0 ? null : e.Value.Data.ToDictionary(d => d.Key, d => Convert.ToString(d.Value, System.Globalization.CultureInfo.InvariantCulture)))));

    private static string Lower(HealthStatus status) => status.ToString().ToLowerInvariant();
}

public sealed record HealthCheckResponse(string Status, string? Description, double DurationMs, IReadOnlyDictionary<string, string?>? Data);

public static class HealthEndpoint
{
    public const string Path = "/healthz";

    public static IServiceCollection AddRunnerHealth(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<HealthOptions>().Bind(configuration.GetSection(HealthOptions.SectionName)).ValidateDataAnnotations().ValidateOnStart();
        services.AddHealthChecks()
            .AddCheck<StorageHealthCheck>(StorageHealthCheck.Name)
            .AddCheck<RetentionHealthCheck>(RetentionHealthCheck.Name);
        return services;
    }

    /// <summary>
    /// Anonymous (it shows no personal data): 200 when healthy, 503 when storage is unreachable, the last sweep failed,
    /// or the retention lag is over Health:MaxRetentionLag.
    /// </summary>
    public static IEndpointRouteBuilder MapRunnerHealth(this IEndpointRouteBuilder app)
    {
        app.MapGet(Path, async (HealthCheckService health, HttpResponse response, CancellationToken ct) =>
            {
                var report = await health.CheckHealthAsync(ct);
                response.Headers.CacheControl = "no-store";
                return Results.Json(HealthResponse.From(report), statusCode: report.Status == HealthStatus.Unhealthy
                    ? StatusCodes.Status503ServiceUnavailable
                    : StatusCodes.Status200OK);
            })
            .WithName("Health").WithTags("Operations")
            .WithSummary("Runner health: storage reachable, last retention sweep and retention lag")
            .WithDescription("Runner only; anonymous. 503 when storage does not answer, the last sweep failed, or the retention lag exceeds Health:MaxRetentionLag.")
            .WithMetadata(new RequiredRoles([], "Anonymous."))
            .Produces<HealthResponse>()
            .Produces<HealthResponse>(StatusCodes.Status503ServiceUnavailable);
        return app;
    }
}
