using System.Text.Json.Serialization;
using MediaRetention.Core.Ingest;
using MediaRetention.Core.Media;
using MediaRetention.Core.Phones;

namespace MediaRetention.Core.Holds;

public static class HoldStatus
{
    /// <summary>Placed by police: preserves at once, exactly like an active hold, but shows the police nothing until approved.</summary>
    public const string Requested = "requested";
    public const string Active = "active";
    public const string Released = "released";

    /// <summary>A request security or admin refused: preserves nothing (like a release).</summary>
    public const string Rejected = "rejected";

    public static readonly IReadOnlyList<string> All = [Requested, Active, Released, Rejected];

    /// <summary>Statuses under which nothing the hold covers may be deleted.</summary>
    public static bool Preserves(string? status) => status is Active or Requested;
}

/// <summary>What a hold preserves. The wire names of <see cref="Type"/> are media, cctv, call, phone and system.</summary>
public sealed record HoldScope
{
    public const string MediaType = "media";
    public const string CctvType = "cctv";
    public const string CallType = "call";
    public const string PhoneType = "phone";
    public const string SystemType = "system";

    public static readonly IReadOnlyList<string> Types = [MediaType, CctvType, CallType, PhoneType, SystemType];

    public required string Type { get; init; }
    public IReadOnlyList<string>? MediaIds { get; init; }
    public string? Site { get; init; }
    public IReadOnlyList<string>? Cameras { get; init; }
    public string? CallId { get; init; }
    public string? System { get; init; }

    /// <summary>Keyed hash of the E.164 number (<see cref="PhoneHasher"/>, <c>{keyId}:{hex}</c>); the number itself is never stored.</summary>
    public string? PhoneHash { get; init; }

    /// <summary>
    /// Every hash a media row may carry for the number (each key of the ring, the legacy form), computed from the
    /// number while a request is handled, to find rows not yet re-keyed. Never stored.
    /// </summary>
    [JsonIgnore]
    public IReadOnlyList<string>? LookupHashes { get; init; }

    /// <summary>The number with all but its last two digits masked, for people reading the hold.</summary>
    public string? PhoneMasked { get; init; }

    public DateTimeOffset? From { get; init; }
    public DateTimeOffset? To { get; init; }

    /// <summary>
    /// Whether this scope covers the medium. Window scopes compare the recording time, so media uploaded
    /// after the hold whose recording falls in the window are covered too.
    /// </summary>
    public bool Covers(MediaRecord media) => Covers(media, null);

    /// <summary>
    /// As <see cref="Covers(MediaRecord)"/>, comparing phone hashes in the current key's form, so a hash stored under an
    /// older key (or a legacy one) still matches.
    /// </summary>
    public bool Covers(MediaRecord media, PhoneHasher? hasher) => Type switch
    {
        MediaType => MediaIds?.Contains(media.Id) == true,
        CctvType => media.Kind == MediaKind.Cctv && media.Site == Site
            && (Cameras is not { Count: > 0 } || (media.Camera is not null && Cameras.Contains(media.Camera)))
            && InWindow(media),
        CallType => media.Kind == MediaKind.Call && media.CallId == CallId,
        PhoneType => media.Kind == MediaKind.Call && PhoneHash is not null
            && (SameNumber(media.CallerHash, hasher) || SameNumber(media.CalleeHash, hasher)) && InWindow(media),
        SystemType => media.Kind == MediaKind.Call && media.System == System && InWindow(media),
        _ => false,
    };

    /// <summary>
    /// Why this scope cannot be evaluated safely (a stored row edited by hand, or written by an older version), or
    /// null when it can. The API validates requests field by field before this; this is the store's last word.
    /// </summary>
    public string? Problem() => Type switch
    {
        MediaType => MediaIds is not { Count: > 0 } ? "its media scope lists no media ids"
            : MediaIds.Any(id => !MediaId.IsWellFormed(id)) ? "its media scope lists a value that is not a media id"
            : null,
        CctvType => !UploadContract.IsIdentifier(Site) ? "its cctv scope has no valid site"
            : Cameras?.Any(c => !UploadContract.IsIdentifier(c)) == true ? "its cctv scope lists an invalid camera"
            : WindowProblem(),
        CallType => UploadContract.IsIdentifier(CallId) ? null : "its call scope has no valid call id",
        PhoneType => PhoneHasher.IsWellFormed(PhoneHash) ? WindowProblem()
            : "its phone scope has no valid number hash",
        SystemType => UploadContract.IsIdentifier(System) ? WindowProblem() : "its system scope has no valid system",
        _ => "its scope type is unknown",
    };

    /// <summary>
    /// Why this scope is not within <paramref name="requested"/> (null when it is): the same type and target, a window
    /// inside the requested one, cameras a subset of the requested cameras (any, when all were requested), media ids a
    /// subset. Approving a request may narrow it this way, never widen it.
    /// </summary>
    public string? NotWithin(HoldScope requested, PhoneHasher? hasher = null)
    {
        if (Type != requested.Type)
        {
            return $"'scope.type' must stay '{requested.Type}' (the requested type).";
        }

        switch (Type)
        {
            case MediaType:
                var allowed = (requested.MediaIds ?? []).ToHashSet(StringComparer.Ordinal);
                var extra = (MediaIds ?? []).Select((id, i) => (id, i)).FirstOrDefault(p => !allowed.Contains(p.id));
                return extra.id is not null ? $"'scope.mediaIds[{extra.i}]' was not requested; an approval may only drop ids." : null;
            case CallType:
                return CallId != requested.CallId ? "'scope.callId' must be the requested call id." : null;
            case CctvType:
                if (Site != requested.Site)
                {
                    return "'scope.site' must be the requested site.";
                }

                if (requested.Cameras is { Count: > 0 } cameras)
                {
                    if (Cameras is not { Count: > 0 })
                    {
                        return "'scope.cameras' must list some of the requested cameras (all cameras would widen the request).";
                    }

                    var camera = Cameras.FirstOrDefault(c => !cameras.Contains(c));
                    if (camera is not null)
                    {
                        return $"'scope.cameras' names '{camera}', which was not requested.";
                    }
                }

                break;
            case SystemType:
                if (System != requested.System)
                {
                    return "'scope.system' must be the requested phone system.";
                }

                break;
            case PhoneType:
                var same = PhoneHash == requested.PhoneHash
                    || (hasher is not null && hasher.Canonical(PhoneHash) is { } mine && mine == hasher.Canonical(requested.PhoneHash));
                if (!same)
                {
                    return "'scope.phoneNumber' must be the requested number (leave it out to keep it).";
                }

                break;
        }

        return From < requested.From ? "'scope.from' is before the requested window; an approval may only narrow it."
            : To > requested.To ? "'scope.to' is after the requested window; an approval may only narrow it."
            : null;
    }

    private bool SameNumber(string? mediaHash, PhoneHasher? hasher)
    {
        if (mediaHash is null)
        {
            return false;
        }

        if (mediaHash == PhoneHash)
        {
            return true;
        }

        return hasher is not null && hasher.Canonical(mediaHash) is { } canonical && canonical == hasher.Canonical(PhoneHash);
    }

    private string? WindowProblem() =>
        From is null || To is null ? "its scope has no complete time window"
        : From >= To ? "its scope window ends before it starts"
        : null;

    /// <summary>Whether the medium's recording time falls in this scope's window.</summary>
    public bool InWindow(MediaRecord media) =>
        media.RecordedAt is { } recorded && recorded >= From && recorded <= To;
}

public sealed record RequestedBy(string Agency, string Officer);

public sealed record HoldRelease(string ReleasedBy, DateTimeOffset ReleasedAt, string Reason);

/// <summary>Security's or an admin's decision on a police request: approved (possibly narrowed) or rejected, and why.</summary>
public sealed record HoldReview(string Decision, string ReviewedBy, DateTimeOffset ReviewedAt, string Reason)
{
    public const string Approved = "approved";
    public const string Rejected = "rejected";
}

/// <summary>A legal hold from a police report. Never deleted: releasing it keeps the record.</summary>
public sealed record Hold
{
    public required string Id { get; init; }
    public required string CaseNumber { get; init; }
    public required string Reason { get; init; }
    public required RequestedBy RequestedBy { get; init; }

    /// <summary>The agency the hold belongs to: police keys see only their own agency's holds.</summary>
    public required string Agency { get; init; }

    public required string PlacedBy { get; init; }
    public required DateTimeOffset PlacedAt { get; init; }
    public DateTimeOffset? ReviewDate { get; init; }
    public required string Status { get; init; }
    public HoldRelease? Release { get; init; }
    public required HoldScope Scope { get; init; }

    /// <summary>The decision on a police request; null for holds placed by security or admin, and for open requests.</summary>
    public HoldReview? Review { get; init; }

    /// <summary>The scope the police asked for, kept when an approval narrowed it (<see cref="Scope"/> is then the approved one).</summary>
    public HoldScope? RequestedScope { get; init; }

    public bool IsActive => Status == HoldStatus.Active;

    /// <summary>Whether nothing it covers may be deleted: active, or requested (preservation never waits for a person).</summary>
    public bool Preserves => HoldStatus.Preserves(Status);
}
