using Azure;
using Azure.Identity;
using Azure.Security.KeyVault.Secrets;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace MediaRetention.Core.Phones;

/// <summary>The current <see cref="PhoneHasher"/>: from a file or settings (fixed), or from Key Vault (refreshed).</summary>
public interface IPhoneHashing
{
    Task<PhoneHasher> GetAsync(CancellationToken cancellationToken);
}

/// <summary>The key ring cannot be read (Key Vault unreachable, the secret missing or malformed) and none was read before.</summary>
public sealed class PhoneHashKeysUnavailableException(string message, Exception inner) : Exception(message, inner);

public sealed class FixedPhoneHashing(PhoneHasher hasher) : IPhoneHashing
{
    public Task<PhoneHasher> GetAsync(CancellationToken cancellationToken) => Task.FromResult(hasher);
}

/// <summary>
/// Azure: the ring is a Key Vault secret (<see cref="PhoneHashOptions.SecretName"/>, role Key Vault Secrets User), read
/// with the app's identity and cached for <see cref="PhoneHashOptions.RefreshInterval"/>. A failed refresh keeps the
/// ring it had (a ring only ever grows); with no ring yet it throws, so nothing is hashed with a wrong key.
/// </summary>
public sealed class KeyVaultPhoneHashing(SecretClient secrets, string secretName, TimeSpan refreshInterval, TimeProvider time,
    ILogger<KeyVaultPhoneHashing> logger) : IPhoneHashing, IDisposable
{
    private readonly SemaphoreSlim gate = new(1, 1);
    private (PhoneHasher Hasher, DateTimeOffset FreshUntil)? cached;

    public async Task<PhoneHasher> GetAsync(CancellationToken cancellationToken)
    {
        if (cached is { } c && c.FreshUntil > time.GetUtcNow())
        {
            return c.Hasher;
        }

        await gate.WaitAsync(cancellationToken);
        try
        {
            if (cached is { } meanwhile && meanwhile.FreshUntil > time.GetUtcNow())
            {
                return meanwhile.Hasher;
            }

            try
            {
                var secret = await secrets.GetSecretAsync(secretName, null, cancellationToken);
                // Lines, or ';' between keys (easier to pass on a command line).
                var keys = PhoneHashKeyRing.Parse(secret.Value.Value.Split(['\n', ';']), $"Key Vault secret '{secretName}'");
                var hasher = new PhoneHasher(keys);
                cached = (hasher, time.GetUtcNow() + refreshInterval);
                return hasher;
            }
            catch (Exception e) when (e is RequestFailedException or AuthenticationFailedException or FormatException && cached is not null)
            {
                logger.LogError(e, "Could not refresh the phone hash keys from Key Vault; using the ring read before");
                cached = (cached!.Value.Hasher, time.GetUtcNow() + TimeSpan.FromMinutes(1));
                return cached.Value.Hasher;
            }
            catch (Exception e) when (e is RequestFailedException or AuthenticationFailedException or FormatException)
            {
                throw new PhoneHashKeysUnavailableException(
                    $"The phone hash key ring (Key Vault secret '{secretName}') cannot be read: {e.Message}", e);
            }
        }
        finally
        {
            gate.Release();
        }
    }

    public void Dispose() => gate.Dispose();
}

public static class PhoneServiceCollectionExtensions
{
    public static IServiceCollection AddMediaRetentionPhones(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<PhoneOptions>().Bind(configuration.GetSection(PhoneOptions.SectionName)).ValidateDataAnnotations().ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<PhoneOptions>, PhoneOptionsValidator>());
        services.TryAddSingleton<PhoneNumberParser>();
        services.AddOptions<PhoneHashOptions>().Bind(configuration.GetSection(PhoneHashOptions.SectionName)).ValidateDataAnnotations().ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<PhoneHashOptions>, PhoneHashOptionsValidator>());
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton(CreateHashing);
        return services;
    }

    private static IPhoneHashing CreateHashing(IServiceProvider provider)
    {
        var o = provider.GetRequiredService<IOptions<PhoneHashOptions>>().Value;
        var loggers = provider.GetService<ILoggerFactory>() ?? NullLoggerFactory.Instance;
        if (o.KeyVaultUri is { } vault)
        {
            return new KeyVaultPhoneHashing(new SecretClient(vault, new DefaultAzureCredential()), o.SecretName, o.RefreshInterval,
                provider.GetRequiredService<TimeProvider>(), loggers.CreateLogger<KeyVaultPhoneHashing>());
        }

        if (!string.IsNullOrWhiteSpace(o.KeyFile))
        {
            return new FixedPhoneHashing(new PhoneHasher(PhoneHashKeyRing.Parse(File.ReadAllLines(o.KeyFile), $"{PhoneHashOptions.SectionName}:KeyFile")));
        }

        if (o.Keys.Count > 0)
        {
            return new FixedPhoneHashing(new PhoneHasher(PhoneHashKeyRing.Parse(o.Keys, $"{PhoneHashOptions.SectionName}:Keys")));
        }

        loggers.CreateLogger<FixedPhoneHashing>().LogWarning(
            "No phone hash key is configured ({Section}:KeyFile, :Keys or :KeyVaultUri): phone numbers are hashed with the public development key. Development only",
            PhoneHashOptions.SectionName);
        return new FixedPhoneHashing(new PhoneHasher(PhoneHashKeyRing.Development));
    }
}
