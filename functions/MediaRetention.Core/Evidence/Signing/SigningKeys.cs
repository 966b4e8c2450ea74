using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;

namespace MediaRetention.Core.Evidence.Signing;

/// <summary>
/// A public key that verifies manifests: an ECDSA P-256 point, its key id, and for a Key Vault certificate the
/// certificate itself (DER) and its validity.
/// </summary>
/// <remarks>
/// The key id is the RFC 7638 JWK thumbprint: base64url(SHA-256('{"crv":"P-256","kty":"EC","x":"…","y":"…"}')).
/// Anyone holding the public key can compute it, so a key id in a manifest can be matched to a key received
/// out of band without trusting any list.
/// </remarks>
public sealed record SigningPublicKey
{
    private SigningPublicKey(byte[] x, byte[] y, byte[]? certificate, DateTimeOffset? notBefore, DateTimeOffset? expiresOn)
    {
        X = x;
        Y = y;
        Certificate = certificate;
        NotBefore = notBefore;
        ExpiresOn = expiresOn;
        KeyId = Thumbprint(x, y);
    }

    public string KeyId { get; }

    public byte[] X { get; }

    public byte[] Y { get; }

    /// <summary>DER of the X.509 certificate the key came from (Key Vault), or null for a bare key.</summary>
    public byte[]? Certificate { get; }

    public DateTimeOffset? NotBefore { get; }

    public DateTimeOffset? ExpiresOn { get; }

    /// <exception cref="ArgumentException">The key is not on P-256.</exception>
    public static SigningPublicKey From(ECDsa key, byte[]? certificate = null, DateTimeOffset? notBefore = null, DateTimeOffset? expiresOn = null)
    {
        ArgumentNullException.ThrowIfNull(key);
        var parameters = key.ExportParameters(includePrivateParameters: false);
        if (!IsP256(parameters.Curve))
        {
            throw new ArgumentException($"Evidence signing keys must be ECDSA P-256; this one is on {parameters.Curve.Oid?.FriendlyName ?? "an unknown curve"}.");
        }

        return new SigningPublicKey(parameters.Q.X!, parameters.Q.Y!, certificate, notBefore, expiresOn);
    }

    public ECDsa CreateVerifier() => ECDsa.Create(new ECParameters
    {
        Curve = ECCurve.NamedCurves.nistP256,
        Q = new ECPoint { X = X, Y = Y },
    });

    /// <summary>The key as a JWK (RFC 7517/7518), with <c>x5c</c> when it came from a certificate.</summary>
    public JsonObject ToJwk()
    {
        var jwk = new JsonObject
        {
            ["kty"] = "EC",
            ["crv"] = "P-256",
            ["x"] = Base64Url.Encode(X),
            ["y"] = Base64Url.Encode(Y),
            ["kid"] = KeyId,
            ["use"] = "sig",
            ["alg"] = ManifestSignature.Algorithm,
        };
        if (Certificate is not null)
        {
            jwk["x5c"] = new JsonArray(Convert.ToBase64String(Certificate));
        }

        return jwk;
    }

    /// <summary>PEM of the SubjectPublicKeyInfo, the form a liaison keeps in a file.</summary>
    public string ToPem()
    {
        using var key = CreateVerifier();
        return key.ExportSubjectPublicKeyInfoPem();
    }

    public static bool IsP256(ECCurve curve) =>
        curve.IsNamed && (curve.Oid.Value == "1.2.840.10045.3.1.7" || curve.Oid.FriendlyName is "nistP256" or "ECDSA_P256" or "secp256r1" or "prime256v1");

    private static string Thumbprint(byte[] x, byte[] y)
    {
        // RFC 7638: the required members only, in lexicographic order, no whitespace.
        var canonical = $"{{\"crv\":\"P-256\",\"kty\":\"EC\",\"x\":\"{Base64Url.Encode(x)}\",\"y\":\"{Base64Url.Encode(y)}\"}}";
        return Base64Url.Encode(SHA256.HashData(Encoding.UTF8.GetBytes(canonical)));
    }
}

/// <summary>The private key manifests are signed with now, and its public half.</summary>
public sealed record SigningKey(ECDsa PrivateKey, SigningPublicKey PublicKey);

/// <summary>
/// What a key store knows: the key to sign with and every public key a recipient may need to verify an older
/// manifest (the current one included).
/// </summary>
public sealed record SigningKeySet(SigningKey Current, IReadOnlyList<SigningPublicKey> Published);

/// <summary>Where the signing key comes from: a PEM file (runner) or a Key Vault certificate (Azure).</summary>
public interface ISigningKeyStore
{
    /// <exception cref="SigningKeyUnavailableException">No usable signing key.</exception>
    Task<SigningKeySet> GetKeysAsync(CancellationToken cancellationToken);
}

/// <summary>No key can sign right now (not configured, unreadable, expired, Key Vault unreachable).</summary>
public sealed class SigningKeyUnavailableException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>RFC 4648 §5 base64url without padding, the encoding JOSE uses.</summary>
public static class Base64Url
{
    public static string Encode(ReadOnlySpan<byte> bytes) => System.Buffers.Text.Base64Url.EncodeToString(bytes);

    public static bool TryDecode(string text, out byte[] bytes)
    {
        try
        {
            bytes = System.Buffers.Text.Base64Url.DecodeFromChars(text);
            return true;
        }
        catch (FormatException)
        {
            bytes = [];
            return false;
        }
    }
}
