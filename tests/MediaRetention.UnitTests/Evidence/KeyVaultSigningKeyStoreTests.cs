using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Azure;
using Azure.Security.KeyVault.Certificates;
using Azure.Security.KeyVault.Secrets;
using MediaRetention.Core.Evidence.Signing;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace MediaRetention.UnitTests.Evidence;

/// <summary>
/// The Key Vault adapter at its SDK seam: certificate versions and the newest version's secret as Key Vault
/// returns them, substituted (no Azure here).
/// </summary>
public sealed class KeyVaultSigningKeyStoreTests : IDisposable
{
    private const string Name = "evidence-signing";
    private static readonly Uri Vault = new("https://kv-test.vault.azure.net/");
    private static readonly DateTimeOffset Now = new(2026, 11, 24, 12, 0, 0, TimeSpan.Zero);

    private readonly CertificateClient certificates = Substitute.For<CertificateClient>();
    private readonly SecretClient secrets = Substitute.For<SecretClient>();
    private readonly FakeTimeProvider time = new(Now);
    private readonly List<Version> versions = [];
    private readonly KeyVaultSigningKeyStore store;

    public KeyVaultSigningKeyStoreTests()
    {
        store = new KeyVaultSigningKeyStore(certificates, secrets, Name, TimeSpan.FromMinutes(15), time, NullLogger<KeyVaultSigningKeyStore>.Instance);
        certificates.GetPropertiesOfCertificateVersionsAsync(Name, Arg.Any<CancellationToken>())
            .Returns(_ => AsyncPageable<CertificateProperties>.FromPages(
                [Page<CertificateProperties>.FromValues(versions.Select(v => v.Properties).ToList(), null, Substitute.For<Response>())]));
    }

    [Theory]
    [InlineData("application/x-pkcs12")]
    [InlineData("application/x-pem-file")]
    public async Task Signs_with_the_newest_versions_key_in_either_secret_format(string contentType)
    {
        var version = AddVersion("v1", Now.AddDays(-10), Now.AddDays(300));
        GivenNewestSecret(version, contentType);

        var keys = await store.GetKeysAsync(default);

        Assert.Equal(version.KeyId, keys.Current.PublicKey.KeyId);
        Assert.Equal(version.Certificate.RawData, keys.Current.PublicKey.Certificate);
        var data = "manifest"u8.ToArray();
        using var verifier = version.Certificate.GetECDsaPublicKey()!;
        Assert.True(verifier.VerifyData(data, keys.Current.PrivateKey.SignData(data, HashAlgorithmName.SHA256), HashAlgorithmName.SHA256));
    }

    [Fact]
    public async Task After_rotation_the_new_version_signs_and_every_enabled_version_stays_published_but_a_disabled_one_does_not()
    {
        var old = AddVersion("v1", Now.AddDays(-400), Now.AddDays(-30)); // expired, still verifies old manifests
        var revoked = AddVersion("v2", Now.AddDays(-60), Now.AddDays(300), enabled: false);
        var current = AddVersion("v3", Now.AddDays(-1), Now.AddDays(365));
        GivenNewestSecret(current);

        var keys = await store.GetKeysAsync(default);

        Assert.Equal(current.KeyId, keys.Current.PublicKey.KeyId);
        Assert.Equal([current.KeyId, old.KeyId], keys.Published.Select(k => k.KeyId));
        Assert.DoesNotContain(revoked.KeyId, keys.Published.Select(k => k.KeyId));
        await certificates.DidNotReceive().GetCertificateVersionAsync(Name, "v2", Arg.Any<CancellationToken>());
    }

    [Fact]
    public async Task Keys_are_cached_until_the_refresh_interval_then_a_rotation_is_picked_up_and_known_versions_are_not_read_again()
    {
        var first = AddVersion("v1", Now.AddDays(-10), Now.AddDays(300));
        GivenNewestSecret(first);
        Assert.Equal(first.KeyId, (await store.GetKeysAsync(default)).Current.PublicKey.KeyId);

        var second = AddVersion("v2", Now, Now.AddDays(365));
        GivenNewestSecret(second);
        time.Advance(TimeSpan.FromMinutes(14));
        Assert.Equal(first.KeyId, (await store.GetKeysAsync(default)).Current.PublicKey.KeyId);

        time.Advance(TimeSpan.FromMinutes(2));
        var rotated = await store.GetKeysAsync(default);

        Assert.Equal(second.KeyId, rotated.Current.PublicKey.KeyId);
        Assert.Equal([second.KeyId, first.KeyId], rotated.Published.Select(k => k.KeyId));
        await certificates.Received(1).GetCertificateVersionAsync(Name, "v1", Arg.Any<CancellationToken>());
        await secrets.Received(2).GetSecretAsync(Name, null, Arg.Any<CancellationToken>());
    }

    [Fact]
    public async Task An_expired_newest_version_does_not_sign()
    {
        var expired = AddVersion("v1", Now.AddDays(-400), Now.AddMinutes(-1));
        GivenNewestSecret(expired);

        var e = await Assert.ThrowsAsync<SigningKeyUnavailableException>(() => store.GetKeysAsync(default));

        Assert.Contains("renew", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_secret_that_does_not_hold_the_certificates_key_does_not_sign()
    {
        var version = AddVersion("v1", Now.AddDays(-1), Now.AddDays(300));
        var impostor = AddVersion("other", Now.AddDays(-1), Now.AddDays(300), listed: false);
        GivenNewestSecret(version, secretOf: impostor);

        await Assert.ThrowsAsync<SigningKeyUnavailableException>(() => store.GetKeysAsync(default));
    }

    [Fact]
    public async Task Key_vault_refusing_access_is_reported_as_no_signing_key_not_a_crash()
    {
        AddVersion("v1", Now.AddDays(-1), Now.AddDays(300));
        secrets.GetSecretAsync(Name, null, Arg.Any<CancellationToken>())
            .ThrowsAsync(new RequestFailedException(403, "Forbidden", "ForbiddenByRbac", null));

        var e = await Assert.ThrowsAsync<SigningKeyUnavailableException>(() => store.GetKeysAsync(default));

        Assert.Contains("403", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task No_token_for_key_vault_is_reported_as_no_signing_key()
    {
        certificates.GetPropertiesOfCertificateVersionsAsync(Name, Arg.Any<CancellationToken>())
            .Returns(_ => throw new Azure.Identity.CredentialUnavailableException("no managed identity"));

        await Assert.ThrowsAsync<SigningKeyUnavailableException>(() => store.GetKeysAsync(default));
    }

    public void Dispose()
    {
        store.Dispose();
        foreach (var version in versions)
        {
            version.Certificate.Dispose();
        }
    }

    private Version AddVersion(string version, DateTimeOffset notBefore, DateTimeOffset expiresOn, bool enabled = true, bool listed = true)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=MediaRetention evidence signing", key, HashAlgorithmName.SHA256);
        var certificate = request.CreateSelfSigned(notBefore, expiresOn);
        var properties = CertificateModelFactory.CertificateProperties(
            new Uri(Vault, $"certificates/{Name}/{version}"), Name, Vault, version, certificate.GetCertHash(),
            notBefore, expiresOn, createdOn: notBefore, updatedOn: notBefore, recoveryLevel: "Recoverable");
        properties.Enabled = enabled;
        var entry = new Version(version, properties, certificate);
        if (listed)
        {
            versions.Add(entry);
            certificates.GetCertificateVersionAsync(Name, version, Arg.Any<CancellationToken>()).Returns(Response.FromValue(
                CertificateModelFactory.KeyVaultCertificate(properties, null, null, certificate.RawData), Substitute.For<Response>()));
        }

        return entry;
    }

    private void GivenNewestSecret(Version version, string contentType = "application/x-pkcs12", Version? secretOf = null)
    {
        var source = (secretOf ?? version).Certificate;
        var value = contentType == "application/x-pem-file"
            ? source.GetECDsaPrivateKey()!.ExportPkcs8PrivateKeyPem() + "\n" + source.ExportCertificatePem()
            : Convert.ToBase64String(source.Export(X509ContentType.Pkcs12));
        var properties = SecretModelFactory.SecretProperties(
            new Uri(Vault, $"secrets/{Name}/{version.Name}"), Vault, Name, version.Name, managed: true, keyId: null,
            createdOn: null, updatedOn: null, recoveryLevel: "Recoverable");
        properties.ContentType = contentType;
        secrets.GetSecretAsync(Name, null, Arg.Any<CancellationToken>())
            .Returns(Response.FromValue(SecretModelFactory.KeyVaultSecret(properties, value), Substitute.For<Response>()));
    }

    private sealed record Version(string Name, CertificateProperties Properties, X509Certificate2 Certificate)
    {
        public string KeyId
        {
            get
            {
                using var key = Certificate.GetECDsaPublicKey()!;
                return SigningPublicKey.From(key).KeyId;
            }
        }
    }
}
