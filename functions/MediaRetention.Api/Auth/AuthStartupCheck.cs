using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace MediaRetention.Api.Auth;

/// <summary>
/// Says at start-up how callers are identified, and loudly when App Service mode refuses everyone because the
/// platform's authentication is off. Not a start-up failure: ingest and retention must keep running while the
/// API stays closed.
/// </summary>
public sealed class AuthStartupCheck(
    IOptions<AuthOptions> options,
    ICallerAuthenticator authenticator,
    ILogger<AuthStartupCheck> logger) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        switch (authenticator)
        {
            case AppServicePrincipalAuthenticator { PlatformAuthenticationEnabled: false }:
                logger.LogCritical(
                    "Auth:Mode is {Mode} but App Service Authentication is off ({Setting} is not True): the {Header} header is not trusted and EVERY API request is refused with 401 until authentication is switched on",
                    options.Value.Mode, AppServicePlatform.AuthEnabledSetting, AppServicePrincipalAuthenticator.PrincipalHeader);
                break;
            case AppServicePrincipalAuthenticator:
                logger.LogInformation("Callers are identified by App Service Authentication ({Header}, Entra ID app roles)",
                    AppServicePrincipalAuthenticator.PrincipalHeader);
                break;
            default:
                logger.LogInformation("Callers are identified by API keys ({Count} configured)", options.Value.ApiKeys.Count);
                break;
        }

        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
