using System.Security.Cryptography;
using System.Text;

namespace MediaRetention.Core.Phones;

/// <summary>One key of the ring: an id stored next to every hash made with it, and at least 32 secret bytes.</summary>
public sealed record PhoneHashKey(string Id, byte[] Secret);

/// <summary>
/// Keyed hashes of phone numbers, so a stored hash cannot be reversed by trying every number (there are only about
/// 10^8 Norwegian ones) without the key. A hash is stored as <c>{keyId}:{64 hex}</c>.
/// <para>The keys form a ring, oldest first; the last is current. The hash under the first key is
/// HMAC-SHA256(key1, SHA-256(E.164)); under each later key it is HMAC-SHA256(key, hash under the key before). So a hash
/// stored under an older key is brought to the current key without the number (<see cref="Canonical"/>): rotation
/// appends a key, and the re-key migration rewrites stored hashes; holds and media compare in the current key's form
/// meanwhile. Every key stays in the ring (a hash from a number needs them all), and all of them are needed to
/// reverse one.</para>
/// <para>Rows written before keyed hashes carry a bare SHA-256 (64 hex, no key id) of the number as it was
/// written: the ring starts from that, so they re-key the same way (exactly right when the number was written in
/// E.164, as "+4791234567").</para>
/// </summary>
public sealed class PhoneHasher
{
    private readonly IReadOnlyList<PhoneHashKey> keys;
    private readonly Dictionary<string, int> positions;

    public PhoneHasher(IReadOnlyList<PhoneHashKey> keys)
    {
        if (keys.Count == 0)
        {
            throw new ArgumentException("The phone hash key ring is empty.", nameof(keys));
        }

        this.keys = keys;
        positions = keys.Select((k, i) => (k.Id, i)).ToDictionary(p => p.Id, p => p.i, StringComparer.Ordinal);
    }

    public string CurrentKeyId => keys[^1].Id;

    public IReadOnlyList<string> KeyIds => keys.Select(k => k.Id).ToList();

    /// <summary>The hash of an E.164 number under the current key.</summary>
    public string Hash(string e164) => Chain(e164)[^1];

    /// <summary>
    /// Every form a stored row may carry for this number: the hash under each key, and the bare legacy SHA-256. For
    /// finding rows not yet re-keyed; only the current form is ever written.
    /// </summary>
    public IReadOnlyList<string> LookupValues(string e164) => [.. Chain(e164), Convert.ToHexStringLower(Base(e164))];

    /// <summary>
    /// The stored value in the current key's form; null when it is not a phone hash or names a key this ring does not
    /// hold (then nobody here can tell which number it stands for).
    /// </summary>
    public string? Canonical(string? stored)
    {
        if (!TryParse(stored, out var keyId, out var hash))
        {
            return null;
        }

        int start;
        if (keyId is null)
        {
            start = 0;
        }
        else if (positions.TryGetValue(keyId, out var position))
        {
            if (position == keys.Count - 1)
            {
                return stored;
            }

            start = position + 1;
        }
        else
        {
            return null;
        }

        for (var i = start; i < keys.Count; i++)
        {
            hash = HMACSHA256.HashData(keys[i].Secret, hash);
        }

        return Format(CurrentKeyId, hash);
    }

    /// <summary>Whether the value is a hash under the current key (nothing to re-key).</summary>
    public bool IsCurrent(string? stored) => TryParse(stored, out var keyId, out _) && keyId == CurrentKeyId;

    /// <summary>Whether the value has a known key id (or is a legacy bare hash); an unknown key id means a newer ring elsewhere.</summary>
    public bool IsKnown(string? stored) => TryParse(stored, out var keyId, out _) && (keyId is null || positions.ContainsKey(keyId));

    /// <summary>A key id (1-16 of A-Z a-z 0-9 _ -) and 64 lower-case hex characters, or 64 hex characters alone (legacy).</summary>
    public static bool IsWellFormed(string? stored) => TryParse(stored, out _, out _);

    private static bool TryParse(string? stored, out string? keyId, out byte[] hash)
    {
        keyId = null;
        hash = [];
        if (stored is null)
        {
            return false;
        }

        var colon = stored.IndexOf(':', StringComparison.Ordinal);
        var hex = colon < 0 ? stored : stored[(colon + 1)..];
        if (colon >= 0)
        {
            keyId = stored[..colon];
            if (!IsKeyId(keyId))
            {
                return false;
            }
        }

        if (hex.Length != 64 || !hex.All(char.IsAsciiHexDigitLower))
        {
            return false;
        }

        hash = Convert.FromHexString(hex);
        return true;
    }

    public static bool IsKeyId(string? id) =>
        id is { Length: >= 1 and <= 16 } && id.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '-');

    private List<string> Chain(string e164)
    {
        var hash = Base(e164);
        var values = new List<string>(keys.Count);
        foreach (var key in keys)
        {
            hash = HMACSHA256.HashData(key.Secret, hash);
            values.Add(Format(key.Id, hash));
        }

        return values;
    }

    private static byte[] Base(string e164) => SHA256.HashData(Encoding.UTF8.GetBytes(e164));

    private static string Format(string keyId, byte[] hash) => keyId + ":" + Convert.ToHexStringLower(hash);
}
