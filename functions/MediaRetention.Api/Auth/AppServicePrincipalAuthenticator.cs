using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Http;

namespace MediaRetention.Api.Auth;

/// <summary>
/// Azure: App Service Authentication (Easy Auth) validates the Entra ID token in front of the app and passes
/// the principal in <c>X-MS-CLIENT-PRINCIPAL</c> (base64 JSON). The platform strips that header from incoming
/// requests only while Easy Auth is on; with it off, anyone can send the header and claim any role. So the
/// header is trusted only when the platform says authentication is on (<c>WEBSITE_AUTH_ENABLED</c>); otherwise
/// every request is refused (fail closed).
/// App roles: <c>security</c>, <c>admin</c>, <c>privacy</c> (the data protection officer), and <c>police.{agency}</c>
/// for a police liaison of that agency.
/// </summary>
/// <param name="platformAuthenticationEnabled">
/// What <see cref="AppServicePlatform.IsAuthenticationEnabled"/> read from the environment at start-up. Defaults to
/// false so that a caller that forgets to say gets the safe behaviour.
/// </param>
public sealed class AppServicePrincipalAuthenticator(bool platformAuthenticationEnabled = false) : ICallerAuthenticator
{
    public const string PrincipalHeader = "X-MS-CLIENT-PRINCIPAL";
    private const string PolicePrefix = Roles.Police + ".";

    public const string PlatformAuthenticationOffProblem =
        "App Service Authentication is not switched on for this app (" + AppServicePlatform.AuthEnabledSetting +
        " is not True), so the " + PrincipalHeader + " header cannot be trusted and every request is refused. " +
        "Deploy infra/main.bicep with authClientId set (see infra/README.md).";

    public bool PlatformAuthenticationEnabled => platformAuthenticationEnabled;

    public AuthenticationResult Authenticate(HttpRequest request)
    {
        if (!platformAuthenticationEnabled)
        {
            return new AuthenticationResult(AuthenticationStatus.Invalid, Problem: PlatformAuthenticationOffProblem);
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
        catch (Exception e) when (e is FormatException or JsonException or ArgumentException or NotSupportedException or InvalidOperationException)
        {
            return new AuthenticationResult(AuthenticationStatus.Invalid, Problem: "The client principal is malformed.");
        }

        // A claim list with nulls, or claims without a type or value, is as malformed as bad JSON: read what is whole.
        var claims = (principal?.Claims ?? []).Where(c => c is { Typ: not null, Val: not null }).ToList();
        var roleType = principal?.RoleTyp ?? "roles";
        var nameType = principal?.NameTyp ?? "name";
        var name = claims.FirstOrDefault(c => c.Typ == nameType)?.Val
            ?? claims.FirstOrDefault(c => c.Typ is "preferred_username" or "name")?.Val;
        name = BoundedName(name);
        var roles = claims.Where(c => c.Typ == roleType || c.Typ == "roles").Select(c => c.Val!).ToList();

        // The most privileged role wins when a user has several. A caller acts in one role; privacy comes before
        // security because a data protection officer who also has security's role would otherwise lose the
        // subject requests, which only privacy and admin may handle (admin already covers both).
        Caller? caller = roles.Contains(Roles.Admin) ? new Caller(name ?? "unknown", Roles.Admin, null)
            : roles.Contains(Roles.Privacy) ? new Caller(name ?? "unknown", Roles.Privacy, null)
            : roles.Contains(Roles.Security) ? new Caller(name ?? "unknown", Roles.Security, null)
            : roles.FirstOrDefault(r => r.StartsWith(PolicePrefix, StringComparison.Ordinal)
                    && MediaRetention.Core.Ingest.UploadContract.IsIdentifier(r[PolicePrefix.Length..])) is { } police
                ? new Caller(name ?? "unknown", Roles.Police, police[PolicePrefix.Length..])
                : null;

        return caller is null
            ? new AuthenticationResult(AuthenticationStatus.Invalid, Problem: "The signed-in user has no MediaRetention app role.")
            : new AuthenticationResult(AuthenticationStatus.Authenticated, caller);
    }

    /// <summary>A name goes into every audit entry the caller causes: printable and at most 256 characters.</summary>
    private static string? BoundedName(string? name)
    {
        if (string.IsNullOrWhiteSpace(name))
        {
            return null;
        }

        var printable = new string(name.Where(c => !char.IsControl(c)).ToArray()).Trim();
        return printable.Length == 0 ? null : printable.Length <= 256 ? printable : printable[..256];
    }

    private sealed record ClientPrincipal(
        [property: System.Text.Json.Serialization.JsonPropertyName("auth_typ")] string? AuthTyp,
        [property: System.Text.Json.Serialization.JsonPropertyName("name_typ")] string? NameTyp,
        [property: System.Text.Json.Serialization.JsonPropertyName("role_typ")] string? RoleTyp,
        [property: System.Text.Json.Serialization.JsonPropertyName("claims")] List<PrincipalClaim>? Claims);

    private sealed record PrincipalClaim(
        [property: System.Text.Json.Serialization.JsonPropertyName("typ")] string? Typ,
        [property: System.Text.Json.Serialization.JsonPropertyName("val")] string? Val);
}
