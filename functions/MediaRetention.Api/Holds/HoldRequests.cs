using System.Text.RegularExpressions;
using MediaRetention.Api.Http;
using MediaRetention.Core.Holds;
using MediaRetention.Core.Ingest;
using MediaRetention.Core.Media;
using MediaRetention.Core.Phones;

namespace MediaRetention.Api.Holds;

public sealed record RequestedByRequest(string? Agency, string? Officer);

public sealed record HoldScopeRequest(
    string? Type,
    List<string>? MediaIds,
    string? Site,
    List<string>? Cameras,
    string? CallId,
    string? PhoneNumber,
    string? System,
    string? From,
    string? To);

public sealed record PlaceHoldRequest(
    string? CaseNumber,
    string? Reason,
    RequestedByRequest? RequestedBy,
    string? ReviewDate,
    HoldScopeRequest? Scope);

public sealed record ReleaseHoldRequest(string? Reason);

/// <summary>
/// <c>POST /api/holds/{id}/approve</c>: why, and optionally a narrower scope that replaces the requested one (same type
/// and target; a window inside, a subset of cameras or media ids; a phone scope may leave out the number).
/// </summary>
public sealed record ApproveHoldRequest(string? Reason, HoldScopeRequest? Scope);

/// <summary><c>POST /api/holds/{id}/reject</c>: why the request is refused.</summary>
public sealed record RejectHoldRequest(string? Reason);

// Times are strings on the wire on purpose: System.Text.Json would bind "2026-11-01T00:00:00" (no zone) to a
// DateTimeOffset in the server's local zone without a word. QueryReader.ParseInstant decides, for every route.

/// <summary>
/// Validates hold requests completely before anything is written: every field, every array element, every string
/// length. Each problem is a <see cref="RequestValidationException"/> whose message names the field.
/// </summary>
public static partial class HoldRequestValidator
{
    public const int MaxMediaIds = 1000;
    public const int MaxCameras = 100;
    public const int MaxReasonLength = 2000;
    public const int MaxOfficerLength = 128;
    public const int MaxPhoneNumberLength = 32;

    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9._/-]{0,63}$")]
    private static partial Regex CaseNumberPattern();

    /// <param name="phones">Reads phone numbers (default: region NO).</param>
    /// <param name="hasher">Hashes them (default: the public development key).</param>
    /// <param name="phoneOptional">An approval's narrowed phone scope may leave the number out (it keeps the requested one).</param>
    public static HoldScope ValidateScope(HoldScopeRequest? scope, TimeSpan maxWindow, PhoneNumberParser? phones = null, PhoneHasher? hasher = null,
        bool phoneOptional = false)
    {
        if (scope is null)
        {
            throw new RequestValidationException("'scope' is required.");
        }

        var type = scope.Type;
        if (type is null || !HoldScope.Types.Contains(type))
        {
            throw new RequestValidationException($"'scope.type' must be one of: {string.Join(", ", HoldScope.Types)}.");
        }

        switch (type)
        {
            case HoldScope.MediaType:
                if (scope.MediaIds is not { Count: > 0 and <= MaxMediaIds })
                {
                    throw new RequestValidationException($"'scope.mediaIds' must list 1 to {MaxMediaIds} media ids.");
                }

                for (var i = 0; i < scope.MediaIds.Count; i++)
                {
                    if (!MediaId.IsWellFormed(scope.MediaIds[i]))
                    {
                        throw new RequestValidationException(
                            $"'scope.mediaIds[{i}]' ({Shown(scope.MediaIds[i])}) is not a media id (32 lower-case hex characters).");
                    }
                }

                return new HoldScope { Type = type, MediaIds = scope.MediaIds.Distinct(StringComparer.Ordinal).ToList() };

            case HoldScope.CctvType:
                var (from, to) = Window(scope, maxWindow);
                if (scope.Cameras is { Count: > MaxCameras })
                {
                    throw new RequestValidationException($"'scope.cameras' may list at most {MaxCameras} cameras.");
                }

                for (var i = 0; i < (scope.Cameras?.Count ?? 0); i++)
                {
                    Identifier($"scope.cameras[{i}]", scope.Cameras![i]);
                }

                return new HoldScope
                {
                    Type = type,
                    Site = Identifier("scope.site", scope.Site),
                    Cameras = scope.Cameras?.Distinct(StringComparer.Ordinal).ToList(),
                    From = from,
                    To = to,
                };

            case HoldScope.CallType:
                return new HoldScope { Type = type, CallId = Identifier("scope.callId", scope.CallId) };

            case HoldScope.PhoneType:
                var window = Window(scope, maxWindow);
                if (phoneOptional && scope.PhoneNumber is null)
                {
                    return new HoldScope { Type = type, From = window.From, To = window.To };
                }

                if (scope.PhoneNumber is not { Length: > 0 and <= MaxPhoneNumberLength })
                {
                    throw new RequestValidationException($"'scope.phoneNumber' is required: a phone number of at most {MaxPhoneNumberLength} characters.");
                }

                phones ??= new PhoneNumberParser(Microsoft.Extensions.Options.Options.Create(new PhoneOptions()));
                var parsed = phones.Parse(scope.PhoneNumber);
                if (!parsed.Ok)
                {
                    throw new RequestValidationException(
                        $"'scope.phoneNumber' ({Shown(parsed.Masked ?? PhoneNumber.Mask(scope.PhoneNumber))}): {parsed.Problem}. Write it in E.164 (+4722334455) " +
                        $"or as dialled in region {phones.DefaultRegion} (22 33 44 55, 004722334455).");
                }

                hasher ??= new PhoneHasher(PhoneHashKeyRing.Development);
                return new HoldScope
                {
                    Type = type,
                    PhoneHash = hasher.Hash(parsed.E164!),
                    PhoneMasked = parsed.Masked,
                    LookupHashes = hasher.LookupValues(parsed.E164!),
                    From = window.From,
                    To = window.To,
                };

            default: // system
                var systemWindow = Window(scope, maxWindow);
                return new HoldScope
                {
                    Type = type,
                    System = Identifier("scope.system", scope.System),
                    From = systemWindow.From,
                    To = systemWindow.To,
                };
        }
    }

    public static string CaseNumber(string? caseNumber) =>
        caseNumber is not null && CaseNumberPattern().IsMatch(caseNumber)
            ? caseNumber
            : throw new RequestValidationException("'caseNumber' is required: 1-64 characters of A-Z, a-z, 0-9, '.', '_', '/' or '-', starting with a letter or digit.");

    public static string Reason(string? reason, string name = "reason") =>
        !string.IsNullOrWhiteSpace(reason) && reason.Length <= MaxReasonLength && !reason.Any(char.IsControl)
            ? reason.Trim()
            : throw new RequestValidationException($"'{name}' is required: 1-{MaxReasonLength} characters, no control characters.");

    public static string Officer(string? officer) =>
        !string.IsNullOrWhiteSpace(officer) && officer.Length <= MaxOfficerLength && !officer.Any(char.IsControl)
            ? officer.Trim()
            : throw new RequestValidationException($"'requestedBy.officer' is required: 1-{MaxOfficerLength} characters, no control characters.");

    /// <summary>An optional time, parsed by the API's one time parser.</summary>
    public static DateTimeOffset? Instant(string name, string? value) => QueryReader.ParseInstant(name, value);

    public static string Identifier(string name, string? value) =>
        UploadContract.IsIdentifier(value)
            ? value!
            : throw new RequestValidationException($"'{name}' is required: 1-64 characters of A-Z, a-z, 0-9, '.', '_' or '-'.");

    private static (DateTimeOffset From, DateTimeOffset To) Window(HoldScopeRequest scope, TimeSpan maxWindow)
    {
        var from = Instant("scope.from", scope.From)
            ?? throw new RequestValidationException($"'scope.from' is required for a {scope.Type} hold (ISO 8601 with a time zone, or 20261124T081500Z).");
        var to = Instant("scope.to", scope.To)
            ?? throw new RequestValidationException($"'scope.to' is required for a {scope.Type} hold (ISO 8601 with a time zone, or 20261124T081500Z).");
        if (from >= to)
        {
            throw new RequestValidationException("'scope.from' must be before 'scope.to'.");
        }

        if (to - from > maxWindow)
        {
            throw new RequestValidationException($"'scope.to' - 'scope.from': the window may be at most {maxWindow.TotalDays:0.#} days long.");
        }

        return (from, to);
    }

    /// <summary>A bounded, printable echo of a bad value for an error message ("null" for a JSON null).</summary>
    private static string Shown(string? value) =>
        value is null ? "null" : "'" + new string((value.Length <= 40 ? value : value[..40] + "...").Select(c => char.IsControl(c) ? '?' : c).ToArray()) + "'";
}
