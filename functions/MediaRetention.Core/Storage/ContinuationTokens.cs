using System.Security.Cryptography;
using System.Text;

namespace MediaRetention.Core.Storage;

/// <summary>
/// Continuation tokens. <see cref="Encode"/>/<see cref="Decode"/> wrap a storage token (the table SDK's) in base64url
/// so it is opaque and safe in a query string. The API hands out only <see cref="Seal"/>ed tokens: they name the
/// listing that issued them and carry a check value over that listing, its filters and the storage token, so a
/// token of another route or of other filters, a mangled one, or garbage that happens to be valid base64 is a 400
/// instead of silently reading from the wrong place or from the start.
/// </summary>
/// <remarks>
/// The check value is a hash, not a keyed MAC: it identifies and protects against accidents, not against a forger.
/// A forged token gains nothing, because every page is read with the caller's own filters and authorisation (a
/// police key's holds query carries its agency whatever the token says); it only chooses where reading resumes.
/// </remarks>
public static class ContinuationTokens
{
    private const string Version = "mr1";
    private const int CheckBytes = 12;

    /// <summary>
    /// The API form of a storage token: <c>mr1.{listing}.{token}.{check}</c>, each part base64url or a listing name.
    /// </summary>
    /// <param name="listing">Which listing issued it, e.g. <c>media</c>, <c>holds</c>, <c>audit</c> (letters, digits and '-').</param>
    /// <param name="filters">The listing's filters in a canonical form; a token is valid only with the same ones.</param>
    public static string? Seal(string listing, string filters, string? token)
    {
        ArgumentException.ThrowIfNullOrEmpty(listing);
        if (token is null)
        {
            return null;
        }

        var payload = Base64Url(Encoding.UTF8.GetBytes(token));
        return $"{Version}.{listing}.{payload}.{Check(listing, filters, payload)}";
    }

    /// <summary>The storage token inside a token <see cref="Seal"/> issued for this listing and these filters.</summary>
    /// <exception cref="InvalidContinuationTokenException">It was not, with a message saying why.</exception>
    public static string? Open(string listing, string filters, string? token)
    {
        if (string.IsNullOrEmpty(token))
        {
            return null;
        }

        var parts = token.Split('.');
        if (parts.Length != 4 || parts[0] != Version || parts[1].Length == 0 || !parts[1].All(c => char.IsAsciiLetterOrDigit(c) || c == '-'))
        {
            throw new InvalidContinuationTokenException();
        }

        if (parts[1] != listing)
        {
            throw new InvalidContinuationTokenException(
                $"'continuationToken' belongs to another listing ({parts[1]}); ask for the first page without it.");
        }

        if (!CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(parts[3]), Encoding.ASCII.GetBytes(Check(listing, filters, parts[2]))))
        {
            throw new InvalidContinuationTokenException(
                "'continuationToken' does not belong to this query (other filters, or it was altered); ask for the first page without it.");
        }

        return FromBase64Url(parts[2]) is { } bytes
            ? Encoding.UTF8.GetString(bytes)
            : throw new InvalidContinuationTokenException();
    }

    public static string? Encode(string? token) =>
        token is null ? null : Convert.ToBase64String(Encoding.UTF8.GetBytes(token)).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    /// <exception cref="ArgumentException">The token was not issued by <see cref="Encode"/>.</exception>
    public static string? Decode(string? token)
    {
        if (string.IsNullOrEmpty(token))
        {
            return null;
        }

        var base64 = token.Replace('-', '+').Replace('_', '/');
        base64 = base64.PadRight(base64.Length + ((4 - (base64.Length % 4)) % 4), '=');
        try
        {
            return Encoding.UTF8.GetString(Convert.FromBase64String(base64));
        }
        catch (FormatException)
        {
            throw new InvalidContinuationTokenException();
        }
    }

    private static string Check(string listing, string filters, string payload) =>
        Base64Url(SHA256.HashData(Encoding.UTF8.GetBytes($"{Version}\n{listing}\n{filters}\n{payload}")).AsSpan(0, CheckBytes));

    private static string Base64Url(ReadOnlySpan<byte> bytes) =>
        Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    private static byte[]? FromBase64Url(string text)
    {
        var base64 = text.Replace('-', '+').Replace('_', '/');
        base64 = base64.PadRight(base64.Length + ((4 - (base64.Length % 4)) % 4), '=');
        try
        {
            return Convert.FromBase64String(base64);
        }
        catch (FormatException)
        {
            return null;
        }
    }
}

/// <summary>A continuation token that this API did not issue (or that was mangled on the way).</summary>
public sealed class InvalidContinuationTokenException(string message) : Exception(message)
{
    public InvalidContinuationTokenException()
        : this("'continuationToken' is not a token this API issued.")
    {
    }
}
