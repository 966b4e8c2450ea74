namespace MediaRetention.Core.Holds;

public sealed record StoredHold(Hold Hold, string StorageETag);

public sealed record HoldPage(IReadOnlyList<Hold> Items, string? ContinuationToken);

/// <summary>The holds table. Holds are inserted and updated (released), never deleted.</summary>
public interface IHoldStore
{
    Task CreateAsync(Hold hold, CancellationToken cancellationToken);

    Task<StoredHold?> GetAsync(string id, CancellationToken cancellationToken);

    /// <summary>Replaces the hold if it is unchanged since it was read; false when someone changed it first.</summary>
    Task<bool> TryUpdateAsync(Hold hold, string storageETag, CancellationToken cancellationToken);

    /// <summary>Holds by status (null for all), optionally of one agency only, oldest first.</summary>
    Task<HoldPage> ListAsync(string? status, string? agency, string? continuationToken, int pageSize, CancellationToken cancellationToken);

    Task<ActiveHolds> LoadActiveAsync(CancellationToken cancellationToken);
}
