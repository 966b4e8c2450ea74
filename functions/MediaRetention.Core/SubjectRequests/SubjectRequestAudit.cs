using System.Globalization;
using MediaRetention.Core.Evidence;

namespace MediaRetention.Core.SubjectRequests;

/// <summary>
/// What audit entries say about a request: its type, reference and identifiers as far as they are no personal data
/// beyond the masked number (sites, cameras and windows; never the description of the person, the note, the number's
/// hash or the number itself).
/// </summary>
internal static class SubjectRequestAudit
{
    public const int MaxListed = 20;

    public static string Target(string requestId) => "subject-request/" + requestId;

    public static Dictionary<string, string?> For(SubjectRequest request) => new()
    {
        ["type"] = request.Type,
        ["reference"] = request.Reference,
        ["dueAt"] = EvidenceDocument.Time(request.DueAt),
    };

    public static string? Phone(PhoneIdentifier? phone) =>
        phone is null ? null : phone.Number.Masked + Window(phone.From, phone.To);

    public static string? Places(IReadOnlyList<CctvPlace> places) =>
        places.Count == 0 ? null : string.Join("; ", places.Select(p =>
            p.Site + (p.Cameras is { Count: > 0 } cameras ? " (" + string.Join(", ", cameras) + ")" : "") + Window(p.From, p.To)));

    public static string? Bounded(IEnumerable<string> values)
    {
        var list = values.ToList();
        return list.Count == 0 ? null : string.Join(", ", list.Take(MaxListed)) + (list.Count > MaxListed ? ", ..." : "");
    }

    public static string Number(int value) => value.ToString(CultureInfo.InvariantCulture);

    private static string Window(DateTimeOffset? from, DateTimeOffset? to) =>
        from is { } f && to is { } t ? $" {EvidenceDocument.Time(f)}..{EvidenceDocument.Time(t)}" : "";
}
