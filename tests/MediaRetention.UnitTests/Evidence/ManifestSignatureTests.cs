using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using MediaRetention.Core.Evidence;
using MediaRetention.Core.Evidence.Signing;

namespace MediaRetention.UnitTests.Evidence;

public sealed class ManifestSignatureTests
{
    private readonly SigningKey key = NewKey();

    [Fact]
    public void A_signed_and_sealed_manifest_verifies_with_the_signers_public_key_and_names_it()
    {
        var manifest = SignedManifest();

        var check = ManifestSignature.Verify(manifest, [NewKey().PublicKey, key.PublicKey]);

        Assert.True(check.Valid, check.Problem);
        Assert.Equal(key.PublicKey.KeyId, check.KeyId);
        Assert.True(CanonicalJson.IsIntact(manifest));
        var signature = manifest["signature"]!.AsObject();
        Assert.Equal(["alg", "kid", "value"], signature.Select(p => p.Key).Order(StringComparer.Ordinal));
        Assert.Equal("ES256", signature["alg"]!.GetValue<string>());
        // r||s of P-256 is 64 bytes: 86 base64url characters without padding.
        Assert.Equal(86, signature["value"]!.GetValue<string>().Length);
    }

    [Fact]
    public void An_edit_with_a_recomputed_document_hash_passes_the_seal_but_fails_the_signature()
    {
        var manifest = SignedManifest();

        manifest["items"]![0]!["sha256"] = new string('0', 64);
        CanonicalJson.Seal(manifest);

        Assert.True(CanonicalJson.IsIntact(manifest));
        var check = ManifestSignature.Verify(manifest, [key.PublicKey]);
        Assert.False(check.Valid);
        Assert.Contains("does not match the content", check.Problem, StringComparison.Ordinal);
    }

    [Fact]
    public void Another_key_a_missing_signature_and_a_swapped_algorithm_all_fail()
    {
        var manifest = SignedManifest();

        Assert.Contains("not among the keys given", ManifestSignature.Verify(manifest, [NewKey().PublicKey]).Problem, StringComparison.Ordinal);

        var relabelled = manifest.DeepClone().AsObject();
        relabelled["signature"]!["kid"] = NewKey().PublicKey.KeyId;
        Assert.False(ManifestSignature.Verify(relabelled, [key.PublicKey]).Valid);

        var otherAlgorithm = manifest.DeepClone().AsObject();
        otherAlgorithm["signature"]!["alg"] = "none";
        Assert.Contains("not ES256", ManifestSignature.Verify(otherAlgorithm, [key.PublicKey]).Problem, StringComparison.Ordinal);

        var unsigned = manifest.DeepClone().AsObject();
        unsigned.Remove("signature");
        CanonicalJson.Seal(unsigned);
        Assert.Equal("the manifest carries no signature", ManifestSignature.Verify(unsigned, [key.PublicKey]).Problem);
    }

    [Fact]
    public void Re_indenting_or_reordering_the_document_keeps_it_valid()
    {
        var manifest = SignedManifest();
        var reordered = new JsonObject();
        foreach (var (name, value) in manifest.Reverse().ToList())
        {
            reordered[name] = value?.DeepClone();
        }

        var reparsed = JsonNode.Parse(reordered.ToJsonString(new System.Text.Json.JsonSerializerOptions { WriteIndented = true }))!.AsObject();

        Assert.True(ManifestSignature.Verify(reparsed, [key.PublicKey]).Valid);
        Assert.True(CanonicalJson.IsIntact(reparsed));
    }

    [Fact]
    public void Signed_bytes_are_the_canonical_json_without_the_seal_and_the_signature()
    {
        var manifest = SignedManifest();
        var expected = manifest.DeepClone().AsObject();
        expected.Remove("documentSha256");
        expected.Remove("signature");

        Assert.Equal(CanonicalJson.Serialize(expected), Encoding.UTF8.GetString(ManifestSignature.SignedBytes(manifest)));

        // An outsider's check with nothing but the public key and the documented rules.
        using var verifier = ECDsa.Create();
        verifier.ImportFromPem(key.PublicKey.ToPem());
        var value = System.Buffers.Text.Base64Url.DecodeFromChars(manifest["signature"]!["value"]!.GetValue<string>());
        Assert.True(verifier.VerifyData(Encoding.UTF8.GetBytes(CanonicalJson.Serialize(expected)), value, HashAlgorithmName.SHA256));
    }

    [Fact]
    public void Key_id_is_the_rfc_7638_thumbprint_and_the_jwk_carries_it()
    {
        var jwk = key.PublicKey.ToJwk();
        var thumbprintInput = $$"""{"crv":"P-256","kty":"EC","x":"{{jwk["x"]}}","y":"{{jwk["y"]}}"}""";

        Assert.Equal(System.Buffers.Text.Base64Url.EncodeToString(SHA256.HashData(Encoding.UTF8.GetBytes(thumbprintInput))), key.PublicKey.KeyId);
        Assert.Equal(key.PublicKey.KeyId, jwk["kid"]!.GetValue<string>());
        Assert.Equal(("EC", "P-256", "sig", "ES256"),
            (jwk["kty"]!.GetValue<string>(), jwk["crv"]!.GetValue<string>(), jwk["use"]!.GetValue<string>(), jwk["alg"]!.GetValue<string>()));
    }

    [Fact]
    public void Keys_on_other_curves_are_refused()
    {
        using var p384 = ECDsa.Create(ECCurve.NamedCurves.nistP384);

        Assert.Throws<ArgumentException>(() => SigningPublicKey.From(p384));
    }

    internal static SigningKey NewKey()
    {
        var ecdsa = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        return new SigningKey(ecdsa, SigningPublicKey.From(ecdsa));
    }

    private JsonObject SignedManifest()
    {
        var manifest = new JsonObject
        {
            ["hold"] = new JsonObject { ["id"] = "hold-1", ["caseNumber"] = "OPD-2026-4711", ["reason"] = "Ødegård \"quoted\" 😀" },
            ["generatedAt"] = "2026-11-24T12:00:00.000Z",
            ["generatedBy"] = "liaison-oslo",
            ["items"] = new JsonArray(new JsonObject { ["blobName"] = "oslo-1/cam-2/20261124T081500Z.mp4", ["sha256"] = new string('a', 64), ["size"] = 1234 }),
        };
        ManifestSignature.Sign(manifest, key);
        return CanonicalJson.Seal(manifest);
    }
}
