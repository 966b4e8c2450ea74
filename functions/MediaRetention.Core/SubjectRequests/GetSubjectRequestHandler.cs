using MediaRetention.Core.Holds;
using MediaRetention.Core.Media;
using MediaRetention.Core.Retention;

namespace MediaRetention.Core.SubjectRequests;

/// <summary>A medium that matches the subject, with when retention deletes it and the holds that keep it (officer's view).</summary>
public sealed record MatchedMedium(MediaRecord Media, DateTimeOffset ScheduledDeletion, IReadOnlyList<string> HoldIds);

/// <summary>
/// A case as the officer sees it: the request, every medium that matches it now (with the holds that keep each),
/// the plain-language summary the subject would get, and what was exported and erased so far.
/// </summary>
public sealed record SubjectRequestDetail(
    SubjectRequest Request,
    DateTimeOffset Now,
    IReadOnlyList<MatchedMedium> Matches,
    bool TooManyMatches,
    int UnreadableIndexRows,
    IReadOnlyList<UnreadableHold> UnreadableHolds,
    SubjectSummary Summary,
    IReadOnlyList<SubjectDisclosure> Disclosures,
    IReadOnlyList<SubjectErasure> Erasures);

/// <summary>Reads a case and finds what matches it now. Reads only: nothing is stored, marked or audited.</summary>
public sealed class GetSubjectRequestHandler(
    ISubjectRequestStore store,
    SubjectMediaMatcher matcher,
    IHoldStore holds,
    RetentionPolicy policy,
    SubjectSummaryWriter summaries,
    TimeProvider time)
{
    public async Task<SubjectRequestDetail?> HandleAsync(string id, CancellationToken cancellationToken)
    {
        if (!SubjectRequestIds.IsWellFormed(id) || await store.GetAsync(id, cancellationToken) is not { } stored)
        {
            return null;
        }

        var request = stored.Request;
        var matches = await matcher.FindAsync(request.Identifiers, cancellationToken);
        var active = await holds.LoadActiveThoroughAsync(cancellationToken);
        var disclosures = await store.ListDisclosuresAsync(id, cancellationToken);
        var erasures = await store.ListErasuresAsync(id, cancellationToken);
        return new SubjectRequestDetail(
            request,
            time.GetUtcNow(),
            matches.Items.Select(m => new MatchedMedium(m, policy.ExpiresAt(m), active.Covering(m).Select(h => h.Id).ToList())).ToList(),
            matches.TooMany,
            matches.UnreadableRows,
            active.Unreadable,
            summaries.DescribeKept(matches.Items, active),
            disclosures,
            erasures);
    }
}
