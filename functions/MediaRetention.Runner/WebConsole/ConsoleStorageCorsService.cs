using MediaRetention.Core.Storage;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Options;

namespace MediaRetention.Runner.WebConsole;

/// <summary>
/// Once the server listens (its port may have been chosen by the OS), lets the console's origins read blobs
/// cross-origin (<see cref="BlobCorsRules"/>). A failure only costs the in-browser verification, so it is logged
/// and the runner goes on.
/// </summary>
public sealed class ConsoleStorageCorsService(
    IServer server,
    BlobCorsRules cors,
    IOptions<ConsoleOptions> options,
    ILogger<ConsoleStorageCorsService> logger) : IHostedLifecycleService
{
    public async Task StartedAsync(CancellationToken cancellationToken)
    {
        if (!options.Value.ConfigureStorageCors)
        {
            return;
        }

        var addresses = server.Features.Get<IServerAddressesFeature>()?.Addresses ?? [];
        var origins = Origins(addresses, options.Value.Origins);
        try
        {
            if (await cors.AllowReadsFromAsync(origins, cancellationToken))
            {
                logger.LogInformation("Blob storage now answers cross-origin reads from {Origins}", string.Join(", ", origins));
            }
        }
        catch (Exception e) when (e is Azure.RequestFailedException or InvalidOperationException or HttpRequestException)
        {
            logger.LogWarning(e, "Could not set the blob service's CORS rule for {Origins}; the console's in-browser evidence check will fail until it is set", string.Join(", ", origins));
        }
    }

    /// <summary>
    /// The listening addresses as origins, with localhost and 127.0.0.1 both allowed for a loopback address (a
    /// browser sends whichever the person typed), plus the configured ones.
    /// </summary>
    public static IReadOnlyList<string> Origins(IEnumerable<string> addresses, IEnumerable<string> configured)
    {
        var origins = new List<string>();
        foreach (var address in addresses)
        {
            if (!Uri.TryCreate(address.Replace("://+", "://localhost").Replace("://*", "://localhost"), UriKind.Absolute, out var uri))
            {
                continue;
            }

            var host = uri.Host;
            var hosts = uri.IsLoopback || host is "0.0.0.0" or "[::]" or "::" or "localhost"
                ? new[] { "localhost", "127.0.0.1" }
                : [host];
            origins.AddRange(hosts.Select(h => $"{uri.Scheme}://{h}:{uri.Port}"));
        }

        origins.AddRange(configured.Select(o => o.TrimEnd('/')));
        return origins.Distinct(StringComparer.OrdinalIgnoreCase).ToList();
    }

    public Task StartingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
