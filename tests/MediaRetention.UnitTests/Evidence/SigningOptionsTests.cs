using System.Security.Cryptography;
using MediaRetention.Core.Evidence.Signing;
using Microsoft.Extensions.FileProviders;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace MediaRetention.UnitTests.Evidence;

public sealed class SigningOptionsTests : IDisposable
{
    private readonly DirectoryInfo dir = Directory.CreateTempSubdirectory("signing-options-");

    [Fact]
    public async Task The_runner_key_file_signs_and_earlier_public_keys_stay_published()
    {
        var current = WritePrivateKey("current.pem", out var currentKey);
        var previous = WritePublicKey("previous.pem", out var previousKey);
        var options = new EvidenceSigningOptions { KeyFile = current, PublicKeyFiles = [previous] };

        Assert.True(Validate(options, "Production").Succeeded);
        var keys = await new PemFileSigningKeyStore(Options.Create(options)).GetKeysAsync(default);

        Assert.Equal(currentKey.KeyId, keys.Current.PublicKey.KeyId);
        Assert.Equal([currentKey.KeyId, previousKey.KeyId], keys.Published.Select(k => k.KeyId));
    }

    [Fact]
    public void A_missing_unreadable_or_wrong_curve_key_stops_start_up_naming_the_setting()
    {
        var p384 = Path.Combine(dir.FullName, "p384.pem");
        using (var key = ECDsa.Create(ECCurve.NamedCurves.nistP384))
        {
            File.WriteAllText(p384, key.ExportPkcs8PrivateKeyPem());
        }

        var missing = Validate(new EvidenceSigningOptions { KeyFile = Path.Combine(dir.FullName, "nope.pem") }, "Production");
        var wrongCurve = Validate(new EvidenceSigningOptions { KeyFile = p384 }, "Production");
        var publicOnly = Validate(new EvidenceSigningOptions { KeyFile = WritePublicKey("pub.pem", out _) }, "Production");
        var badPrevious = Validate(new EvidenceSigningOptions { KeyFile = WritePrivateKey("k.pem", out _), PublicKeyFiles = [p384 + ".x"] }, "Production");

        Assert.Contains("Evidence:Signing:KeyFile: cannot read", missing.FailureMessage, StringComparison.Ordinal);
        Assert.Contains("P-256", wrongCurve.FailureMessage, StringComparison.Ordinal);
        Assert.Contains("no PEM private key", publicOnly.FailureMessage, StringComparison.Ordinal);
        Assert.Contains("Evidence:Signing:PublicKeyFiles:0", badPrevious.FailureMessage, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Production", false)]
    [InlineData("Development", true)]
    [InlineData(null, true)]
    public void No_key_at_all_is_allowed_only_in_development(string? environment, bool succeeds)
    {
        var result = Validate(new EvidenceSigningOptions(), environment);

        Assert.Equal(succeeds, result.Succeeded);
        if (!succeeds)
        {
            Assert.Contains("Evidence manifests must be signed", result.FailureMessage, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Key_file_and_key_vault_together_or_a_plain_http_vault_are_refused()
    {
        var both = Validate(new EvidenceSigningOptions { KeyFile = WritePrivateKey("k.pem", out _), KeyVaultUri = new Uri("https://kv.vault.azure.net/") }, "Production");
        var http = Validate(new EvidenceSigningOptions { KeyVaultUri = new Uri("http://kv.vault.azure.net/") }, "Production");

        Assert.Contains("set one", both.FailureMessage, StringComparison.Ordinal);
        Assert.Contains("https", http.FailureMessage, StringComparison.Ordinal);
    }

    public void Dispose() => dir.Delete(recursive: true);

    private static ValidateOptionsResult Validate(EvidenceSigningOptions options, string? environment) =>
        new EvidenceSigningOptionsValidator(environment is null ? null : new Environment(environment)).Validate(null, options);

    private string WritePrivateKey(string name, out SigningPublicKey publicKey)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        publicKey = SigningPublicKey.From(key);
        var path = Path.Combine(dir.FullName, name);
        File.WriteAllText(path, key.ExportPkcs8PrivateKeyPem());
        return path;
    }

    private string WritePublicKey(string name, out SigningPublicKey publicKey)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        publicKey = SigningPublicKey.From(key);
        var path = Path.Combine(dir.FullName, name);
        File.WriteAllText(path, key.ExportSubjectPublicKeyInfoPem());
        return path;
    }

    private sealed class Environment(string name) : IHostEnvironment
    {
        public string EnvironmentName { get; set; } = name;

        public string ApplicationName { get; set; } = "tests";

        public string ContentRootPath { get; set; } = "/";

        public IFileProvider ContentRootFileProvider { get; set; } = new NullFileProvider();
    }
}
