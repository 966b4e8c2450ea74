using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;

namespace MediaRetention.Core.Evidence.Signing;

/// <summary>The outcome of checking a manifest's signature, in words a recipient can act on.</summary>
public sealed record SignatureCheck(bool Valid, string? KeyId, string Problem);

/// <summary>
/// The manifest's signature: who issued it, provable with only the issuer's public key.
/// </summary>
/// <remarks>
/// <para>The document carries <c>"signature": { "alg": "ES256", "kid": "…", "value": "…" }</c>.</para>
/// <para>Signed bytes: the UTF-8 of <see cref="CanonicalJson.Serialize"/> of the document without
/// <c>documentSha256</c> and without <c>signature</c>. <c>value</c> is ECDSA P-256 with SHA-256 over those bytes,
/// the 64-byte r‖s form (IEEE P1363, as JWS ES256), base64url without padding. <c>kid</c> is the RFC 7638
/// thumbprint of the public key (<see cref="SigningPublicKey"/>).</para>
/// <para>Order: sign, add <c>signature</c>, then seal. So <c>documentSha256</c> keeps its meaning (the hash of
/// everything but itself, the signature included) and whoever edits the content and recomputes it still
/// fails the signature.</para>
/// </remarks>
public static class ManifestSignature
{
    public const string Property = "signature";
    public const string Algorithm = "ES256";

    /// <summary>The bytes the signature covers (the document is not changed).</summary>
    public static byte[] SignedBytes(JsonObject document)
    {
        ArgumentNullException.ThrowIfNull(document);
        var content = document.DeepClone().AsObject();
        content.Remove(CanonicalJson.DocumentHashProperty);
        content.Remove(Property);
        return Encoding.UTF8.GetBytes(CanonicalJson.Serialize(content));
    }

    /// <summary>Signs the document as it is now and adds (or replaces) its <c>signature</c>; seal afterwards.</summary>
    public static void Sign(JsonObject document, SigningKey key)
    {
        ArgumentNullException.ThrowIfNull(key);
        document[Property] = SignDigest(SHA256.HashData(SignedBytes(document)), key);
    }

    /// <summary>
    /// The <c>signature</c> member for signed bytes whose SHA-256 is <paramref name="sha256"/>: ECDSA signs the
    /// digest, so hashing the bytes as they stream past gives the same signature as signing them whole.
    /// </summary>
    public static JsonObject SignDigest(byte[] sha256, SigningKey key)
    {
        ArgumentNullException.ThrowIfNull(sha256);
        ArgumentNullException.ThrowIfNull(key);
        if (sha256.Length != SHA256.HashSizeInBytes)
        {
            throw new ArgumentException($"A SHA-256 digest has {SHA256.HashSizeInBytes} bytes, not {sha256.Length}.", nameof(sha256));
        }

        var value = key.PrivateKey.SignHash(sha256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation);
        return new JsonObject
        {
            ["alg"] = Algorithm,
            ["kid"] = key.PublicKey.KeyId,
            ["value"] = Base64Url.Encode(value),
        };
    }

    /// <summary>Checks the signature against the given public keys (the one whose id the document names).</summary>
    public static SignatureCheck Verify(JsonObject document, IEnumerable<SigningPublicKey> keys)
    {
        ArgumentNullException.ThrowIfNull(document);
        ArgumentNullException.ThrowIfNull(keys);
        if (document[Property] is not JsonObject signature)
        {
            return new SignatureCheck(false, null, "the manifest carries no signature");
        }

        var alg = Text(signature, "alg");
        var kid = Text(signature, "kid");
        var value = Text(signature, "value");
        if (alg != Algorithm)
        {
            return new SignatureCheck(false, kid, $"signature algorithm is {alg ?? "missing"}, not {Algorithm}");
        }

        if (kid is null || value is null || !Base64Url.TryDecode(value, out var bytes))
        {
            return new SignatureCheck(false, kid, "signature has no kid or no base64url value");
        }

        var key = keys.FirstOrDefault(k => k.KeyId == kid);
        if (key is null)
        {
            return new SignatureCheck(false, kid, $"signed by key {kid}, which is not among the keys given");
        }

        using var verifier = key.CreateVerifier();
        return verifier.VerifyData(SignedBytes(document), bytes, HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation)
            ? new SignatureCheck(true, kid, "")
            : new SignatureCheck(false, kid, $"signature does not match the content (key {kid})");
    }

    private static string? Text(JsonObject node, string name) =>
        node[name] is JsonValue v && v.TryGetValue<string>(out var s) ? s : null;
}
