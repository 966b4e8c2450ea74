using System.Xml;
using MediaRetention.Api.Holds;
using MediaRetention.Api.Http;
using MediaRetention.Core.Evidence;
using MediaRetention.Core.Media;
using MediaRetention.Core.SubjectRequests;

namespace MediaRetention.Api.SubjectRequests;

// Times are strings on the wire, parsed by QueryReader.ParseInstant like every other time the API takes.

/// <summary>Calls where the subject is caller or callee; the window is optional (both ends or neither).</summary>
public sealed record SubjectPhoneRequest(string? Number, string? From, string? To);

/// <summary>CCTV where and when the subject was; <c>description</c> helps the officer find them in the footage.</summary>
public sealed record SubjectCctvPlaceRequest(string? Site, List<string>? Cameras, string? From, string? To, string? Description);

/// <summary>The body of <c>POST /api/subject-requests</c>: at least one of <c>phone</c> and <c>cctv</c>.</summary>
public sealed record OpenSubjectRequestRequest(
    string? Type,
    string? ReceivedAt,
    string? Reference,
    SubjectPhoneRequest? Phone,
    List<SubjectCctvPlaceRequest>? Cctv,
    string? Note);

/// <summary>The media to disclose (each must match the request), why these, and optionally how long the links live.</summary>
public sealed record SubjectExportRequest(List<string>? MediaIds, string? Reason, string? LinkLifetime);

/// <summary>The number of deletions the dry run showed, required when it is above the confirmation threshold.</summary>
public sealed record SubjectErasureRequest(int? ConfirmCount);

/// <summary>What the subject is told.</summary>
public sealed record SubjectAnswerRequest(string? Answer);

/// <summary>Why the request is refused (identity not verified, manifestly unfounded…).</summary>
public sealed record SubjectRejectRequest(string? Reason);

/// <summary>
/// Validates subject-request bodies completely before anything is stored or searched; each problem is a
/// <see cref="RequestValidationException"/> naming the field. The phone number is read by <see cref="ISubjectPhoneNumbers"/>
/// before (<paramref name="phone"/>), and only its hash and mask go on.
/// </summary>
public sealed class SubjectRequestValidator(SubjectPhoneReading? phone, SubjectRequestOptions options, TimeProvider time)
{
    public const int MaxPlaces = 10;
    public const int MaxCameras = 20;
    public const int MaxDescriptionLength = 500;
    public const int MaxTextLength = HoldRequestValidator.MaxReasonLength;

    /// <summary>A request received "now" on a clock a little ahead of ours is still accepted.</summary>
    public static readonly TimeSpan ClockTolerance = TimeSpan.FromMinutes(5);

    public OpenSubjectRequestCommand ToCommand(OpenSubjectRequestRequest body, string openedBy)
    {
        var type = body.Type is not null && SubjectRequestTypes.All.Contains(body.Type)
            ? body.Type
            : throw new RequestValidationException($"'type' is required: one of {string.Join(", ", SubjectRequestTypes.All)}.");
        var receivedAt = QueryReader.ParseInstant("receivedAt", body.ReceivedAt)
            ?? throw new RequestValidationException("'receivedAt' is required: when the request reached the organisation (ISO 8601 with a time zone). The answer is due 30 days later.");
        if (receivedAt > time.GetUtcNow() + ClockTolerance)
        {
            throw new RequestValidationException("'receivedAt' is in the future; give when the request was received.");
        }

        var reference = Reference(body.Reference);
        var phoneIdentifier = body.Phone is null ? null : Phone(body.Phone);
        if (body.Cctv is { Count: > MaxPlaces })
        {
            throw new RequestValidationException($"'cctv' may list at most {MaxPlaces} places.");
        }

        var places = new List<CctvPlace>();
        for (var i = 0; i < (body.Cctv?.Count ?? 0); i++)
        {
            places.Add(Place($"cctv[{i}]", body.Cctv![i]));
        }

        var identifiers = new SubjectIdentifiers(phoneIdentifier, places);
        if (identifiers.IsEmpty)
        {
            throw new RequestValidationException("'phone' or 'cctv' is required: how to find the subject (a phone number, and/or CCTV places and times).");
        }

        var note = body.Note is null ? null : Text("note", body.Note);
        return new OpenSubjectRequestCommand(type, receivedAt, reference, identifiers, note, openedBy);
    }

    public static string Reference(string? reference)
    {
        try
        {
            return HoldRequestValidator.CaseNumber(reference);
        }
        catch (RequestValidationException)
        {
            throw new RequestValidationException("'reference' is required: your reference for the request (where the identity check is filed), " +
                "1-64 characters of A-Z, a-z, 0-9, '.', '_', '/' or '-', starting with a letter or digit.");
        }
    }

    /// <summary>Free text (a note, an answer, a reason): line breaks allowed, other control characters not.</summary>
    public static string Text(string name, string? value) =>
        !string.IsNullOrWhiteSpace(value) && value.Length <= MaxTextLength && !value.Any(c => char.IsControl(c) && c is not ('\n' or '\r'))
            ? value.Trim()
            : throw new RequestValidationException($"'{name}' is required: 1-{MaxTextLength} characters, no control characters other than line breaks.");

    public static (IReadOnlyList<string> MediaIds, string Reason, TimeSpan? LinkLifetime) Export(SubjectExportRequest body)
    {
        if (body.MediaIds is null || body.MediaIds.Count > ExportSubjectAccessHandler.MaxMedia)
        {
            throw new RequestValidationException(
                $"'mediaIds' is required: the media to disclose (0 to {ExportSubjectAccessHandler.MaxMedia}), each one of those that match the request.");
        }

        for (var i = 0; i < body.MediaIds.Count; i++)
        {
            if (!MediaId.IsWellFormed(body.MediaIds[i]))
            {
                throw new RequestValidationException($"'mediaIds[{i}]' is not a media id (32 lower-case hex characters).");
            }
        }

        return (body.MediaIds, Text("reason", body.Reason), LinkLifetime(body.LinkLifetime));
    }

    private static TimeSpan? LinkLifetime(string? text)
    {
        if (text is null)
        {
            return null;
        }

        TimeSpan lifetime;
        try
        {
            lifetime = XmlConvert.ToTimeSpan(text);
        }
        catch (FormatException)
        {
            throw new RequestValidationException("'linkLifetime' must be an ISO 8601 duration such as PT2H, PT90M or P1D.");
        }

        return lifetime >= EvidenceLinkLifetime.Min && lifetime <= EvidenceLinkPolicy.MaxLifetime
            ? lifetime
            : throw new RequestValidationException($"'linkLifetime' must be from PT1M to {EvidenceLinkPolicy.MaxLifetimeText}.");
    }

    private PhoneIdentifier Phone(SubjectPhoneRequest body)
    {
        if (phone?.Phone is not { } number)
        {
            throw new RequestValidationException($"'phone.number' must be {phone?.Problem ?? "a phone number"}.");
        }

        var from = QueryReader.ParseInstant("phone.from", body.From);
        var to = QueryReader.ParseInstant("phone.to", body.To);
        if ((from is null) != (to is null))
        {
            throw new RequestValidationException("'phone.from' and 'phone.to' go together: give both (a window of recording times) or neither (all calls).");
        }

        if (from >= to)
        {
            throw new RequestValidationException("'phone.from' must be before 'phone.to'.");
        }

        return new PhoneIdentifier(number, from, to);
    }

    private CctvPlace Place(string name, SubjectCctvPlaceRequest? place)
    {
        if (place is null)
        {
            throw new RequestValidationException($"'{name}' must be a place: site, optional cameras, from, to, optional description.");
        }

        var site = HoldRequestValidator.Identifier($"{name}.site", place.Site);
        if (place.Cameras is { Count: > MaxCameras })
        {
            throw new RequestValidationException($"'{name}.cameras' may list at most {MaxCameras} cameras.");
        }

        for (var i = 0; i < (place.Cameras?.Count ?? 0); i++)
        {
            HoldRequestValidator.Identifier($"{name}.cameras[{i}]", place.Cameras![i]);
        }

        var from = QueryReader.ParseInstant($"{name}.from", place.From)
            ?? throw new RequestValidationException($"'{name}.from' is required: the start of the window (ISO 8601 with a time zone).");
        var to = QueryReader.ParseInstant($"{name}.to", place.To)
            ?? throw new RequestValidationException($"'{name}.to' is required: the end of the window (ISO 8601 with a time zone).");
        if (from >= to)
        {
            throw new RequestValidationException($"'{name}.from' must be before '{name}.to'.");
        }

        if (to - from > options.MaxCctvWindow)
        {
            throw new RequestValidationException(
                $"'{name}.to' - '{name}.from': a CCTV window may be at most {Describe(options.MaxCctvWindow)} long (SubjectRequests:MaxCctvWindow); split it into several places.");
        }

        string? description = null;
        if (place.Description is not null)
        {
            description = place.Description.Trim();
            if (description.Length is 0 or > MaxDescriptionLength || description.Any(char.IsControl))
            {
                throw new RequestValidationException($"'{name}.description' must be 1-{MaxDescriptionLength} characters, no control characters.");
            }
        }

        return new CctvPlace(site, place.Cameras?.Distinct(StringComparer.Ordinal).ToList(), from, to, description);
    }

    private static string Describe(TimeSpan span) =>
        span.TotalDays >= 1 ? $"{span.TotalDays:0.#} days" : span.TotalHours >= 1 ? $"{span.TotalHours:0.#} hours" : $"{span.TotalMinutes:0} minutes";
}
