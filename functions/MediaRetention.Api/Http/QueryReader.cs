using System.Globalization;
using System.Text.RegularExpressions;
using MediaRetention.Core.Ingest;
using Microsoft.AspNetCore.Http;

namespace MediaRetention.Api.Http;

/// <summary>Reads and validates query-string values; throws <see cref="RequestValidationException"/> with a clear message.</summary>
public sealed partial class QueryReader(IQueryCollection query)
{
    public string? Text(string name, int maxLength = 256)
    {
        var value = query[name].ToString();
        if (string.IsNullOrEmpty(value))
        {
            return null;
        }

        return value.Length <= maxLength
            ? value
            : throw new RequestValidationException($"'{name}' is longer than {maxLength} characters.");
    }

    public string? OneOf(string name, params string[] allowed)
    {
        var value = Text(name);
        return value is null || allowed.Contains(value)
            ? value
            : throw new RequestValidationException($"'{name}' must be one of: {string.Join(", ", allowed)}.");
    }

    public string? Identifier(string name)
    {
        var value = Text(name);
        return value is null || UploadContract.IsIdentifier(value)
            ? value
            : throw new RequestValidationException($"'{name}' must be 1-64 characters of A-Z, a-z, 0-9, '.', '_' or '-'.");
    }

    public DateTimeOffset? Instant(string name) => ParseInstant(name, Text(name));

    public int Number(string name, int defaultValue, int min, int max)
    {
        var text = Text(name);
        if (text is null)
        {
            return defaultValue;
        }

        return int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value) && value >= min && value <= max
            ? value
            : throw new RequestValidationException($"'{name}' must be a whole number from {min} to {max}.");
    }

    /// <summary>
    /// The one parser for every time the API accepts, in the query string or in a JSON body: ISO 8601 with a time
    /// and a zone (<c>2026-11-24T08:15:00Z</c>, <c>2026-11-24T09:15:00+01:00</c>) or the upload contract's
    /// <c>20261124T081500Z</c>. A time without a zone, a date alone, or a time before <see cref="Earliest"/> is refused
    /// with a message naming <paramref name="name"/>: guessing a zone would silently move a hold window by hours.
    /// </summary>
    public static DateTimeOffset? ParseInstant(string name, string? text)
    {
        if (text is null)
        {
            return null;
        }

        var shown = Shown(text);
        if (text.Length > MaxInstantLength)
        {
            throw Invalid(name, $"is {text.Length} characters long; a time is at most {MaxInstantLength}");
        }

        if (UploadContract.TryParseTimestamp(text, out var compact))
        {
            return InRange(name, shown, compact);
        }

        if (DateOnlyPattern().IsMatch(text))
        {
            throw Invalid(name, $"('{shown}') is a date without a time and zone; give e.g. {shown}T00:00:00Z");
        }

        var iso = IsoPattern().Match(text);
        if (!iso.Success)
        {
            throw Invalid(name, $"('{shown}') is not a time");
        }

        if (!iso.Groups["zone"].Success)
        {
            throw Invalid(name, $"('{shown}') has no time zone; add Z (UTC) or an offset such as +01:00");
        }

        if (!DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.None, out var parsed))
        {
            throw Invalid(name, $"('{shown}') is not a valid date and time");
        }

        return InRange(name, shown, parsed.ToUniversalTime());
    }

    /// <summary>Table Storage keeps times from 1601-01-01 on; nothing earlier can be stored or compared safely.</summary>
    public static readonly DateTimeOffset Earliest = new(1601, 1, 1, 0, 0, 0, TimeSpan.Zero);

    private const int MaxInstantLength = 40;

    private static DateTimeOffset InRange(string name, string shown, DateTimeOffset instant) =>
        instant >= Earliest
            ? instant
            : throw Invalid(name, $"('{shown}') is before 1601-01-01T00:00:00Z, the earliest time the service can store");

    private static RequestValidationException Invalid(string name, string problem) => new(
        $"'{name}' {problem}. Times are ISO 8601 with a zone (2026-11-24T08:15:00Z, 2026-11-24T09:15:00+01:00) or 20261124T081500Z.");

    private static string Shown(string text) =>
        new((text.Length <= MaxInstantLength ? text : text[..MaxInstantLength] + "...").Select(c => char.IsControl(c) ? '?' : c).ToArray());

    [GeneratedRegex(@"^\d{4}-\d{2}-\d{2}$")]
    private static partial Regex DateOnlyPattern();

    // A date, a time (seconds and fraction optional), and the zone if any; the zone's absence is reported on its own.
    [GeneratedRegex(@"^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}(:\d{2}(\.\d{1,7})?)?(?<zone>[Zz]|[+-]\d{2}:\d{2})?$")]
    private static partial Regex IsoPattern();
}
