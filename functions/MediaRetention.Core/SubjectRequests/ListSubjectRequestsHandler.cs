namespace MediaRetention.Core.SubjectRequests;

/// <summary>The requests in queue order, as of <see cref="Now"/> (which decides what is overdue).</summary>
public sealed record SubjectRequestQueue(DateTimeOffset Now, IReadOnlyList<SubjectRequest> Items, IReadOnlyList<UnreadableSubjectRequest> Unreadable);

/// <summary>
/// The privacy officer's queue: overdue requests first, then open ones by due date, then closed ones; within each,
/// the earliest due date first. Overdue is decided by the clock now, not stored, so it is never stale.
/// </summary>
public sealed class ListSubjectRequestsHandler(ISubjectRequestStore store, TimeProvider time)
{
    public async Task<SubjectRequestQueue> HandleAsync(string? status, CancellationToken cancellationToken)
    {
        var list = await store.ListAsync(status, cancellationToken);
        var now = time.GetUtcNow();
        var ordered = list.Items
            .OrderBy(r => r.IsOverdue(now) ? 0 : r.IsOpen ? 1 : 2)
            .ThenBy(r => r.DueAt)
            .ThenBy(r => r.Id, StringComparer.Ordinal)
            .ToList();
        return new SubjectRequestQueue(now, ordered, list.Unreadable);
    }
}
