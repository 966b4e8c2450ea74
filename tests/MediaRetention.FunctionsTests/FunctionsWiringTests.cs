using System.Net;
using System.Reflection;
using System.Text;
using System.Text.Json;
using Azure.Storage.Blobs;
using Azure.Storage.Queues;
using MediaRetention.Core.Audit;
using MediaRetention.Core.Media;
using MediaRetention.Core.Storage;
using MediaRetention.Functions;
using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace MediaRetention.FunctionsTests;

/// <summary>
/// The Functions app's own DI graph (<see cref="FunctionsAppServices"/>, exactly what Program.cs registers), built
/// with scope and build-time validation, with every function class created the way the worker creates it and
/// invoked against Azurite. The Functions host itself cannot run on the build machine.
/// </summary>
[Collection(AzuriteCollection.Name)]
public sealed class FunctionsWiringTests(AzuriteFixture azurite) : IAsyncLifetime
{
    private static readonly DateTimeOffset Now = new(2026, 11, 27, 12, 0, 0, TimeSpan.Zero);
    private readonly FakeTimeProvider time = new(Now);
    private readonly Names names = Names.Unique();
    private ServiceProvider services = null!;

    public async Task InitializeAsync()
    {
        services = BuildFunctionsServices(azurite.ConnectionString, names, time);
        await services.GetRequiredService<StorageProvisioner>().EnsureCreatedAsync(default);
    }

    public async Task DisposeAsync() => await services.DisposeAsync();

    [Fact]
    public void Every_function_class_is_created_from_the_apps_services_and_options_validate()
    {
        services.GetRequiredService<Microsoft.Extensions.Options.IStartupValidator>().Validate();

        var classes = FunctionClasses().ToList();
        Assert.Contains(typeof(IngestFunctions), classes);
        Assert.Contains(typeof(HoldFunctions), classes);
        Assert.Contains(typeof(RetentionFunctions), classes);
        foreach (var type in classes)
        {
            Assert.NotNull(Create(type));
        }
    }

    [Theory]
    [InlineData("Retention:MaxSweepDuration", "00:29:00")]
    [InlineData(MediaRetention.Functions.FunctionTimeout.OverrideSetting, "00:15:00")]
    public void A_sweep_budget_that_does_not_fit_the_hosts_functionTimeout_stops_start_up(string setting, string value)
    {
        using var app = BuildFunctionsServices(azurite.ConnectionString, names, time, new Dictionary<string, string?> { [setting] = value });

        var e = Assert.Throws<OptionsValidationException>(() => app.GetRequiredService<Microsoft.Extensions.Options.IStartupValidator>().Validate());
        Assert.Contains("functionTimeout", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Ingest_function_indexes_an_uploaded_clip()
    {
        const string name = "oslo-1/cam-02/20261127T101500Z.mp4";
        var blob = await UploadAsync(names.Cctv, name, "a clip"u8.ToArray());

        await Create<IngestFunctions>().IngestCctvBlob(blob, name, CancellationToken.None);

        var stored = await services.GetRequiredService<IMediaIndex>().GetAsync(MediaId.For(names.Cctv, name), default);
        Assert.NotNull(stored);
        Assert.Equal(MediaStatus.Indexed, stored.Record.Status);
        Assert.Equal("oslo-1", stored.Record.Site);
        Assert.Equal(Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData("a clip"u8)), stored.Record.Sha256);
    }

    [Fact]
    public async Task Place_hold_with_an_App_Service_police_principal_is_created()
    {
        var context = HoldRequest(Principal("liaison@oslo-pd", "police.oslo-pd"));

        var result = await Create<HoldFunctions>().PlaceHold(context.Request, CancellationToken.None);
        await result.ExecuteAsync(context);

        Assert.Equal((int)HttpStatusCode.Created, context.Response.StatusCode);
        using var body = JsonDocument.Parse(ResponseText(context));
        var hold = body.RootElement.GetProperty("hold");
        Assert.Equal("oslo-pd", hold.GetProperty("agency").GetString());
        Assert.Equal("liaison@oslo-pd", hold.GetProperty("placedBy").GetString());
    }

    [Fact]
    public async Task Place_hold_without_a_principal_is_401_and_audited()
    {
        var context = HoldRequest(principal: null);

        var result = await Create<HoldFunctions>().PlaceHold(context.Request, CancellationToken.None);
        await result.ExecuteAsync(context);

        Assert.Equal((int)HttpStatusCode.Unauthorized, context.Response.StatusCode);
        var audit = services.GetRequiredService<IAuditLog>();
        var page = await audit.QueryAsync(null, null, null, 100, default);
        Assert.Contains(page.Items, e => e.Action == AuditActions.AccessDenied);
    }

    [Fact]
    public async Task Timer_function_runs_a_sweep_that_deletes_an_expired_clip()
    {
        // Recorded 40 days ago: past the default 30 days of CCTV retention.
        var name = "oslo-1/cam-01/" + Now.AddDays(-40).ToString("yyyyMMdd'T'HHmmss'Z'", System.Globalization.CultureInfo.InvariantCulture) + ".mp4";
        var blob = await UploadAsync(names.Cctv, name, "old clip"u8.ToArray());
        await Create<IngestFunctions>().IngestCctvBlob(blob, name, CancellationToken.None);
        time.Advance(TimeSpan.FromMinutes(1)); // past Retention:IngestSettleTime

        await Create<RetentionFunctions>().RetentionSweepTimer(new TimerInfo { IsPastDue = false }, CancellationToken.None);

        Assert.False(await blob.ExistsAsync());
        Assert.Null(await services.GetRequiredService<IMediaIndex>().GetAsync(MediaId.For(names.Cctv, name), default));
        var page = await services.GetRequiredService<IAuditLog>().QueryAsync(null, null, null, 100, default);
        Assert.Contains(page.Items, e => e.Action == AuditActions.RetentionSweep && e.Details["triggeredBy"] == "schedule");
    }

    [Fact]
    public async Task A_sweep_asked_for_over_http_answers_202_and_runs_from_the_queue_trigger_and_only_admins_read_it()
    {
        var name = "oslo-1/cam-01/" + Now.AddDays(-40).ToString("yyyyMMdd'T'HHmmss'Z'", System.Globalization.CultureInfo.InvariantCulture) + ".mp4";
        var blob = await UploadAsync(names.Cctv, name, "old clip"u8.ToArray());
        await Create<IngestFunctions>().IngestCctvBlob(blob, name, CancellationToken.None);
        time.Advance(TimeSpan.FromMinutes(1));
        var admin = Principal("admin@example.org", "admin");

        var post = Request("POST", "/api/retention/sweep", admin, "{}"u8.ToArray());
        await (await Create<RetentionFunctions>().SweepRetention(post.Request, CancellationToken.None)).ExecuteAsync(post);

        Assert.Equal((int)HttpStatusCode.Accepted, post.Response.StatusCode);
        var accepted = JsonDocument.Parse(ResponseText(post)).RootElement;
        var id = accepted.GetProperty("id").GetString()!;
        Assert.Equal($"/api/operations/{id}", post.Response.Headers.Location.ToString());
        Assert.Equal("queued", accepted.GetProperty("status").GetString());
        Assert.True(await blob.ExistsAsync(), "the request itself must not sweep");

        // The message the queue trigger receives (the host decodes the base64 the dispatcher sends).
        var queue = new QueueClient(azurite.ConnectionString, names.Queue, new QueueClientOptions { MessageEncoding = QueueMessageEncoding.Base64 });
        var message = Assert.Single((await queue.ReceiveMessagesAsync(10)).Value);
        Assert.Equal(id, message.MessageText);

        await Create<OperationFunctions>().RunOperation(message.MessageText, CancellationToken.None);

        Assert.False(await blob.ExistsAsync());
        var get = Request("GET", $"/api/operations/{id}", admin);
        await (await Create<OperationFunctions>().GetOperation(get.Request, id, CancellationToken.None)).ExecuteAsync(get);
        Assert.Equal((int)HttpStatusCode.OK, get.Response.StatusCode);
        var done = JsonDocument.Parse(ResponseText(get)).RootElement;
        Assert.Equal("succeeded", done.GetProperty("status").GetString());
        Assert.Equal(1, done.GetProperty("result").GetProperty("deleted").GetInt32());
        Assert.Equal("api:admin@example.org", done.GetProperty("result").GetProperty("triggeredBy").GetString());

        // A redelivered message changes nothing; police may not read a sweep: 404, audited.
        await Create<OperationFunctions>().RunOperation(message.MessageText, CancellationToken.None);
        var police = Request("GET", $"/api/operations/{id}", Principal("liaison@oslo-pd", "police.oslo-pd"));
        await (await Create<OperationFunctions>().GetOperation(police.Request, id, CancellationToken.None)).ExecuteAsync(police);
        Assert.Equal((int)HttpStatusCode.NotFound, police.Response.StatusCode);
        var audit = await services.GetRequiredService<IAuditLog>().QueryAsync(null, null, null, 100, default);
        Assert.Contains(audit.Items, e => e.Action == AuditActions.AccessDenied && e.Actor == "liaison@oslo-pd");
        Assert.Single(audit.Items, e => e.Action == AuditActions.RetentionSweep);
    }

    /// <summary>Program.cs's registrations over test configuration, validated the strict way.</summary>
    internal static ServiceProvider BuildFunctionsServices(
        string connectionString,
        Names names,
        TimeProvider time,
        IDictionary<string, string?>? settings = null,
        Action<IServiceCollection>? configure = null)
    {
        var values = new Dictionary<string, string?>
        {
            ["MediaStorage"] = connectionString,
            ["CctvContainer"] = names.Cctv,
            ["CallsContainer"] = names.Calls,
            ["StateContainer"] = names.State,
            ["MediaTable"] = names.Media,
            ["HoldsTable"] = names.Holds,
            ["AuditTable"] = names.Audit,
            ["OperationsQueue"] = names.Queue,
            ["SubjectRequestsTable"] = names.SubjectRequests,
            // What App Service sets when its authentication is on (the only case the principal header is trusted).
            ["WEBSITE_AUTH_ENABLED"] = "True",
            // The sweep test uploads a clip that is expired already; the product rejects those by default.
            ["Ingest:PastTolerance"] = "3650.00:00:00",
            ["PhoneHash:Keys:0"] = "test:" + Convert.ToBase64String(System.Security.Cryptography.SHA256.HashData("MediaRetention test phone hash key"u8.ToArray())),
        };
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
        {
            values[key] = value;
        }

        var configuration = new ConfigurationBuilder().AddInMemoryCollection(values).Build();

        var collection = new ServiceCollection();
        collection.AddLogging(b => b.SetMinimumLevel(LogLevel.Warning));
        collection.AddSingleton(time);
        collection.AddSingleton<IConfiguration>(configuration);
        collection.AddMediaRetentionFunctions(configuration);
        configure?.Invoke(collection);
        return collection.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true, ValidateScopes = true });
    }

    private static IEnumerable<Type> FunctionClasses() => typeof(IngestFunctions).Assembly.GetTypes()
        .Where(t => t.GetMethods(BindingFlags.Public | BindingFlags.Instance).Any(m => m.GetCustomAttribute<FunctionAttribute>() is not null));

    // The worker's default activator creates function classes with ActivatorUtilities over the app's services.
    private object Create(Type type) => ActivatorUtilities.CreateInstance(services, type);

    private T Create<T>() => (T)Create(typeof(T));

    private async Task<BlobClient> UploadAsync(string container, string name, byte[] content)
    {
        var blob = new BlobContainerClient(azurite.ConnectionString, container).GetBlobClient(name);
        await blob.UploadAsync(new BinaryData(content));
        return blob;
    }

    private DefaultHttpContext Request(string method, string path, string? principal, byte[]? body = null)
    {
        var context = new DefaultHttpContext { RequestServices = services };
        context.Request.Method = method;
        context.Request.Path = path;
        if (body is not null)
        {
            context.Request.ContentType = "application/json";
            context.Request.Body = new MemoryStream(body);
            context.Request.ContentLength = body.Length;
        }

        if (principal is not null)
        {
            context.Request.Headers["X-MS-CLIENT-PRINCIPAL"] = principal;
        }

        context.Response.Body = new MemoryStream();
        return context;
    }

    private DefaultHttpContext HoldRequest(string? principal)
    {
        var context = new DefaultHttpContext { RequestServices = services };
        context.Request.Method = "POST";
        context.Request.Path = "/api/holds";
        context.Request.ContentType = "application/json";
        var body = """
            { "caseNumber": "OPD-2026-0001", "reason": "Robbery reported 2026-11-27",
              "requestedBy": { "agency": "oslo-pd", "officer": "Insp. Hansen" },
              "scope": { "type": "cctv", "site": "oslo-1", "from": "2026-11-27T08:00:00Z", "to": "2026-11-27T10:00:00Z" } }
            """u8.ToArray();
        context.Request.Body = new MemoryStream(body);
        context.Request.ContentLength = body.Length;
        if (principal is not null)
        {
            context.Request.Headers["X-MS-CLIENT-PRINCIPAL"] = principal;
        }

        context.Response.Body = new MemoryStream();
        return context;
    }

    private static string ResponseText(HttpContext context)
    {
        context.Response.Body.Position = 0;
        return new StreamReader(context.Response.Body).ReadToEnd();
    }

    /// <summary>The base64 JSON principal App Service Authentication forwards for an Entra ID user with one app role.</summary>
    private static string Principal(string name, string role) => Convert.ToBase64String(Encoding.UTF8.GetBytes(JsonSerializer.Serialize(new
    {
        auth_typ = "aad",
        name_typ = "name",
        role_typ = "roles",
        claims = new[] { new { typ = "name", val = name }, new { typ = "roles", val = role } },
    })));
}

/// <summary>Fresh container and table names per test, so tests sharing one Azurite never see each other's data.</summary>
public sealed record Names(string Cctv, string Calls, string State, string Media, string Holds, string Audit, string Queue, string SubjectRequests)
{
    public static Names Unique()
    {
        var s = Guid.NewGuid().ToString("N")[..10];
        return new Names("cctv-" + s, "calls-" + s, "state-" + s, "media" + s, "holds" + s, "audit" + s, "ops-" + s, "subjectrequests" + s);
    }
}

/// <summary>One in-memory Azurite for the Functions tests.</summary>
public sealed class AzuriteFixture : IAsyncLifetime
{
    private AzuriteInstance? azurite;

    public string ConnectionString => (azurite ?? throw new InvalidOperationException("Azurite is not started.")).ConnectionString;

    public async Task InitializeAsync() => azurite = await AzuriteInstance.StartAsync();

    public async Task DisposeAsync()
    {
        if (azurite is not null)
        {
            await azurite.DisposeAsync();
        }
    }
}

[CollectionDefinition(Name)]
public sealed class AzuriteCollection : ICollectionFixture<AzuriteFixture>
{
    public const string Name = "Azurite";
}
