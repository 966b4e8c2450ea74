using MediaRetention.Core.Media;
using Microsoft.Extensions.Options;

namespace MediaRetention.Core.SubjectRequests;

/// <summary>The indexed media that match a subject's identifiers, oldest first.</summary>
/// <param name="TooMany">More than <see cref="SubjectRequestOptions.MaxMatches"/> matched: <see cref="Items"/> is cut there.</param>
/// <param name="UnreadableRows">Index rows in the searched ranges that could not be read (their blobs are never touched).</param>
public sealed record SubjectMatches(IReadOnlyList<MediaRecord> Items, bool TooMany, int UnreadableRows);

/// <summary>
/// Finds a subject's media through the index's lookup rows: calls by the phone number's hash (caller or callee: the phone
/// rows of each form of the number, as phone holds read them) and CCTV by site and window, or by camera rows when cameras
/// are named.
/// Rejected media count too: a badly named call recording is still a recording of the person.
/// </summary>
public sealed class SubjectMediaMatcher(IMediaIndex index, ISubjectPhoneNumbers phoneNumbers, IOptions<SubjectRequestOptions> options)
{
    private const int PageSize = 1000;

    public async Task<SubjectMatches> FindAsync(SubjectIdentifiers identifiers, CancellationToken cancellationToken)
    {
        var found = new Dictionary<string, MediaRecord>(StringComparer.Ordinal);
        var unreadable = 0;
        var limit = options.Value.MaxMatches;
        var searches = new List<(MediaQuery Query, Func<MediaRecord, bool> Matches)>();
        if (identifiers.Phone is { } phone)
        {
            // Every form a row of this number may carry (older keys, legacy hashes) in one query, as phone holds do.
            var hashes = (await phoneNumbers.MatchHashesAsync(phone.Number, cancellationToken)).ToHashSet(StringComparer.Ordinal);
            searches.Add((new MediaQuery { Kind = MediaKind.Call, PhoneHashes = [.. hashes], From = phone.From, To = phone.To },
                m => m.Kind == MediaKind.Call && (hashes.Contains(m.CallerHash ?? "") || hashes.Contains(m.CalleeHash ?? ""))));
        }

        foreach (var place in identifiers.Cctv)
        {
            searches.Add((new MediaQuery
            {
                Kind = MediaKind.Cctv, Site = place.Site, Cameras = place.Cameras is { Count: > 0 } cameras ? cameras : null, From = place.From, To = place.To,
            },
                m => m.Kind == MediaKind.Cctv && m.Site == place.Site
                    && (place.Cameras is not { Count: > 0 } || (m.Camera is not null && place.Cameras.Contains(m.Camera)))));
        }

        foreach (var (query, matches) in searches)
        {
            string? token = null;
            do
            {
                var page = await index.QueryAsync(query, token, PageSize, cancellationToken);
                unreadable += page.Unreadable.Count;
                foreach (var media in page.Items.Where(matches))
                {
                    found.TryAdd(media.Id, media);
                    if (found.Count > limit)
                    {
                        return new SubjectMatches(Ordered(found.Values).Take(limit).ToList(), TooMany: true, unreadable);
                    }
                }

                token = page.ContinuationToken;
            }
            while (token is not null);
        }

        return new SubjectMatches(Ordered(found.Values), TooMany: false, unreadable);
    }

    private static List<MediaRecord> Ordered(IEnumerable<MediaRecord> media) =>
        media.OrderBy(m => m.RetentionFrom).ThenBy(m => m.Id, StringComparer.Ordinal).ToList();
}
