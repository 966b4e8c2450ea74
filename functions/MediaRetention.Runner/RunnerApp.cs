using MediaRetention.Api;
using MediaRetention.Core.Hosting;
using MediaRetention.Core.Ingest;
using MediaRetention.Runner.Audit;
using MediaRetention.Runner.Health;
using MediaRetention.Runner.Ingest;
using MediaRetention.Core.Operations;
using MediaRetention.Runner.OpenApi;
using MediaRetention.Runner.Operations;
using MediaRetention.Runner.Retention;
using MediaRetention.Runner.Telemetry;
using MediaRetention.Runner.WebConsole;

namespace MediaRetention.Runner;

/// <summary>
/// The self-hosted runner: the same handlers and /api routes as the Functions app, with a blob-scan ingest
/// loop instead of the Event Grid blob trigger (which Azurite cannot raise), and the web console at /. Wiring only.
/// </summary>
public static class RunnerApp
{
    public const string DefaultUrl = "http://127.0.0.1:7071";

    public static WebApplication Build(string[] args, Action<WebApplicationBuilder>? configure = null)
    {
        var builder = WebApplication.CreateBuilder(args);
        if (string.IsNullOrEmpty(builder.Configuration["urls"]) && string.IsNullOrEmpty(builder.Configuration["ASPNETCORE_URLS"]))
        {
            builder.WebHost.UseUrls(DefaultUrl);
        }

        builder.Services.AddProblemDetails(options => options.CustomizeProblemDetails = context =>
        {
            // The router answers 415 by itself when a POST's content type is not one its route accepts (the
            // routes' Accepts metadata): say what to send, as JsonBody does for the Functions app.
            if (context.ProblemDetails.Status == StatusCodes.Status415UnsupportedMediaType)
            {
                context.ProblemDetails.Detail ??= MediaRetention.Api.Http.JsonBody.JsonRequired;
            }
        });
        builder.Services.AddMediaRetentionCore(builder.Configuration);
        builder.Services.AddMediaRetentionApi(builder.Configuration);
        builder.Services.AddRunnerHealth(builder.Configuration);
        builder.Services.AddApiDocument();
        builder.AddRunnerTelemetry();
        builder.Services.AddHostedService<StorageProvisioningService>();
        builder.Services.AddSingleton<IIngestScanStateStore, BlobIngestScanStateStore>();
        builder.Services.AddSingleton<IngestScanner>();
        builder.Services.AddHostedService<BlobScanIngestService>();
        builder.Services.AddHostedService<RetentionTimerService>();
        builder.Services.AddSingleton<LocalOperationDispatcher>();
        builder.Services.AddSingleton<IOperationDispatcher>(sp => sp.GetRequiredService<LocalOperationDispatcher>());
        builder.Services.AddHostedService<OperationWorkerService>();
        builder.Services.AddOptions<ConsoleOptions>().Bind(builder.Configuration.GetSection(ConsoleOptions.SectionName));
        builder.Services.AddHostedService<ConsoleStorageCorsService>();
        builder.Services.AddHostedService<AuditAnchorTimerService>();
        configure?.Invoke(builder);

        var app = builder.Build();
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        app.MapMediaRetentionApi();
        app.MapRunnerHealth();
        app.MapOpenApi(ApiDocument.Path);
        app.MapMediaRetentionConsole();
        return app;
    }
}
