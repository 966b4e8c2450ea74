using Microsoft.Extensions.Options;
using Lib = PhoneNumbers;

namespace MediaRetention.Core.Phones;

/// <summary>A phone number read as E.164, or why it could not be.</summary>
public sealed record ParsedPhoneNumber(string? E164, string? Problem)
{
    public bool Ok => E164 is not null;

    /// <summary>All digits but the last two masked: <c>+4791234567</c> → <c>+********67</c>.</summary>
    public string? Masked => E164 is null ? null : MaskE164(E164);

    internal static string MaskE164(string e164) =>
        "+" + new string('*', Math.Max(0, e164.Length - 3)) + e164[^Math.Min(2, e164.Length - 1)..];
}

/// <summary>
/// Every phone number the pipeline takes (upload metadata, hold scopes, lookups) is read here with libphonenumber and
/// the configured default region (<see cref="PhoneOptions.DefaultRegion"/>), then compared, hashed and shown only as
/// E.164. A number libphonenumber cannot parse or does not consider valid is refused, never guessed at.
/// </summary>
public sealed class PhoneNumberParser(IOptions<PhoneOptions> options)
{
    /// <summary>Longer input is not a phone number (and never reaches the parser).</summary>
    public const int MaxInputLength = 40;

    private static readonly Lib.PhoneNumberUtil Util = Lib.PhoneNumberUtil.GetInstance();

    public string DefaultRegion => options.Value.DefaultRegion;

    public ParsedPhoneNumber Parse(string raw)
    {
        if (string.IsNullOrWhiteSpace(raw))
        {
            return new ParsedPhoneNumber(null, "it is empty");
        }

        if (raw.Length > MaxInputLength || raw.Any(char.IsControl))
        {
            return new ParsedPhoneNumber(null, $"it is longer than {MaxInputLength} characters or holds control characters");
        }

        Lib.PhoneNumber number;
        try
        {
            number = Util.Parse(raw, DefaultRegion);
        }
        catch (Lib.NumberParseException e)
        {
            return new ParsedPhoneNumber(null, $"it cannot be read as a phone number ({e.ErrorType})");
        }

        return Util.IsValidNumber(number)
            ? new ParsedPhoneNumber(Util.Format(number, Lib.PhoneNumberFormat.E164), null)
            : new ParsedPhoneNumber(null, $"it is not a valid phone number (read with default region {DefaultRegion})");
    }

    /// <summary>Whether the value is a number this pipeline masked already (metadata minimised at ingest).</summary>
    public static bool IsMasked(string? value) =>
        value is { Length: >= 3 and <= MaxInputLength } && value.Contains('*', StringComparison.Ordinal)
        && value.All(c => c is '*' or '+' || char.IsAsciiDigit(c));
}
