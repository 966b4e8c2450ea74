using System.Globalization;
using MediaRetention.Core.Storage;

namespace MediaRetention.Api.Http;

/// <summary>
/// The paged listings of the API and how their continuation tokens are bound to them: each token names its listing
/// and is checked against that listing's filters (see <see cref="ContinuationTokens.Seal"/>), so a token from another
/// route or another query is a 400, never silently the first page or someone else's position.
/// </summary>
public static class PageTokens
{
    public const string Media = "media";
    public const string Holds = "holds";
    public const string HoldMedia = "hold-media";
    public const string Evidence = "evidence";
    public const string Audit = "audit";
    public const string SubjectRequests = "subject-requests";

    /// <summary>A canonical form of a listing's filters (not the page size, which may change from page to page).</summary>
    public static string Filters(params (string Name, object? Value)[] filters) =>
        string.Join('&', filters.Select(f => f.Name + "=" + Format(f.Value)));

    /// <exception cref="InvalidContinuationTokenException">Not a token of this listing and these filters.</exception>
    public static string? Open(string listing, string filters, string? token) => ContinuationTokens.Open(listing, filters, token);

    public static string? Seal(string listing, string filters, string? token) => ContinuationTokens.Seal(listing, filters, token);

    private static string Format(object? value) => value switch
    {
        null => "",
        DateTimeOffset t => t.ToUniversalTime().ToString("O", CultureInfo.InvariantCulture),
        _ => Uri.EscapeDataString(Convert.ToString(value, CultureInfo.InvariantCulture) ?? ""),
    };
}
