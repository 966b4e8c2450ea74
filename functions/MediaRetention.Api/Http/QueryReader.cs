using System.Globalization;
using MediaRetention.Core.Ingest;
using Microsoft.AspNetCore.Http;

namespace MediaRetention.Api.Http;

/// <summary>Reads and validates query-string values; throws <see cref="RequestValidationException"/> with a clear message.</summary>
public sealed class QueryReader(IQueryCollection query)
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

    /// <summary>ISO 8601 with an offset ("2026-11-24T08:15:00Z") or the upload contract's "20261124T081500Z".</summary>
    public static DateTimeOffset? ParseInstant(string name, string? text)
    {
        if (text is null)
        {
            return null;
        }

        if (UploadContract.TryParseTimestamp(text, out var compact))
        {
            return compact;
        }

        if (DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var parsed)
            && (text.EndsWith('Z') || text.Contains('+') || text.LastIndexOf('-') > 7))
        {
            return parsed.ToUniversalTime();
        }

        throw new RequestValidationException(
            $"'{name}' must be an ISO 8601 time with a time zone, e.g. 2026-11-24T08:15:00Z.");
    }
}
