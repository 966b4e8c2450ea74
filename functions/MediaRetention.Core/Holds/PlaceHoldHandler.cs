using System.Globalization;
using MediaRetention.Core.Audit;
using MediaRetention.Core.Media;
using MediaRetention.Core.Telemetry;
using Microsoft.Extensions.Logging;

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
}

/// <param name="CoveredMediaIds">The media marked held by this placement (blobs that still existed).</param>
public sealed record PlaceHoldResult(Hold Hold, IReadOnlyList<string> CoveredMediaIds)
{
    public int CoveredMedia => CoveredMediaIds.Count;
}

/// <summary>
/// Places a legal hold: the hold row first (from then on every sweep keeps what it covers), then a held mark
/// on each covered blob (so a sweep already under way cannot delete them), then the audit entry.
/// </summary>
public sealed class PlaceHoldHandler(
    IHoldStore holds,
    HoldCoverage coverage,
    IBlobHoldMarks marks,
    IAuditLog audit,
    TimeProvider time,
    ILogger<PlaceHoldHandler> logger,
    MediaRetentionTelemetry telemetry)
{
    private const int MarkParallelism = 16;

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

        var (covered, markingFailure) = await MarkCoveredAsync(coverage, marks, hold, logger, cancellationToken);
        var details = HoldAuditDetails.For(hold);
        details["status"] = hold.Status;
        details["coveredMedia"] = covered.Count.ToString(CultureInfo.InvariantCulture);
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

        return new PlaceHoldResult(hold, [.. covered]);
    }

    /// <summary>
    /// Marks every blob the hold covers held (16 at a time); a blob already gone cannot be preserved and is not counted.
    /// A failure is returned, not thrown: the hold row is in force already (sweeps read it), only the marks are incomplete.
    /// </summary>
    internal static async Task<(List<string> Covered, Exception? Failure)> MarkCoveredAsync(
        HoldCoverage coverage, IBlobHoldMarks marks, Hold hold, ILogger logger, CancellationToken cancellationToken)
    {
        var covered = new System.Collections.Concurrent.ConcurrentBag<string>();
        try
        {
            await Parallel.ForEachAsync(coverage.FindCoveredAsync(hold.Scope, cancellationToken),
                new ParallelOptions { MaxDegreeOfParallelism = MarkParallelism, CancellationToken = cancellationToken },
                async (media, ct) =>
                {
                    if (await marks.MarkHeldAsync(media.Container, media.BlobName, ct))
                    {
                        covered.Add(media.Id);
                    }
                });
            return ([.. covered], null);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            logger.LogError(e, "Hold {HoldId} is in force, but marking its media failed after {Covered}", hold.Id, covered.Count);
            return ([.. covered], e);
        }
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
