using MediaRetention.Core.Audit;
using MediaRetention.Core.Telemetry;

namespace MediaRetention.Core.Holds;

public sealed record ReleaseHoldCommand(string HoldId, string ReleasedBy, string Reason);

public enum ReleaseHoldOutcome
{
    Released,
    NotFound,
    AlreadyReleased,

    /// <summary>A police request not yet reviewed: it is rejected, not released.</summary>
    StillRequested,
}

/// <param name="Hold">The hold after (or, for AlreadyReleased, as found); null when the row cannot be read.</param>
/// <param name="Unreadable">Set instead of <paramref name="Hold"/> when the row cannot be read.</param>
public sealed record ReleaseHoldResult(ReleaseHoldOutcome Outcome, Hold? Hold, UnreadableHold? Unreadable = null)
{
    public HoldRelease? Release { get; init; }
}

/// <summary>
/// Releases a hold: the record stays, marked released with who, when and why. The blobs keep their held
/// mark; the retention sweep clears it once it has checked that no other active hold covers the medium.
/// A row that cannot be read can be released too: while it is active it blocks every deletion (nobody can tell
/// what it covers), and releasing it is how security staff clear that, on the record, like any release.
/// </summary>
public sealed class ReleaseHoldHandler(IHoldStore holds, IAuditLog audit, TimeProvider time, MediaRetentionTelemetry telemetry)
{
    public async Task<ReleaseHoldResult> HandleAsync(ReleaseHoldCommand command, CancellationToken cancellationToken)
    {
        using var activity = telemetry.StartActivity("hold.release");
        activity?.SetTag(MediaRetentionTelemetry.Tags.HoldId, command.HoldId);
        var result = await ReleaseAsync(command, cancellationToken);
        activity?.SetTag(MediaRetentionTelemetry.Tags.Outcome, result.Outcome.ToString());
        return result;
    }

    private async Task<ReleaseHoldResult> ReleaseAsync(ReleaseHoldCommand command, CancellationToken cancellationToken)
    {
        while (true)
        {
            var stored = await holds.GetAsync(command.HoldId, cancellationToken);
            if (stored is null)
            {
                return new ReleaseHoldResult(ReleaseHoldOutcome.NotFound, null);
            }

            var release = new HoldRelease(command.ReleasedBy, time.GetUtcNow(), command.Reason);
            if (stored.Hold is not { } hold)
            {
                var unreadable = stored.Unreadable!;
                if (unreadable.IsReleased)
                {
                    return new ReleaseHoldResult(ReleaseHoldOutcome.AlreadyReleased, null, unreadable);
                }

                if (await holds.TryReleaseUnreadableAsync(unreadable, release, cancellationToken))
                {
                    await audit.AppendAsync(new AuditEvent(command.ReleasedBy, AuditActions.HoldReleased, "hold/" + unreadable.Id,
                        new Dictionary<string, string?>
                        {
                            ["caseNumber"] = unreadable.CaseNumber,
                            ["agency"] = unreadable.Agency,
                            ["unreadable"] = unreadable.Reason,
                            ["reason"] = command.Reason,
                        }), cancellationToken);
                    return new ReleaseHoldResult(ReleaseHoldOutcome.Released, null, unreadable with { Status = HoldStatus.Released })
                    {
                        Release = release,
                    };
                }

                continue;
            }

            if (hold.Status == HoldStatus.Requested)
            {
                return new ReleaseHoldResult(ReleaseHoldOutcome.StillRequested, hold);
            }

            if (!hold.IsActive)
            {
                return new ReleaseHoldResult(ReleaseHoldOutcome.AlreadyReleased, hold) { Release = hold.Release };
            }

            var released = hold with { Status = HoldStatus.Released, Release = release };

            // Conditional on what was read: of two concurrent releases exactly one wins, the other sees 409.
            if (await holds.TryUpdateAsync(released, stored.StorageETag, cancellationToken))
            {
                var details = HoldAuditDetails.For(released);
                details["reason"] = command.Reason;
                await audit.AppendAsync(new AuditEvent(command.ReleasedBy, AuditActions.HoldReleased, "hold/" + released.Id, details), cancellationToken);
                return new ReleaseHoldResult(ReleaseHoldOutcome.Released, released) { Release = release };
            }
        }
    }
}
