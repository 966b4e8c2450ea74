using System.Security.Cryptography;
using System.Text;

namespace MediaRetention.Core.Media;

/// <summary>
/// A medium's id is derived from where it lives, so every host and every retry computes the same id
/// for the same blob (idempotent ingest), it is URL- and table-key-safe whatever the blob name is, and
/// it carries no personal data from the name.
/// </summary>
public static class MediaId
{
    public const int Length = 32;

    public static string For(string container, string blobName)
    {
        Span<byte> hash = stackalloc byte[32];
        SHA256.HashData(Encoding.UTF8.GetBytes(container + "/" + blobName), hash);
        return Convert.ToHexStringLower(hash[..(Length / 2)]);
    }

    public static bool IsWellFormed(string? id) =>
        id is { Length: Length } && id.All(c => c is >= '0' and <= '9' or >= 'a' and <= 'f');
}
