using System.Text;
using MediaRetention.Api.Auth;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Options;

namespace MediaRetention.UnitTests.Auth;

public sealed class AuthenticatorTests
{
    private static readonly ApiKeyAuthenticator ApiKeys = new(Options.Create(new AuthOptions
    {
        ApiKeys =
        [
            new ApiKeyEntry { Name = "guard", Role = Roles.Security, KeyHash = ApiKeyAuthenticator.HashKey("k-sec") },
            new ApiKeyEntry { Name = "liaison", Role = Roles.Police, Agency = "oslo-pd", KeyHash = ApiKeyAuthenticator.HashKey("k-pol").ToUpperInvariant() },
        ],
    }));

    [Theory]
    [InlineData("X-Api-Key", "k-sec", AuthenticationStatus.Authenticated, "guard")]
    [InlineData("Authorization", "ApiKey k-pol", AuthenticationStatus.Authenticated, "liaison")]
    [InlineData("X-Api-Key", "k-wrong", AuthenticationStatus.Invalid, null)]
    [InlineData("X-Other", "k-sec", AuthenticationStatus.None, null)]
    public void Api_keys_are_recognised_by_their_hash(string header, string value, AuthenticationStatus status, string? name)
    {
        var result = ApiKeys.Authenticate(Request(header, value));

        Assert.Equal(status, result.Status);
        Assert.Equal(name, result.Caller?.Name);
    }

    [Fact]
    public void Police_keys_carry_their_agency()
    {
        var caller = ApiKeys.Authenticate(Request("X-Api-Key", "k-pol")).Caller!;

        Assert.Equal((Roles.Police, "oslo-pd"), (caller.Role, caller.Agency));
    }

    [Theory]
    [InlineData("""[{"typ":"roles","val":"police.bergen-pd"}]""", Roles.Police, "bergen-pd")]
    [InlineData("""[{"typ":"roles","val":"police.x"},{"typ":"roles","val":"security"}]""", Roles.Security, null)]
    [InlineData("""[{"typ":"roles","val":"admin"}]""", Roles.Admin, null)]
    public void App_service_principal_roles_map_to_callers(string claims, string role, string? agency)
    {
        var principal = "{\"auth_typ\":\"aad\",\"name_typ\":\"name\",\"role_typ\":\"roles\",\"claims\":[{\"typ\":\"name\",\"val\":\"Kari\"}," + claims[1..] + "}";
        var result = new AppServicePrincipalAuthenticator(platformAuthenticationEnabled: true).Authenticate(
            Request(AppServicePrincipalAuthenticator.PrincipalHeader, Convert.ToBase64String(Encoding.UTF8.GetBytes(principal))));

        Assert.Equal(AuthenticationStatus.Authenticated, result.Status);
        Assert.Equal((role, agency, "Kari"), (result.Caller!.Role, result.Caller.Agency, result.Caller.Name));
    }

    [Theory]
    [InlineData("""{"claims":[null]}""")]
    [InlineData("""{"claims":[{"typ":null,"val":"admin"}]}""")]
    [InlineData("""{"claims":[{"typ":"roles"}]}""")]
    [InlineData("""{"claims":[{"typ":"roles","val":7}]}""")]
    [InlineData("""{"claims":{"typ":"roles"}}""")]
    [InlineData("""null""")]
    [InlineData("""[]""")]
    [InlineData("""{"claims":[]}""")]
    [InlineData("""{"auth_typ":"aad","claims":[{"typ":"name","val":"Kari"}]}""")]
    public void A_principal_with_bad_json_or_missing_claims_is_invalid_and_never_throws(string json)
    {
        var authenticator = new AppServicePrincipalAuthenticator(platformAuthenticationEnabled: true);

        var result = authenticator.Authenticate(Request(AppServicePrincipalAuthenticator.PrincipalHeader, Convert.ToBase64String(Encoding.UTF8.GetBytes(json))));

        Assert.Equal(AuthenticationStatus.Invalid, result.Status);
        Assert.Null(result.Caller);
    }

    [Fact]
    public void A_principal_that_is_not_utf8_json_is_invalid()
    {
        var result = new AppServicePrincipalAuthenticator(platformAuthenticationEnabled: true)
            .Authenticate(Request(AppServicePrincipalAuthenticator.PrincipalHeader, Convert.ToBase64String([0xff, 0xfe, 0x00, 0x7b])));

        Assert.Equal(AuthenticationStatus.Invalid, result.Status);
    }

    [Fact]
    public void A_huge_or_control_character_name_is_bounded_before_it_reaches_the_audit_log()
    {
        var principal = "{\"claims\":[{\"typ\":\"name\",\"val\":\"" + new string('k', 5000) + "\\u0007\"},{\"typ\":\"roles\",\"val\":\"admin\"}]}";
        var result = new AppServicePrincipalAuthenticator(platformAuthenticationEnabled: true)
            .Authenticate(Request(AppServicePrincipalAuthenticator.PrincipalHeader, Convert.ToBase64String(Encoding.UTF8.GetBytes(principal))));

        Assert.Equal(256, result.Caller!.Name.Length);
        Assert.DoesNotContain(result.Caller.Name, char.IsControl);
    }

    [Theory]
    [InlineData(null, AuthenticationStatus.None)]
    [InlineData("not base64!", AuthenticationStatus.Invalid)]
    public void Missing_or_malformed_principals_are_not_authenticated(string? header, AuthenticationStatus status)
    {
        var request = header is null ? new DefaultHttpContext().Request : Request(AppServicePrincipalAuthenticator.PrincipalHeader, header);

        Assert.Equal(status, new AppServicePrincipalAuthenticator(platformAuthenticationEnabled: true).Authenticate(request).Status);
    }

    [Fact]
    public void Malformed_key_settings_fail_validation()
    {
        var result = new AuthOptionsValidator().Validate(null, new AuthOptions
        {
            ApiKeys = [new ApiKeyEntry { Name = "p", Role = Roles.Police, KeyHash = "abc" }],
        });

        Assert.True(result.Failed);
        Assert.Contains("Agency is required", result.FailureMessage);
        Assert.Contains("KeyHash", result.FailureMessage);
    }

    private static HttpRequest Request(string header, string value)
    {
        var context = new DefaultHttpContext();
        context.Request.Headers[header] = value;
        return context.Request;
    }
}
