using System.Text.Json.Serialization;
using MediaRetention.Core.Media;
using MediaRetention.Core.Retention;
using MediaRetention.Core.SubjectRequests;

namespace MediaRetention.Api.SubjectRequests;

/// <summary>The subject's number as the API shows it: masked, never the number or its hash.</summary>
public sealed record SubjectPhoneView(string Number, DateTimeOffset? From, DateTimeOffset? To);

public sealed record SubjectCctvPlaceView(string Site, IReadOnlyList<string>? Cameras, DateTimeOffset From, DateTimeOffset To, string? Description);

/// <summary>
/// A request as the officer sees it. <see cref="Overdue"/> is decided by the clock at the time of the answer: open
/// and past <see cref="DueAt"/> (<see cref="ReceivedAt"/> + 30 days).
/// </summary>
public sealed record SubjectRequestView(
    string Id,
    string Type,
    string Status,
    string Reference,
    DateTimeOffset ReceivedAt,
    DateTimeOffset DueAt,
    bool Overdue,
    string OpenedBy,
    DateTimeOffset OpenedAt,
    SubjectPhoneView? Phone,
    IReadOnlyList<SubjectCctvPlaceView> Cctv,
    string? Note,
    DateTimeOffset? AnsweredAt,
    string? AnsweredBy,
    string? Answer,
    DateTimeOffset? RejectedAt,
    string? RejectedBy,
    string? RejectionReason,
    SubjectErasureTotals? LastErasure)
{
    public static SubjectRequestView From(SubjectRequest r, DateTimeOffset now)
    {
        var answered = r.Status == SubjectRequestStatus.Answered ? r.Resolution : null;
        var rejected = r.Status == SubjectRequestStatus.Rejected ? r.Resolution : null;
        return new SubjectRequestView(
            r.Id, r.Type, r.Status, r.Reference, r.ReceivedAt, r.DueAt, r.IsOverdue(now), r.OpenedBy, r.OpenedAt,
            r.Identifiers.Phone is { } p ? new SubjectPhoneView(p.Number.Masked, p.From, p.To) : null,
            r.Identifiers.Cctv.Select(c => new SubjectCctvPlaceView(c.Site, c.Cameras, c.From, c.To, c.Description)).ToList(),
            r.Note,
            answered?.At, answered?.By, answered?.Text,
            rejected?.At, rejected?.By, rejected?.Text,
            r.LastErasure);
    }
}

public sealed record SubjectRequestListResponse(
    DateTimeOffset Now,
    int OverdueCount,
    IReadOnlyList<SubjectRequestView> Items,
    string? ContinuationToken)
{
    /// <summary>Rows that cannot be read, left out of <see cref="Items"/>; absent when there are none.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public IReadOnlyList<UnreadableSubjectRequest>? Unreadable { get; init; }
}

/// <summary>
/// A medium that matches the subject (officer's view): what it is, its masked numbers, when retention deletes it, and
/// the ids of the holds that keep it (their case numbers are not shown here either).
/// </summary>
public sealed record MatchedMediumView(
    string MediaId,
    string Kind,
    string Container,
    string BlobName,
    string Status,
    string? Site,
    string? Camera,
    string? System,
    string? CallId,
    DateTimeOffset? RecordedAt,
    DateTimeOffset RetentionFrom,
    long Size,
    string? ContentType,
    string? Direction,
    string? Caller,
    string? Callee,
    DateTimeOffset ScheduledDeletion,
    IReadOnlyList<string> HoldIds)
{
    public static MatchedMediumView From(MediaRecord m, DateTimeOffset scheduledDeletion, IReadOnlyList<string> holdIds) => new(
        m.Id, m.Kind, m.Container, m.BlobName, m.Status, m.Site, m.Camera, m.System, m.CallId, m.RecordedAt, m.RetentionFrom,
        m.Size, m.ContentType, m.Direction, m.CallerMasked, m.CalleeMasked, scheduledDeletion, holdIds);
}

/// <param name="Count">How many media match (all of them, even when <see cref="Items"/> lists fewer).</param>
/// <param name="TooMany">More than SubjectRequests:MaxMatches match: the identifiers are too broad; nothing can be exported or erased.</param>
/// <param name="UnreadableHolds">Ids of hold rows that cannot be read: while there are any, erasure deletes nothing.</param>
public sealed record SubjectMatchesView(
    int Count,
    bool TooMany,
    IReadOnlyList<MatchedMediumView> Items,
    int UnreadableIndexRows,
    IReadOnlyList<string> UnreadableHolds);

/// <summary>What the subject is told: sentences, and one line per recording (no hold, case or authority).</summary>
public sealed record SubjectSummaryView(IReadOnlyList<string> Lines, IReadOnlyList<SubjectRecordSummary> Records)
{
    public static SubjectSummaryView From(SubjectSummary s) => new(s.Lines, s.Records);
}

public sealed record SubjectExportView(
    string Id,
    string DisclosedBy,
    DateTimeOffset DisclosedAt,
    string Reason,
    IReadOnlyList<string> MediaIds,
    string DocumentSha256,
    string? SignatureKeyId,
    DateTimeOffset LinksExpireAt)
{
    public static SubjectExportView From(SubjectDisclosure d) =>
        new(d.Id, d.DisclosedBy, d.DisclosedAt, d.Reason, d.MediaIds, d.DocumentSha256, d.SignatureKeyId, d.LinksExpireAt);
}

public sealed record SubjectRequestDetailResponse(
    SubjectRequestView Request,
    SubjectMatchesView Matches,
    SubjectSummaryView Summary,
    IReadOnlyList<SubjectExportView> Exports,
    IReadOnlyList<SubjectErasure> Erasures);

/// <summary>A medium an erasure would delete.</summary>
public sealed record ErasureMediumView(string MediaId, string Kind, string BlobName, DateTimeOffset? RecordedAt, long Size)
{
    public static ErasureMediumView From(MediaRecord m) => new(m.Id, m.Kind, m.BlobName, m.RecordedAt, m.Size);
}

/// <summary>A medium an erasure did not delete although no hold keeps it, and why: run the erasure again.</summary>
public sealed record NotDeletedView(string MediaId, string Kind, string Outcome)
{
    public static NotDeletedView From(MediaDeletion d) => new(d.Media.Id, d.Media.Kind, d.Outcome switch
    {
        DeletionOutcome.Changed => "changed",
        DeletionOutcome.Blocked => "blocked",
        DeletionOutcome.Failed => "failed",
        _ => "deferred",
    });
}

/// <summary>
/// The dry run: what <c>POST /api/subject-requests/{id}/erasure</c> would do now. <see cref="NeedsConfirmation"/>: it
/// would delete more than <see cref="ConfirmationThreshold"/>, so the erasure needs <c>confirmCount</c> = <see cref="WouldDelete"/>.
/// </summary>
public sealed record ErasurePreviewResponse(
    string RequestId,
    int Matched,
    int WouldDelete,
    int KeptByHolds,
    bool NeedsConfirmation,
    int ConfirmationThreshold,
    bool DeletionBlocked,
    IReadOnlyList<string> UnreadableHolds,
    IReadOnlyList<ErasureMediumView> ToDelete,
    IReadOnlyList<KeptMedium> Kept);

/// <summary>
/// An executed erasure. <see cref="Kept"/> (with hold ids) is for the officer; <see cref="SubjectSummary"/> is what the
/// subject is told, and names no hold. <see cref="NotDeleted"/> above 0: run it again.
/// </summary>
public sealed record ErasureResponse(
    string RequestId,
    string ErasureId,
    DateTimeOffset ExecutedAt,
    string ExecutedBy,
    int Matched,
    int Deleted,
    int AlreadyGone,
    int KeptByHolds,
    int NotDeleted,
    IReadOnlyList<KeptMedium> Kept,
    IReadOnlyList<NotDeletedView> NotDeletedMedia,
    SubjectSummaryView SubjectSummary);
