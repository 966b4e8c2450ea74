using MediaRetention.Core.Ingest;
using Microsoft.Extensions.Options;

namespace MediaRetention.Api.Auth;

/// <summary>Section <c>Auth</c>.</summary>
public sealed class AuthOptions
{
    public const string SectionName = "Auth";
    public const string ApiKeysMode = "ApiKeys";
    public const string AppServiceMode = "AppService";

    /// <summary><c>ApiKeys</c> (the runner) or <c>AppService</c> (Azure: App Service Authentication principal).</summary>
    public string Mode { get; set; } = ApiKeysMode;

    /// <summary>API keys by their SHA-256: the keys themselves are never stored in settings.</summary>
    public List<ApiKeyEntry> ApiKeys { get; set; } = [];
}

public sealed class ApiKeyEntry
{
    public string Name { get; set; } = "";
    public string Role { get; set; } = "";
    public string? Agency { get; set; }

    /// <summary>Lower- or upper-case hex SHA-256 of the key.</summary>
    public string KeyHash { get; set; } = "";
}

/// <summary>Fails start-up on a malformed key entry rather than on the first request.</summary>
public sealed class AuthOptionsValidator : IValidateOptions<AuthOptions>
{
    public ValidateOptionsResult Validate(string? name, AuthOptions options)
    {
        var errors = new List<string>();
        if (options.Mode is not (AuthOptions.ApiKeysMode or AuthOptions.AppServiceMode))
        {
            errors.Add($"Auth:Mode must be {AuthOptions.ApiKeysMode} or {AuthOptions.AppServiceMode}.");
        }

        for (var i = 0; i < options.ApiKeys.Count; i++)
        {
            var key = options.ApiKeys[i];
            if (string.IsNullOrWhiteSpace(key.Name))
            {
                errors.Add($"Auth:ApiKeys:{i}:Name is required.");
            }

            if (!Roles.All.Contains(key.Role))
            {
                errors.Add($"Auth:ApiKeys:{i}:Role must be one of {string.Join(", ", Roles.All)}.");
            }

            if (key.Role == Roles.Police && !UploadContract.IsIdentifier(key.Agency))
            {
                errors.Add($"Auth:ApiKeys:{i}:Agency is required for police keys (1-64 of A-Z a-z 0-9 . _ -).");
            }

            if (key.KeyHash.Length != 64 || !key.KeyHash.All(Uri.IsHexDigit))
            {
                errors.Add($"Auth:ApiKeys:{i}:KeyHash must be the 64-hex-digit SHA-256 of the key.");
            }
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
