using System.Collections.Concurrent;
using MediaRetention.Core.Holds;
using MediaRetention.Core.Ingest;
using MediaRetention.Core.Media;
using MediaRetention.Core.Storage;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace MediaRetention.Core.Retention;

/// <summary>What became of a medium handed to <see cref="HoldSafeDeleter"/>.</summary>
public enum DeletionOutcome
{
    Deleted,

    /// <summary>The blob was gone already (deleted by someone else, or by an earlier run that died before its bookkeeping).</summary>
    AlreadyGone,

    /// <summary>A hold read after the caller decided covers it: it was (re)marked held and kept.</summary>
    KeptByHold,

    /// <summary>The blob was overwritten since it was indexed: the new version was indexed and nothing deleted.</summary>
    Changed,

    /// <summary>The delete condition failed again, or the blob changed while it was being re-checked: kept for now.</summary>
    Deferred,

    /// <summary>
    /// A hold row became unreadable meanwhile (nobody can tell what it covers), or the storage's delete conditions are
    /// not verified (<see cref="IDeleteConditionSupport"/>): kept.
    /// </summary>
    Blocked,

    /// <summary>Storage failed for this medium: kept, and logged.</summary>
    Failed,
}

public sealed record MediaDeletion(MediaRecord Media, DeletionOutcome Outcome)
{
    /// <summary>Whether the blob no longer exists, so its deletion is to be audited and its index rows removed.</summary>
    public bool IsGone => Outcome is DeletionOutcome.Deleted or DeletionOutcome.AlreadyGone;
}

/// <summary>
/// Counts storage failures and gives up (throws what <paramref name="tooMany"/> makes) after
/// <paramref name="maxConsecutive"/> in a row: storage is then probably unavailable, and grinding on helps nobody.
/// </summary>
public sealed class FailureBudget(int maxConsecutive, Func<Exception> tooMany)
{
    private int total;
    private int consecutive;

    public int Total => Volatile.Read(ref total);

    public void Succeeded() => Volatile.Write(ref consecutive, 0);

    public void Failed()
    {
        Interlocked.Increment(ref total);
        if (Interlocked.Increment(ref consecutive) >= maxConsecutive)
        {
            throw tooMany();
        }
    }
}

/// <summary>
/// The one way media are deleted, shared by the retention sweep and data-subject erasure: a blob is deleted only on
/// the tag condition "marked not held, at the indexed version" (<see cref="IBlobHoldMarks.DeleteCondition"/>), so a
/// hold placed after the caller decided (which marks its media held first) or an overwrite (which clears the tags)
/// makes the delete fail and the medium stay. Blobs whose condition fails go through <see cref="RetryAsync"/>.
/// The caller decides which media may go (expired and unheld, or matching a subject and unheld) and does the
/// bookkeeping (audit, then index rows) for those that are gone; nothing is deleted on an error path.
/// </summary>
public sealed class HoldSafeDeleter(
    IMediaBlobStore blobs,
    IHoldStore holds,
    IBlobHoldMarks marks,
    IngestBlobHandler ingest,
    IOptions<RetentionOptions> options,
    IDeleteConditionSupport deleteConditions,
    ILogger<HoldSafeDeleter> logger)
{
    /// <summary>Deletes what it safely can of <paramref name="media"/> and says, per medium, what happened.</summary>
    /// <exception cref="Exception">Whatever <paramref name="failures"/> throws when storage keeps failing.</exception>
    public async Task<IReadOnlyList<MediaDeletion>> DeleteAsync(IReadOnlyList<MediaRecord> media, FailureBudget failures, CancellationToken cancellationToken)
    {
        // On any doubt keep media: until the storage has shown which delete conditions it evaluates, nothing goes.
        if (media.Count > 0 && await deleteConditions.EnsureProbedAsync(cancellationToken) == DeleteConditionMode.Unverified)
        {
            return [.. media.Select(m => new MediaDeletion(m, DeletionOutcome.Blocked))];
        }

        var outcomes = new ConcurrentBag<MediaDeletion>();
        var conditionFailed = new ConcurrentBag<MediaRecord>();
        await DeleteAllAsync(media, outcomes, conditionFailed, failures, cancellationToken);
        if (!conditionFailed.IsEmpty)
        {
            await RetryAsync([.. conditionFailed], outcomes, failures, cancellationToken);
        }

        return [.. outcomes];
    }

    private async Task DeleteAllAsync(
        IReadOnlyList<MediaRecord> toDelete,
        ConcurrentBag<MediaDeletion> outcomes,
        ConcurrentBag<MediaRecord> conditionFailed,
        FailureBudget failures,
        CancellationToken cancellationToken)
    {
        await Parallel.ForEachAsync(toDelete,
            new ParallelOptions { MaxDegreeOfParallelism = options.Value.MaxParallelDeletes, CancellationToken = cancellationToken },
            async (media, ct) =>
            {
                try
                {
                    var outcome = await blobs.DeleteIfUnchangedAndNotHeldAsync(media.Container, media.BlobName, media.ETag, ct);
                    failures.Succeeded();
                    switch (outcome)
                    {
                        case BlobDeleteOutcome.Deleted:
                            outcomes.Add(new MediaDeletion(media, DeletionOutcome.Deleted));
                            break;
                        case BlobDeleteOutcome.AlreadyGone:
                            outcomes.Add(new MediaDeletion(media, DeletionOutcome.AlreadyGone));
                            break;
                        default:
                            conditionFailed.Add(media);
                            break;
                    }
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    logger.LogError(e, "Could not delete {Container}/{BlobName} ({MediaId}); kept, and looked at again next time",
                        media.Container, MediaNames.Shown(media), media.Id);
                    outcomes.Add(new MediaDeletion(media, DeletionOutcome.Failed));
                    failures.Failed();
                }
            });
    }

    /// <summary>
    /// The slow path, for blobs whose delete condition failed. A blob changed since it was indexed is re-indexed
    /// (and looked at next time). Otherwise its mark is not "no": a hold's mark, one left by a released hold,
    /// or none. With holds re-read, uncovered blobs are marked "no", the holds are read once more, and only
    /// blobs still uncovered are deleted, on the same condition. A hold written before that second read is
    /// seen by it; one written after marks its media after our "no", so the delete fails.
    /// </summary>
    private async Task RetryAsync(
        List<MediaRecord> failed, ConcurrentBag<MediaDeletion> outcomes, FailureBudget failures, CancellationToken cancellationToken)
    {
        var unchanged = new ConcurrentBag<MediaRecord>();
        await ForEachAsync(failed, async (media, ct) =>
        {
            var current = await blobs.GetPropertiesAsync(media.Container, media.BlobName, ct);
            if (current is null)
            {
                outcomes.Add(new MediaDeletion(media, DeletionOutcome.AlreadyGone));
            }
            else if (current.ETag != media.ETag)
            {
                await ingest.HandleAsync(new IngestBlobCommand(media.Container, media.BlobName, current.ETag), ct);
                outcomes.Add(new MediaDeletion(media, DeletionOutcome.Changed));
            }
            else
            {
                unchanged.Add(media);
            }
        }, outcomes, failures, cancellationToken);

        var candidates = await KeepUncoveredAsync([.. unchanged], outcomes, failures, cancellationToken);
        var marked = new ConcurrentBag<MediaRecord>();
        await ForEachAsync(candidates, async (media, ct) =>
        {
            if (await marks.MarkNotHeldAsync(media.Container, media.BlobName, media.ETag, ct))
            {
                marked.Add(media);
            }
            else
            {
                outcomes.Add(new MediaDeletion(media, DeletionOutcome.AlreadyGone));
            }
        }, outcomes, failures, cancellationToken);

        var uncovered = await KeepUncoveredAsync([.. marked], outcomes, failures, cancellationToken);

        // An overwrite between the version check above and our mark would leave the new content marked with
        // the old version; re-check, so only blobs still at the indexed version go on to the delete.
        var stillUncovered = new ConcurrentBag<MediaRecord>();
        await ForEachAsync(uncovered, async (media, ct) =>
        {
            if ((await blobs.GetPropertiesAsync(media.Container, media.BlobName, ct))?.ETag == media.ETag)
            {
                stillUncovered.Add(media);
            }
            else
            {
                outcomes.Add(new MediaDeletion(media, DeletionOutcome.Deferred));
            }
        }, outcomes, failures, cancellationToken);
        var failedAgain = new ConcurrentBag<MediaRecord>();
        await DeleteAllAsync([.. stillUncovered], outcomes, failedAgain, failures, cancellationToken);
        foreach (var media in failedAgain)
        {
            outcomes.Add(new MediaDeletion(media, DeletionOutcome.Deferred));
        }
    }

    /// <summary>Reloads the holds; covered media are (re)marked held and kept; the rest are returned.</summary>
    private async Task<List<MediaRecord>> KeepUncoveredAsync(
        List<MediaRecord> media, ConcurrentBag<MediaDeletion> outcomes, FailureBudget failures, CancellationToken cancellationToken)
    {
        if (media.Count == 0)
        {
            return media;
        }

        var fresh = await holds.LoadActiveAsync(cancellationToken);
        var covered = media.Where(fresh.IsHeld).ToList();
        await ForEachAsync(covered, (m, ct) => new ValueTask(marks.MarkHeldAsync(m.Container, m.BlobName, ct)), outcomes, failures, cancellationToken,
            recordFailure: false);
        foreach (var m in covered)
        {
            outcomes.Add(new MediaDeletion(m, DeletionOutcome.KeptByHold));
        }

        var uncovered = media.Where(m => !fresh.IsHeld(m)).ToList();
        if (fresh.BlocksDeletion)
        {
            // A hold row became unreadable since the caller decided: what it covers is unknown, so keep everything.
            foreach (var m in uncovered)
            {
                outcomes.Add(new MediaDeletion(m, DeletionOutcome.Blocked));
            }

            return [];
        }

        return uncovered;
    }

    /// <param name="recordFailure">
    /// Whether a medium whose step failed is reported as <see cref="DeletionOutcome.Failed"/>. Not when the step
    /// only re-marks a medium that is kept anyway (it is reported as kept).
    /// </param>
    private async Task ForEachAsync(
        List<MediaRecord> items,
        Func<MediaRecord, CancellationToken, ValueTask> body,
        ConcurrentBag<MediaDeletion> outcomes,
        FailureBudget failures,
        CancellationToken cancellationToken,
        bool recordFailure = true) =>
        await Parallel.ForEachAsync(items,
            new ParallelOptions { MaxDegreeOfParallelism = options.Value.MaxParallelDeletes, CancellationToken = cancellationToken },
            async (media, ct) =>
            {
                try
                {
                    await body(media, ct);
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    logger.LogError(e, "Could not re-check {Container}/{BlobName} ({MediaId}); kept, and looked at again next time",
                        media.Container, MediaNames.Shown(media), media.Id);
                    if (recordFailure)
                    {
                        outcomes.Add(new MediaDeletion(media, DeletionOutcome.Failed));
                    }

                    failures.Failed();
                }
            });
}
