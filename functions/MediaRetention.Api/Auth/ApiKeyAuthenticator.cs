using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Options;

namespace MediaRetention.Api.Auth;

/// <summary>
/// API keys for the self-hosted runner: <c>X-Api-Key: {key}</c> or <c>Authorization: ApiKey {key}</c>. The key
/// is hashed and compared with the configured hashes in constant time.
/// </summary>
public sealed class ApiKeyAuthenticator(IOptions<AuthOptions> options) : ICallerAuthenticator
{
    public const string HeaderName = "X-Api-Key";
    private const string Scheme = "ApiKey ";

    private readonly List<(byte[] Hash, Caller Caller)> keys = options.Value.ApiKeys
        .Select(k => (Convert.FromHexString(k.KeyHash), new Caller(k.Name, k.Role, k.Role == Roles.Police ? k.Agency : null)))
        .ToList();

    public AuthenticationResult Authenticate(HttpRequest request)
    {
        var presented = request.Headers[HeaderName].ToString();
        var authorization = request.Headers.Authorization.ToString();
        if (presented.Length == 0 && authorization.StartsWith(Scheme, StringComparison.OrdinalIgnoreCase))
        {
            presented = authorization[Scheme.Length..].Trim();
        }

        if (presented.Length == 0)
        {
            return new AuthenticationResult(AuthenticationStatus.None, Problem: $"Send an API key in the {HeaderName} header.");
        }

        var hash = SHA256.HashData(Encoding.UTF8.GetBytes(presented));
        Caller? match = null;
        foreach (var (keyHash, caller) in keys)
        {
            // Visit every key so the time taken does not tell which one nearly matched.
            if (CryptographicOperations.FixedTimeEquals(hash, keyHash))
            {
                match = caller;
            }
        }

        return match is null
            ? new AuthenticationResult(AuthenticationStatus.Invalid, Problem: "The API key is not valid.")
            : new AuthenticationResult(AuthenticationStatus.Authenticated, match);
    }

    public static string HashKey(string key) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(key)));
}
