using System.Threading.Channels;
using MediaRetention.Core.Operations;
using Microsoft.Extensions.Options;

namespace MediaRetention.Runner.Operations;

/// <summary>The runner hands operations it accepted to its own worker, in process: immediate, no queue service needed.</summary>
public sealed class LocalOperationDispatcher : IOperationDispatcher
{
    private readonly Channel<string> channel = Channel.CreateUnbounded<string>(new UnboundedChannelOptions { SingleReader = true });

    public ChannelReader<string> Reader => channel.Reader;

    public Task DispatchAsync(string operationId, CancellationToken cancellationToken) => channel.Writer.WriteAsync(operationId, cancellationToken).AsTask();
}

/// <summary>
/// The runner's operation worker: runs what this runner accepted as soon as it is accepted, and every
/// <see cref="OperationOptions.RecoveryInterval"/> (and at start-up) looks at the stored operations for any a dead worker
/// left behind (queued and never started, or running with an old heartbeat) and takes them over; it also removes expired
/// operations. The operation's state is in storage, so a restarted runner, or another one on the same account, finishes
/// what a stopped one began.
/// </summary>
public sealed class OperationWorkerService(
    LocalOperationDispatcher dispatcher,
    RunOperationHandler operations,
    IOperationStore store,
    IOptions<OperationOptions> options,
    TimeProvider time,
    ILogger<OperationWorkerService> logger) : BackgroundService
{
    private readonly Channel<string> recovered = Channel.CreateUnbounded<string>();

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var recovering = RecoverAsync(stoppingToken);
        try
        {
            await Parallel.ForEachAsync(Merge(stoppingToken),
                new ParallelOptions { MaxDegreeOfParallelism = options.Value.MaxConcurrent, CancellationToken = stoppingToken },
                async (id, ct) =>
                {
                    try
                    {
                        var outcome = await operations.RunAsync(id, ct);
                        logger.LogDebug("Operation {OperationId}: {Outcome}", id, outcome);
                    }
                    catch (Exception e) when (e is not OperationCanceledException || !ct.IsCancellationRequested)
                    {
                        // Left as it is in storage: the recovery looks at it again.
                        logger.LogError(e, "Operation {OperationId} could not be run", id);
                    }
                });
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // stopping: unfinished operations stay running in storage for the next worker
        }

        await recovering;
    }

    private async IAsyncEnumerable<string> Merge([System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var local = dispatcher.Reader.ReadAsync(cancellationToken).AsTask();
        var found = recovered.Reader.ReadAsync(cancellationToken).AsTask();
        while (true)
        {
            var next = await Task.WhenAny(local, found);
            yield return await next;
            if (next == local)
            {
                local = dispatcher.Reader.ReadAsync(cancellationToken).AsTask();
            }
            else
            {
                found = recovered.Reader.ReadAsync(cancellationToken).AsTask();
            }
        }
    }

    private async Task RecoverAsync(CancellationToken stoppingToken)
    {
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                try
                {
                    var now = time.GetUtcNow();
                    await foreach (var listed in store.ListAsync(stoppingToken))
                    {
                        var unattended = listed.Status switch
                        {
                            OperationStatuses.Queued => now - listed.LastSignOfLife >= options.Value.RecoveryInterval,
                            OperationStatuses.Running => now - listed.LastSignOfLife >= options.Value.StaleAfter,
                            _ => false,
                        };
                        if (unattended && listed.ExpiresAt > now)
                        {
                            await recovered.Writer.WriteAsync(listed.Id, stoppingToken);
                        }
                    }

                    var removed = await operations.PurgeExpiredAsync(stoppingToken);
                    if (removed > 0)
                    {
                        logger.LogInformation("Removed {Count} expired operation(s)", removed);
                    }
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    logger.LogWarning(e, "Could not look for operations to take over; trying again in {Interval}", options.Value.RecoveryInterval);
                }

                await Task.Delay(options.Value.RecoveryInterval, time, stoppingToken);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // stopping
        }
    }
}
