using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace MediaRetention.Core.Evidence.Signing;

/// <summary>
/// Where the evidence signing key comes from. Section <c>Evidence:Signing</c>. Exactly one of
/// <see cref="KeyFile"/> (the runner) or <see cref="KeyVaultUri"/> (Azure); neither is allowed only in
/// Development, where a throwaway key signs (see <see cref="EphemeralSigningKeyStore"/>).
/// </summary>
public sealed class EvidenceSigningOptions
{
    public const string SectionName = "Evidence:Signing";
    public const string DefaultCertificateName = "evidence-signing";

    /// <summary>PEM (PKCS#8 or SEC1) of the ECDSA P-256 private key. scripts/run.sh makes one in .azurite/.</summary>
    public string? KeyFile { get; set; }

    /// <summary>
    /// PEM files of earlier public keys (SubjectPublicKeyInfo or a certificate), still published after a
    /// rotation so manifests they signed stay verifiable.
    /// </summary>
    public List<string> PublicKeyFiles { get; set; } = [];

    /// <summary>The vault holding the signing certificate, e.g. <c>https://kv-….vault.azure.net/</c>.</summary>
    public Uri? KeyVaultUri { get; set; }

    /// <summary>The certificate's name in the vault (policy: EC P-256, exportable).</summary>
    [RegularExpression("^[0-9a-zA-Z-]{1,127}$")]
    public string CertificateName { get; set; } = DefaultCertificateName;

    /// <summary>How long keys read from Key Vault are used before the vault is asked again (rotation shows up within this).</summary>
    [Range(typeof(TimeSpan), "00:01:00", "1.00:00:00")]
    public TimeSpan RefreshInterval { get; set; } = TimeSpan.FromMinutes(15);
}

/// <summary>
/// Fails start-up on a missing, unreadable or non-P-256 key, or on no key at all outside Development. The
/// environment is optional so a bare service collection (tests, tools) counts as development.
/// </summary>
public sealed class EvidenceSigningOptionsValidator(IHostEnvironment? environment = null) : IValidateOptions<EvidenceSigningOptions>
{
    public ValidateOptionsResult Validate(string? name, EvidenceSigningOptions options)
    {
        var errors = new List<string>();
        var prefix = EvidenceSigningOptions.SectionName;
        var hasFile = !string.IsNullOrWhiteSpace(options.KeyFile);
        if (hasFile && options.KeyVaultUri is not null)
        {
            errors.Add($"{prefix}:KeyFile and {prefix}:KeyVaultUri are both set; set one.");
        }

        if (options.KeyVaultUri is { } vault && (!vault.IsAbsoluteUri || vault.Scheme != Uri.UriSchemeHttps))
        {
            errors.Add($"{prefix}:KeyVaultUri must be an absolute https URI such as https://my-vault.vault.azure.net/.");
        }

        if (hasFile)
        {
            if (PemKeys.TryLoadPrivate(options.KeyFile!, out var key, out var keyProblem))
            {
                key.PrivateKey.Dispose();
            }
            else
            {
                errors.Add($"{prefix}:KeyFile: {keyProblem}");
            }
        }

        for (var i = 0; i < options.PublicKeyFiles.Count; i++)
        {
            if (!PemKeys.TryLoadPublic(options.PublicKeyFiles[i], out _, out var problem))
            {
                errors.Add($"{prefix}:PublicKeyFiles:{i}: {problem}");
            }
        }

        if (!hasFile && options.KeyVaultUri is null && environment is not null && !environment.IsDevelopment())
        {
            errors.Add($"Evidence manifests must be signed: set {prefix}:KeyFile (a PEM EC P-256 private key) or {prefix}:KeyVaultUri (+ CertificateName).");
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
