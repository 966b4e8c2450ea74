using MediaRetention.Api.Operations;
using MediaRetention.Core.Holds;
using MediaRetention.Core.Operations;
using Microsoft.Extensions.Options;

namespace MediaRetention.Api.Holds;

/// <summary>
/// Whether every blob a hold covers is marked held yet. The hold is in force from its row on whatever this says: the
/// retention sweep reads the holds and keeps what they cover; the marks are a second line for a sweep already deciding.
/// </summary>
/// <param name="State">
/// complete (every covered blob found was marked), inProgress (a background operation marks the rest), stopped (the
/// hold was released or rejected, or a later approval re-marks it, before marking finished) or failed (the operation
/// failed or was abandoned; the hold is in force all the same).
/// </param>
/// <param name="MarkedMedia">Media marked so far (those marked in the request included); null for holds marked in their request.</param>
/// <param name="OperationId">The background operation; null when marking ran inside the request.</param>
/// <param name="Operation">Its address: <c>/api/operations/{id}</c> (security and admin may read it).</param>
public sealed record HoldMarkingView(string State, int? MarkedMedia, string? OperationId, string? Operation)
{
    public static readonly HoldMarkingView Complete = new(HoldMarkingStates.Complete, null, null, null);

    public static HoldMarkingView Started(HoldMarking marking) =>
        new(HoldMarkingStates.InProgress, marking.Marked, marking.OperationId, Location(marking.OperationId));

    public static string? Location(string? operationId) => operationId is null ? null : OperationEndpoints.Location(operationId);
}

/// <summary>Reads a hold's marking row and, while it says in progress, its operation (a dead one shows as failed).</summary>
public sealed class HoldMarkingViews(IHoldMarkingStore markings, IOperationStore operations, IOptions<OperationOptions> options, TimeProvider time)
{
    public async Task<HoldMarkingView> ForAsync(string holdId, CancellationToken cancellationToken)
    {
        if (await markings.GetAsync(holdId, cancellationToken) is not { Marking: var marking })
        {
            return HoldMarkingView.Complete; // marked inside its request (or placed before background marking existed)
        }

        if (marking.State != HoldMarkingStates.InProgress || marking.OperationId is null)
        {
            return new HoldMarkingView(marking.State, marking.Marked, marking.OperationId, HoldMarkingView.Location(marking.OperationId));
        }

        var now = time.GetUtcNow();
        var stored = await operations.GetAsync(marking.OperationId, cancellationToken);
        var state = stored?.Operation is not { } operation || operation.ExpiresAt <= now ? HoldMarkingStates.Failed
            : operation.AsOf(now, options.Value).Status switch
            {
                OperationStatuses.Failed => HoldMarkingStates.Failed,

                // The operation wrote its result after this row was read: it ended complete or stopped; read it again.
                OperationStatuses.Succeeded => (await markings.GetAsync(holdId, cancellationToken))?.Marking.State ?? HoldMarkingStates.Complete,
                _ => HoldMarkingStates.InProgress,
            };
        return new HoldMarkingView(state, marking.Marked, marking.OperationId, HoldMarkingView.Location(marking.OperationId));
    }
}
