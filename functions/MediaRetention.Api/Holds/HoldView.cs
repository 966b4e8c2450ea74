using System.Text.Json.Serialization;
using MediaRetention.Api.Media;
using MediaRetention.Core.Holds;

namespace MediaRetention.Api.Holds;

public sealed record HoldScopeView(
    string Type,
    IReadOnlyList<string>? MediaIds,
    string? Site,
    IReadOnlyList<string>? Cameras,
    string? CallId,
    string? PhoneNumber,
    string? System,
    DateTimeOffset? From,
    DateTimeOffset? To)
{
    // The phone number is shown masked; its hash is internal.
    public static HoldScopeView Of(HoldScope s) =>
        new(s.Type, s.MediaIds, s.Site, s.Cameras, s.CallId, s.PhoneMasked, s.System, s.From, s.To);
}

public sealed record HoldView(
    string Id,
    string CaseNumber,
    string Reason,
    RequestedBy RequestedBy,
    string Agency,
    string PlacedBy,
    DateTimeOffset PlacedAt,
    DateTimeOffset? ReviewDate,
    string Status,
    HoldRelease? Release,
    HoldScopeView Scope)
{
    /// <summary>Security's or an admin's decision on a police request (who, when, why); null otherwise.</summary>
    public HoldReview? Review { get; init; }

    /// <summary>The scope the police asked for, when the approval narrowed it.</summary>
    public HoldScopeView? RequestedScope { get; init; }

    public static HoldView From(Hold h) => new(h.Id, h.CaseNumber, h.Reason, h.RequestedBy, h.Agency, h.PlacedBy,
        h.PlacedAt, h.ReviewDate, h.Status, h.Release, HoldScopeView.Of(h.Scope))
    {
        Review = h.Review,
        RequestedScope = h.RequestedScope is null ? null : HoldScopeView.Of(h.RequestedScope),
    };
}

/// <summary>
/// <see cref="CoveredMedia"/> is null for police (a request shows nothing of what it covers until approved).
/// <see cref="Warnings"/> says when a hold covers nothing indexed now, or that a police hold is a request.
/// On a 202 (a large hold, marked in the background) <see cref="CoveredMedia"/> is null and <see cref="Marking"/> names the
/// operation marking the rest.
/// </summary>
public sealed record PlacedHoldResponse(HoldView Hold, int? CoveredMedia, IReadOnlyList<string> Warnings)
{
    /// <summary>Whether every covered blob is marked held yet; absent for police.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public HoldMarkingView? Marking { get; init; }
}

/// <summary>
/// An approved or rejected request; <see cref="CoveredMedia"/> counts what an approved hold covers now (null while
/// <see cref="Marking"/> is in progress).
/// </summary>
public sealed record ReviewedHoldResponse(HoldView Hold, int? CoveredMedia, IReadOnlyList<string> Warnings)
{
    /// <summary>Approve: whether every covered blob is marked held yet; absent for a rejection.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public HoldMarkingView? Marking { get; init; }
}

/// <summary>
/// What a hold would cover now. <see cref="Items"/> is the first <see cref="HoldEndpoints.PreviewSampleSize"/>
/// media; for police both <see cref="CoveredMedia"/> and <see cref="Items"/> are null (the request is only validated).
/// <see cref="AtLeast"/>: counting stopped at its cap.
/// </summary>
public sealed record HoldPreviewResponse(int? CoveredMedia, bool AtLeast, IReadOnlyList<MediaView>? Items, HoldScopeView Scope);

public sealed record HoldListResponse(IReadOnlyList<HoldView> Items, string? ContinuationToken)
{
    /// <summary>Rows of this page that cannot be read; absent when there are none.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public IReadOnlyList<UnreadableHoldView>? Unreadable { get; init; }
}

/// <summary><see cref="CoveredMedia"/> is null for police while the hold is requested or rejected.</summary>
public sealed record HoldDetailResponse(HoldView Hold, MediaListResponse? CoveredMedia)
{
    /// <summary>Whether every covered blob is marked held yet (complete, inProgress, stopped, failed); absent for police.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public HoldMarkingView? Marking { get; init; }
}

/// <summary>
/// A hold row that cannot be read (edited by hand, or written by an older version), with what could be read of it.
/// <see cref="Status"/> is always "unreadable"; <see cref="StoredStatus"/> is what the row says. While such a row is
/// not released, retention deletes nothing.
/// </summary>
public sealed record UnreadableHoldView(
    string Id,
    string Status,
    string? StoredStatus,
    string UnreadableReason,
    string? CaseNumber,
    string? Agency,
    HoldRelease? Release)
{
    public const string UnreadableStatus = "unreadable";

    public static UnreadableHoldView From(UnreadableHold h, HoldRelease? release = null) =>
        new(h.Id, UnreadableStatus, h.Status, h.Reason, h.CaseNumber, h.Agency, release);
}

/// <summary><c>GET /api/holds/{id}</c> for a row that cannot be read: what could be read, and what to do.</summary>
public sealed record UnreadableHoldDetailResponse(UnreadableHoldView Hold, string Detail);

/// <summary>A hold as listed on a medium.</summary>
public sealed record HoldReference(string Id, string CaseNumber, string Agency, string Status);
