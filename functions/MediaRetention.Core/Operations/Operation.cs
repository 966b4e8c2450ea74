using System.Text.Json;

namespace MediaRetention.Core.Operations;

/// <summary>
/// Work that outlives the HTTP request that asked for it (a retention sweep, an evidence re-check): Azure's front end
/// ends a request after 230 s, so the request answers 202 with the operation's address and a worker of either host does
/// the work. The operation lives in storage (the state container), never in a process: the GET that reads it may land
/// on another instance, and a worker that dies leaves it to be taken over.
/// </summary>
public sealed record Operation
{
    public required string Id { get; init; }

    /// <summary>One of <see cref="OperationKinds"/>.</summary>
    public required string Kind { get; init; }

    /// <summary>One of <see cref="OperationStatuses"/>.</summary>
    public required string Status { get; init; }

    public required DateTimeOffset CreatedAt { get; init; }

    /// <summary>Who asked (their name, as the audit log knows them).</summary>
    public required string CreatedBy { get; init; }

    /// <summary>The roles that may read the operation.</summary>
    public required IReadOnlyList<string> ReaderRoles { get; init; }

    /// <summary>For an evidence check: the hold's agency; police of other agencies may not read it.</summary>
    public string? Agency { get; init; }

    /// <summary>For an evidence check: the hold it checks.</summary>
    public string? HoldId { get; init; }

    /// <summary>After this the operation is gone (<see cref="OperationOptions.KeepFor"/>).</summary>
    public required DateTimeOffset ExpiresAt { get; init; }

    public DateTimeOffset? StartedAt { get; init; }

    /// <summary>The running worker's last sign of life; a worker that stops beating loses the operation to another.</summary>
    public DateTimeOffset? HeartbeatAt { get; init; }

    public DateTimeOffset? FinishedAt { get; init; }

    /// <summary>How many times a worker has started it (a worker that died is followed by another, up to a limit).</summary>
    public int Attempts { get; init; }

    /// <summary>What the work has done so far (kind-specific), updated with each heartbeat.</summary>
    public JsonElement? Progress { get; init; }

    /// <summary>Once succeeded: the answer the synchronous route used to give (a sweep summary, a verification).</summary>
    public JsonElement? Result { get; init; }

    /// <summary>Once failed: why, as a problem status, title and detail.</summary>
    public OperationError? Error { get; init; }

    public bool IsFinished => Status is OperationStatuses.Succeeded or OperationStatuses.Failed;

    /// <summary>
    /// The operation as readers should see it at <paramref name="now"/>: one whose worker stopped beating (or that no
    /// worker ever picked up) for <see cref="OperationOptions.AbandonAfter"/> is failed, whatever is stored.
    /// </summary>
    public Operation AsOf(DateTimeOffset now, OperationOptions options) =>
        !IsFinished && now - (HeartbeatAt ?? CreatedAt) >= options.AbandonAfter
            ? this with
            {
                Status = OperationStatuses.Failed,
                Error = new OperationError(500, "Abandoned",
                    $"No worker has reported progress since {(HeartbeatAt ?? CreatedAt).UtcDateTime:O} (a host stopped or could not pick it up); start it again."),
            }
            : this;
}

/// <summary>Why an operation failed, in the shape of a problem: the HTTP status the synchronous route would have given.</summary>
public sealed record OperationError(int Status, string Title, string Detail);

public static class OperationKinds
{
    public const string RetentionSweep = "retention.sweep";
    public const string EvidenceVerify = "evidence.verify";
    public const string AuditVerify = "audit.verify";

    /// <summary>Marking the covered blobs of a large hold held, after its placement answered (see Holds/HoldMarking).</summary>
    public const string HoldMarking = "hold.mark";

    public const string LookupRowsBackfill = "media.lookup-rows-backfill";
}

public static class OperationStatuses
{
    /// <summary>Accepted; no worker has started it yet.</summary>
    public const string Queued = "queued";

    public const string Running = "running";
    public const string Succeeded = "succeeded";
    public const string Failed = "failed";
}

/// <summary>The work failed in a way its caller should hear about as a problem (e.g. 409: another sweep was running).</summary>
public sealed class OperationFailedException(OperationError error) : Exception(error.Detail)
{
    public OperationError Error { get; } = error;
}

/// <summary>The operation was recorded but no worker could be told (the queue is unavailable); it is marked failed.</summary>
public sealed class OperationNotStartedException(string operationId, Exception inner)
    : Exception($"Operation {operationId} could not be handed to a worker: {inner.GetType().Name}.", inner);
