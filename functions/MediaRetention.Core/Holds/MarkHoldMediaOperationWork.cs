using System.Collections.Concurrent;
using System.Globalization;
using System.Text.Json;
using MediaRetention.Core.Audit;
using MediaRetention.Core.Operations;
using Microsoft.Extensions.Options;

namespace MediaRetention.Core.Holds;

/// <summary>A background marking's progress: media marked so far (those marked in the request included) and pages read.</summary>
public sealed record HoldMarkingProgress(string HoldId, int Marked, int Pages);

/// <summary>A background marking's result.</summary>
/// <param name="State"><see cref="HoldMarkingStates.Complete"/> or <see cref="HoldMarkingStates.Stopped"/>.</param>
public sealed record HoldMarkingResult(string HoldId, string State, int Marked, string? StoppedReason);

/// <summary>
/// Marks the rest of a large hold's covered blobs held, page by page from the checkpoint in its marking row, writing the
/// checkpoint after every page: a worker that dies is followed by another (<see cref="RunOperationHandler"/>), which goes
/// on from the last page recorded (a page redone is harmless: marking is idempotent). The hold is re-read before every
/// page: once it is released or rejected the marking stops (what was marked stays marked; the sweep clears such marks
/// once no hold covers the medium, as after any release). An approval that re-marks the hold replaces the row, and this
/// operation stops at its next page. The end (complete or stopped) is audited as <see cref="AuditActions.HoldMarked"/>.
/// </summary>
public sealed class MarkHoldMediaOperationWork(
    IHoldStore holds,
    IHoldMarkingStore markings,
    HoldCoverage coverage,
    HoldMarker marker,
    IAuditLog audit,
    IOptions<HoldOptions> options,
    TimeProvider time) : IOperationWork
{
    public string Kind => OperationKinds.HoldMarking;

    public async Task<JsonElement> RunAsync(Operation operation, Action<object> report, CancellationToken cancellationToken)
    {
        var holdId = operation.HoldId ?? throw new OperationFailedException(new OperationError(500, "Failed", "The marking operation names no hold."));
        var pages = 0;
        var stored = await markings.GetAsync(holdId, cancellationToken);
        while (true)
        {
            if (stored is null)
            {
                throw new OperationFailedException(new OperationError(404, "Not Found", $"Hold '{holdId}' has no marking to continue."));
            }

            var (marking, etag) = stored;
            if (marking.OperationId != operation.Id)
            {
                // A later approval re-marked the hold: that marking carries on; this one has nothing left to do.
                return Result(new HoldMarkingResult(holdId, HoldMarkingStates.Stopped, marking.Marked, "superseded by a later marking of the hold"));
            }

            if (marking.State != HoldMarkingStates.InProgress)
            {
                return Result(new HoldMarkingResult(holdId, marking.State, marking.Marked, marking.StoppedReason)); // finished before (a repeated run)
            }

            var read = await holds.GetAsync(holdId, cancellationToken);
            if (read?.Hold is not { Preserves: true } hold)
            {
                var reason = read?.Hold is { } ended ? $"hold {ended.Status}" : read is null ? "hold not found" : "hold row unreadable";
                var stopped = marking with { State = HoldMarkingStates.Stopped, StoppedReason = reason, UpdatedAt = time.GetUtcNow() };
                if (await markings.TryReplaceAsync(stopped, etag, cancellationToken) is null)
                {
                    stored = await markings.GetAsync(holdId, cancellationToken);
                    continue;
                }

                await AuditAsync(operation, read?.Hold, holdId, stopped);
                return Result(new HoldMarkingResult(holdId, stopped.State, stopped.Marked, reason));
            }

            var page = await coverage.PageAsync(hold.Scope, marking.Checkpoint, options.Value.BackgroundMarkPageSize, cancellationToken);
            var marked = new ConcurrentBag<string>();
            await marker.MarkAllAsync(page.Items, marked, cancellationToken);
            pages++;
            var done = page.ContinuationToken is null;
            var next = marking with
            {
                Checkpoint = page.ContinuationToken,
                Marked = marking.Marked + marked.Count,
                State = done ? HoldMarkingStates.Complete : HoldMarkingStates.InProgress,
                UpdatedAt = time.GetUtcNow(),
            };
            if (done)
            {
                // Audited before the row says complete: a worker dying in between is followed by one that redoes the last
                // page and audits again, never by none.
                await AuditAsync(operation, hold, holdId, next);
            }

            var written = await markings.TryReplaceAsync(next, etag, cancellationToken);
            if (written is null)
            {
                stored = await markings.GetAsync(holdId, cancellationToken); // replaced meanwhile: read who has it now
                continue;
            }

            report(new HoldMarkingProgress(holdId, next.Marked, pages));
            if (done)
            {
                return Result(new HoldMarkingResult(holdId, next.State, next.Marked, null));
            }

            stored = new StoredHoldMarking(next, written);
        }
    }

    private Task AuditAsync(Operation operation, Hold? hold, string holdId, HoldMarking marking)
    {
        var details = hold is null ? new Dictionary<string, string?>() : HoldAuditDetails.For(hold);
        details["marking"] = marking.State;
        details["coveredMedia"] = marking.Marked.ToString(CultureInfo.InvariantCulture);
        details["operation"] = operation.Id;
        if (marking.StoppedReason is { } reason)
        {
            details["stoppedReason"] = reason;
        }

        return audit.AppendAsync(new AuditEvent(operation.CreatedBy, AuditActions.HoldMarked, "hold/" + holdId, details), CancellationToken.None);
    }

    private static JsonElement Result(HoldMarkingResult result) => JsonSerializer.SerializeToElement(result, JsonSerializerOptions.Web);
}
