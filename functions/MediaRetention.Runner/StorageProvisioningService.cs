using MediaRetention.Core.Storage;

namespace MediaRetention.Runner;

/// <summary>
/// Creates the containers and tables before the server starts listening (hosted services start first), so
/// no request or background loop ever meets a missing table.
/// </summary>
public sealed class StorageProvisioningService(StorageProvisioner provisioner) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken) => provisioner.EnsureCreatedAsync(cancellationToken);

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
