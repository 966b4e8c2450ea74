using System.Collections.Concurrent;
using System.Globalization;
using MediaRetention.Core.Audit;
using MediaRetention.Core.Holds;
using MediaRetention.Core.Ingest;
using MediaRetention.Core.Media;
using MediaRetention.Core.Storage;
using MediaRetention.Core.Telemetry;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace MediaRetention.Core.Retention;

/// <summary>
/// One retention sweep. Never deletes held or unexpired media, whatever fails when:
/// <list type="number">
/// <item>Reconcile, at most every <see cref="RetentionOptions.FullReconcileInterval"/>: every blob the index does not
/// know (or knows at another version) is indexed first, so nothing escapes retention; a merge of the listing with the
/// index's name rows, memory flat. Unindexed blobs are never deleted, so between full passes a missed one is kept.</item>
/// <item>Snapshot the active holds, then read expired media from the index page by page (memory stays flat). Before
/// each page the holds version is read (one point read): when a hold was written since, the snapshot is loaded again,
/// so a hold placed during the sweep keeps what it covers from the next page on, whether or not its (possibly
/// background) marking has reached those blobs yet.</item>
/// <item>Delete each unheld expired blob only on the tag condition "marked not held, at the indexed version": a
/// hold placed after the page was decided marks its media held (and an overwrite clears the tags), so the delete
/// fails and the medium stays.</item>
/// <item>Blobs that fail the condition are looked at again with fresh holds (see <see cref="HoldSafeDeleter"/>, the
/// deletion path data-subject erasure uses too).</item>
/// <item>Audit each deletion, then remove its index rows. A crash anywhere leaves the index row, so the next
/// sweep finds the medium again and finishes (a blob already gone counts as deleted).</item>
/// </list>
/// </summary>
public sealed class RetentionSweepHandler(
    IMediaBlobStore blobs,
    IMediaIndex index,
    IHoldStore holds,
    IngestBlobHandler ingest,
    IAuditLog audit,
    RetentionPolicy policy,
    IOptions<RetentionOptions> options,
    IOptions<MediaStorageOptions> storage,
    IDeleteConditionSupport deleteConditions,
    ISweepCheckpointStore checkpoints,
    TimeProvider time,
    ILogger<RetentionSweepHandler> logger,
    MediaRetentionTelemetry telemetry,
    HoldSafeDeleter deleter)
{
    public const string Actor = "retention-sweep";
    private const int ReconcileParallelism = 8;
    private static readonly string[] ExpiredKinds = [MediaKind.Cctv, MediaKind.Call];

    /// <summary>
    /// Runs one sweep: a whole cycle, or as much of it as fits in <see cref="RetentionOptions.MaxSweepDuration"/>, from
    /// where the last sweep stopped. <paramref name="progress"/> hears after each page.
    /// </summary>
    public async Task<SweepSummary> SweepAsync(string triggeredBy, CancellationToken cancellationToken, IProgress<SweepProgress>? progress = null)
    {
        using var activity = telemetry.StartActivity("retention.sweep");
        activity?.SetTag(MediaRetentionTelemetry.Tags.Trigger, triggeredBy);
        try
        {
            var summary = await SweepCoreAsync(triggeredBy, progress, cancellationToken);
            activity?.SetTag(MediaRetentionTelemetry.Tags.Outcome, summary.Outcome);
            activity?.SetTag("sweep.deleted", summary.Deleted);
            activity?.SetTag("sweep.held", summary.HeldKept);
            activity?.SetTag("sweep.failures", summary.Failures);
            activity?.SetTag("sweep.stopped_early", summary.StoppedEarly);
            telemetry.SweepFinished(summary.Outcome, summary.Deleted, summary.HeldKept, summary.Failures, summary.DurationSeconds);
            telemetry.RetentionLag(TimeSpan.FromSeconds(summary.RetentionLagSeconds));
            return summary;
        }
        catch (Exception e)
        {
            activity.MarkFailed(e);
            telemetry.SweepFailed();
            throw;
        }
    }

    private async Task<SweepSummary> SweepCoreAsync(string triggeredBy, IProgress<SweepProgress>? progress, CancellationToken cancellationToken)
    {
        var startedAt = time.GetUtcNow();
        var sweepId = Guid.CreateVersion7(startedAt).ToString("N");
        var budget = new SweepBudget(time, options.Value.MaxSweepDuration);
        var counters = new Counters(options.Value.MaxConsecutiveFailures);
        var resumed = await checkpoints.LoadAsync(cancellationToken);
        if (resumed?.OldestStillStored is { } carried)
        {
            counters.StillStored(carried);
        }

        var cycleStartedAt = resumed?.CycleStartedAt ?? startedAt;
        var stop = (SweepCheckpoint?)null;
        var report = new Reporter(progress, counters);

        var reconcileStarted = time.GetTimestamp();
        var reconciled = new ReconcileReport();
        var fullReconcile = resumed is { Phase: SweepPhases.Reconcile } || (resumed is null && await FullReconcileDueAsync(startedAt, cancellationToken));
        if (fullReconcile)
        {
            report.Phase(SweepPhases.Reconcile);
            var stoppedAt = await ReconcileAsync(counters, reconciled, resumed, budget, report, cancellationToken);
            stop = stoppedAt is { } position ? Checkpoint(position, sweepId, cycleStartedAt, counters) : null;
            if (stop is null)
            {
                // From when the pass started: a blob written during it may have been listed or not.
                await checkpoints.SaveLastFullReconcileAsync(cycleStartedAt, cancellationToken);
            }
        }

        var reconcileSeconds = time.GetElapsedTime(reconcileStarted).TotalSeconds;
        if (stop is null && budget.Spent)
        {
            // Reconciled exactly up to the budget: the next sweep starts with the expired media.
            stop = Checkpoint(new ScanStop(SweepPhases.Expired, null, null, ExpiredKinds[0], null), sweepId, cycleStartedAt, counters);
        }

        var snapshot = ActiveHolds.None;
        var deleteMode = deleteConditions.Mode;
        var blocked = false;
        var unreadableMedia = new UnreadableMediaReport();
        if (stop is null)
        {
            report.Phase(SweepPhases.Expired);
            // The version before the rows: a hold written in between makes the first page reload (never the reverse).
            var holdsVersion = await holds.GetVersionAsync(cancellationToken);
            snapshot = await holds.LoadActiveThoroughAsync(cancellationToken);
            telemetry.ActiveHolds(snapshot.Count);
            telemetry.UnreadableHolds(snapshot.Unreadable.Count);
            if (snapshot.BlocksDeletion)
            {
                await ReportUnreadableHoldsAsync(sweepId, snapshot.Unreadable, cancellationToken);
            }

            // On any doubt keep media: until the storage has shown which delete conditions it evaluates, nothing goes.
            deleteMode = await deleteConditions.EnsureProbedAsync(cancellationToken);
            blocked = snapshot.BlocksDeletion || deleteMode == DeleteConditionMode.Unverified;
            var from = resumed is { Phase: SweepPhases.Expired } ? resumed : null;
            var current = new SweepHolds(snapshot, holdsVersion, blocked);
            var expiredStop = await DeleteExpiredAsync(sweepId, startedAt, current, from, budget, counters, unreadableMedia, report, cancellationToken);
            (snapshot, blocked) = (current.Snapshot, current.Blocked);
            stop = expiredStop is null ? null : Checkpoint(expiredStop, sweepId, cycleStartedAt, counters);
        }

        if (stop is not null)
        {
            await checkpoints.SaveAsync(stop, cancellationToken);
        }
        else if (resumed is not null)
        {
            await checkpoints.ClearAsync(cancellationToken);
        }

        var finishedAt = time.GetUtcNow();
        var summary = counters.ToSummary(sweepId, triggeredBy, startedAt, finishedAt, reconciled) with
        {
            ReconcileSeconds = reconcileSeconds,
            DeletionBlocked = blocked,
            DeleteConditions = DeleteConditionNames.Of(deleteMode),
            UnreadableHolds = snapshot.Unreadable.Select(UnreadableHoldReport.Of).ToList(),
            UnreadableMedia = unreadableMedia.Count,
            UnreadableMediaRows = unreadableMedia.Rows,
            RetentionLagSeconds = counters.OldestStillStored is { } oldest ? Math.Max(0, (finishedAt - oldest).TotalSeconds) : 0,
            FullReconcile = fullReconcile,
            StoppedEarly = stop is not null,
            ResumedFrom = resumed?.Position,
            Checkpoint = stop?.Position,
            CycleStartedAt = cycleStartedAt,
        };
        await audit.AppendAsync(new AuditEvent(Actor, AuditActions.RetentionSweep, "sweep/" + sweepId, SummaryDetails(summary)), cancellationToken);
        if (summary.StoppedEarly)
        {
            logger.LogWarning(
                "Sweep {SweepId} stopped after its time budget of {Budget} (Retention:MaxSweepDuration) at {Checkpoint}; the next sweep resumes there",
                sweepId, options.Value.MaxSweepDuration, summary.Checkpoint);
        }

        if (stop is null && deleteMode == DeleteConditionMode.Unverified)
        {
            logger.LogError(
                "Sweep {SweepId} deleted nothing: the storage's delete conditions could not be verified (see the DeleteConditionSupport log); " +
                "{Blocked} expired media are kept meanwhile", sweepId, summary.Blocked);
        }
        else if (summary.DeletionBlocked)
        {
            logger.LogError(
                "Sweep {SweepId} deleted nothing: {Count} hold row(s) cannot be read ({HoldIds}), so nobody can tell what they cover. " +
                "Release or repair them; {Blocked} expired media are kept meanwhile",
                sweepId, summary.UnreadableHolds.Count, string.Join(", ", summary.UnreadableHolds.Select(h => h.Id)), summary.Blocked);
        }

        if (summary.UnreadableMedia > 0)
        {
            logger.LogWarning("Sweep {SweepId} skipped {Count} index row(s) that cannot be read; their blobs are kept", sweepId, summary.UnreadableMedia);
        }

        logger.LogInformation(
            "Sweep {SweepId}: {Deleted} deleted, {AlreadyGone} already gone, {HeldKept} held, {Deferred} deferred, {Failures} failures, {Reconciled} reconciled in {Seconds:0.0} s; retention lag {RetentionLag:0} s",
            sweepId, summary.Deleted, summary.AlreadyGone, summary.HeldKept, summary.Deferred, summary.Failures, summary.Reconciled, summary.DurationSeconds,
            summary.RetentionLagSeconds);
        return summary;
    }

    /// <summary>
    /// Deletes the expired, unheld media kind by kind, page by page, from <paramref name="resumed"/>'s position. Returns
    /// where it stopped when the budget ran out (every page before it finished, bookkeeping included), or null.
    /// </summary>
    private async Task<ScanStop?> DeleteExpiredAsync(
        string sweepId,
        DateTimeOffset startedAt,
        SweepHolds current,
        SweepCheckpoint? resumed,
        SweepBudget budget,
        Counters counters,
        UnreadableMediaReport unreadableMedia,
        Reporter report,
        CancellationToken cancellationToken)
    {
        var settledBefore = startedAt - options.Value.IngestSettleTime;
        var bookkeeping = Task.CompletedTask;
        var kinds = resumed is null ? ExpiredKinds : ExpiredKinds.SkipWhile(k => k != resumed.Kind).ToArray();
        if (kinds.Length == 0)
        {
            kinds = ExpiredKinds; // a checkpoint naming an unknown kind: start the scan over
        }

        foreach (var kind in kinds)
        {
            var after = resumed is not null && kind == resumed.Kind ? resumed.After : null;
            await foreach (var (page, last) in ExpiredPagesAsync(kind, startedAt, after, unreadableMedia, cancellationToken))
            {
                await RefreshHoldsAsync(current, cancellationToken);
                var (snapshot, blocked) = (current.Snapshot, current.Blocked);
                var toDelete = new List<MediaRecord>();
                var unheld = new List<MediaRecord>(); // for the retention lag: expired, and no hold of the snapshot covers it
                foreach (var media in page)
                {
                    counters.Add(ref counters.Expired);
                    if (media.IndexedAt > settledBefore)
                    {
                        counters.Add(ref counters.Deferred);
                        if (!snapshot.IsHeld(media))
                        {
                            unheld.Add(media);
                        }
                    }
                    else if (snapshot.IsHeld(media))
                    {
                        counters.Add(ref counters.HeldKept);
                    }
                    else if (blocked)
                    {
                        // Past its expiry and still stored: the block shows in the retention lag too.
                        counters.Add(ref counters.Blocked);
                        unheld.Add(media);
                    }
                    else
                    {
                        toDelete.Add(media);
                        unheld.Add(media);
                    }
                }

                var gone = new List<(MediaRecord Media, bool AlreadyGone)>();
                foreach (var deletion in await deleter.DeleteAsync(toDelete, counters.Failures, cancellationToken))
                {
                    counters.Count(deletion);
                    if (deletion.IsGone)
                    {
                        gone.Add((deletion.Media, deletion.Outcome == DeletionOutcome.AlreadyGone));
                    }
                }

                var goneIds = gone.Select(g => g.Media.Id).ToHashSet(StringComparer.Ordinal);
                foreach (var media in unheld.Where(m => !goneIds.Contains(m.Id) && !counters.HeldOnRetry.ContainsKey(m.Id)))
                {
                    counters.StillStored(policy.ExpiresAt(media));
                }

                // The previous page's bookkeeping ran while this page's blobs were deleted; one in flight at a time.
                await bookkeeping;
                bookkeeping = RecordDeletionsAsync(sweepId, [.. gone], cancellationToken);
                report.Page();

                // At least one page per sweep, so even a tiny budget makes progress.
                if (budget.Spent && last is { } position)
                {
                    await bookkeeping;
                    return new ScanStop(SweepPhases.Expired, null, null, kind, position);
                }
            }
        }

        await bookkeeping;
        return null;
    }

    /// <summary>
    /// Loads the holds again when one was written since they were read (the version moved): a hold placed while the sweep
    /// runs is in force from its row on, before all (or any) of its blobs are marked. A hold row turned unreadable blocks
    /// the rest of the sweep.
    /// </summary>
    private async Task RefreshHoldsAsync(SweepHolds current, CancellationToken cancellationToken)
    {
        var version = await holds.GetVersionAsync(cancellationToken);
        if (version == current.Version)
        {
            return;
        }

        var fresh = await holds.LoadActiveThoroughAsync(cancellationToken);
        current.Snapshot = fresh;
        current.Version = version;
        current.Blocked |= fresh.BlocksDeletion;
    }

    /// <summary>The holds the expired phase decides with, and the version they were read at.</summary>
    private sealed class SweepHolds(ActiveHolds snapshot, string? version, bool blocked)
    {
        public ActiveHolds Snapshot { get; set; } = snapshot;

        public string? Version { get; set; } = version;

        public bool Blocked { get; set; } = blocked;
    }

    private SweepCheckpoint Checkpoint(ScanStop stop, string sweepId, DateTimeOffset cycleStartedAt, Counters counters) =>
        new(stop.Phase, stop.Container, stop.Marker, stop.Kind, stop.After, cycleStartedAt, sweepId, counters.OldestStillStored);

    /// <summary>What a sweep would do now, without deleting or marking anything.</summary>
    public async Task<RetentionPreview> PreviewAsync(int limit, CancellationToken cancellationToken)
    {
        using var activity = telemetry.StartActivity("retention.preview");
        var now = time.GetUtcNow();
        var snapshot = await holds.LoadActiveThoroughAsync(cancellationToken);
        telemetry.ActiveHolds(snapshot.Count);
        telemetry.UnreadableHolds(snapshot.Unreadable.Count);
        DateTimeOffset? oldestUnheld = null;
        var wouldDelete = new List<ExpiredMedium>();
        var kept = new List<HeldMedium>();
        int deleteCount = 0, heldCount = 0, blockedCount = 0;
        long bytes = 0;
        var unreadableMedia = new UnreadableMediaReport();
        await foreach (var page in ExpiredPagesAsync(now, unreadableMedia, cancellationToken))
        {
            foreach (var media in page)
            {
                var covering = snapshot.Covering(media);
                if (covering.Count > 0)
                {
                    if (++heldCount <= limit)
                    {
                        kept.Add(new HeldMedium(media.Id, media.Kind, media.Container, media.BlobName, policy.ExpiresAt(media),
                            covering.Select(h => h.Id).ToList(), covering.Select(h => h.CaseNumber).Distinct().ToList()));
                    }
                }
                else if (snapshot.BlocksDeletion)
                {
                    blockedCount++;
                    var blockedExpiry = policy.ExpiresAt(media);
                    oldestUnheld = oldestUnheld is { } b && b <= blockedExpiry ? b : blockedExpiry;
                }
                else
                {
                    bytes += media.Size;
                    var expiresAt = policy.ExpiresAt(media);
                    oldestUnheld = oldestUnheld is { } o && o <= expiresAt ? o : expiresAt;
                    if (++deleteCount <= limit)
                    {
                        wouldDelete.Add(new ExpiredMedium(media.Id, media.Kind, media.Container, media.BlobName,
                            media.RetentionFrom, policy.ExpiresAt(media), media.Size));
                    }
                }
            }
        }

        var lag = oldestUnheld is { } oldest ? now - oldest : TimeSpan.Zero;
        telemetry.RetentionLag(lag);
        return new RetentionPreview(now, deleteCount, bytes, heldCount, wouldDelete, kept, deleteCount > limit || heldCount > limit)
        {
            RetentionLagSeconds = Math.Max(0, lag.TotalSeconds),
            DeletionBlocked = snapshot.BlocksDeletion,
            BlockedCount = blockedCount,
            UnreadableHolds = snapshot.Unreadable.Select(UnreadableHoldReport.Of).ToList(),
            UnreadableMedia = unreadableMedia.Count,
            UnreadableMediaRows = unreadableMedia.Rows,
        };
    }

    /// <summary>
    /// Audits each unreadable hold row once (per version of the row): the first sweep it blocks says so on the
    /// record; later sweeps name it in their summary only.
    /// </summary>
    private async Task ReportUnreadableHoldsAsync(string sweepId, IReadOnlyList<UnreadableHold> unreadable, CancellationToken cancellationToken)
    {
        foreach (var hold in unreadable)
        {
            if (await holds.IsUnreadableReportedAsync(hold, cancellationToken))
            {
                continue;
            }

            // Audit before the marker: a crash in between audits it twice rather than never.
            await audit.AppendAsync(new AuditEvent(Actor, AuditActions.HoldUnreadable, "hold/" + hold.Id, new Dictionary<string, string?>
            {
                ["sweepId"] = sweepId,
                ["reason"] = hold.Reason,
                ["storedStatus"] = hold.Status,
                ["caseNumber"] = hold.CaseNumber,
                ["agency"] = hold.Agency,
                ["effect"] = "no media are deleted while this hold row cannot be read and is not released",
            }), cancellationToken);
            await holds.MarkUnreadableReportedAsync(hold, cancellationToken);
        }
    }

    /// <summary>The expired media of every kind from the start, page by page (the preview).</summary>
    private async IAsyncEnumerable<IReadOnlyList<MediaRecord>> ExpiredPagesAsync(
        DateTimeOffset now, UnreadableMediaReport unreadable, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        foreach (var kind in ExpiredKinds)
        {
            await foreach (var (expired, _) in ExpiredPagesAsync(kind, now, null, unreadable, cancellationToken))
            {
                if (expired.Count > 0)
                {
                    yield return expired;
                }
            }
        }
    }

    /// <summary>
    /// Every page of the kind's candidates after <paramref name="after"/>: its expired media (possibly none, when longer
    /// per-site retention keeps them all) and the position of its last row, where a scan cut off there resumes.
    /// </summary>
    private async IAsyncEnumerable<(List<MediaRecord> Expired, RowKeyPair? Last)> ExpiredPagesAsync(
        string kind, DateTimeOffset now, RowKeyPair? after, UnreadableMediaReport unreadable,
        [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        // Everything older than the shortest retention of the kind; longer per-site retention is applied here.
        var candidatesBefore = now - policy.ShortestFor(kind);
        await foreach (var page in index.ScanRetainedBeforeAsync(kind, candidatesBefore, options.Value.ScanPageSize, after, cancellationToken))
        {
            // A row that cannot be read is skipped: its blob stays, and the summary names the row.
            unreadable.Add(page.Unreadable);
            var last = page.Last ?? (page.Records.Count > 0 ? MediaTableLayout.LookupKeys(page.Records[^1])[0] : null);
            yield return (page.Records.Where(m => policy.ExpiresAt(m) <= now).ToList(), last);
        }
    }

    private async Task RecordDeletionsAsync(string sweepId, List<(MediaRecord Media, bool AlreadyGone)> gone, CancellationToken cancellationToken)
    {
        if (gone.Count == 0)
        {
            return;
        }

        // Audit first: if the sweep dies before the index rows go, the next sweep records the medium again
        // (as already gone) rather than leaving a deletion unaccounted for.
        await audit.AppendManyAsync(gone.Select(g => new AuditEvent(Actor, AuditActions.MediaDeleted, "media/" + g.Media.Id,
            DeletionDetails(sweepId, g.Media, g.AlreadyGone))).ToList(), cancellationToken);
        await index.RemoveAsync(gone.Select(g => g.Media).ToList(), cancellationToken);
    }

    /// <summary>Whether this new cycle starts with a full reconcile: none yet, or the last began an interval ago.</summary>
    private async Task<bool> FullReconcileDueAsync(DateTimeOffset now, CancellationToken cancellationToken) =>
        options.Value.FullReconcileInterval <= TimeSpan.Zero
        || await checkpoints.LoadLastFullReconcileAsync(cancellationToken) is not { } last
        || last > now // a clock that went back: reconcile rather than trust it
        || now - last >= options.Value.FullReconcileInterval;

    /// <summary>
    /// Indexes every blob of the media containers that the index does not know under its exact name, or knows at
    /// another version: what the event path (blob trigger, runner scan) missed. A merge of two name-ordered streams, the
    /// container listing and the index's name rows, so memory is a page of each whatever the number of media. A blob
    /// the merge does not match (no name row, another version, or either side sorted unlike the other) is looked up by
    /// a point read before it is indexed: a mismatch costs a request, never a missed blob. Names the SDK would rewrite
    /// are addressed exactly (<see cref="MediaBlobClients"/>), so none escapes.
    /// </summary>
    private async Task<ScanStop?> ReconcileAsync(
        Counters counters, ReconcileReport report, SweepCheckpoint? resumed, SweepBudget budget, Reporter progress, CancellationToken cancellationToken)
    {
        var containers = storage.Value.MediaContainers.ToList();
        var first = resumed?.Container is { } at && containers.Contains(at) ? containers.IndexOf(at) : 0;
        var marker = resumed?.Container is { } named && containers.Contains(named) ? resumed.Marker : null;
        ScanStop? stop = null;
        foreach (var container in containers.Skip(first))
        {
            await using var names = new IndexedNameCursor(index, container, cancellationToken);
            await foreach (var page in blobs.ListPagesAsync(container, marker, cancellationToken))
            {
                var suspects = new List<BlobSnapshot>();
                foreach (var blob in page.Blobs)
                {
                    if (!await names.KnowsAsync(blob))
                    {
                        suspects.Add(blob);
                    }
                }

                var unknown = await NotIndexedAsync(suspects, counters, cancellationToken);
                await IndexAllAsync(unknown, report, counters, cancellationToken);
                progress.Reconciled(report.Count);

                // A page at least per sweep; the rest of the container (or the next one) is for the next sweep.
                if (budget.Spent)
                {
                    var next = page.Continuation is null ? containers.IndexOf(container) + 1 : containers.IndexOf(container);
                    stop = next < containers.Count
                        ? new ScanStop(SweepPhases.Reconcile, containers[next], page.Continuation, null, null)
                        : null;
                    break;
                }
            }

            marker = null;
            if (budget.Spent)
            {
                break;
            }
        }

        if (report.Count > 0)
        {
            logger.LogWarning("Reconcile indexed {Count} blob(s) the event path had missed: {MediaIds}",
                report.Count, string.Join(", ", report.Items.Select(i => i.MediaId)));
        }

        return stop;
    }

    /// <summary>
    /// The blobs the merge did not match whose record row does not hold them at their version either. A record that
    /// does (indexed before name rows existed) gets its name row, so the next full pass matches it in the merge.
    /// </summary>
    private async Task<List<BlobSnapshot>> NotIndexedAsync(List<BlobSnapshot> suspects, Counters counters, CancellationToken cancellationToken)
    {
        var unknown = new ConcurrentBag<BlobSnapshot>();
        await Parallel.ForEachAsync(suspects,
            new ParallelOptions { MaxDegreeOfParallelism = ReconcileParallelism, CancellationToken = cancellationToken },
            async (blob, ct) =>
            {
                try
                {
                    var stored = await index.GetAsync(MediaId.For(blob.Container, blob.Name), ct);
                    if (stored is { Unreadable: null } && stored.Record.ETag == blob.ETag
                        && stored.Record.Container == blob.Container && stored.Record.BlobName == blob.Name)
                    {
                        await index.RepairNameRowAsync(stored.Record, ct);
                        return;
                    }
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    // Indexing it looks again; at worst it costs an ingest that finds the record current.
                    logger.LogWarning(e, "Could not read the index row of {MediaId} while reconciling", MediaId.For(blob.Container, blob.Name));
                    counters.Failures.Failed();
                }

                unknown.Add(blob);
            });
        return [.. unknown.OrderBy(b => b.Name, StringComparer.Ordinal)];
    }

    /// <summary>
    /// The index side of the reconcile's merge: walks a container's name rows forward as the listing moves, starting at
    /// the first blob it is asked about (so a resumed listing does not read the rows before it).
    /// </summary>
    private sealed class IndexedNameCursor(IMediaIndex index, string container, CancellationToken cancellationToken) : IAsyncDisposable
    {
        private IAsyncEnumerator<IndexedName>? rows;
        private bool done;

        /// <summary>True when a name row holds the blob at its version; false means "look closer", never "delete".</summary>
        public async Task<bool> KnowsAsync(BlobSnapshot blob)
        {
            if (MediaTableLayout.NameRowKey(container, blob.Name) is not { } key)
            {
                return false;
            }

            if (rows is null)
            {
                rows = index.ListNamesAsync(container, blob.Name, cancellationToken).GetAsyncEnumerator(cancellationToken);
                done = !await rows.MoveNextAsync();
            }

            while (!done && string.CompareOrdinal(rows.Current.RowKey, key) < 0)
            {
                done = !await rows.MoveNextAsync();
            }

            return !done && rows.Current.RowKey == key && rows.Current.ETag == blob.ETag && rows.Current.Id == MediaId.For(container, blob.Name);
        }

        public async ValueTask DisposeAsync()
        {
            if (rows is not null)
            {
                await rows.DisposeAsync();
            }
        }
    }

    private async Task IndexAllAsync(List<BlobSnapshot> unknown, ReconcileReport report, Counters counters, CancellationToken cancellationToken) =>
        await Parallel.ForEachAsync(unknown,
            new ParallelOptions { MaxDegreeOfParallelism = ReconcileParallelism, CancellationToken = cancellationToken },
            async (blob, ct) =>
            {
                try
                {
                    var result = await ingest.HandleAsync(IngestBlobCommand.Listed(blob), ct);
                    if (result is { Outcome: IngestOutcome.Indexed or IngestOutcome.Rejected, Record: { } record })
                    {
                        report.Add(new ReconciledMedium(record.Id, record.Container, NameMasking.BlobName(record.BlobName),
                            record.Status, record.RejectionReason));
                    }
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    logger.LogError(e, "Could not index {Container}/{BlobName} ({MediaId}) while reconciling",
                        blob.Container, NameMasking.BlobName(blob.Name), MediaId.For(blob.Container, blob.Name));
                    counters.Failures.Failed();
                }
            });

    private static string ShownName(MediaRecord media) => MediaNames.Shown(media);

    private static Dictionary<string, string?> DeletionDetails(string sweepId, MediaRecord media, bool alreadyGone) => new()
    {
        // No phone numbers: call blob names carry none by contract, and caller/callee are left out.
        ["sweepId"] = sweepId,
        ["container"] = media.Container,
        ["blobName"] = ShownName(media),
        ["kind"] = media.Kind,
        ["status"] = media.Status,
        ["recordedAt"] = media.RecordedAt?.ToString("O", CultureInfo.InvariantCulture),
        ["retentionFrom"] = media.RetentionFrom.ToString("O", CultureInfo.InvariantCulture),
        ["sha256"] = media.Sha256,
        ["size"] = media.Size.ToString(CultureInfo.InvariantCulture),
        ["alreadyGone"] = alreadyGone ? "true" : "false",
    };

    private static Dictionary<string, string?> SummaryDetails(SweepSummary s) => new()
    {
        ["triggeredBy"] = s.TriggeredBy,
        ["expired"] = s.Expired.ToString(CultureInfo.InvariantCulture),
        ["deleted"] = s.Deleted.ToString(CultureInfo.InvariantCulture),
        ["alreadyGone"] = s.AlreadyGone.ToString(CultureInfo.InvariantCulture),
        ["bytesDeleted"] = s.BytesDeleted.ToString(CultureInfo.InvariantCulture),
        ["heldKept"] = s.HeldKept.ToString(CultureInfo.InvariantCulture),
        ["deferred"] = s.Deferred.ToString(CultureInfo.InvariantCulture),
        ["failures"] = s.Failures.ToString(CultureInfo.InvariantCulture),
        ["fullReconcile"] = s.FullReconcile ? "true" : "false",
        ["reconciled"] = s.Reconciled.ToString(CultureInfo.InvariantCulture),
        ["reconciledIds"] = Bounded(s.ReconciledMedia.Select(m => m.MediaId)),
        ["reconciledNames"] = Bounded(s.ReconciledMedia.Select(m => m.Container + "/" + m.BlobName)),
        ["deletionBlocked"] = s.DeletionBlocked ? "true" : "false",
        ["deleteConditions"] = s.DeleteConditions,
        ["blocked"] = s.Blocked.ToString(CultureInfo.InvariantCulture),
        ["unreadableHolds"] = Bounded(s.UnreadableHolds.Select(h => h.Id)),
        ["unreadableMedia"] = s.UnreadableMedia.ToString(CultureInfo.InvariantCulture),
        ["durationSeconds"] = s.DurationSeconds.ToString("0.###", CultureInfo.InvariantCulture),
        ["stoppedEarly"] = s.StoppedEarly ? "true" : "false",
        ["resumedFrom"] = s.ResumedFrom?.ToString(),
        ["checkpoint"] = s.Checkpoint?.ToString(),
        ["retentionLagSeconds"] = s.RetentionLagSeconds.ToString("0.###", CultureInfo.InvariantCulture),
    };

    private static string? Bounded(IEnumerable<string> values)
    {
        var list = values.ToList();
        return list.Count == 0 ? null : string.Join(", ", list.Take(SweepSummary.MaxListed)) + (list.Count > SweepSummary.MaxListed ? ", ..." : "");
    }

    /// <summary>What the reconcile indexed: the count, and the first <see cref="SweepSummary.MaxListed"/> of them.</summary>
    private sealed class ReconcileReport
    {
        private readonly List<ReconciledMedium> items = [];
        private int count;

        public int Count => Volatile.Read(ref count);

        public IReadOnlyList<ReconciledMedium> Items
        {
            get
            {
                lock (items)
                {
                    return items.OrderBy(i => i.MediaId, StringComparer.Ordinal).ToList();
                }
            }
        }

        public void Add(ReconciledMedium medium)
        {
            Interlocked.Increment(ref count);
            lock (items)
            {
                if (items.Count < SweepSummary.MaxListed)
                {
                    items.Add(medium);
                }
            }
        }
    }

    /// <summary>Index rows the scan could not read: the count, and the first <see cref="SweepSummary.MaxListed"/>.</summary>
    private sealed class UnreadableMediaReport
    {
        private readonly List<UnreadableMediaRow> rows = [];

        public int Count { get; private set; }

        public IReadOnlyList<UnreadableMediaRow> Rows => rows;

        public void Add(IReadOnlyList<UnreadableMediaRow> page)
        {
            Count += page.Count;
            rows.AddRange(page.Take(SweepSummary.MaxListed - rows.Count));
        }
    }

    /// <summary>Where a phase stopped when the budget ran out.</summary>
    private sealed record ScanStop(string Phase, string? Container, string? Marker, string? Kind, RowKeyPair? After);

    /// <summary>The sweep's time budget, on the injected clock.</summary>
    private sealed class SweepBudget(TimeProvider time, TimeSpan budget)
    {
        private readonly DateTimeOffset deadline = time.GetUtcNow() + budget;

        public bool Spent => time.GetUtcNow() >= deadline;
    }

    /// <summary>Tells the caller's <see cref="IProgress{T}"/> what the sweep has done so far.</summary>
    private sealed class Reporter(IProgress<SweepProgress>? progress, Counters counters)
    {
        private string phase = SweepPhases.Reconcile;
        private int reconciled;

        public void Phase(string name)
        {
            phase = name;
            Report();
        }

        public void Reconciled(int count)
        {
            reconciled = count;
            Report();
        }

        public void Page() => Report();

        private void Report() => progress?.Report(new SweepProgress(phase, reconciled, counters.Expired, counters.DeletedCount,
            counters.AlreadyGone, counters.HeldKept, counters.Deferred, counters.Blocked, counters.Failures.Total));
    }

    private sealed class Counters(int maxConsecutiveFailures)
    {
        public int Expired;
        public int DeletedCount;
        public int AlreadyGone;
        public int HeldKept;
        public int Deferred;
        public int Blocked;
        private long bytes;

        private long oldestStillStoredTicks = long.MaxValue;

        /// <summary>Media a fresh hold turned out to cover on the slow path: kept on purpose, so no retention lag.</summary>
        public ConcurrentDictionary<string, byte> HeldOnRetry { get; } = new(StringComparer.Ordinal);

        /// <summary>The earliest expiry among the expired, unheld media this sweep leaves in storage.</summary>
        public DateTimeOffset? OldestStillStored
        {
            get
            {
                var ticks = Interlocked.Read(ref oldestStillStoredTicks);
                return ticks == long.MaxValue ? null : new DateTimeOffset(ticks, TimeSpan.Zero);
            }
        }

        public void StillStored(DateTimeOffset expiresAt)
        {
            var ticks = expiresAt.UtcTicks;
            var current = Interlocked.Read(ref oldestStillStoredTicks);
            while (ticks < current)
            {
                var seen = Interlocked.CompareExchange(ref oldestStillStoredTicks, ticks, current);
                if (seen == current)
                {
                    return;
                }

                current = seen;
            }
        }

        public void Add(ref int counter, int amount = 1) => Interlocked.Add(ref counter, amount);

        /// <summary>Storage failures; too many in a row means storage is unavailable, so the sweep stops.</summary>
        public FailureBudget Failures { get; } = new(maxConsecutiveFailures, () => new SweepAbortedException(maxConsecutiveFailures));

        /// <summary>Counts what the deletion path did with one medium.</summary>
        public void Count(MediaDeletion deletion)
        {
            switch (deletion.Outcome)
            {
                case DeletionOutcome.Deleted:
                    Deleted(deletion.Media.Size);
                    break;
                case DeletionOutcome.AlreadyGone:
                    Add(ref AlreadyGone);
                    break;
                case DeletionOutcome.KeptByHold:
                    HeldOnRetry.TryAdd(deletion.Media.Id, 0);
                    Add(ref HeldKept);
                    break;
                case DeletionOutcome.Changed or DeletionOutcome.Deferred:
                    Add(ref Deferred);
                    break;
                case DeletionOutcome.Blocked:
                    Add(ref Blocked);
                    break;
                default:
                    break; // a failure, counted by Failures when it happened
            }
        }

        public void Deleted(long size)
        {
            Interlocked.Increment(ref DeletedCount);
            Interlocked.Add(ref bytes, size);
        }

        public SweepSummary ToSummary(string sweepId, string triggeredBy, DateTimeOffset startedAt, DateTimeOffset finishedAt, ReconcileReport reconciled) => new()
        {
            SweepId = sweepId,
            TriggeredBy = triggeredBy,
            StartedAt = startedAt,
            FinishedAt = finishedAt,
            DurationSeconds = (finishedAt - startedAt).TotalSeconds,
            Reconciled = reconciled.Count,
            ReconciledMedia = reconciled.Items,
            Expired = Expired,
            Deleted = DeletedCount,
            AlreadyGone = AlreadyGone,
            BytesDeleted = bytes,
            HeldKept = HeldKept,
            Deferred = Deferred,
            Blocked = Blocked,
            Failures = Failures.Total,
        };
    }
}

/// <summary>The sweep stopped because storage kept failing; nothing further was deleted, and the next sweep resumes.</summary>
public sealed class SweepAbortedException(int failures)
    : Exception($"Retention sweep stopped after {failures} storage failures in a row; the next sweep resumes where it stopped.");
