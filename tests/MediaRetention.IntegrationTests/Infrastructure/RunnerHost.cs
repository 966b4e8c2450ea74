using System.Net.Http.Json;
using MediaRetention.Core.Storage;
using MediaRetention.Runner;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;

namespace MediaRetention.IntegrationTests.Infrastructure;

/// <summary>The real runner (Kestrel, background services) started in-process on a free loopback port.</summary>
public sealed class RunnerHost : IAsyncDisposable
{
    private readonly WebApplication app;

    private RunnerHost(WebApplication app, Uri baseAddress)
    {
        this.app = app;
        BaseAddress = baseAddress;
        Client = ClientFor(TestKeys.Security);
    }

    public Uri BaseAddress { get; }

    /// <summary>A client with the security key: most tests act as security staff.</summary>
    public HttpClient Client { get; }

    /// <summary>A client sending the given API key (null: no key at all).</summary>
    public HttpClient ClientFor(string? apiKey)
    {
        var client = new HttpClient { BaseAddress = BaseAddress };
        if (apiKey is not null)
        {
            client.DefaultRequestHeaders.Add("X-Api-Key", apiKey);
        }

        return client;
    }

    public IServiceProvider Services => app.Services;

    public static async Task<RunnerHost> StartAsync(
        string connectionString,
        MediaStorageOptions storage,
        IDictionary<string, string?>? settings = null,
        Action<WebApplicationBuilder>? configure = null)
    {
        var args = new List<string>
        {
            "--urls=http://127.0.0.1:0",
            "--environment=Development",
            $"--MediaStorage={connectionString}",
            $"--CctvContainer={storage.CctvContainer}",
            $"--CallsContainer={storage.CallsContainer}",
            $"--StateContainer={storage.StateContainer}",
            $"--MediaTable={storage.MediaTable}",
            $"--HoldsTable={storage.HoldsTable}",
            $"--AuditTable={storage.AuditTable}",
            $"--SubjectRequestsTable={storage.SubjectRequestsTable}",
            "--Ingest:PollInterval=00:00:00.250",
            // Tests upload clips named at any past time in any order (each step further back, 40 days back); the product
            // finds a clip named more than Ingest:ScanOverlap before its camera's newest by the full scan, hourly by
            // default, which a test cannot wait for: here the full scan runs every poll beside the prefix scans. The
            // prefix scan's own tests (BlobScanIngestServiceTests) drive a scanner of their own.
            "--Ingest:FullScanInterval=00:00:00",
            "--Logging:LogLevel:Default=Warning",
            "--Retention:TimerEnabled=false",
            // Anchors only where a test asks for them (a sweep, or the handler): never on a clock tick mid-test.
            "--AuditAnchorSchedule=0 0 0 1 1 *",
            // Tests send many wrong keys from one address on purpose; the rate limit has its own tests.
            "--Abuse:FailedAuthLimit=10000",
        };
        // Tests upload clips that are expired already (named 40 days back) to exercise the sweep; the product rejects such
        // recording times (Ingest:PastTolerance, default the retention period). A test that wants the product's default
        // passes the key with a null value.
        if (settings?.ContainsKey("Ingest:PastTolerance") != true)
        {
            args.Add("--Ingest:PastTolerance=3650.00:00:00");
        }

        args.AddRange(TestKeys.Settings());
        args.Add($"--PhoneHash:Keys:0={TestKeys.PhoneHashKey}");
        args.AddRange(TestSigningKeys.RunnerSettings());
        args.AddRange((settings ?? new Dictionary<string, string?>()).Where(s => s.Value is not null).Select(s => $"--{s.Key}={s.Value}"));

        var app = RunnerApp.Build([.. args], configure);
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return new RunnerHost(app, new Uri(address));
    }

    /// <summary>
    /// Security approves a police preservation request as requested (police holds start "requested" and show no
    /// coverage or evidence until then).
    /// </summary>
    public async Task ApproveAsync(string holdId, string reason = "Approved: the footage concerns the reported case")
    {
        using var security = ClientFor(TestKeys.Security);
        using var response = await security.PostAsJsonAsync($"/api/holds/{holdId}/approve", new { reason });
        if (!response.IsSuccessStatusCode)
        {
            throw new InvalidOperationException($"Approving hold {holdId}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        }
    }

    /// <summary>Polls a GET until the predicate holds on its JSON body, or fails after the timeout.</summary>
    public async Task<T> WaitForAsync<T>(string path, Func<T, bool> predicate, TimeSpan timeout, HttpClient? client = null)
    {
        client ??= Client;
        using var cts = new CancellationTokenSource(timeout);
        T? last = default;
        while (!cts.IsCancellationRequested)
        {
            last = await client.GetFromJsonAsync<T>(path, System.Text.Json.JsonSerializerOptions.Web, cts.Token);
            if (last is not null && predicate(last))
            {
                return last;
            }

            await Task.Delay(100, CancellationToken.None);
        }

        throw new TimeoutException($"GET {path} did not satisfy the condition within {timeout}. Last: {System.Text.Json.JsonSerializer.Serialize(last)}");
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await app.StopAsync();
        await app.DisposeAsync();
    }
}

/// <summary>API keys the test runner accepts, one per role (privacy: the data protection officer), and police keys of two agencies.</summary>
public static class TestKeys
{
    public const string Security = "test-key-security";
    public const string Police = "test-key-police-oslo";
    public const string OtherPolice = "test-key-police-bergen";
    public const string Admin = "test-key-admin";
    public const string Privacy = "test-key-privacy";
    public const string PoliceAgency = "oslo-pd";
    public const string OtherPoliceAgency = "bergen-pd";

    /// <summary>The fixed phone-hash key of the tests (a ring of one key, id "test").</summary>
    public static readonly string PhoneHashKey = "test:" + Convert.ToBase64String(System.Security.Cryptography.SHA256.HashData("MediaRetention test phone hash key"u8.ToArray()));

    public static MediaRetention.Core.Phones.PhoneHasher PhoneHasher { get; } =
        new(MediaRetention.Core.Phones.PhoneHashKeyRing.Parse([PhoneHashKey], "test"));

    public static IEnumerable<string> Settings()
    {
        (string Name, string Role, string? Agency, string Key)[] keys =
        [
            ("guard-1", "security", null, Security),
            ("liaison-oslo", "police", PoliceAgency, Police),
            ("liaison-bergen", "police", OtherPoliceAgency, OtherPolice),
            ("admin-1", "admin", null, Admin),
            ("dpo-1", "privacy", null, Privacy),
        ];
        for (var i = 0; i < keys.Length; i++)
        {
            yield return $"--Auth:ApiKeys:{i}:Name={keys[i].Name}";
            yield return $"--Auth:ApiKeys:{i}:Role={keys[i].Role}";
            yield return $"--Auth:ApiKeys:{i}:KeyHash={MediaRetention.Api.Auth.ApiKeyAuthenticator.HashKey(keys[i].Key)}";
            if (keys[i].Agency is { } agency)
            {
                yield return $"--Auth:ApiKeys:{i}:Agency={agency}";
            }
        }
    }
}
