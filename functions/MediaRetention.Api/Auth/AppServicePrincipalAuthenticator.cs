using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Http;

namespace MediaRetention.Api.Auth;

/// <summary>
/// Azure: App Service Authentication (Easy Auth) validates the Entra ID token in front of the app and passes
/// the principal in <c>X-MS-CLIENT-PRINCIPAL</c> (base64 JSON). The platform strips that header from incoming
/// requests, so it can be trusted only when Easy Auth is enabled — which the Bicep template requires.
/// App roles: <c>security</c>, <c>admin</c>, and <c>police.{agency}</c> for a police liaison of that agency.
/// </summary>
/// <remarks>
/// Fails closed: unless the platform says App Service Authentication is on (it sets <c>WEBSITE_AUTH_ENABLED</c>),
/// nothing strips a forged header, so every request is refused. The HTTP functions are anonymous to the
/// Functions host (a browser cannot hold a function key), which makes this check the one that matters.
/// </remarks>
public sealed class AppServicePrincipalAuthenticator(bool platformAuthenticationEnabled) : ICallerAuthenticator
{
    public const string PrincipalHeader = "X-MS-CLIENT-PRINCIPAL";

    /// <summary>Set to <c>True</c> by App Service / Azure Functions when App Service Authentication is enabled.</summary>
    public const string PlatformAuthenticationSetting = "WEBSITE_AUTH_ENABLED";

    private const string PolicePrefix = Roles.Police + ".";

    /// <param name="settingValue">The value of <see cref="PlatformAuthenticationSetting"/>.</param>
    public static bool IsPlatformAuthenticationEnabled(string? settingValue) =>
        bool.TryParse(settingValue, out var enabled) && enabled;

    public AuthenticationResult Authenticate(HttpRequest request)
    {
        if (!platformAuthenticationEnabled)
        {
            return new AuthenticationResult(AuthenticationStatus.Invalid,
                Problem: $"App Service Authentication is not enabled on this app ({PlatformAuthenticationSetting} is not True), so no caller can be trusted. Deploy with authClientId (infra/README.md).");
        }

        var encoded = request.Headers[PrincipalHeader].ToString();
        if (encoded.Length == 0)
        {
            return new AuthenticationResult(AuthenticationStatus.None, Problem: "Sign in with Entra ID.");
        }

        ClientPrincipal? principal;
        try
        {
            principal = JsonSerializer.Deserialize<ClientPrincipal>(Convert.FromBase64String(encoded), JsonSerializerOptions.Web);
        }
        catch (Exception e) when (e is FormatException or JsonException)
        {
            return new AuthenticationResult(AuthenticationStatus.Invalid, Problem: "The client principal is malformed.");
        }

        var claims = principal?.Claims ?? [];
        var roleType = principal?.RoleTyp ?? "roles";
        var nameType = principal?.NameTyp ?? "name";
        var name = claims.FirstOrDefault(c => c.Typ == nameType)?.Val
            ?? claims.FirstOrDefault(c => c.Typ is "preferred_username" or "name")?.Val;
        var roles = claims.Where(c => c.Typ == roleType || c.Typ == "roles").Select(c => c.Val).ToList();

        // The most privileged role wins when a user has several.
        Caller? caller = roles.Contains(Roles.Admin) ? new Caller(name ?? "unknown", Roles.Admin, null)
            : roles.Contains(Roles.Security) ? new Caller(name ?? "unknown", Roles.Security, null)
            : roles.FirstOrDefault(r => r.StartsWith(PolicePrefix, StringComparison.Ordinal)
                    && MediaRetention.Core.Ingest.UploadContract.IsIdentifier(r[PolicePrefix.Length..])) is { } police
                ? new Caller(name ?? "unknown", Roles.Police, police[PolicePrefix.Length..])
                : null;

        return caller is null
            ? new AuthenticationResult(AuthenticationStatus.Invalid, Problem: "The signed-in user has no MediaRetention app role.")
            : new AuthenticationResult(AuthenticationStatus.Authenticated, caller);
    }

    private sealed record ClientPrincipal(
        [property: System.Text.Json.Serialization.JsonPropertyName("auth_typ")] string? AuthTyp,
        [property: System.Text.Json.Serialization.JsonPropertyName("name_typ")] string? NameTyp,
        [property: System.Text.Json.Serialization.JsonPropertyName("role_typ")] string? RoleTyp,
        [property: System.Text.Json.Serialization.JsonPropertyName("claims")] List<PrincipalClaim>? Claims);

    private sealed record PrincipalClaim(
        [property: System.Text.Json.Serialization.JsonPropertyName("typ")] string Typ,
        [property: System.Text.Json.Serialization.JsonPropertyName("val")] string Val);
}
