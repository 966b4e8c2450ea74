using System.Globalization;
using MediaRetention.Core.Holds;
using MediaRetention.Core.Media;
using MediaRetention.Core.Retention;

namespace MediaRetention.Core.SubjectRequests;

/// <summary>
/// One recording as the subject is told about it: what, when, where, the numbers masked, when it is deleted, and
/// whether a legal obligation keeps it longer. Never which hold, case or authority: that is withheld.
/// </summary>
public sealed record SubjectRecordSummary(
    string Kind,
    DateTimeOffset? RecordedAt,
    string Where,
    string? Direction,
    string? Caller,
    string? Callee,
    DateTimeOffset ScheduledDeletion,
    bool KeptForLegalObligation);

/// <summary>A plain-language account for the data subject: sentences, and a line per recording.</summary>
public sealed record SubjectSummary(IReadOnlyList<string> Lines, IReadOnlyList<SubjectRecordSummary> Records);

/// <summary>
/// Writes what the data subject is told: what is kept about them (kinds, times, masked numbers, retention dates,
/// whether a legal obligation keeps anything), in plain language. Case numbers, hold ids and agencies never appear:
/// the subject of a police investigation must not learn of it through us (GDPR Art. 23 restrictions).
/// </summary>
public sealed class SubjectSummaryWriter(RetentionPolicy policy)
{
    /// <summary>What is kept now, for an access request (and the officer's view of any request).</summary>
    public SubjectSummary DescribeKept(IReadOnlyList<MediaRecord> media, ActiveHolds holds)
    {
        var records = media.Select(m => Record(m, holds.IsHeld(m))).ToList();
        var lines = new List<string>();
        var calls = media.Where(m => m.Kind == MediaKind.Call).ToList();
        var clips = media.Where(m => m.Kind == MediaKind.Cctv).ToList();
        if (media.Count == 0)
        {
            lines.Add("We hold no recordings that match the details you gave us.");
            return new SubjectSummary(lines, records);
        }

        var kinds = new[] { (calls.Count, "phone call"), (clips.Count, "CCTV clip") }.Where(k => k.Count > 0).Select(k => Count(k.Count, k.Item2));
        lines.Add($"We hold {Count(media.Count, "recording")} that {(media.Count == 1 ? "matches" : "match")} the details you gave us: {string.Join(" and ", kinds)}.");
        if (calls.Count > 0)
        {
            lines.Add($"{(calls.Count == 1 ? "The phone call was recorded" : "Phone calls recorded")} {Span(calls)}" +
                $" on {Join(calls.Select(m => m.System ?? "an unnamed phone system"))}. Phone numbers are shown with all but their last two digits hidden.");
        }

        if (clips.Count > 0)
        {
            lines.Add($"{(clips.Count == 1 ? "The CCTV clip was recorded" : "CCTV clips recorded")} {Span(clips)}" +
                $" at {Join(clips.Select(m => "site " + (m.Site ?? "(unnamed)")))}.");
        }

        lines.Add("Besides the recordings themselves we keep, for each one, when and where it was recorded, its size and a checksum, " +
            "and for calls the phone numbers involved and the direction of the call.");
        lines.Add(records.Count == 1
            ? $"It is deleted automatically when its retention period ends, on {Time(records[0].ScheduledDeletion)}."
            : "Each recording is deleted automatically when its retention period ends; the date is given for each one " +
              $"(the earliest {Time(records.Min(r => r.ScheduledDeletion))}, the latest {Time(records.Max(r => r.ScheduledDeletion))}).");
        var held = records.Count(r => r.KeptForLegalObligation);
        lines.Add(held == 0
            ? "None of them is kept beyond its retention period."
            : $"{Count(held, "recording")} must be kept beyond that date because we are legally obliged to preserve " +
              $"{(held == 1 ? "it" : "them")} (for example for a police investigation); {(held == 1 ? "it is" : "they are")} deleted when that obligation ends. " +
              "For legal reasons we cannot tell you more about it.");
        return new SubjectSummary(lines, records);
    }

    /// <summary>What an erasure did, for the subject: how many were deleted, how many a legal obligation keeps.</summary>
    public SubjectSummary DescribeErasure(SubjectErasureTotals totals, IReadOnlyList<MediaRecord> kept, ActiveHolds holds)
    {
        var lines = new List<string>();
        var erased = totals.Deleted + totals.AlreadyGone;
        lines.Add(totals.Matched == 0
            ? "We hold no recordings that match the details you gave us, so there was nothing to erase."
            : $"On {Time(totals.ExecutedAt)} we erased {Count(erased, "recording")} that matched the details you gave us, " +
              "together with everything we kept about them (when and where they were recorded, and the phone numbers involved).");
        if (totals.KeptByHolds > 0)
        {
            lines.Add($"{Count(totals.KeptByHolds, "recording")} could not be erased because we are legally obliged to preserve " +
                $"{(totals.KeptByHolds == 1 ? "it" : "them")} (GDPR Art. 17(3), for example for a police investigation). " +
                $"{(totals.KeptByHolds == 1 ? "It is" : "They are")} deleted when that obligation ends. For legal reasons we cannot tell you more about it.");
        }

        if (totals.NotDeleted > 0 || totals.DeletionBlocked)
        {
            lines.Add("Some recordings could not be erased yet for technical reasons; we are completing the erasure.");
        }

        return new SubjectSummary(lines, kept.Select(m => Record(m, holds.IsHeld(m))).ToList());
    }

    private SubjectRecordSummary Record(MediaRecord media, bool held) => new(
        media.Kind,
        media.RecordedAt,
        media.Kind == MediaKind.Cctv
            ? $"CCTV camera {media.Camera ?? "(unnamed)"} at site {media.Site ?? "(unnamed)"}"
            : $"phone system {media.System ?? "(unnamed)"}",
        media.Direction,
        media.CallerMasked,
        media.CalleeMasked,
        policy.ExpiresAt(media),
        held);

    private static string Span(IReadOnlyList<MediaRecord> media)
    {
        var (first, last) = (media.Min(m => m.RetentionFrom), media.Max(m => m.RetentionFrom));
        return first == last ? $"at {Time(first)}" : $"from {Time(first)} to {Time(last)}";
    }

    private static string Count(int n, string noun) => $"{n.ToString(CultureInfo.InvariantCulture)} {noun}{(n == 1 ? "" : "s")}";

    private static string Join(IEnumerable<string> values)
    {
        var distinct = values.Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
        return distinct.Count <= 1 ? string.Concat(distinct) : string.Join(", ", distinct[..^1]) + " and " + distinct[^1];
    }

    public static string Time(DateTimeOffset value) =>
        value.UtcDateTime.ToString("yyyy-MM-dd HH:mm 'UTC'", CultureInfo.InvariantCulture);
}
