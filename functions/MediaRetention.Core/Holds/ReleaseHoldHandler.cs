using MediaRetention.Core.Audit;
using MediaRetention.Core.Telemetry;

namespace MediaRetention.Core.Holds;

public sealed record ReleaseHoldCommand(string HoldId, string ReleasedBy, string Reason);

public enum ReleaseHoldOutcome
{
    Released,
    NotFound,
    AlreadyReleased,
}

public sealed record ReleaseHoldResult(ReleaseHoldOutcome Outcome, Hold? Hold);

/// <summary>
/// Releases a hold: the record stays, marked released with who, when and why. The blobs keep their held
/// mark; the retention sweep clears it once it has checked that no other active hold covers the medium.
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

            if (!stored.Hold.IsActive)
            {
                return new ReleaseHoldResult(ReleaseHoldOutcome.AlreadyReleased, stored.Hold);
            }

            var released = stored.Hold with
            {
                Status = HoldStatus.Released,
                Release = new HoldRelease(command.ReleasedBy, time.GetUtcNow(), command.Reason),
            };

            // Conditional on what was read: of two concurrent releases exactly one wins, the other sees 409.
            if (await holds.TryUpdateAsync(released, stored.StorageETag, cancellationToken))
            {
                var details = HoldAuditDetails.For(released);
                details["reason"] = command.Reason;
                await audit.AppendAsync(new AuditEvent(command.ReleasedBy, AuditActions.HoldReleased, "hold/" + released.Id, details), cancellationToken);
                return new ReleaseHoldResult(ReleaseHoldOutcome.Released, released);
            }
        }
    }
}
