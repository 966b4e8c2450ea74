using System.Globalization;
using MediaRetention.Core.Audit;
using MediaRetention.Core.Holds;
using MediaRetention.Core.Media;
using MediaRetention.Core.Retention;
using MediaRetention.Core.Telemetry;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace MediaRetention.Core.SubjectRequests;

/// <summary>What an erasure would do now: delete every matching medium no hold keeps, keep the held ones.</summary>
public sealed record ErasurePlan(
    IReadOnlyList<MediaRecord> Matched,
    IReadOnlyList<MediaRecord> ToDelete,
    IReadOnlyList<KeptMedium> Kept,
    bool TooManyMatches,
    IReadOnlyList<UnreadableHold> UnreadableHolds,
    int ConfirmationThreshold)
{
    /// <summary>A hold row that may be active cannot be read: nobody can tell what it covers, so nothing may be deleted.</summary>
    public bool DeletionBlocked => UnreadableHolds.Count > 0;

    /// <summary>More would be deleted than <see cref="SubjectRequestOptions.ErasureConfirmationThreshold"/>.</summary>
    public bool NeedsConfirmation => ToDelete.Count > ConfirmationThreshold;
}

public enum ErasureOutcome
{
    /// <summary>A dry run answered, or an erasure ran.</summary>
    Done,

    /// <summary>The request is not an open erasure request.</summary>
    NotAnOpenErasureRequest,

    TooManyMatches,

    /// <summary>An unreadable hold row blocks every deletion; nothing was deleted.</summary>
    DeletionBlocked,

    /// <summary>More than the threshold would be deleted and the number was not confirmed (or no longer matches).</summary>
    ConfirmationRequired,

    /// <summary>Storage kept failing; the run stopped. Running it again finishes it (and records what is gone already).</summary>
    StorageUnavailable,
}

/// <summary>The outcome of a dry run (<see cref="Erasure"/> null) or of an executed erasure.</summary>
public sealed record SubjectErasureResult(ErasureOutcome Outcome, ErasurePlan? Plan)
{
    public SubjectErasure? Erasure { get; init; }

    /// <summary>Media neither deleted nor kept by a hold (changed meanwhile, or storage failed): running it again retries them.</summary>
    public IReadOnlyList<MediaDeletion> NotDeleted { get; init; } = [];

    /// <summary>Every medium the run kept, with the holds keeping it (the record lists at most <see cref="SubjectErasure.MaxKeptListed"/>).</summary>
    public IReadOnlyList<KeptMedium> Kept { get; init; } = [];

    /// <summary>What the subject is told (no hold, case or authority named).</summary>
    public SubjectSummary? SubjectSummary { get; init; }
}

/// <summary>A validated erasure; <paramref name="ConfirmCount"/> is the number of deletions the officer saw in the dry run.</summary>
public sealed record EraseSubjectDataCommand(SubjectRequest Request, string Actor, int? ConfirmCount);

/// <summary>
/// Erasure (GDPR Art. 17): deletes every medium matching the subject that no active hold keeps, through the retention
/// sweep's own deletion path (<see cref="HoldSafeDeleter"/>: the conditional delete on the hold mark, and the re-check
/// with fresh holds), so a hold placed meanwhile still wins. Each deletion is audited with the request's id
/// (<c>media.deleted</c>), then its index rows go, phone-number hashes with them; media kept by holds are listed with
/// the holds for the officer and only counted for the subject. A dry run shows the same plan and changes nothing.
/// </summary>
public sealed class EraseSubjectDataHandler(
    ISubjectRequestStore store,
    SubjectMediaMatcher matcher,
    IHoldStore holds,
    HoldSafeDeleter deleter,
    IMediaIndex index,
    IAuditLog audit,
    SubjectSummaryWriter summaries,
    IOptions<SubjectRequestOptions> options,
    IOptions<RetentionOptions> retention,
    TimeProvider time,
    ILogger<EraseSubjectDataHandler> logger,
    MediaRetentionTelemetry telemetry)
{
    private const int UpdateAttempts = 5;

    /// <summary>The dry run: what an erasure would delete and keep now. Nothing is deleted, marked or audited.</summary>
    public async Task<SubjectErasureResult> PreviewAsync(SubjectRequest request, CancellationToken cancellationToken)
    {
        if (request.Type != SubjectRequestTypes.Erasure || !request.IsOpen)
        {
            return new SubjectErasureResult(ErasureOutcome.NotAnOpenErasureRequest, null);
        }

        var plan = await PlanAsync(request, cancellationToken);
        return new SubjectErasureResult(plan.TooManyMatches ? ErasureOutcome.TooManyMatches : ErasureOutcome.Done, plan) { Kept = plan.Kept };
    }

    public async Task<SubjectErasureResult> ExecuteAsync(EraseSubjectDataCommand command, CancellationToken cancellationToken)
    {
        using var activity = telemetry.StartActivity("subject-request.erase");
        var request = command.Request;
        activity?.SetTag("subject-request.id", request.Id);
        if (request.Type != SubjectRequestTypes.Erasure || !request.IsOpen)
        {
            return new SubjectErasureResult(ErasureOutcome.NotAnOpenErasureRequest, null);
        }

        var plan = await PlanAsync(request, cancellationToken);
        if (plan.TooManyMatches)
        {
            return new SubjectErasureResult(ErasureOutcome.TooManyMatches, plan);
        }

        if (plan.DeletionBlocked)
        {
            return new SubjectErasureResult(ErasureOutcome.DeletionBlocked, plan);
        }

        if (plan.NeedsConfirmation && command.ConfirmCount != plan.ToDelete.Count)
        {
            return new SubjectErasureResult(ErasureOutcome.ConfirmationRequired, plan);
        }

        var erasureId = Guid.CreateVersion7(time.GetUtcNow()).ToString("N");
        var maxFailures = retention.Value.MaxConsecutiveFailures;
        IReadOnlyList<MediaDeletion> outcomes;
        try
        {
            outcomes = await deleter.DeleteAsync(plan.ToDelete, new FailureBudget(maxFailures, () => new ErasureAbortedException(maxFailures)), cancellationToken);
        }
        catch (ErasureAbortedException e)
        {
            // Whatever was deleted before the stop still has its index row: the next run finds the blob gone and
            // records it then (as already gone), as the sweep does after a crash.
            logger.LogError(e, "Erasure {ErasureId} of subject request {RequestId} stopped: storage kept failing", erasureId, request.Id);
            activity.MarkFailed(e);
            return new SubjectErasureResult(ErasureOutcome.StorageUnavailable, plan);
        }

        var gone = outcomes.Where(o => o.IsGone).ToList();
        if (gone.Count > 0)
        {
            // Audit first, then the index rows: a crash in between leaves rows the next run (or sweep) records again.
            await audit.AppendManyAsync(gone.Select(g => new AuditEvent(command.Actor, AuditActions.MediaDeleted, "media/" + g.Media.Id,
                DeletionDetails(request.Id, erasureId, g))).ToList(), cancellationToken);
            await index.RemoveAsync(gone.Select(g => g.Media).ToList(), cancellationToken);
        }

        var keptLate = outcomes.Where(o => o.Outcome == DeletionOutcome.KeptByHold).Select(o => o.Media).ToList();
        var kept = plan.Kept.ToList();
        if (keptLate.Count > 0)
        {
            var fresh = await holds.LoadActiveAsync(cancellationToken);
            kept.AddRange(keptLate.Select(m => Kept(m, fresh)));
        }

        var notDeleted = outcomes.Where(o => !o.IsGone && o.Outcome != DeletionOutcome.KeptByHold).ToList();
        var totals = new SubjectErasureTotals(erasureId, command.Actor, time.GetUtcNow(), plan.Matched.Count,
            gone.Count(g => g.Outcome == DeletionOutcome.Deleted), gone.Count(g => g.Outcome == DeletionOutcome.AlreadyGone),
            kept.Count, notDeleted.Count, DeletionBlocked: false);
        var erasure = new SubjectErasure(totals, kept.Take(SubjectErasure.MaxKeptListed).ToList());
        await store.AddErasureAsync(request.Id, erasure, cancellationToken);
        await RecordOnRequestAsync(request.Id, totals, cancellationToken);

        var details = SubjectRequestAudit.For(request);
        details["erasureId"] = erasureId;
        details["matched"] = SubjectRequestAudit.Number(totals.Matched);
        details["deleted"] = SubjectRequestAudit.Number(totals.Deleted);
        details["alreadyGone"] = SubjectRequestAudit.Number(totals.AlreadyGone);
        details["keptByHolds"] = SubjectRequestAudit.Number(totals.KeptByHolds);
        details["keptHoldIds"] = SubjectRequestAudit.Bounded(kept.SelectMany(k => k.HoldIds).Distinct(StringComparer.Ordinal));
        details["notDeleted"] = SubjectRequestAudit.Number(totals.NotDeleted);
        details["confirmedCount"] = command.ConfirmCount?.ToString(CultureInfo.InvariantCulture);
        await audit.AppendAsync(new AuditEvent(command.Actor, AuditActions.SubjectRequestErased, SubjectRequestAudit.Target(request.Id), details),
            cancellationToken);

        logger.LogInformation(
            "Erasure {ErasureId} of subject request {RequestId}: {Deleted} deleted, {AlreadyGone} already gone, {Kept} kept by holds, {NotDeleted} not deleted",
            erasureId, request.Id, totals.Deleted, totals.AlreadyGone, totals.KeptByHolds, totals.NotDeleted);
        activity?.SetTag("subject-request.deleted", totals.Deleted);
        var keptMedia = plan.Matched.Where(m => kept.Any(k => k.MediaId == m.Id)).ToList();
        return new SubjectErasureResult(ErasureOutcome.Done, plan)
        {
            Erasure = erasure,
            NotDeleted = notDeleted,
            Kept = kept,
            SubjectSummary = summaries.DescribeErasure(totals, keptMedia, await holds.LoadActiveAsync(cancellationToken)),
        };
    }

    private async Task<ErasurePlan> PlanAsync(SubjectRequest request, CancellationToken cancellationToken)
    {
        var matches = await matcher.FindAsync(request.Identifiers, cancellationToken);
        var snapshot = await holds.LoadActiveThoroughAsync(cancellationToken);
        var toDelete = matches.Items.Where(m => !snapshot.IsHeld(m)).ToList();
        var kept = matches.Items.Where(snapshot.IsHeld).Select(m => Kept(m, snapshot)).ToList();
        return new ErasurePlan(matches.Items, toDelete, kept, matches.TooMany, snapshot.Unreadable, options.Value.ErasureConfirmationThreshold);
    }

    /// <summary>Remembers the last run on the request row; another writer in between is re-read, never overwritten.</summary>
    private async Task RecordOnRequestAsync(string requestId, SubjectErasureTotals totals, CancellationToken cancellationToken)
    {
        for (var attempt = 0; attempt < UpdateAttempts; attempt++)
        {
            if (await store.GetAsync(requestId, cancellationToken) is not { } stored)
            {
                return;
            }

            if (await store.TryUpdateAsync(stored.Request with { LastErasure = totals }, stored.StorageETag, cancellationToken))
            {
                return;
            }
        }

        // The erasure row and the audit entries record the run in full; only the request's summary field is stale.
        logger.LogWarning("Erasure {ErasureId}: could not note it on subject request {RequestId} after {Attempts} attempts",
            totals.ErasureId, requestId, UpdateAttempts);
    }

    private static KeptMedium Kept(MediaRecord media, ActiveHolds holds) =>
        new(media.Id, media.Kind, media.RecordedAt, holds.Covering(media).Select(h => h.Id).ToList());

    private static Dictionary<string, string?> DeletionDetails(string requestId, string erasureId, MediaDeletion deletion)
    {
        // As the sweep's deletion entries: no phone numbers (call names carry none by contract; caller and callee are
        // left out), and a rejected name with its digit runs masked.
        var media = deletion.Media;
        return new Dictionary<string, string?>
        {
            ["subjectRequestId"] = requestId,
            ["erasureId"] = erasureId,
            ["container"] = media.Container,
            ["blobName"] = MediaNames.Shown(media),
            ["kind"] = media.Kind,
            ["status"] = media.Status,
            ["recordedAt"] = media.RecordedAt?.ToString("O", CultureInfo.InvariantCulture),
            ["retentionFrom"] = media.RetentionFrom.ToString("O", CultureInfo.InvariantCulture),
            ["sha256"] = media.Sha256,
            ["size"] = media.Size.ToString(CultureInfo.InvariantCulture),
            ["alreadyGone"] = deletion.Outcome == DeletionOutcome.AlreadyGone ? "true" : "false",
        };
    }
}

/// <summary>An erasure stopped because storage kept failing; nothing further was deleted.</summary>
public sealed class ErasureAbortedException(int failures)
    : Exception($"Erasure stopped after {failures} storage failures in a row; run it again to finish it.");
