using System.Text.Json.Nodes;

namespace MediaRetention.Core.Evidence.Signing;

/// <summary>Signs an evidence manifest with the issuer's current key.</summary>
public interface IManifestSigner
{
    /// <summary>Adds <c>signature</c> to the unsealed document and returns the key id that signed it.</summary>
    /// <exception cref="SigningKeyUnavailableException">No key can sign; nothing is issued.</exception>
    Task<string> SignAsync(JsonObject document, CancellationToken cancellationToken);
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
}
