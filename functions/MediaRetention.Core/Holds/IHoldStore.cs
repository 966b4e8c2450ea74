namespace MediaRetention.Core.Holds;

/// <summary>
/// A hold row that cannot be read: written by an older version, or edited by hand. Nobody can tell what it covers,
/// so while it is active no retention sweep deletes anything. What could be read is kept for people to act on.
/// </summary>
public sealed record UnreadableHold(string Id, string Reason, string StorageETag)
{
    /// <summary>The status as stored, when it is text (null when missing or not text).</summary>
    public string? Status { get; init; }

    public string? Agency { get; init; }

    public string? CaseNumber { get; init; }

    /// <summary>Released (or rejected) holds do not block retention, readable or not.</summary>
    public bool IsReleased => Status is HoldStatus.Released or HoldStatus.Rejected;
}

/// <summary>A hold row as read: the hold, or why it cannot be read (exactly one of them), and its table ETag.</summary>
public sealed record StoredHold(Hold? Hold, string StorageETag)
{
    public UnreadableHold? Unreadable { get; init; }
}

public sealed record HoldPage(IReadOnlyList<Hold> Items, string? ContinuationToken)
{
    /// <summary>Rows of this page that could not be read (listed apart, so one bad row never hides the others).</summary>
    public IReadOnlyList<UnreadableHold> Unreadable { get; init; } = [];
}

/// <summary>The holds table. Holds are inserted and updated (released), never deleted.</summary>
public interface IHoldStore
{
    Task CreateAsync(Hold hold, CancellationToken cancellationToken);

    /// <summary>The row with this id, readable or not; null when there is none.</summary>
    Task<StoredHold?> GetAsync(string id, CancellationToken cancellationToken);

    /// <summary>Replaces the hold if it is unchanged since it was read; false when someone changed it first.</summary>
    Task<bool> TryUpdateAsync(Hold hold, string storageETag, CancellationToken cancellationToken);

    /// <summary>
    /// Marks an unreadable row released (status and release details only; the rest stays as found, for the record),
    /// if it is unchanged since it was read. False when someone changed it first.
    /// </summary>
    Task<bool> TryReleaseUnreadableAsync(UnreadableHold hold, HoldRelease release, CancellationToken cancellationToken);

    /// <summary>Holds by status (null for all), optionally of one agency only, oldest first.</summary>
    Task<HoldPage> ListAsync(string? status, string? agency, string? continuationToken, int pageSize, CancellationToken cancellationToken);

    /// <summary>How many holds of this status (and agency) there are, counting no further than <paramref name="stopAt"/>.</summary>
    Task<int> CountAsync(string status, string? agency, int stopAt, CancellationToken cancellationToken);

    /// <summary>
    /// The holds that preserve (active and requested), and the rows so marked that cannot be read. Cheap: one ranged
    /// query.
    /// </summary>
    Task<ActiveHolds> LoadActiveAsync(CancellationToken cancellationToken);

    /// <summary>
    /// As <see cref="LoadActiveAsync"/>, plus every row whose status itself cannot be read (missing, not text, or
    /// neither active nor released): such a row may be an active hold. The retention sweep and its preview use this.
    /// </summary>
    Task<ActiveHolds> LoadActiveThoroughAsync(CancellationToken cancellationToken);

    /// <summary>Whether this unreadable row, at this version, has been reported to the audit log already.</summary>
    Task<bool> IsUnreadableReportedAsync(UnreadableHold hold, CancellationToken cancellationToken);

    /// <summary>Remembers that this unreadable row, at this version, has been reported (idempotent).</summary>
    Task MarkUnreadableReportedAsync(UnreadableHold hold, CancellationToken cancellationToken);

    /// <summary>
    /// The holds version: changes (to a value never used before) after every write of a hold row, once that write is
    /// done. One point read; null when no hold was ever written. <see cref="HoldCache"/> revalidates with it.
    /// </summary>
    Task<string?> GetVersionAsync(CancellationToken cancellationToken);
}
