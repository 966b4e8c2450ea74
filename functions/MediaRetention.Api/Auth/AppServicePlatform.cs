using Microsoft.Extensions.Configuration;

namespace MediaRetention.Api.Auth;

/// <summary>What the App Service platform tells the app about itself through environment variables.</summary>
public static class AppServicePlatform
{
    /// <summary>
    /// Set by App Service (and Functions) to <c>True</c> while platform authentication (Easy Auth) is on. The
    /// platform owns it: it reflects <c>authsettingsV2</c>, not an app setting the app's operators typed.
    /// </summary>
    public const string AuthEnabledSetting = "WEBSITE_AUTH_ENABLED";

    public static bool IsAuthenticationEnabled(IConfiguration configuration) =>
        string.Equals(configuration[AuthEnabledSetting]?.Trim(), "true", StringComparison.OrdinalIgnoreCase);
}
