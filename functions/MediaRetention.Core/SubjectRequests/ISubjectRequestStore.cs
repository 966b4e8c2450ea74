namespace MediaRetention.Core.SubjectRequests;

/// <summary>
/// The subject requests table: one row per request, plus one row per access export and per erasure run. Requests are
/// never deleted (they are the record that the right was honoured); they are closed.
/// </summary>
public interface ISubjectRequestStore
{
    Task CreateAsync(SubjectRequest request, CancellationToken cancellationToken);

    /// <summary>The request, or null when there is none (or its row cannot be read: see <see cref="ListAsync"/>).</summary>
    Task<StoredSubjectRequest?> GetAsync(string id, CancellationToken cancellationToken);

    /// <summary>Replaces the request if it is unchanged since it was read; false when someone changed it first.</summary>
    Task<bool> TryUpdateAsync(SubjectRequest request, string storageETag, CancellationToken cancellationToken);

    /// <summary>Every request of the status (null: all). Requests number in the hundreds a year; one ranged read.</summary>
    Task<SubjectRequestList> ListAsync(string? status, CancellationToken cancellationToken);

    Task AddDisclosureAsync(string requestId, SubjectDisclosure disclosure, CancellationToken cancellationToken);

    /// <summary>The request's access exports, oldest first.</summary>
    Task<IReadOnlyList<SubjectDisclosure>> ListDisclosuresAsync(string requestId, CancellationToken cancellationToken);

    Task AddErasureAsync(string requestId, SubjectErasure erasure, CancellationToken cancellationToken);

    /// <summary>The request's erasure runs, oldest first.</summary>
    Task<IReadOnlyList<SubjectErasure>> ListErasuresAsync(string requestId, CancellationToken cancellationToken);
}
