using System.Security.Cryptography;
using System.Text;

namespace MediaRetention.Core.Media;

/// <summary>
/// Masking of raw phone-number text, and the LEGACY unkeyed hash rows written before keyed hashes carry (a bare SHA-256
/// of the number as written). Numbers are parsed with <see cref="Phones.PhoneNumberParser"/> and hashed with
/// <see cref="Phones.PhoneHasher"/>; <see cref="Hash"/> is only for reading and re-keying old rows.
/// </summary>
public static class PhoneNumber
{
    /// <summary>Keeps a leading '+' and the digits; everything else (spaces, dashes, brackets) goes.</summary>
    public static string? Normalize(string? raw)
    {
        if (string.IsNullOrWhiteSpace(raw))
        {
            return null;
        }

        var builder = new StringBuilder(raw.Length);
        foreach (var c in raw.Trim())
        {
            if (char.IsAsciiDigit(c) || (c == '+' && builder.Length == 0))
            {
                builder.Append(c);
            }
        }

        return builder.Length == 0 || builder.ToString() == "+" ? null : builder.ToString();
    }

    /// <summary>All digits but the last two become '*': "+4791234567" → "+********67".</summary>
    public static string? Mask(string? raw)
    {
        var normalized = Normalize(raw);
        if (normalized is null)
        {
            return null;
        }

        var chars = normalized.ToCharArray();
        var digitsSeen = 0;
        for (var i = chars.Length - 1; i >= 0; i--)
        {
            if (!char.IsAsciiDigit(chars[i]))
            {
                continue;
            }

            digitsSeen++;
            if (digitsSeen > 2)
            {
                chars[i] = '*';
            }
        }

        return new string(chars);
    }

    /// <summary>
    /// LEGACY: SHA-256 of the normalised number, as rows written before keyed hashes carry it. This is pseudonymisation, not anonymisation: the number space
    /// is small enough to enumerate, so the hash is treated as personal data and only shown to roles
    /// that may see media.
    /// </summary>
    public static string? Hash(string? raw)
    {
        var normalized = Normalize(raw);
        return normalized is null
            ? null
            : Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(normalized)));
    }

    /// <summary>Blob names for logs and audit entries: see <see cref="NameMasking"/>.</summary>
    public static string MaskDigitRuns(string text) => NameMasking.BlobName(text);
}
