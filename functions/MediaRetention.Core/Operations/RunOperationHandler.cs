using System.Text.Json;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace MediaRetention.Core.Operations;

/// <summary>What became of a request to run an operation.</summary>
public enum OperationRunOutcome
{
    /// <summary>This worker ran it to the end (succeeded or failed).</summary>
    Finished,

    /// <summary>It had finished before (a repeated delivery).</summary>
    AlreadyFinished,

    /// <summary>Another worker has it and is alive.</summary>
    RunningElsewhere,

    /// <summary>No such operation (expired and removed).</summary>
    NotFound,

    /// <summary>This host is stopping: the operation is left running for another worker to take over.</summary>
    Interrupted,
}

/// <summary>
/// Runs one operation, whichever worker calls (the runner's background worker, the Functions app's queue trigger):
/// claims it with a conditional write (so only one worker runs it), writes progress as a heartbeat while the work runs,
/// and stores the result or the error. A worker that dies leaves the operation running with an old heartbeat; the next
/// worker asked to run it (a redelivered queue message, the runner's recovery) takes over after
/// <see cref="OperationOptions.StaleAfter"/>, up to <see cref="OperationOptions.MaxAttempts"/> times. Both kinds of work
/// are safe to run again (a sweep resumes; a verification re-reads).
/// </summary>
public sealed class RunOperationHandler(
    IOperationStore store,
    IEnumerable<IOperationWork> works,
    IOptions<OperationOptions> options,
    TimeProvider time,
    ILogger<RunOperationHandler> logger)
{
    public async Task<OperationRunOutcome> RunAsync(string operationId, CancellationToken cancellationToken)
    {
        var stored = await store.GetAsync(operationId, cancellationToken);
        if (stored is null)
        {
            logger.LogWarning("Operation {OperationId} does not exist (expired?); nothing to run", operationId);
            return OperationRunOutcome.NotFound;
        }

        var (operation, etag) = stored;
        var now = time.GetUtcNow();
        if (operation.IsFinished)
        {
            return OperationRunOutcome.AlreadyFinished;
        }

        if (operation.AsOf(now, options.Value) is { Status: OperationStatuses.Failed } abandoned)
        {
            // Readers already see it failed; never start what they were told has failed.
            await store.TryReplaceAsync(abandoned with { FinishedAt = now }, etag, cancellationToken);
            return OperationRunOutcome.Finished;
        }

        if (operation.Status == OperationStatuses.Running && operation.HeartbeatAt is { } beat && now - beat < options.Value.StaleAfter)
        {
            return OperationRunOutcome.RunningElsewhere;
        }

        if (operation.Attempts >= options.Value.MaxAttempts)
        {
            await store.TryReplaceAsync(operation with
            {
                Status = OperationStatuses.Failed,
                FinishedAt = now,
                Error = new OperationError(500, "Gave up", $"{operation.Attempts} workers started this operation and none finished it; start it again."),
            }, etag, cancellationToken);
            return OperationRunOutcome.Finished;
        }

        var claimed = operation with
        {
            Status = OperationStatuses.Running,
            Attempts = operation.Attempts + 1,
            StartedAt = operation.StartedAt ?? now,
            HeartbeatAt = now,
        };
        if (await store.TryReplaceAsync(claimed, etag, cancellationToken) is not { } claimedETag)
        {
            return OperationRunOutcome.RunningElsewhere; // another worker claimed it first
        }

        if (operation.Attempts > 0)
        {
            logger.LogWarning("Operation {OperationId} ({Kind}) taken over: attempt {Attempt}", operation.Id, operation.Kind, claimed.Attempts);
        }

        await using var session = new Session(store, claimed, claimedETag, time, options.Value.HeartbeatInterval, logger, cancellationToken);
        JsonElement result;
        try
        {
            result = await ExecuteAsync(claimed, session, session.Cancellation);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            logger.LogWarning("Operation {OperationId} ({Kind}) interrupted: this host is stopping; another worker takes over", claimed.Id, claimed.Kind);
            return OperationRunOutcome.Interrupted;
        }
        catch (OperationCanceledException) when (session.Lost)
        {
            logger.LogWarning("Operation {OperationId} ({Kind}) was taken over by another worker; this one stops", claimed.Id, claimed.Kind);
            return OperationRunOutcome.RunningElsewhere;
        }
        catch (Exception e)
        {
            var error = e is OperationFailedException failed
                ? failed.Error
                : new OperationError(500, "Failed", $"The operation stopped on an error ({e.GetType().Name}); the server log has the details. Nothing was deleted on the error path.");
            if (e is not OperationFailedException)
            {
                logger.LogError(e, "Operation {OperationId} ({Kind}) failed", claimed.Id, claimed.Kind);
            }

            await session.FinishAsync(OperationStatuses.Failed, null, error);
            return OperationRunOutcome.Finished;
        }

        await session.FinishAsync(OperationStatuses.Succeeded, result, null);
        await TryPurgeExpiredAsync(cancellationToken);
        return OperationRunOutcome.Finished;
    }

    private async Task TryPurgeExpiredAsync(CancellationToken cancellationToken)
    {
        try
        {
            await PurgeExpiredAsync(cancellationToken);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            logger.LogWarning(e, "Could not remove expired operations; the next finished operation tries again");
        }
    }

    /// <summary>Removes the operations past their expiry (best effort; readers never see them anyway).</summary>
    public async Task<int> PurgeExpiredAsync(CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var removed = 0;
        await foreach (var listed in store.ListAsync(cancellationToken))
        {
            if (listed.ExpiresAt <= now)
            {
                await store.DeleteAsync(listed.Id, cancellationToken);
                removed++;
            }
        }

        return removed;
    }

    private Task<JsonElement> ExecuteAsync(Operation operation, Session session, CancellationToken cancellationToken) =>
        works.FirstOrDefault(w => w.Kind == operation.Kind) is { } work
            ? work.RunAsync(operation, session.Report, cancellationToken)
            : throw new OperationFailedException(new OperationError(500, "Unknown operation", $"No worker knows operations of kind '{operation.Kind}'."));

    /// <summary>
    /// The claimed operation while its work runs: the latest progress, a heartbeat that writes it every interval, and the
    /// final write. Each write is conditional on the previous one, so a worker that lost its claim notices (and stops).
    /// </summary>
    private sealed class Session : IAsyncDisposable
    {
        private readonly IOperationStore store;
        private readonly TimeProvider time;
        private readonly ILogger logger;
        private readonly CancellationTokenSource work;
        private readonly CancellationTokenSource heartbeat = new();
        private readonly SemaphoreSlim writing = new(1, 1);
        private readonly Task beating;
        private Operation current;
        private string etag;
        private object? latest;
        private volatile bool lost;

        public Session(IOperationStore store, Operation claimed, string etag, TimeProvider time, TimeSpan interval, ILogger logger, CancellationToken cancellationToken)
        {
            this.store = store;
            this.time = time;
            this.logger = logger;
            current = claimed;
            this.etag = etag;
            work = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            beating = BeatAsync(interval);
        }

        public CancellationToken Cancellation => work.Token;

        public bool Lost => lost;

        public void Report(object progress) => Volatile.Write(ref latest, progress);

        public async Task FinishAsync(string status, JsonElement? result, OperationError? error)
        {
            await heartbeat.CancelAsync();
            await beating;
            await WriteAsync(op => op with
            {
                Status = status,
                FinishedAt = time.GetUtcNow(),
                HeartbeatAt = time.GetUtcNow(),
                Result = result,
                Error = error,
            }, CancellationToken.None);
        }

        public async ValueTask DisposeAsync()
        {
            await heartbeat.CancelAsync();
            await beating;
            heartbeat.Dispose();
            work.Dispose();
            writing.Dispose();
        }

        private async Task BeatAsync(TimeSpan interval)
        {
            while (!heartbeat.IsCancellationRequested && !lost)
            {
                try
                {
                    await Task.Delay(interval, time, heartbeat.Token);
                    await WriteAsync(op => op with { HeartbeatAt = time.GetUtcNow() }, heartbeat.Token);
                }
                catch (OperationCanceledException) when (heartbeat.IsCancellationRequested)
                {
                    return; // finished or disposed
                }
                catch (Exception e)
                {
                    // A missed beat is not fatal: the next one tries again; only StaleAfter without one hands it over.
                    logger.LogWarning(e, "Could not write the heartbeat of operation {OperationId}", current.Id);
                }
            }
        }

        private async Task WriteAsync(Func<Operation, Operation> change, CancellationToken cancellationToken)
        {
            await writing.WaitAsync(CancellationToken.None);
            try
            {
                if (lost)
                {
                    return;
                }

                var next = change(current) with { Progress = Serialize(Volatile.Read(ref latest)) ?? current.Progress };
                if (await store.TryReplaceAsync(next, etag, cancellationToken) is { } written)
                {
                    current = next;
                    etag = written;
                }
                else
                {
                    // Someone else wrote it: another worker took over after our heartbeat went stale. Stop our work.
                    lost = true;
                    await work.CancelAsync();
                }
            }
            finally
            {
                writing.Release();
            }
        }

        private static JsonElement? Serialize(object? progress) =>
            progress is null ? null : JsonSerializer.SerializeToElement(progress, progress.GetType(), JsonSerializerOptions.Web);
    }
}
