using System.Text.Json;
using MediaRetention.Core.Audit;
using MediaRetention.Core.Evidence;
using MediaRetention.Core.Holds;
using MediaRetention.Core.Retention;

namespace MediaRetention.Core.Operations;

/// <summary>The work behind one kind of operation. It must be safe to run again: a worker that died is followed by another.</summary>
public interface IOperationWork
{
    /// <summary>One of <see cref="OperationKinds"/>.</summary>
    string Kind { get; }

    /// <summary>
    /// Does the work and returns its result as the synchronous route answered it. <paramref name="report"/> takes the
    /// latest progress (any JSON-serialisable value); throw <see cref="OperationFailedException"/> for a failure the
    /// caller should read as a problem.
    /// </summary>
    Task<JsonElement> RunAsync(Operation operation, Action<object> report, CancellationToken cancellationToken);
}

/// <summary>A sweep asked for over HTTP: under the account-wide sweep lease, like every other sweep.</summary>
public sealed class SweepOperationWork(RunRetentionSweepHandler sweeps) : IOperationWork
{
    public string Kind => OperationKinds.RetentionSweep;

    public async Task<JsonElement> RunAsync(Operation operation, Action<object> report, CancellationToken cancellationToken)
    {
        var run = await sweeps.RunAsync("api:" + operation.CreatedBy, cancellationToken, new Reported<SweepProgress>(p => report(p)));
        if (run.Busy)
        {
            throw new OperationFailedException(new OperationError(409, "Conflict",
                "A retention sweep was already running on another host when this one was to start; try again when it has finished."));
        }

        return JsonSerializer.SerializeToElement(run.Summary, JsonSerializerOptions.Web);
    }
}

/// <summary>An evidence re-check: the hold as it is stored now, every covered medium re-hashed.</summary>
public sealed class VerifyEvidenceOperationWork(IHoldStore holds, VerifyEvidenceHandler verify) : IOperationWork
{
    public string Kind => OperationKinds.EvidenceVerify;

    public async Task<JsonElement> RunAsync(Operation operation, Action<object> report, CancellationToken cancellationToken)
    {
        var stored = operation.HoldId is { } holdId ? await holds.GetAsync(holdId, cancellationToken) : null;
        if (stored?.Hold is not { } hold)
        {
            throw new OperationFailedException(stored is null
                ? new OperationError(404, "Not Found", $"Hold '{operation.HoldId}' no longer exists.")
                : new OperationError(409, "Conflict", $"Hold '{operation.HoldId}' is stored but cannot be read."));
        }

        var highest = 0;
        var verification = await verify.HandleAsync(new VerifyEvidenceCommand(hold, operation.CreatedBy), cancellationToken,
            new Reported<int>(count =>
            {
                // Parallel workers report out of order: keep the highest count.
                var seen = Volatile.Read(ref highest);
                while (count > seen && Interlocked.CompareExchange(ref highest, count, seen) != seen)
                {
                    seen = Volatile.Read(ref highest);
                }

                report(new VerifyProgress(Volatile.Read(ref highest)));
            }));
        return JsonSerializer.SerializeToElement(verification, JsonSerializerOptions.Web);
    }
}

/// <summary>The whole audit chain verified page by page, against every anchor: what <c>GET /api/audit/verify</c> answers.</summary>
public sealed class VerifyAuditOperationWork(VerifyAuditChainHandler verify) : IOperationWork
{
    /// <summary>Entries per page of the walk; progress is reported after each.</summary>
    public const int PageSize = 5000;

    public string Kind => OperationKinds.AuditVerify;

    public async Task<JsonElement> RunAsync(Operation operation, Action<object> report, CancellationToken cancellationToken) =>
        JsonSerializer.SerializeToElement(await verify.HandleAllAsync(PageSize, p => report(p), cancellationToken), JsonSerializerOptions.Web);
}

/// <summary>An evidence re-check's progress: media re-hashed so far.</summary>
public sealed record VerifyProgress(int Checked);

/// <summary>An <see cref="IProgress{T}"/> that reports on the caller's thread (Progress&lt;T&gt; would post, out of order).</summary>
internal sealed class Reported<T>(Action<T> report) : IProgress<T>
{
    public void Report(T value) => report(value);
}

/// <summary>The phone and camera lookup rows backfilled and the marker written (<see cref="Media.BackfillLookupRowsHandler"/>).</summary>
public sealed class BackfillLookupRowsOperationWork(Media.BackfillLookupRowsHandler backfill) : IOperationWork
{
    public string Kind => OperationKinds.LookupRowsBackfill;

    public async Task<JsonElement> RunAsync(Operation operation, Action<object> report, CancellationToken cancellationToken) =>
        JsonSerializer.SerializeToElement(await backfill.HandleAsync(operation.CreatedBy, p => report(p), cancellationToken), JsonSerializerOptions.Web);
}
