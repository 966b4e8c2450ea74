using System.Text;

namespace MediaRetention.Core.Storage;

/// <summary>
/// The API's continuation tokens: the table SDK's token wrapped in base64url, so it is opaque to callers and
/// safe in a query string.
/// </summary>
public static class ContinuationTokens
{
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
}

/// <summary>A continuation token that this API did not issue (or that was mangled on the way).</summary>
public sealed class InvalidContinuationTokenException() : Exception("'continuationToken' is not a token this API issued.");
