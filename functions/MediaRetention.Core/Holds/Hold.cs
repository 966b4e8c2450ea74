using MediaRetention.Core.Ingest;
using MediaRetention.Core.Media;

namespace MediaRetention.Core.Holds;

public static class HoldStatus
{
    public const string Active = "active";
    public const string Released = "released";
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

    /// <summary>Hash of the normalised phone number; the number itself is never stored.</summary>
    public string? PhoneHash { get; init; }

    /// <summary>The number with all but its last two digits masked, for people reading the hold.</summary>
    public string? PhoneMasked { get; init; }

    public DateTimeOffset? From { get; init; }
    public DateTimeOffset? To { get; init; }

    /// <summary>
    /// Whether this scope covers the medium. Window scopes compare the recording time, so media uploaded
    /// after the hold whose recording falls in the window are covered too.
    /// </summary>
    public bool Covers(MediaRecord media) => Type switch
    {
        MediaType => MediaIds?.Contains(media.Id) == true,
        CctvType => media.Kind == MediaKind.Cctv && media.Site == Site
            && (Cameras is not { Count: > 0 } || (media.Camera is not null && Cameras.Contains(media.Camera)))
            && InWindow(media),
        CallType => media.Kind == MediaKind.Call && media.CallId == CallId,
        PhoneType => media.Kind == MediaKind.Call && PhoneHash is not null
            && (media.CallerHash == PhoneHash || media.CalleeHash == PhoneHash) && InWindow(media),
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
        PhoneType => PhoneHash is { Length: 64 } && PhoneHash.All(char.IsAsciiHexDigitLower) ? WindowProblem()
            : "its phone scope has no valid number hash",
        SystemType => UploadContract.IsIdentifier(System) ? WindowProblem() : "its system scope has no valid system",
        _ => "its scope type is unknown",
    };

    private string? WindowProblem() =>
        From is null || To is null ? "its scope has no complete time window"
        : From >= To ? "its scope window ends before it starts"
        : null;

    private bool InWindow(MediaRecord media) =>
        media.RecordedAt is { } recorded && recorded >= From && recorded <= To;
}

public sealed record RequestedBy(string Agency, string Officer);

public sealed record HoldRelease(string ReleasedBy, DateTimeOffset ReleasedAt, string Reason);

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

    public bool IsActive => Status == HoldStatus.Active;
}
