using MediaRetention.Core.Media;
using MediaRetention.Core.Phones;

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
    private readonly List<Hold> phoneHolds = [];
    private readonly PhoneHasher? hasher;

    /// <param name="hasher">
    /// Compares phone hashes in the current key's form, so rows and holds hashed under different keys of the ring (or
    /// in the legacy form) still match. Without it, hashes are compared as stored.
    /// </param>
    public ActiveHolds(IEnumerable<Hold> holds, IEnumerable<UnreadableHold>? unreadable = null, PhoneHasher? hasher = null)
    {
        this.hasher = hasher;
        Unreadable = (unreadable ?? []).Where(u => !u.IsReleased).DistinctBy(u => u.Id).ToList();
        foreach (var hold in holds.Where(h => h.Preserves))
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
                    Add(byPhoneHash, PhoneKey(scope.PhoneHash), hold);
                    phoneHolds.Add(hold);
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
        Collect(byPhoneHash, PhoneKey(media.CallerHash), media, ref result);
        if (media.CalleeHash != media.CallerHash)
        {
            Collect(byPhoneHash, PhoneKey(media.CalleeHash), media, ref result);
        }

        // A hash under a key this host's ring does not hold yet (another host read a newer ring): nobody here can tell
        // the number, so every phone hold whose window covers the call keeps it until the ring is refreshed.
        if (hasher is not null && phoneHolds.Count > 0 && (Unknown(media.CallerHash) || Unknown(media.CalleeHash)))
        {
            foreach (var hold in phoneHolds.Where(h => media.Kind == MediaKind.Call && h.Scope.InWindow(media)))
            {
                (result ??= []).Add(hold);
            }
        }

        Collect(bySystem, media.System, media, ref result);
        return result is null ? [] : result.Distinct().ToList();
    }

    public bool IsHeld(MediaRecord media) => Covering(media).Count > 0;

    private string? PhoneKey(string? hash) => hash is null ? null : hasher?.Canonical(hash) ?? hash;

    private bool Unknown(string? hash) => hash is not null && PhoneHasher.IsWellFormed(hash) && !hasher!.IsKnown(hash);

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

    private void Collect(Dictionary<string, List<Hold>> map, string? key, MediaRecord media, ref List<Hold>? result)
    {
        if (key is null || !map.TryGetValue(key, out var candidates))
        {
            return;
        }

        foreach (var hold in candidates)
        {
            if (hold.Scope.Covers(media, hasher))
            {
                (result ??= []).Add(hold);
            }
        }
    }
}
