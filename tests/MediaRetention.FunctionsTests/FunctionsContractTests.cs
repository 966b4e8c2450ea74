using System.Reflection;
using MediaRetention.Api;
using MediaRetention.Core.Retention;
using MediaRetention.Core.Storage;
using MediaRetention.Functions;
using MediaRetention.Runner;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Routing;
using Microsoft.Azure.Functions.Worker;

namespace MediaRetention.FunctionsTests;

/// <summary>
/// What the Functions host will see, read from the generated functions.metadata: trigger types and bindings, and
/// HTTP routes equal to the runner's. A renamed setting, a lost Event Grid source or a route that exists in one host
/// only fails here instead of in Azure.
/// </summary>
public sealed class FunctionsContractTests
{
    // Anonymous to the Functions host: the web console in a browser cannot hold a function key. App Service
    // Authentication authenticates, the endpoints authorise, and the principal is trusted only while the platform
    // reports App Service Authentication on (README "Roles and keys").
    private const string ApiAuthLevel = "Anonymous";

    // Public keys must be fetchable by anyone, years later (README "Evidence handover").
    private static readonly string[] AnonymousRoutes = [ApiRoutes.EvidenceSigningKeys];

    private readonly FunctionsMetadata metadata = FunctionsMetadata.Load();

    [Fact]
    public void Metadata_lists_exactly_the_functions_declared_in_code()
    {
        var declared = typeof(IngestFunctions).Assembly.GetTypes()
            .SelectMany(t => t.GetMethods(BindingFlags.Public | BindingFlags.Instance))
            .Select(m => m.GetCustomAttribute<FunctionAttribute>()?.Name)
            .OfType<string>()
            .Order(StringComparer.Ordinal)
            .ToList();

        Assert.NotEmpty(declared);
        Assert.Equal(declared, metadata.Functions.Select(f => f.Name).Order(StringComparer.Ordinal));
    }

    [Theory]
    [InlineData(nameof(IngestFunctions.IngestCctvBlob), "%CctvContainer%/{name}")]
    [InlineData(nameof(IngestFunctions.IngestCallBlob), "%CallsContainer%/{name}")]
    public void Blob_triggers_take_Event_Grid_events_on_the_media_containers(string function, string path)
    {
        var trigger = metadata[function].Trigger;

        Assert.Equal("blobTrigger", trigger.Type);
        Assert.Equal("EventGrid", trigger["source"]); // the only blob trigger source Flex Consumption supports
        Assert.Equal(MediaStorageOptions.ConnectionName, trigger["connection"]);
        Assert.Equal(path, trigger["path"]);
    }

    [Fact]
    public void The_only_blob_triggers_are_the_two_ingest_functions()
    {
        Assert.Equal(
            [nameof(IngestFunctions.IngestCallBlob), nameof(IngestFunctions.IngestCctvBlob)],
            metadata.WithTrigger("blobTrigger").Select(f => f.Name).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Timers_run_on_their_schedule_settings_and_never_on_start_up()
    {
        Assert.Equal(
            [nameof(AuditAnchorFunctions.AuditAnchorTimer), nameof(RetentionFunctions.RetentionSweepTimer)],
            metadata.WithTrigger("timerTrigger").Select(f => f.Name).Order(StringComparer.Ordinal));
        Assert.Equal($"%{RetentionOptions.ScheduleSetting}%", metadata[nameof(RetentionFunctions.RetentionSweepTimer)].Trigger["schedule"]);
        Assert.Equal("%AuditAnchorSchedule%", metadata[nameof(AuditAnchorFunctions.AuditAnchorTimer)].Trigger["schedule"]);

        // RunOnStartup would sweep on every scale-out and restart; Microsoft advises against it in production.
        Assert.All(metadata.WithTrigger("timerTrigger"), timer =>
            Assert.True(timer.Trigger["runOnStartup"] is null or "False" or "false", $"{timer.Name} must not run on start-up"));
    }

    [Fact]
    public void Operations_run_from_a_queue_trigger_on_the_operations_queue_setting_that_infra_sets()
    {
        var trigger = Assert.Single(metadata.WithTrigger("queueTrigger"));

        Assert.Equal(nameof(OperationFunctions.RunOperation), trigger.Name);
        Assert.Equal($"%{nameof(MediaStorageOptions.OperationsQueue)}%", trigger.Trigger["queueName"]);
        Assert.Equal(MediaStorageOptions.ConnectionName, trigger.Trigger["connection"]);

        // The host resolves %OperationsQueue% from the app settings: infra sets it, creates the queue, and the identity
        // connection has the queue endpoint.
        var bicep = File.ReadAllText(Path.Combine(RepositoryRoot.Path, "infra", "main.bicep"));
        Assert.Matches(@"name: 'OperationsQueue'\s*value: operationsQueueName", bicep);
        Assert.Matches(@"queueServices/queues@[0-9-]+' = \{\s*parent: queueService\s*name: operationsQueueName", bicep);
        Assert.Matches(@"name: 'MediaStorage__queueServiceUri'", bicep);
        Assert.Contains("\"OperationsQueue\":", File.ReadAllText(Path.Combine(RepositoryRoot.Path, "functions", "MediaRetention.Functions", "local.settings.json.example")), StringComparison.Ordinal);

        // The queue extension decodes base64, which is what the dispatcher sends.
        var host = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(Path.Combine(RepositoryRoot.Path, "host.json")))!;
        Assert.Equal("base64", (string?)host["extensions"]?["queues"]?["messageEncoding"]);
    }

    [Fact]
    public void Http_functions_serve_exactly_the_runners_api_routes()
    {
        var functions = metadata.WithTrigger("httpTrigger")
            .Where(f => f.Trigger["route"]?.StartsWith("api/", StringComparison.Ordinal) == true)
            .SelectMany(f => f.Trigger.Methods.Select(m => $"{m} {f.Trigger["route"]}"))
            .Order(StringComparer.Ordinal)
            .ToList();

        Assert.NotEmpty(functions);
        Assert.Equal(RunnerApiRoutes(), functions);
    }

    [Fact]
    public void Http_api_functions_use_the_documented_authorization_level()
    {
        var api = metadata.WithTrigger("httpTrigger").Where(f => f.Trigger["route"]?.StartsWith("api/", StringComparison.Ordinal) == true).ToList();

        Assert.NotEmpty(api);
        Assert.All(api, f =>
        {
            var expected = AnonymousRoutes.Contains(f.Trigger["route"]) ? "Anonymous" : ApiAuthLevel;
            Assert.True(f.Trigger["authLevel"] == expected, $"{f.Name} has authLevel {f.Trigger["authLevel"]}, expected {expected}");
        });
    }

    [Fact]
    public void The_web_console_is_one_anonymous_catch_all_for_reading()
    {
        var others = metadata.WithTrigger("httpTrigger").Where(f => f.Trigger["route"]?.StartsWith("api/", StringComparison.Ordinal) != true).ToList();

        var console = Assert.Single(others);
        Assert.Equal(nameof(ConsoleFunctions.WebConsole), console.Name);
        Assert.Equal("{*path}", console.Trigger["route"]);
        Assert.Equal("Anonymous", console.Trigger["authLevel"]);
        Assert.Equal(["get", "head"], console.Trigger.Methods.Select(m => m.ToLowerInvariant()).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Host_json_has_no_route_prefix_so_routes_match_the_runner()
    {
        var host = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(Path.Combine(RepositoryRoot.Path, "host.json")))!;

        Assert.Equal("", (string?)host["extensions"]?["http"]?["routePrefix"]);
        Assert.StartsWith("api/", ApiRoutes.Holds, StringComparison.Ordinal);
    }

    [Fact]
    public void Host_json_sets_functionTimeout_with_room_for_the_sweep_budget()
    {
        // Flex Consumption's default is 30 minutes; set explicitly, so the sweep's budget is checked against a known value.
        var host = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(Path.Combine(RepositoryRoot.Path, "host.json")))!;
        var text = (string?)host["functionTimeout"];

        Assert.False(string.IsNullOrEmpty(text), "host.json sets no functionTimeout");
        var timeout = TimeSpan.Parse(text, System.Globalization.CultureInfo.InvariantCulture);
        Assert.True(RetentionOptions.DefaultMaxSweepDuration <= timeout - FunctionTimeout.SweepHeadroom,
            $"the default Retention:MaxSweepDuration ({RetentionOptions.DefaultMaxSweepDuration}) does not leave {FunctionTimeout.SweepHeadroom} before functionTimeout ({timeout})");
        Assert.True(new SweepFitsFunctionTimeout(timeout).Validate(null, new RetentionOptions()).Succeeded);
        Assert.True(new SweepFitsFunctionTimeout(timeout).Validate(null, new RetentionOptions { MaxSweepDuration = timeout }).Failed);

        // The file the Functions app deploys is this one.
        Assert.Equal(timeout, FunctionTimeout.Read(new Microsoft.Extensions.Configuration.ConfigurationBuilder().Build(), AppContext.BaseDirectory));
    }

    /// <summary>"METHOD route" for every /api endpoint the runner maps, from its own endpoint table.</summary>
    internal static List<string> RunnerApiRoutes()
    {
        // Built, not started: mapping the endpoints needs configuration but no storage.
        var app = RunnerApp.Build(["--MediaStorage=UseDevelopmentStorage=true", "--Retention:TimerEnabled=false"]);
        return ((IEndpointRouteBuilder)app).DataSources
            .SelectMany(d => d.Endpoints)
            .OfType<RouteEndpoint>()
            .Where(e => e.RoutePattern.RawText?.StartsWith("api/", StringComparison.Ordinal) == true)
            .SelectMany(e => (e.Metadata.GetMetadata<Microsoft.AspNetCore.Routing.HttpMethodMetadata>()?.HttpMethods ?? ["ANY"])
                .Select(m => $"{m} {e.RoutePattern.RawText}"))
            .Order(StringComparer.Ordinal)
            .ToList();
    }
}
