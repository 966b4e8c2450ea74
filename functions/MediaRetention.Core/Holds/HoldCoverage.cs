using System.Globalization;
using System.Runtime.CompilerServices;
using MediaRetention.Core.Storage;
using MediaRetention.Core.Media;
using MediaRetention.Core.Phones;

namespace MediaRetention.Core.Holds;

/// <summary>
/// Finds the indexed media a hold scope covers, through the index's lookup rows (never a table scan): phone scopes read the
/// phone rows of each form of the number, camera lists the camera rows, so requests follow the media matched (once the
/// lookup rows are complete; see <see cref="IMediaLookupRows"/>). Every medium found is checked against the scope again.
/// </summary>
public sealed class HoldCoverage(IMediaIndex index, IPhoneHashing? phoneHashing = null)
{
    private const int ScanPageSize = 1000;

    public async IAsyncEnumerable<MediaRecord> FindCoveredAsync(HoldScope scope, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        string? token = null;
        do
        {
            var page = await PageAsync(scope, token, ScanPageSize, cancellationToken);
            foreach (var media in page.Items)
            {
                yield return media;
            }

            token = page.ContinuationToken;
        }
        while (token is not null);
    }

    /// <summary>One page of covered media. Pages may hold fewer items than asked for; follow the token to the end.</summary>
    public async Task<MediaPage> PageAsync(HoldScope scope, string? continuationToken, int pageSize, CancellationToken cancellationToken)
    {
        if (scope.Type == HoldScope.MediaType)
        {
            return await PageOfListedIdsAsync(scope.MediaIds ?? [], continuationToken, pageSize, cancellationToken);
        }

        var hasher = phoneHashing is null || scope.Type != HoldScope.PhoneType ? null : await phoneHashing.GetAsync(cancellationToken);
        var page = await index.QueryAsync(QueryFor(scope, hasher), continuationToken, pageSize, cancellationToken);
        return page with { Items = page.Items.Where(m => scope.Covers(m, hasher)).ToList() };
    }

    private async Task<MediaPage> PageOfListedIdsAsync(IReadOnlyList<string> ids, string? token, int pageSize, CancellationToken cancellationToken)
    {
        var offset = token is null ? 0 : int.TryParse(token, NumberStyles.None, CultureInfo.InvariantCulture, out var o) ? o
            : throw new InvalidContinuationTokenException();
        var slice = ids.Skip(offset).Take(pageSize).ToList();
        var found = await Task.WhenAll(slice.Select(id => index.GetAsync(id, cancellationToken)));
        var next = offset + slice.Count < ids.Count ? (offset + slice.Count).ToString(CultureInfo.InvariantCulture) : null;
        // A row that cannot be read is no medium to mark or hand over; the sweep reports such rows.
        return new MediaPage(found.Where(s => s is { Unreadable: null }).Select(s => s!.Record).ToList(), next);
    }

    private static IReadOnlyList<string> PhoneHashes(HoldScope scope, PhoneHasher? hasher) =>
        scope.LookupHashes ?? new[] { scope.PhoneHash, hasher?.Canonical(scope.PhoneHash) }.OfType<string>().Distinct(StringComparer.Ordinal).ToList();

    private static MediaQuery QueryFor(HoldScope scope, PhoneHasher? hasher) => scope.Type switch
    {
        // Listed cameras: one key range per camera (camera rows), not every clip of the site.
        HoldScope.CctvType => new MediaQuery
        {
            Site = scope.Site, Cameras = scope.Cameras is { Count: > 0 } cameras ? cameras : null, Kind = MediaKind.Cctv, From = scope.From, To = scope.To,
            Status = MediaStatus.Indexed,
        },
        HoldScope.CallType => new MediaQuery { CallId = scope.CallId, Kind = MediaKind.Call },
        HoldScope.PhoneType => new MediaQuery { Kind = MediaKind.Call, From = scope.From, To = scope.To, PhoneHashes = PhoneHashes(scope, hasher), Status = MediaStatus.Indexed },
        HoldScope.SystemType => new MediaQuery { System = scope.System, Kind = MediaKind.Call, From = scope.From, To = scope.To },
        _ => throw new ArgumentException($"Unknown hold scope type '{scope.Type}'.", nameof(scope)),
    };
}
