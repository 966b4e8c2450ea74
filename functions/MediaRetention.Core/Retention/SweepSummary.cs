using MediaRetention.Core.Holds;
using MediaRetention.Core.Media;
using MediaRetention.Core.Storage;

namespace MediaRetention.Core.Retention;

/// <summary>What one sweep did. Also written to the audit log.</summary>
public sealed record SweepSummary
{
    /// <summary>Longest list of ids or names a summary (or its audit entry) carries; the counts are complete.</summary>
    public const int MaxListed = 20;

    public required string SweepId { get; init; }
    public required string TriggeredBy { get; init; }
    public required DateTimeOffset StartedAt { get; init; }
    public DateTimeOffset FinishedAt { get; init; }
    public double DurationSeconds { get; init; }

    /// <summary>Blobs the index did not know (or knew at another version), indexed by this sweep.</summary>
    public int Reconciled { get; init; }

    /// <summary>The first <see cref="MaxListed"/> of them (names with digit runs masked).</summary>
    public IReadOnlyList<ReconciledMedium> ReconciledMedia { get; init; } = [];

    /// <summary>
    /// True when this sweep ran (part of) a full reconcile; false when <see cref="RetentionOptions.FullReconcileInterval"/>
    /// had not passed since the last one, or it resumed in the expired phase.
    /// </summary>
    public bool FullReconcile { get; init; }

    /// <summary>Time spent reconciling, before any deletion.</summary>
    public double ReconcileSeconds { get; init; }

    /// <summary>Media past their retention.</summary>
    public int Expired { get; init; }

    public int Deleted { get; init; }

    /// <summary>Expired media whose blob was already gone (e.g. a previous sweep was interrupted).</summary>
    public int AlreadyGone { get; init; }

    public long BytesDeleted { get; init; }

    /// <summary>Expired media kept because a legal hold covers them.</summary>
    public int HeldKept { get; init; }

    /// <summary>Expired media left for the next sweep: changed since indexed, just indexed, or marked meanwhile.</summary>
    public int Deferred { get; init; }

    public int Failures { get; init; }

    /// <summary>
    /// How long the oldest expired medium that no hold covers and that is still stored after this sweep has been
    /// past its expiry, in seconds (0 when none is left): the number that says whether "deleted after N days" is kept.
    /// Media kept only because deletion was blocked count too.
    /// </summary>
    public double RetentionLagSeconds { get; init; }

    /// <summary>
    /// <see cref="SweepOutcomes.DeletionBlocked"/> when unreadable hold rows stopped every deletion;
    /// <see cref="SweepOutcomes.Succeeded"/>, or <see cref="SweepOutcomes.CompletedWithFailures"/> when media were kept
    /// because storage failed.
    /// </summary>
    public string Outcome => DeletionBlocked ? SweepOutcomes.DeletionBlocked
        : Failures == 0 ? SweepOutcomes.Succeeded
        : SweepOutcomes.CompletedWithFailures;

    /// <summary>
    /// True when this sweep deleted nothing on purpose: a hold row cannot be read (nobody can tell what it covers), or
    /// the storage's delete conditions could not be verified (<see cref="DeleteConditions"/> is <c>unverified</c>).
    /// </summary>
    public bool DeletionBlocked { get; init; }

    /// <summary>
    /// Which conditions the deletes carried (<see cref="DeleteConditionNames"/>): <c>tagsAndETag</c> (Azure),
    /// <c>tagsOnly</c> (a storage that ignores the tag condition next to If-Match: Azurite), or <c>unverified</c>.
    /// </summary>
    public string DeleteConditions { get; init; } = DeleteConditionNames.Unverified;

    /// <summary>Expired, unheld media kept only because deletion was blocked.</summary>
    public int Blocked { get; init; }

    /// <summary>The hold rows that cannot be read (they block deletion until released or repaired).</summary>
    public IReadOnlyList<UnreadableHoldReport> UnreadableHolds { get; init; } = [];

    /// <summary>Index rows the sweep could not read and skipped (their blobs are kept).</summary>
    public int UnreadableMedia { get; init; }

    /// <summary>The first <see cref="MaxListed"/> of them.</summary>
    public IReadOnlyList<UnreadableMediaRow> UnreadableMediaRows { get; init; } = [];

    /// <summary>
    /// True when the sweep ran out of its time budget (<see cref="RetentionOptions.MaxSweepDuration"/>) and stopped at a
    /// page boundary, everything before <see cref="Checkpoint"/> finished; the next sweep resumes there.
    /// </summary>
    public bool StoppedEarly { get; init; }

    /// <summary>Where the next sweep resumes (null when this sweep finished its cycle).</summary>
    public SweepPosition? Checkpoint { get; init; }

    /// <summary>Where this sweep resumed an earlier one's cycle (null: it started a new cycle).</summary>
    public SweepPosition? ResumedFrom { get; init; }

    /// <summary>When the first sweep of this cycle started (this one's start when it began a new cycle).</summary>
    public DateTimeOffset CycleStartedAt { get; init; }
}

/// <summary>What a running sweep has done so far, reported after each page (the operation resource shows it).</summary>
public sealed record SweepProgress(
    string Phase, int Reconciled, int Expired, int Deleted, int AlreadyGone, int HeldKept, int Deferred, int Blocked, int Failures);

/// <summary>The names of <see cref="DeleteConditionMode"/> in summaries and the audit log.</summary>
public static class DeleteConditionNames
{
    public const string TagsAndETag = "tagsAndETag";
    public const string TagsOnly = "tagsOnly";
    public const string Unverified = "unverified";

    public static string Of(DeleteConditionMode mode) => mode switch
    {
        DeleteConditionMode.TagsAndETag => TagsAndETag,
        DeleteConditionMode.TagsOnly => TagsOnly,
        _ => Unverified,
    };
}

/// <summary>A blob the reconcile had to index; <see cref="BlobName"/> has its digit runs masked.</summary>
public sealed record ReconciledMedium(string MediaId, string Container, string BlobName, string Status, string? RejectionReason);

/// <summary>A hold row that cannot be read, as sweep summaries and the preview name it.</summary>
public sealed record UnreadableHoldReport(string Id, string Reason, string? StoredStatus, string? CaseNumber, string? Agency)
{
    public static UnreadableHoldReport Of(UnreadableHold hold) => new(hold.Id, hold.Reason, hold.Status, hold.CaseNumber, hold.Agency);
}

/// <summary>How a retention sweep ended: in the summary, the sweep record behind /healthz, and the sweep-runs metric.</summary>
public static class SweepOutcomes
{
    public const string Succeeded = "succeeded";

    /// <summary>Completed, but storage failed for some media; they are kept and looked at again next sweep.</summary>
    public const string CompletedWithFailures = "completedWithFailures";

    /// <summary>
    /// Completed without deleting anything, because hold rows that cannot be read might cover any medium; they are
    /// named in the summary and the sweep record, and must be released or repaired.
    /// </summary>
    public const string DeletionBlocked = "deletionBlocked";

    /// <summary>Stopped by an error (storage unavailable, lease lost); nothing further was deleted.</summary>
    public const string Failed = "failed";
}

/// <summary>An expired medium as the preview lists it.</summary>
public sealed record ExpiredMedium(string MediaId, string Kind, string Container, string BlobName, DateTimeOffset RetentionFrom, DateTimeOffset ExpiredAt, long Size);

/// <summary>An expired medium a hold keeps.</summary>
public sealed record HeldMedium(string MediaId, string Kind, string Container, string BlobName, DateTimeOffset ExpiredAt, IReadOnlyList<string> HoldIds, IReadOnlyList<string> CaseNumbers);

/// <summary>What the next sweep would delete and which holds keep what (lists capped at the requested limit).</summary>
public sealed record RetentionPreview(
    DateTimeOffset GeneratedAt,
    int WouldDeleteCount,
    long WouldDeleteBytes,
    int HeldCount,
    IReadOnlyList<ExpiredMedium> WouldDelete,
    IReadOnlyList<HeldMedium> KeptByHolds,
    bool Truncated)
{
    /// <summary>How long the oldest expired medium that no hold covers has been past its expiry, in seconds (0 when none is).</summary>
    public double RetentionLagSeconds { get; init; }

    /// <summary>True when a hold row cannot be read: the next sweep would delete nothing (see <see cref="UnreadableHolds"/>).</summary>
    public bool DeletionBlocked { get; init; }

    /// <summary>Expired, unheld media that only the block keeps.</summary>
    public int BlockedCount { get; init; }

    public IReadOnlyList<UnreadableHoldReport> UnreadableHolds { get; init; } = [];

    /// <summary>Index rows among the expired that cannot be read (skipped; their blobs are kept).</summary>
    public int UnreadableMedia { get; init; }

    public IReadOnlyList<UnreadableMediaRow> UnreadableMediaRows { get; init; } = [];
}
