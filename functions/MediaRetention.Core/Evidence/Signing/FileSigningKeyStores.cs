using System.Security.Cryptography;
using Microsoft.Extensions.Options;

namespace MediaRetention.Core.Evidence.Signing;

/// <summary>
/// The runner's key: a PEM file made once by scripts/run.sh (never committed), plus earlier public keys from
/// <see cref="EvidenceSigningOptions.PublicKeyFiles"/>. Read once; rotate by restarting with a new file and the
/// old public key listed.
/// </summary>
public sealed class PemFileSigningKeyStore(IOptions<EvidenceSigningOptions> options) : ISigningKeyStore
{
    private readonly Lazy<SigningKeySet> keys = new(() => Load(options.Value));

    public Task<SigningKeySet> GetKeysAsync(CancellationToken cancellationToken) => Task.FromResult(keys.Value);

    private static SigningKeySet Load(EvidenceSigningOptions o)
    {
        // Validated at start-up; a file changed since then still fails closed with the reason.
        if (!PemKeys.TryLoadPrivate(o.KeyFile ?? "", out var current, out var problem))
        {
            throw new SigningKeyUnavailableException($"{EvidenceSigningOptions.SectionName}:KeyFile: {problem}");
        }

        var published = new List<SigningPublicKey> { current.PublicKey };
        foreach (var path in o.PublicKeyFiles)
        {
            if (!PemKeys.TryLoadPublic(path, out var previous, out var publicProblem))
            {
                throw new SigningKeyUnavailableException($"{EvidenceSigningOptions.SectionName}:PublicKeyFiles: {publicProblem}");
            }

            if (published.TrueForAll(k => k.KeyId != previous.KeyId))
            {
                published.Add(previous);
            }
        }

        return new SigningKeySet(current, published);
    }
}

/// <summary>
/// Development only (and hand-built handlers in tests): a key made in memory at start and lost at shutdown, so
/// manifests are still signed and verifiable against <c>GET /api/evidence/signing-keys</c> while the process
/// lives. Never what a host outside Development uses: the options validator refuses to start without a key.
/// </summary>
public sealed class EphemeralSigningKeyStore : ISigningKeyStore
{
    private readonly SigningKeySet keys;

    public EphemeralSigningKeyStore()
    {
        var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var current = new SigningKey(key, SigningPublicKey.From(key));
        keys = new SigningKeySet(current, [current.PublicKey]);
    }

    public Task<SigningKeySet> GetKeysAsync(CancellationToken cancellationToken) => Task.FromResult(keys);
}
