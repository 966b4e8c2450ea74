using Azure.Identity;
using Azure.Security.KeyVault.Certificates;
using Azure.Security.KeyVault.Secrets;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace MediaRetention.Core.Evidence.Signing;

public static class SigningServiceCollectionExtensions
{
    /// <summary>
    /// Registers <see cref="EvidenceSigningOptions"/> (validated at start) and the key store they select: Key Vault,
    /// a PEM file, or (Development only) a throwaway key.
    /// </summary>
    public static IServiceCollection AddMediaRetentionEvidenceSigning(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<EvidenceSigningOptions>().Bind(configuration.GetSection(EvidenceSigningOptions.SectionName))
            .ValidateDataAnnotations().ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<EvidenceSigningOptions>, EvidenceSigningOptionsValidator>());
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton(CreateKeyStore);
        services.TryAddSingleton<IManifestSigner, EcdsaManifestSigner>();
        return services;
    }

    private static ISigningKeyStore CreateKeyStore(IServiceProvider provider)
    {
        var options = provider.GetRequiredService<IOptions<EvidenceSigningOptions>>();
        var o = options.Value;
        var loggers = provider.GetService<ILoggerFactory>() ?? NullLoggerFactory.Instance;
        if (o.KeyVaultUri is { } vault)
        {
            var credential = new DefaultAzureCredential();
            return new KeyVaultSigningKeyStore(new CertificateClient(vault, credential), new SecretClient(vault, credential),
                o.CertificateName, o.RefreshInterval, provider.GetRequiredService<TimeProvider>(), loggers.CreateLogger<KeyVaultSigningKeyStore>());
        }

        if (!string.IsNullOrWhiteSpace(o.KeyFile))
        {
            return new PemFileSigningKeyStore(options);
        }

        loggers.CreateLogger<EphemeralSigningKeyStore>().LogWarning(
            "No evidence signing key is configured ({Section}:KeyFile or :KeyVaultUri): manifests are signed with a throwaway key that is lost at shutdown. Development only",
            EvidenceSigningOptions.SectionName);
        return new EphemeralSigningKeyStore();
    }
}
