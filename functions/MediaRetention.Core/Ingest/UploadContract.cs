using System.Globalization;
using MediaRetention.Core.Media;

namespace MediaRetention.Core.Ingest;

/// <summary>What a blob name says about the medium, when it follows the upload contract.</summary>
public sealed record ParsedMediaName(
    string Kind,
    DateTimeOffset RecordedAt,
    string Extension,
    string? Site = null,
    string? Camera = null,
    string? System = null,
    string? CallId = null);

/// <summary>Either a parsed name or the human-readable reason it breaks the contract.</summary>
public sealed record NameParseResult(ParsedMediaName? Name, string? Error)
{
    public static NameParseResult Ok(ParsedMediaName name) => new(name, null);
    public static NameParseResult Fail(string error) => new(null, error);
}

/// <summary>
/// The upload contract:
/// CCTV <c>{site}/{camera}/{yyyyMMdd'T'HHmmss'Z'}.{ext}</c>, calls <c>{system}/{yyyyMMdd'T'HHmmss'Z'}_{callId}.{ext}</c>.
/// Identifiers are 1–64 characters of <c>[A-Za-z0-9._-]</c>; the timestamp is the recording start in UTC.
/// </summary>
public static class UploadContract
{
    public const string TimestampFormat = "yyyyMMdd'T'HHmmss'Z'";
    private const int TimestampLength = 16;

    public static readonly IReadOnlyList<string> CctvExtensions = ["mp4", "mkv", "mov", "avi", "ts", "jpg"];
    public static readonly IReadOnlyList<string> CallExtensions = ["wav", "mp3", "ogg", "opus", "m4a"];

    /// <summary>1-64 characters of [A-Za-z0-9._-], and not "." or "..", which URLs resolve away as path segments.</summary>
    public static bool IsIdentifier(string? value) =>
        value is { Length: >= 1 and <= 64 } and not ("." or "..") && value.All(IsIdentifierChar);

    public static NameParseResult Parse(string kind, string blobName) =>
        NameProblem(blobName) is { } problem ? NameParseResult.Fail(problem)
        : kind switch
        {
            MediaKind.Cctv => ParseCctv(blobName),
            MediaKind.Call => ParseCall(blobName),
            _ => NameParseResult.Fail($"unknown media kind '{kind}'"),
        };

    /// <summary>
    /// What is wrong with the name as a whole, whatever the kind: what URLs, SDKs and file systems rewrite (so most
    /// clients would reach a different blob, or none), or what nobody can type. Null when nothing is.
    /// </summary>
    public static string? NameProblem(string blobName)
    {
        if (blobName.Length == 0)
        {
            return "blob name is empty";
        }

        if (blobName.Any(char.IsControl))
        {
            return "blob name contains a control character";
        }

        if (blobName.Contains('\\'))
        {
            return "blob name contains a backslash ('\\'); path segments are separated by '/'";
        }

        var segments = blobName.Split('/');
        if (segments.Any(s => s is "." or ".."))
        {
            return "blob name has a '.' or '..' path segment, which URLs resolve away (most clients would reach a different blob)";
        }

        return segments.Any(s => s.Length == 0)
            ? "blob name has an empty path segment (a leading, trailing or doubled '/')"
            : null;
    }

    public static string FormatTimestamp(DateTimeOffset instant) =>
        instant.UtcDateTime.ToString(TimestampFormat, CultureInfo.InvariantCulture);

    public static bool TryParseTimestamp(ReadOnlySpan<char> text, out DateTimeOffset instant)
    {
        if (text.Length == TimestampLength
            && DateTime.TryParseExact(text, TimestampFormat, CultureInfo.InvariantCulture,
                DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out var parsed))
        {
            instant = new DateTimeOffset(parsed, TimeSpan.Zero);
            return true;
        }

        instant = default;
        return false;
    }

    private static NameParseResult ParseCctv(string blobName)
    {
        var segments = blobName.Split('/');
        if (segments.Length != 3)
        {
            return NameParseResult.Fail(
                "CCTV blob name must be {site}/{camera}/{yyyyMMddTHHmmssZ}.{ext} (three path segments)");
        }

        var (site, camera, file) = (segments[0], segments[1], segments[2]);
        if (!IsIdentifier(site))
        {
            return NameParseResult.Fail("site must be 1-64 characters of A-Z, a-z, 0-9, '.', '_' or '-'");
        }

        if (!IsIdentifier(camera))
        {
            return NameParseResult.Fail("camera must be 1-64 characters of A-Z, a-z, 0-9, '.', '_' or '-'");
        }

        var (stem, ext, extError) = SplitExtension(file, CctvExtensions);
        if (extError is not null)
        {
            return NameParseResult.Fail(extError);
        }

        if (!TryParseTimestamp(stem, out var recordedAt))
        {
            return NameParseResult.Fail(
                $"file name must be the recording start as yyyyMMddTHHmmssZ (UTC), e.g. 20261124T081500Z.{ext}");
        }

        return NameParseResult.Ok(new ParsedMediaName(MediaKind.Cctv, recordedAt, ext, Site: site, Camera: camera));
    }

    private static NameParseResult ParseCall(string blobName)
    {
        var segments = blobName.Split('/');
        if (segments.Length != 2)
        {
            return NameParseResult.Fail(
                "call blob name must be {system}/{yyyyMMddTHHmmssZ}_{callId}.{ext} (two path segments)");
        }

        var (system, file) = (segments[0], segments[1]);
        if (!IsIdentifier(system))
        {
            return NameParseResult.Fail("system must be 1-64 characters of A-Z, a-z, 0-9, '.', '_' or '-'");
        }

        var (stem, ext, extError) = SplitExtension(file, CallExtensions);
        if (extError is not null)
        {
            return NameParseResult.Fail(extError);
        }

        if (stem.Length < TimestampLength + 2 || stem[TimestampLength] != '_'
            || !TryParseTimestamp(stem.AsSpan(0, TimestampLength), out var recordedAt))
        {
            return NameParseResult.Fail(
                $"file name must be {{yyyyMMddTHHmmssZ}}_{{callId}}.{ext} with the recording start in UTC");
        }

        var callId = stem[(TimestampLength + 1)..];
        if (!IsIdentifier(callId))
        {
            return NameParseResult.Fail("callId must be 1-64 characters of A-Z, a-z, 0-9, '.', '_' or '-'");
        }

        return NameParseResult.Ok(new ParsedMediaName(MediaKind.Call, recordedAt, ext, System: system, CallId: callId));
    }

    private static (string Stem, string Extension, string? Error) SplitExtension(string file, IReadOnlyList<string> allowed)
    {
        var dot = file.LastIndexOf('.');
        if (dot <= 0 || dot == file.Length - 1)
        {
            return (file, "", $"file name has no extension; expected one of {string.Join(", ", allowed)}");
        }

        var ext = file[(dot + 1)..].ToLowerInvariant();
        return allowed.Contains(ext)
            ? (file[..dot], ext, null)
            : (file[..dot], ext, $"extension '.{ext}' is not supported; expected one of {string.Join(", ", allowed)}");
    }

    private static bool IsIdentifierChar(char c) => char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '-';
}
