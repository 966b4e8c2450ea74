using MediaRetention.Core.Media;

namespace MediaRetention.Core.Holds;

/// <summary>
/// The active holds, indexed in memory by what they match on, so deciding whether a medium is held costs a
/// few dictionary lookups however many thousands of holds there are; and the active rows that could not be read
/// (<see cref="Unreadable"/>), whose coverage nobody knows.
/// </summary>
public sealed class ActiveHolds
{
    private readonly Dictionary<string, List<Hold>> byMediaId = new(StringComparer.Ordinal);
    private readonly Dictionary<string, List<Hold>> bySite = new(StringComparer.Ordinal);
    private readonly Dictionary<string, List<Hold>> byCallId = new(StringComparer.Ordinal);
    private readonly Dictionary<string, List<Hold>> byPhoneHash = new(StringComparer.Ordinal);
    private readonly Dictionary<string, List<Hold>> bySystem = new(StringComparer.Ordinal);

    public ActiveHolds(IEnumerable<Hold> holds, IEnumerable<UnreadableHold>? unreadable = null)
    {
        Unreadable = (unreadable ?? []).Where(u => !u.IsReleased).DistinctBy(u => u.Id).ToList();
        foreach (var hold in holds.Where(h => h.IsActive))
        {
            Count++;
            var scope = hold.Scope;
            switch (scope.Type)
            {
                case HoldScope.MediaType:
                    foreach (var id in scope.MediaIds ?? [])
                    {
                        Add(byMediaId, id, hold);
                    }

                    break;
                case HoldScope.CctvType when scope.Site is not null:
                    Add(bySite, scope.Site, hold);
                    break;
                case HoldScope.CallType when scope.CallId is not null:
                    Add(byCallId, scope.CallId, hold);
                    break;
                case HoldScope.PhoneType when scope.PhoneHash is not null:
                    Add(byPhoneHash, scope.PhoneHash, hold);
                    break;
                case HoldScope.SystemType when scope.System is not null:
                    Add(bySystem, scope.System, hold);
                    break;
            }
        }
    }

    public static ActiveHolds None { get; } = new([]);

    public int Count { get; }

    /// <summary>
    /// Hold rows that may be active but cannot be read. What they cover is unknown, so while there is any, nothing
    /// may be deleted (see <see cref="Retention.RetentionSweepHandler"/>); ingest and the API carry on.
    /// </summary>
    public IReadOnlyList<UnreadableHold> Unreadable { get; }

    /// <summary>Whether an unreadable hold row makes every deletion unsafe.</summary>
    public bool BlocksDeletion => Unreadable.Count > 0;

    /// <summary>Every active hold covering the medium (empty when none does).</summary>
    public IReadOnlyList<Hold> Covering(MediaRecord media)
    {
        List<Hold>? result = null;
        Collect(byMediaId, media.Id, media, ref result);
        Collect(bySite, media.Site, media, ref result);
        Collect(byCallId, media.CallId, media, ref result);
        Collect(byPhoneHash, media.CallerHash, media, ref result);
        if (media.CalleeHash != media.CallerHash)
        {
            Collect(byPhoneHash, media.CalleeHash, media, ref result);
        }

        Collect(bySystem, media.System, media, ref result);
        return result is null ? [] : result.Distinct().ToList();
    }

    public bool IsHeld(MediaRecord media) => Covering(media).Count > 0;

    private static void Add(Dictionary<string, List<Hold>> map, string? key, Hold hold)
    {
        if (key is null)
        {
            return; // the store refuses such holds; never let one take the whole index down
        }

        if (!map.TryGetValue(key, out var list))
        {
            map[key] = list = [];
        }

        list.Add(hold);
    }

    private static void Collect(Dictionary<string, List<Hold>> map, string? key, MediaRecord media, ref List<Hold>? result)
    {
        if (key is null || !map.TryGetValue(key, out var candidates))
        {
            return;
        }

        foreach (var hold in candidates)
        {
            if (hold.Scope.Covers(media))
            {
                (result ??= []).Add(hold);
            }
        }
    }
}
