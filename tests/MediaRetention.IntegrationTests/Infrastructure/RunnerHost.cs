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
        Client = new HttpClient { BaseAddress = baseAddress };
    }

    public HttpClient Client { get; }

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
            "--Ingest:PollInterval=00:00:00.250",
            "--Logging:LogLevel:Default=Warning",
        };
        args.AddRange((settings ?? new Dictionary<string, string?>()).Select(s => $"--{s.Key}={s.Value}"));

        var app = RunnerApp.Build([.. args], configure);
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return new RunnerHost(app, new Uri(address));
    }

    /// <summary>Polls a GET until the predicate holds on its JSON body, or fails after the timeout.</summary>
    public async Task<T> WaitForAsync<T>(string path, Func<T, bool> predicate, TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        T? last = default;
        while (!cts.IsCancellationRequested)
        {
            last = await Client.GetFromJsonAsync<T>(path, cts.Token);
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
