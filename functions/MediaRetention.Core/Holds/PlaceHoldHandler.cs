using System.Globalization;
using MediaRetention.Core.Audit;
using MediaRetention.Core.Telemetry;

namespace MediaRetention.Core.Holds;

/// <summary>A validated request to place a hold; <see cref="Agency"/> is decided by the caller's role.</summary>
public sealed record PlaceHoldCommand(
    string CaseNumber,
    string Reason,
    RequestedBy RequestedBy,
    string Agency,
    string PlacedBy,
    DateTimeOffset? ReviewDate,
    HoldScope Scope)
{
    /// <summary>
    /// <see cref="HoldStatus.Active"/> (security, admin) or <see cref="HoldStatus.Requested"/> (police): a request
    /// preserves at once all the same.
    /// </summary>
    public string Status { get; init; } = HoldStatus.Active;

    /// <summary>The new hold's id when the caller chose it (an idempotent placement claims it first); else a new one.</summary>
    public string? HoldId { get; init; }

    /// <summary>Roles that may read a background marking operation (<see cref="HoldMarker.DefaultReaders"/> when null).</summary>
    public IReadOnlyList<string>? MarkingReaders { get; init; }
}

/// <param name="CoveredMediaIds">The media marked held inside the request (blobs that still existed).</param>
/// <param name="Marking">Set when the hold covers more than <see cref="HoldOptions.InlineMarkLimit"/>: the background marking of the rest.</param>
public sealed record PlaceHoldResult(Hold Hold, IReadOnlyList<string> CoveredMediaIds, HoldMarking? Marking = null)
{
    public int CoveredMedia => CoveredMediaIds.Count;

    /// <summary>Whether every covered medium is marked already (else <see cref="Marking"/> goes on in the background).</summary>
    public bool MarkingComplete => Marking is null;
}

/// <summary>
/// Places a legal hold: the hold row first (from then on every sweep keeps what it covers), then a held mark
/// on each covered blob (so a sweep already under way cannot delete them) — inside the request up to
/// <see cref="HoldOptions.InlineMarkLimit"/>, the rest in a background operation (<see cref="HoldMarker"/>) — then the
/// audit entry.
/// </summary>
public sealed class PlaceHoldHandler(
    IHoldStore holds,
    HoldMarker marker,
    IAuditLog audit,
    TimeProvider time,
    MediaRetentionTelemetry telemetry)
{
    public async Task<PlaceHoldResult> HandleAsync(PlaceHoldCommand command, CancellationToken cancellationToken)
    {
        using var activity = telemetry.StartActivity("hold.place");
        activity?.SetTag(MediaRetentionTelemetry.Tags.ScopeType, command.Scope.Type);
        var hold = new Hold
        {
            Id = command.HoldId ?? Guid.CreateVersion7(time.GetUtcNow()).ToString("N"),
            CaseNumber = command.CaseNumber,
            Reason = command.Reason,
            RequestedBy = command.RequestedBy,
            Agency = command.Agency,
            PlacedBy = command.PlacedBy,
            PlacedAt = time.GetUtcNow(),
            ReviewDate = command.ReviewDate,
            Status = command.Status,
            Scope = command.Scope,
        };
        activity?.SetTag(MediaRetentionTelemetry.Tags.HoldId, hold.Id);
        await holds.CreateAsync(hold, cancellationToken);

        var (covered, background, markingFailure) = await marker.MarkAsync(hold, command.PlacedBy, command.MarkingReaders, supersede: false, cancellationToken);
        var details = HoldAuditDetails.For(hold);
        details["status"] = hold.Status;
        if (background is null)
        {
            details["coveredMedia"] = covered.Count.ToString(CultureInfo.InvariantCulture);
        }
        else
        {
            // The total is audited by the operation when it ends (hold.marked).
            details["markedInRequest"] = covered.Count.ToString(CultureInfo.InvariantCulture);
            details["marking"] = HoldMarkingStates.InProgress;
            details["markingOperation"] = background.OperationId;
        }

        if (markingFailure is not null)
        {
            details["markingFailed"] = markingFailure.GetType().Name;
        }

        await audit.AppendAsync(new AuditEvent(command.PlacedBy, AuditActions.HoldPlaced, "hold/" + hold.Id, details), cancellationToken);
        activity?.SetTag("hold.covered", covered.Count);
        if (markingFailure is not null)
        {
            activity.MarkFailed(markingFailure);
            throw new HoldMarkingException(hold, markingFailure);
        }

        return new PlaceHoldResult(hold, covered, background);
    }
}

/// <summary>The hold was placed and is in force, but not every covered blob could be marked.</summary>
public sealed class HoldMarkingException(Hold hold, Exception inner)
    : Exception($"Hold {hold.Id} is placed and in force, but marking its media failed; retry the request or wait for the next sweep.", inner)
{
    public Hold Hold { get; } = hold;
}

/// <summary>What the audit log keeps about a hold: enough to account for it, no phone numbers in the clear.</summary>
internal static class HoldAuditDetails
{
    public static Dictionary<string, string?> For(Hold hold)
    {
        var details = new Dictionary<string, string?>
        {
            ["caseNumber"] = hold.CaseNumber,
            ["agency"] = hold.Agency,
        };
        AddScope(details, hold.Scope, "");
        return details;
    }

    /// <summary>The scope's fields, each key prefixed (e.g. "requested." for the scope a request asked for).</summary>
    public static void AddScope(Dictionary<string, string?> details, HoldScope s, string prefix)
    {
        details[prefix + "scope"] = s.Type;
        Put(details, prefix + "site", s.Site);
        Put(details, prefix + "cameras", s.Cameras is { Count: > 0 } ? string.Join(',', s.Cameras) : null);
        Put(details, prefix + "system", s.System);
        Put(details, prefix + "callId", s.CallId);
        Put(details, prefix + "phone", s.PhoneMasked);
        Put(details, prefix + "mediaIds", s.MediaIds is { Count: > 0 } ? s.MediaIds.Count.ToString(CultureInfo.InvariantCulture) : null);
        Put(details, prefix + "from", s.From?.ToString("O", CultureInfo.InvariantCulture));
        Put(details, prefix + "to", s.To?.ToString("O", CultureInfo.InvariantCulture));
    }

    private static void Put(Dictionary<string, string?> details, string key, string? value)
    {
        if (value is not null)
        {
            details[key] = value;
        }
    }
}
