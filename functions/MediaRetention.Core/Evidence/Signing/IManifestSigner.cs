using System.Text.Json.Nodes;

namespace MediaRetention.Core.Evidence.Signing;

/// <summary>Signs an evidence manifest with the issuer's current key.</summary>
public interface IManifestSigner
{
    /// <summary>Adds <c>signature</c> to the unsealed document and returns the key id that signed it.</summary>
    /// <exception cref="SigningKeyUnavailableException">No key can sign; nothing is issued.</exception>
    Task<string> SignAsync(JsonObject document, CancellationToken cancellationToken);

    /// <summary>
    /// Takes the current key now, for a document whose signed bytes are hashed as they are written (a streamed
    /// manifest): a missing key then fails before anything is sent.
    /// </summary>
    /// <exception cref="SigningKeyUnavailableException">No key can sign; nothing is issued.</exception>
    Task<ManifestDigestSigner> PrepareAsync(CancellationToken cancellationToken);
}

/// <summary>ES256 with whatever key the store holds now (see <see cref="ManifestSignature"/> for the format).</summary>
public sealed class EcdsaManifestSigner(ISigningKeyStore keys) : IManifestSigner
{
    // An ECDsa instance does not promise thread safety; manifests are rare, so one signature at a time is free.
    private readonly Lock signing = new();

    public async Task<string> SignAsync(JsonObject document, CancellationToken cancellationToken)
    {
        var set = await keys.GetKeysAsync(cancellationToken);
        lock (signing)
        {
            ManifestSignature.Sign(document, set.Current);
        }

        return set.Current.PublicKey.KeyId;
    }

    public async Task<ManifestDigestSigner> PrepareAsync(CancellationToken cancellationToken)
    {
        var set = await keys.GetKeysAsync(cancellationToken);
        return new ManifestDigestSigner(set.Current, signing);
    }
}

/// <summary>One key, taken before a streamed manifest starts, that signs the SHA-256 of its signed bytes at the end.</summary>
public sealed class ManifestDigestSigner
{
    private readonly SigningKey key;
    private readonly Lock signing;

    internal ManifestDigestSigner(SigningKey key, Lock signing)
    {
        this.key = key;
        this.signing = signing;
    }

    public string KeyId => key.PublicKey.KeyId;

    /// <summary>The <c>signature</c> member for signed bytes whose SHA-256 is <paramref name="sha256"/>.</summary>
    public JsonObject Sign(byte[] sha256)
    {
        lock (signing)
        {
            return ManifestSignature.SignDigest(sha256, key);
        }
    }
}
