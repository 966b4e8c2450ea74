using System.Security.Cryptography;
using System.Text;

namespace MediaRetention.Core.Media;

/// <summary>
/// Phone numbers are personal data: they are never logged or indexed in the clear. The index keeps a
/// masked form for people and a hash of the normalised number for matching holds.
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
    /// SHA-256 of the normalised number. This is pseudonymisation, not anonymisation: the number space
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
