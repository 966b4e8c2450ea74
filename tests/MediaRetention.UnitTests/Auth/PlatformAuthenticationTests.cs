using System.Text;
using MediaRetention.Api;
using MediaRetention.Api.Auth;
using MediaRetention.Core.Audit;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace MediaRetention.UnitTests.Auth;

/// <summary>
/// App Service mode trusts X-MS-CLIENT-PRINCIPAL only while the platform says its authentication is on: without
/// it anyone could send the header and claim to be an admin.
/// </summary>
public sealed class PlatformAuthenticationTests
{
    private static readonly string AdminPrincipal = Convert.ToBase64String(Encoding.UTF8.GetBytes(
        """{"auth_typ":"aad","claims":[{"typ":"name","val":"Mallory"},{"typ":"roles","val":"admin"}]}"""));

    [Theory]
    [InlineData("True", true)]
    [InlineData("true", true)]
    [InlineData(" TRUE ", true)]
    [InlineData("False", false)]
    [InlineData("1", false)]
    [InlineData("", false)]
    [InlineData(null, false)]
    public void Only_true_from_the_platform_means_authentication_is_on(string? value, bool enabled)
    {
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?> { [AppServicePlatform.AuthEnabledSetting] = value })
            .Build();

        Assert.Equal(enabled, AppServicePlatform.IsAuthenticationEnabled(configuration));
    }

    [Fact]
    public void With_platform_authentication_on_the_principal_header_is_trusted()
    {
        var result = new AppServicePrincipalAuthenticator(platformAuthenticationEnabled: true).Authenticate(WithPrincipal(AdminPrincipal));

        Assert.Equal(AuthenticationStatus.Authenticated, result.Status);
        Assert.Equal((Roles.Admin, "Mallory"), (result.Caller!.Role, result.Caller.Name));
    }

    [Fact]
    public void With_platform_authentication_off_a_forged_admin_principal_is_refused_with_the_reason()
    {
        var result = new AppServicePrincipalAuthenticator(platformAuthenticationEnabled: false).Authenticate(WithPrincipal(AdminPrincipal));

        Assert.Equal(AuthenticationStatus.Invalid, result.Status);
        Assert.Null(result.Caller);
        Assert.Contains(AppServicePlatform.AuthEnabledSetting, result.Problem, StringComparison.Ordinal);
        Assert.Contains("cannot be trusted", result.Problem, StringComparison.Ordinal);
    }

    [Fact]
    public void The_default_is_off()
    {
        Assert.Equal(AuthenticationStatus.Invalid, new AppServicePrincipalAuthenticator().Authenticate(WithPrincipal(AdminPrincipal)).Status);
    }

    [Theory]
    [InlineData(null, StatusCodes.Status401Unauthorized)]
    [InlineData("False", StatusCodes.Status401Unauthorized)]
    [InlineData("True", null)]
    public async Task App_service_mode_as_wired_refuses_every_request_with_a_401_problem_unless_the_platform_authenticates(
        string? websiteAuthEnabled, int? status)
    {
        var values = new Dictionary<string, string?> { ["Auth:Mode"] = AuthOptions.AppServiceMode };
        if (websiteAuthEnabled is not null)
        {
            values[AppServicePlatform.AuthEnabledSetting] = websiteAuthEnabled;
        }

        var configuration = new ConfigurationBuilder().AddInMemoryCollection(values).Build();
        var audit = Substitute.For<IAuditLog>();
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddSingleton(audit);
        services.AddMediaRetentionApi(configuration);
        await using var provider = services.BuildServiceProvider();

        var access = await provider.GetRequiredService<ApiAccess>().RequireAsync(WithPrincipal(AdminPrincipal), [Roles.Admin], default);

        if (status is null)
        {
            Assert.True(access.Granted);
            Assert.Contains(provider.GetServices<IHostedService>(), s => s is AuthStartupCheck);
            return;
        }

        var problem = Assert.IsType<ProblemHttpResult>(access.Denial);
        Assert.Equal(status, problem.StatusCode);
        Assert.Contains(AppServicePlatform.AuthEnabledSetting, problem.ProblemDetails.Detail, StringComparison.Ordinal);
        await audit.Received(1).AppendAsync(
            Arg.Is<AuditEvent>(e => e.Action == AuditActions.AccessDenied && e.Details!["reason"]!.Contains(AppServicePlatform.AuthEnabledSetting)),
            Arg.Any<CancellationToken>());
    }

    private static HttpRequest WithPrincipal(string encoded)
    {
        var context = new DefaultHttpContext();
        context.Request.Headers[AppServicePrincipalAuthenticator.PrincipalHeader] = encoded;
        return context.Request;
    }
}
