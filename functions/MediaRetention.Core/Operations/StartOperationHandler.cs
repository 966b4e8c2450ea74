using MediaRetention.Core.Retention;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace MediaRetention.Core.Operations;

/// <summary>How a host hands an accepted operation to a worker: the runner's own background worker, or a queue.</summary>
public interface IOperationDispatcher
{
    Task DispatchAsync(string operationId, CancellationToken cancellationToken);
}

public sealed record StartOperationCommand(string Kind, string CreatedBy, IReadOnlyList<string> ReaderRoles, string? Agency = null, string? HoldId = null)
{
    /// <summary>The id when the caller recorded it elsewhere first (a hold's marking row names its operation); else a new one.</summary>
    public string? OperationId { get; init; }
}

/// <summary>Records an operation as queued and hands it to a worker; the HTTP route answers 202 with its address.</summary>
public sealed class StartOperationHandler(
    IOperationStore store,
    IOperationDispatcher dispatcher,
    RetentionSweepLock sweepLock,
    IOptions<OperationOptions> options,
    TimeProvider time,
    ILogger<StartOperationHandler> logger)
{
    /// <exception cref="OperationNotStartedException">Recorded, but no worker could be told; it is marked failed.</exception>
    public async Task<Operation> HandleAsync(StartOperationCommand command, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var operation = new Operation
        {
            Id = command.OperationId ?? Guid.CreateVersion7(now).ToString("N"),
            Kind = command.Kind,
            Status = OperationStatuses.Queued,
            CreatedAt = now,
            CreatedBy = command.CreatedBy,
            ReaderRoles = command.ReaderRoles,
            Agency = command.Agency,
            HoldId = command.HoldId,
            ExpiresAt = now + options.Value.KeepFor,
        };
        await store.CreateAsync(operation, cancellationToken);
        try
        {
            await dispatcher.DispatchAsync(operation.Id, cancellationToken);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            logger.LogError(e, "Operation {OperationId} ({Kind}) could not be handed to a worker", operation.Id, operation.Kind);
            await MarkNotStartedAsync(operation);
            throw new OperationNotStartedException(operation.Id, e);
        }

        return operation;
    }

    /// <summary>
    /// Whether a retention sweep is running anywhere on the account (the sweep lease is taken) or one is queued or
    /// running as an operation: a second one would only find the lease taken.
    /// </summary>
    public async Task<bool> IsSweepUnderwayAsync(CancellationToken cancellationToken)
    {
        if (await sweepLock.IsTakenAsync(cancellationToken))
        {
            return true;
        }

        var now = time.GetUtcNow();
        await foreach (var listed in store.ListAsync(cancellationToken))
        {
            if (listed is { Kind: OperationKinds.RetentionSweep, Status: OperationStatuses.Queued or OperationStatuses.Running }
                && now - listed.LastSignOfLife < options.Value.AbandonAfter)
            {
                return true;
            }
        }

        return false;
    }

    private async Task MarkNotStartedAsync(Operation operation)
    {
        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            var stored = await store.GetAsync(operation.Id, timeout.Token);
            if (stored is { Operation.IsFinished: false })
            {
                await store.TryReplaceAsync(stored.Operation with
                {
                    Status = OperationStatuses.Failed,
                    FinishedAt = time.GetUtcNow(),
                    Error = new OperationError(503, "Service Unavailable", "The operation could not be handed to a worker; try again."),
                }, stored.ETag, timeout.Token);
            }
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            logger.LogWarning(e, "Could not mark operation {OperationId} failed", operation.Id);
        }
    }
}
