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
    HoldScope Scope);

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
            Id = Guid.CreateVersion7(time.GetUtcNow()).ToString("N"),
            CaseNumber = command.CaseNumber,
            Reason = command.Reason,
            RequestedBy = command.RequestedBy,
            Agency = command.Agency,
            PlacedBy = command.PlacedBy,
            PlacedAt = time.GetUtcNow(),
            ReviewDate = command.ReviewDate,
            Status = HoldStatus.Active,
            Scope = command.Scope,
        };
        activity?.SetTag(MediaRetentionTelemetry.Tags.HoldId, hold.Id);
        await holds.CreateAsync(hold, cancellationToken);

        var covered = new System.Collections.Concurrent.ConcurrentBag<string>();
        Exception? markingFailure = null;
        try
        {
            await Parallel.ForEachAsync(coverage.FindCoveredAsync(hold.Scope, cancellationToken),
                new ParallelOptions { MaxDegreeOfParallelism = MarkParallelism, CancellationToken = cancellationToken },
                async (media, ct) =>
                {
                    // A blob already gone cannot be preserved and is not counted as covered.
                    if (await marks.MarkHeldAsync(media.Container, media.BlobName, ct))
                    {
                        covered.Add(media.Id);
                    }
                });
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // The hold row is in force already (sweeps read it); only the marks are incomplete.
            markingFailure = e;
            logger.LogError(e, "Hold {HoldId} placed, but marking its media failed after {Covered}", hold.Id, covered.Count);
        }

        var details = HoldAuditDetails.For(hold);
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
        var s = hold.Scope;
        var details = new Dictionary<string, string?>
        {
            ["caseNumber"] = hold.CaseNumber,
            ["agency"] = hold.Agency,
            ["scope"] = s.Type,
        };
        Put(details, "site", s.Site);
        Put(details, "cameras", s.Cameras is { Count: > 0 } ? string.Join(',', s.Cameras) : null);
        Put(details, "system", s.System);
        Put(details, "callId", s.CallId);
        Put(details, "phone", s.PhoneMasked);
        Put(details, "mediaIds", s.MediaIds is { Count: > 0 } ? s.MediaIds.Count.ToString(CultureInfo.InvariantCulture) : null);
        Put(details, "from", s.From?.ToString("O", CultureInfo.InvariantCulture));
        Put(details, "to", s.To?.ToString("O", CultureInfo.InvariantCulture));
        return details;
    }

    private static void Put(Dictionary<string, string?> details, string key, string? value)
    {
        if (value is not null)
        {
            details[key] = value;
        }
    }
}
