using System.Globalization;
using MediaRetention.Core.Audit;
using MediaRetention.Core.Phones;
using MediaRetention.Core.Telemetry;

namespace MediaRetention.Core.Holds;

/// <param name="NarrowedScope">Approve only: a scope within the requested one that replaces it; null keeps the request's.</param>
public sealed record ReviewHoldCommand(string HoldId, string Reviewer, string Decision, string Reason, HoldScope? NarrowedScope = null)
{
    /// <summary>Roles that may read a background marking operation (<see cref="HoldMarker.DefaultReaders"/> when null).</summary>
    public IReadOnlyList<string>? MarkingReaders { get; init; }
}

public enum ReviewHoldOutcome
{
    Approved,
    Rejected,
    NotFound,

    /// <summary>Not an open request (already reviewed, placed active by security, released), or a row that cannot be read.</summary>
    NotRequested,

    /// <summary>The narrowed scope is not within the requested one; <see cref="ReviewHoldResult.Problem"/> says why.</summary>
    NotWithinRequest,
}

public sealed record ReviewHoldResult(ReviewHoldOutcome Outcome, Hold? Hold, string? Problem = null)
{
    /// <summary>Approve: the media the approved scope covers now (marked held); with <see cref="Marking"/>, those marked so far.</summary>
    public int? CoveredMedia { get; init; }

    /// <summary>Approve: set when the approved scope covers more than <see cref="HoldOptions.InlineMarkLimit"/> and the rest is marked in the background.</summary>
    public HoldMarking? Marking { get; init; }
}

/// <summary>
/// Security's or an admin's decision on a police preservation request. Approving makes it an active hold (optionally
/// narrowed: same type and target, a window inside, a subset of cameras or ids), re-marks what it covers and keeps
/// the requested scope on the record; rejecting ends its preservation like a release. Both are conditional on the
/// row as read (of two reviewers exactly one wins) and audited with who, why and both scopes.
/// </summary>
public sealed class ReviewHoldHandler(
    IHoldStore holds,
    HoldMarker marker,
    IAuditLog audit,
    TimeProvider time,
    MediaRetentionTelemetry telemetry,
    IPhoneHashing? phoneHashing = null)
{
    public async Task<ReviewHoldResult> HandleAsync(ReviewHoldCommand command, CancellationToken cancellationToken)
    {
        using var activity = telemetry.StartActivity("hold.review");
        activity?.SetTag(MediaRetentionTelemetry.Tags.HoldId, command.HoldId);
        var result = await ReviewAsync(command, cancellationToken);
        activity?.SetTag(MediaRetentionTelemetry.Tags.Outcome, result.Outcome.ToString());
        return result;
    }

    private async Task<ReviewHoldResult> ReviewAsync(ReviewHoldCommand command, CancellationToken cancellationToken)
    {
        var approve = command.Decision == HoldReview.Approved;
        while (true)
        {
            var stored = await holds.GetAsync(command.HoldId, cancellationToken);
            if (stored is null)
            {
                return new ReviewHoldResult(ReviewHoldOutcome.NotFound, null);
            }

            if (stored.Hold is not { Status: HoldStatus.Requested } request)
            {
                return new ReviewHoldResult(ReviewHoldOutcome.NotRequested, stored.Hold);
            }

            var narrowed = approve ? command.NarrowedScope : null;
            if (narrowed is not null)
            {
                var hasher = phoneHashing is null ? null : await phoneHashing.GetAsync(cancellationToken);
                if (narrowed.NotWithin(request.Scope, hasher) is { } problem)
                {
                    return new ReviewHoldResult(ReviewHoldOutcome.NotWithinRequest, request, problem);
                }

                // The same number: keep the request's stored hash and masked form (an approval that leaves the number
                // out names no number of its own).
                if (narrowed.Type == HoldScope.PhoneType)
                {
                    narrowed = narrowed with { PhoneHash = request.Scope.PhoneHash, PhoneMasked = request.Scope.PhoneMasked, LookupHashes = null };
                }
            }

            var review = new HoldReview(approve ? HoldReview.Approved : HoldReview.Rejected, command.Reviewer, time.GetUtcNow(), command.Reason);
            var changed = narrowed is not null && narrowed != request.Scope;
            var reviewed = request with
            {
                Status = approve ? HoldStatus.Active : HoldStatus.Rejected,
                Review = review,
                Scope = changed ? narrowed! : request.Scope,
                RequestedScope = changed ? request.Scope : null,
            };
            if (!await holds.TryUpdateAsync(reviewed, stored.StorageETag, cancellationToken))
            {
                continue; // changed meanwhile: read again (another reviewer's decision shows as NotRequested)
            }

            var details = HoldAuditDetails.For(reviewed);
            details["reason"] = command.Reason;
            details["status"] = reviewed.Status;
            HoldAuditDetails.AddScope(details, request.Scope, "requested.");
            int? covered = null;
            HoldMarking? background = null;
            if (approve)
            {
                // What the request marked is marked already; marking the approved scope again repairs any mark a failed
                // placement left out, and counts what the approved hold covers. A large scope goes on in the background,
                // replacing the request's own marking if that still runs.
                var (ids, marking, failure) = await marker.MarkAsync(reviewed, command.Reviewer, command.MarkingReaders, supersede: true, cancellationToken);
                covered = ids.Count;
                background = marking;
                if (marking is null)
                {
                    details["coveredMedia"] = ids.Count.ToString(CultureInfo.InvariantCulture);
                }
                else
                {
                    details["markedInRequest"] = ids.Count.ToString(CultureInfo.InvariantCulture);
                    details["marking"] = HoldMarkingStates.InProgress;
                    details["markingOperation"] = marking.OperationId;
                }

                if (failure is not null)
                {
                    details["markingFailed"] = failure.GetType().Name;
                }
            }

            details["narrowed"] = changed ? "true" : "false";
            await audit.AppendAsync(new AuditEvent(command.Reviewer, approve ? AuditActions.HoldApproved : AuditActions.HoldRejected,
                "hold/" + reviewed.Id, details), cancellationToken);
            return new ReviewHoldResult(approve ? ReviewHoldOutcome.Approved : ReviewHoldOutcome.Rejected, reviewed) { CoveredMedia = covered, Marking = background };
        }
    }
}
