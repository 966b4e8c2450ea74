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
    public static HoldView From(Hold h) => new(h.Id, h.CaseNumber, h.Reason, h.RequestedBy, h.Agency, h.PlacedBy,
        h.PlacedAt, h.ReviewDate, h.Status, h.Release, HoldScopeView.Of(h.Scope));
}

public sealed record PlacedHoldResponse(HoldView Hold, int CoveredMedia);

/// <summary>
/// What a hold would cover now. <see cref="Items"/> is the first <see cref="HoldEndpoints.PreviewSampleSize"/>
/// media, or null for police (who may not list media). <see cref="AtLeast"/>: counting stopped at its cap.
/// </summary>
public sealed record HoldPreviewResponse(int CoveredMedia, bool AtLeast, IReadOnlyList<MediaView>? Items, HoldScopeView Scope);

public sealed record HoldListResponse(IReadOnlyList<HoldView> Items, string? ContinuationToken);

public sealed record HoldDetailResponse(HoldView Hold, MediaListResponse CoveredMedia);

/// <summary>A hold as listed on a medium.</summary>
public sealed record HoldReference(string Id, string CaseNumber, string Agency);
