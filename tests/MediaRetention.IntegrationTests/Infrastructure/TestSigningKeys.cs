using System.Security.Cryptography;
using System.Text.Json.Nodes;
using MediaRetention.Core.Evidence.Signing;

namespace MediaRetention.IntegrationTests.Infrastructure;

/// <summary>
/// Evidence signing keys as PEM files, made once per test run: the runner's current key, an earlier public key
/// it still publishes, and an unrelated key that must never verify.
/// </summary>
public static class TestSigningKeys
{
    private static readonly Lazy<Files> Made = new(Make);

    /// <summary>What the test runner signs with (Evidence:Signing:KeyFile).</summary>
    public static KeyFiles Current => Made.Value.Current;

    /// <summary>A rotated-out key: only its public half is configured (Evidence:Signing:PublicKeyFiles:0).</summary>
    public static KeyFiles Previous => Made.Value.Previous;

    /// <summary>A key the runner knows nothing of.</summary>
    public static KeyFiles Other => Made.Value.Other;

    public static IEnumerable<string> RunnerSettings()
    {
        yield return $"--Evidence:Signing:KeyFile={Current.PrivateKeyPath}";
        yield return $"--Evidence:Signing:PublicKeyFiles:0={Previous.PublicKeyPath}";
    }

    private static Files Make()
    {
        var dir = Directory.CreateTempSubdirectory("mediaretention-signing-keys-").FullName;
        return new Files(Write(dir, "current"), Write(dir, "previous"), Write(dir, "other"));
    }

    private static KeyFiles Write(string dir, string name)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var files = new KeyFiles(
            Path.Combine(dir, name + "-private.pem"), Path.Combine(dir, name + "-public.pem"), Path.Combine(dir, name + ".jwk"),
            SigningPublicKey.From(key));
        File.WriteAllText(files.PrivateKeyPath, key.ExportPkcs8PrivateKeyPem());
        File.WriteAllText(files.PublicKeyPath, key.ExportSubjectPublicKeyInfoPem());
        File.WriteAllText(files.JwkPath, files.PublicKey.ToJwk().ToJsonString());
        return files;
    }

    public sealed record KeyFiles(string PrivateKeyPath, string PublicKeyPath, string JwkPath, SigningPublicKey PublicKey)
    {
        public string KeyId => PublicKey.KeyId;

        public SigningKey LoadPrivate() =>
            PemKeys.TryLoadPrivate(PrivateKeyPath, out var key, out var problem) ? key : throw new InvalidOperationException(problem);

        /// <summary>A JWKS file holding this key and others.</summary>
        public string WriteJwks(string path, params KeyFiles[] others)
        {
            var keys = new JsonArray(others.Prepend(this).Select(k => (JsonNode?)k.PublicKey.ToJwk()).ToArray());
            File.WriteAllText(path, new JsonObject { ["keys"] = keys }.ToJsonString());
            return path;
        }
    }

    private sealed record Files(KeyFiles Current, KeyFiles Previous, KeyFiles Other);
}
