namespace MediaRetention.Core.SubjectRequests;

/// <summary>What a data subject asks for. The string values are the wire format (API, table rows, audit).</summary>
public static class SubjectRequestTypes
{
    /// <summary>Right of access (GDPR Art. 15): what is kept about them, and a copy.</summary>
    public const string Access = "access";

    /// <summary>Right to erasure (GDPR Art. 17).</summary>
    public const string Erasure = "erasure";

    public static readonly IReadOnlyList<string> All = [Access, Erasure];
}

public static class SubjectRequestStatus
{
    public const string Open = "open";
    public const string Answered = "answered";
    public const string Rejected = "rejected";

    public static readonly IReadOnlyList<string> All = [Open, Answered, Rejected];
}

/// <summary>
/// A phone number as a subject request keeps it: never the number itself, only what matching and people need.
/// Made by <see cref="ISubjectPhoneNumbers"/>, the one place that knows how numbers are normalised and hashed.
/// </summary>
/// <param name="Hash">What index rows written now carry for the same number (CallerHash/CalleeHash).</param>
/// <param name="Masked">All but the last two digits masked, for people.</param>
public sealed record SubjectPhone(string Hash, string Masked)
{
    /// <summary>The id of the key the hash was made with, when hashes are keyed; null for unkeyed hashes.</summary>
    public string? KeyId { get; init; }

    /// <summary>
    /// Every form a stored row of this number could carry when the request was opened (older keys, legacy hashes),
    /// when that is more than <see cref="Hash"/>; null otherwise. Kept, since the number itself is not.
    /// </summary>
    public IReadOnlyList<string>? LookupHashes { get; init; }
}

/// <summary>Calls in which the subject is caller or callee, optionally within a window of recording times.</summary>
public sealed record PhoneIdentifier(SubjectPhone Number, DateTimeOffset? From, DateTimeOffset? To);

/// <summary>
/// CCTV where and when the subject was: a site, optionally some of its cameras, a window, and a description of the
/// person for the officer who looks through the footage (never shown to anyone else, never audited).
/// </summary>
public sealed record CctvPlace(string Site, IReadOnlyList<string>? Cameras, DateTimeOffset From, DateTimeOffset To, string? Description);

/// <summary>How to find the subject in the media: a phone number and/or CCTV places and times.</summary>
public sealed record SubjectIdentifiers(PhoneIdentifier? Phone, IReadOnlyList<CctvPlace> Cctv)
{
    public bool IsEmpty => Phone is null && Cctv.Count == 0;
}

/// <summary>Who closed the case, when, and what they told the subject (an answer) or why it was refused (a rejection).</summary>
public sealed record SubjectRequestResolution(string By, DateTimeOffset At, string Text);

/// <summary>
/// A data-subject request is a case: received on a date, due 30 days later, answered or rejected by a privacy
/// officer. The requester's identity is verified outside the system; the case keeps only a reference to that.
/// </summary>
public sealed record SubjectRequest
{
    /// <summary>The time allowed to answer, counted from <see cref="ReceivedAt"/>.</summary>
    public static readonly TimeSpan AnswerWithin = TimeSpan.FromDays(30);

    public required string Id { get; init; }
    public required string Type { get; init; }
    public required string Status { get; init; }

    /// <summary>The organisation's own reference for the request (e.g. where the identity check is filed).</summary>
    public required string Reference { get; init; }

    public required DateTimeOffset ReceivedAt { get; init; }
    public DateTimeOffset DueAt => ReceivedAt + AnswerWithin;
    public required string OpenedBy { get; init; }
    public required DateTimeOffset OpenedAt { get; init; }
    public required SubjectIdentifiers Identifiers { get; init; }
    public string? Note { get; init; }

    /// <summary>Set when the request was answered or rejected.</summary>
    public SubjectRequestResolution? Resolution { get; init; }

    /// <summary>The last erasure executed for this request (each run is kept in full, see <see cref="SubjectErasure"/>).</summary>
    public SubjectErasureTotals? LastErasure { get; init; }

    public bool IsOpen => Status == SubjectRequestStatus.Open;

    /// <summary>Still open after its due date.</summary>
    public bool IsOverdue(DateTimeOffset now) => IsOpen && now > DueAt;
}

/// <summary>Request ids are 32 lower-case hex characters (a version 7 GUID: time-ordered).</summary>
public static class SubjectRequestIds
{
    public static bool IsWellFormed(string? id) => Media.MediaId.IsWellFormed(id);
}

/// <summary>A request row as stored, with its table ETag for conditional updates.</summary>
public sealed record StoredSubjectRequest(SubjectRequest Request, string StorageETag);

/// <summary>A request row that cannot be read (edited by hand, or written by another version). Listed apart, never acted on.</summary>
public sealed record UnreadableSubjectRequest(string Id, string Reason);

public sealed record SubjectRequestList(IReadOnlyList<SubjectRequest> Items, IReadOnlyList<UnreadableSubjectRequest> Unreadable);

/// <summary>
/// One access export: which media the officer chose to disclose and why (CCTV shows other people too, so the choice
/// is a human one), and the seal of the manifest issued.
/// </summary>
public sealed record SubjectDisclosure(
    string Id,
    string DisclosedBy,
    DateTimeOffset DisclosedAt,
    string Reason,
    IReadOnlyList<string> MediaIds,
    string DocumentSha256,
    string? SignatureKeyId,
    DateTimeOffset LinksExpireAt);

/// <summary>A medium an erasure kept, and the holds that keep it (for the officer; never shown to the subject).</summary>
public sealed record KeptMedium(string MediaId, string Kind, DateTimeOffset? RecordedAt, IReadOnlyList<string> HoldIds);

/// <summary>The counts of one erasure run.</summary>
/// <param name="NotDeleted">Neither deleted nor kept by a hold: changed meanwhile, or storage failed. Run it again.</param>
public sealed record SubjectErasureTotals(
    string ErasureId,
    string ExecutedBy,
    DateTimeOffset ExecutedAt,
    int Matched,
    int Deleted,
    int AlreadyGone,
    int KeptByHolds,
    int NotDeleted,
    bool DeletionBlocked);

/// <summary>One erasure run as recorded: its totals and the first <see cref="MaxKeptListed"/> media it kept.</summary>
public sealed record SubjectErasure(SubjectErasureTotals Totals, IReadOnlyList<KeptMedium> Kept)
{
    public const int MaxKeptListed = 200;
}
