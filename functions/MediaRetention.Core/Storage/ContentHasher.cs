using System.Buffers;
using System.Security.Cryptography;

namespace MediaRetention.Core.Storage;

/// <summary>Streams content through SHA-256 with one pooled buffer, so memory is flat whatever the size.</summary>
public static class ContentHasher
{
    private const int BufferSize = 1024 * 1024;

    public static readonly string EmptySha256 = Convert.ToHexStringLower(SHA256.HashData([]));

    public static async Task<(string Sha256, long Length)> ComputeSha256Async(Stream content, CancellationToken cancellationToken)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var buffer = ArrayPool<byte>.Shared.Rent(BufferSize);
        long length = 0;
        try
        {
            int read;
            while ((read = await content.ReadAsync(buffer.AsMemory(0, BufferSize), cancellationToken)) > 0)
            {
                hash.AppendData(buffer, 0, read);
                length += read;
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }

        return (Convert.ToHexStringLower(hash.GetHashAndReset()), length);
    }
}
