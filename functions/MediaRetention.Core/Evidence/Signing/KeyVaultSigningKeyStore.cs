using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Azure;
using Azure.Identity;
using Azure.Security.KeyVault.Certificates;
using Azure.Security.KeyVault.Secrets;
using Microsoft.Extensions.Logging;

namespace MediaRetention.Core.Evidence.Signing;

/// <summary>
/// Azure: the signing key is a Key Vault certificate (policy EC P-256, exportable), read with the app's managed
/// identity. Key Vault's Keys API (which would sign inside the vault) is not usable here, so the private key is
/// read as the certificate's secret (role Key Vault Secrets User) and the public keys of every version as
/// certificates (role Key Vault Certificate User).
/// </summary>
/// <remarks>
/// <para>Signs with the newest version (what <c>GetSecret(name)</c> returns), and refuses to when that version is
/// outside its validity: renew or rotate the certificate instead of signing with an expired one.</para>
/// <para>Publishes every enabled version, expired ones included: a manifest signed years ago must still verify.
/// Disabling a version (e.g. a leaked key) removes it from the published set.</para>
/// <para>Both are cached for <see cref="EvidenceSigningOptions.RefreshInterval"/>; a version's certificate never
/// changes, so it is read once.</para>
/// </remarks>
public sealed class KeyVaultSigningKeyStore(
    CertificateClient certificates,
    SecretClient secrets,
    string certificateName,
    TimeSpan refreshInterval,
    TimeProvider time,
    ILogger<KeyVaultSigningKeyStore> logger) : ISigningKeyStore, IDisposable
{
    private const string PemContentType = "application/x-pem-file";

    private readonly SemaphoreSlim gate = new(1, 1);
    private readonly ConcurrentDictionary<string, SigningPublicKey?> versions = new(StringComparer.Ordinal);
    private Cached? cached;

    public async Task<SigningKeySet> GetKeysAsync(CancellationToken cancellationToken)
    {
        if (Fresh(cached) is { } set)
        {
            return set;
        }

        await gate.WaitAsync(cancellationToken);
        try
        {
            if (Fresh(cached) is { } loadedMeanwhile)
            {
                return loadedMeanwhile;
            }

            var loaded = await LoadAsync(cancellationToken);
            cached = new Cached(loaded, time.GetUtcNow() + refreshInterval);
            return loaded;
        }
        catch (RequestFailedException e)
        {
            // No stale fallback: a version disabled because its key leaked must stop signing at once.
            throw new SigningKeyUnavailableException(
                $"Key Vault refused or failed reading certificate '{certificateName}' (HTTP {e.Status} {e.ErrorCode}).", e);
        }
        catch (AuthenticationFailedException e)
        {
            throw new SigningKeyUnavailableException(
                $"The app's identity could not get a token for Key Vault to read certificate '{certificateName}'.", e);
        }
        finally
        {
            gate.Release();
        }
    }

    public void Dispose() => gate.Dispose();

    private SigningKeySet? Fresh(Cached? entry) => entry is not null && time.GetUtcNow() < entry.RefreshAt ? entry.Keys : null;

    private async Task<SigningKeySet> LoadAsync(CancellationToken cancellationToken)
    {
        var published = new List<(CertificateProperties Properties, SigningPublicKey Key)>();
        await foreach (var properties in certificates.GetPropertiesOfCertificateVersionsAsync(certificateName, cancellationToken))
        {
            if (properties.Enabled != true || properties.Version is null)
            {
                continue;
            }

            if (await PublicKeyOfAsync(properties, cancellationToken) is { } key)
            {
                published.Add((properties, key));
            }
        }

        var secret = (await secrets.GetSecretAsync(certificateName, null, cancellationToken)).Value;
        var current = published.Find(p => p.Properties.Version == secret.Properties.Version);
        if (current.Key is null)
        {
            throw new SigningKeyUnavailableException(
                $"The newest version of certificate '{certificateName}' ({secret.Properties.Version}) is disabled or not an EC P-256 certificate.");
        }

        var now = time.GetUtcNow();
        if (current.Properties.ExpiresOn is { } expires && expires <= now || current.Properties.NotBefore is { } notBefore && notBefore > now)
        {
            throw new SigningKeyUnavailableException(
                $"The newest version of certificate '{certificateName}' is valid {current.Properties.NotBefore:O} to {current.Properties.ExpiresOn:O}, not now; renew it.");
        }

        var privateKey = PrivateKeyOf(secret);
        var publicOfPrivate = SigningPublicKey.From(privateKey);
        if (publicOfPrivate.KeyId != current.Key.KeyId)
        {
            privateKey.Dispose();
            throw new SigningKeyUnavailableException(
                $"The secret of certificate '{certificateName}' version {secret.Properties.Version} does not hold the certificate's key.");
        }

        // Newest first; a renewal that reused the key lists it once.
        var keys = published
            .OrderByDescending(p => p.Properties.CreatedOn ?? p.Properties.NotBefore ?? DateTimeOffset.MinValue)
            .Select(p => p.Key)
            .DistinctBy(k => k.KeyId)
            .ToList();
        return new SigningKeySet(new SigningKey(privateKey, current.Key), keys);
    }

    private async Task<SigningPublicKey?> PublicKeyOfAsync(CertificateProperties properties, CancellationToken cancellationToken)
    {
        var version = properties.Version;
        if (versions.TryGetValue(version, out var known))
        {
            return known;
        }

        var certificate = (await certificates.GetCertificateVersionAsync(certificateName, version, cancellationToken)).Value;
        SigningPublicKey? key = null;
        try
        {
            using var x509 = X509CertificateLoader.LoadCertificate(certificate.Cer);
            using var ecdsa = x509.GetECDsaPublicKey();
            key = ecdsa is null ? null : SigningPublicKey.From(ecdsa, certificate.Cer, properties.NotBefore, properties.ExpiresOn);
        }
        catch (Exception e) when (e is ArgumentException or CryptographicException)
        {
            key = null;
        }

        if (key is null)
        {
            logger.LogWarning("Certificate {Certificate} version {Version} is not an EC P-256 certificate; it is neither used nor published",
                certificateName, version);
        }

        versions[version] = key;
        return key;
    }

    /// <summary>The secret of a certificate is its PFX (base64) or its PEM, by the policy's content type.</summary>
    private ECDsa PrivateKeyOf(KeyVaultSecret secret)
    {
        try
        {
            if (secret.Properties.ContentType == PemContentType || secret.Value.StartsWith("-----BEGIN", StringComparison.Ordinal))
            {
                var pem = ECDsa.Create();
                pem.ImportFromPem(secret.Value);
                return pem;
            }

            using var pfx = X509CertificateLoader.LoadPkcs12(Convert.FromBase64String(secret.Value), null, X509KeyStorageFlags.Exportable);
            using var fromPfx = pfx.GetECDsaPrivateKey()
                ?? throw new SigningKeyUnavailableException($"Certificate '{certificateName}' has no ECDSA private key (is its policy exportable EC P-256?).");
            return ECDsa.Create(fromPfx.ExportParameters(includePrivateParameters: true));
        }
        catch (Exception e) when (e is FormatException or ArgumentException or CryptographicException)
        {
            throw new SigningKeyUnavailableException($"The secret of certificate '{certificateName}' is not a readable EC private key.", e);
        }
    }

    private sealed record Cached(SigningKeySet Keys, DateTimeOffset RefreshAt);
}
