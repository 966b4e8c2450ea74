using System.Buffers;
using System.Buffers.Binary;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace MediaRetention.Core.Audit;

/// <summary>
/// The chain's hash: lower-hex SHA-256 over a canonical, versioned byte form of an entry. Public so an export of
/// the log can be checked by anyone with this algorithm, without storage access.
/// </summary>
/// <remarks>
/// The byte form is hand-written rather than JSON because it must never change with a serializer's escaping
/// rules: strings are UTF-8 with a 4-byte big-endian length prefix (so no separator can be smuggled into a
/// field), the sequence is 8 bytes big-endian, the time is ISO-8601 round-trip ('O') in UTC, details are sorted
/// by key ordinally and each value is flagged as null or present.
/// </remarks>
public static class AuditHash
{
    /// <summary>The previous hash of entry 1.</summary>
    public static readonly string Genesis = new('0', 64);

    private static readonly byte[] FormatTag = Encoding.UTF8.GetBytes("MediaRetention.Audit/v1");

    // Strict: a lone surrogate would otherwise become U+FFFD, so two different strings would hash alike.
    private static readonly UTF8Encoding Utf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>Table Storage and Azurite agree on milliseconds; finer ticks could be lost and break the hash.</summary>
    public static DateTimeOffset NormalizeTime(DateTimeOffset time)
    {
        var utc = time.UtcTicks;
        return new DateTimeOffset(utc - (utc % TimeSpan.TicksPerMillisecond), TimeSpan.Zero);
    }

    public static string Compute(
        long sequence,
        DateTimeOffset time,
        string actor,
        string action,
        string target,
        IReadOnlyDictionary<string, string?> details,
        string previousHash)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        buffer.Write(FormatTag);
        WriteInt64(buffer, sequence);
        WriteString(buffer, time.UtcDateTime.ToString("O", CultureInfo.InvariantCulture));
        WriteString(buffer, actor);
        WriteString(buffer, action);
        WriteString(buffer, target);
        WriteInt32(buffer, details.Count);
        foreach (var (key, value) in details.OrderBy(d => d.Key, StringComparer.Ordinal))
        {
            WriteString(buffer, key);
            if (value is null)
            {
                buffer.Write([(byte)0]);
            }
            else
            {
                buffer.Write([(byte)1]);
                WriteString(buffer, value);
            }
        }

        WriteString(buffer, previousHash);
        return Convert.ToHexStringLower(SHA256.HashData(buffer.WrittenSpan));
    }

    /// <summary>The hash <paramref name="entry"/> should have, from its content (its own Hash is ignored).</summary>
    public static string Compute(AuditEntry entry) => Compute(
        entry.Sequence, entry.Time, entry.Actor, entry.Action, entry.Target, entry.Details, entry.PreviousHash);

    public static bool Matches(AuditEntry entry) => string.Equals(Compute(entry), entry.Hash, StringComparison.Ordinal);

    private static void WriteString(ArrayBufferWriter<byte> buffer, string value)
    {
        var length = Utf8.GetByteCount(value);
        WriteInt32(buffer, length);
        Utf8.GetBytes(value, buffer.GetSpan(length));
        buffer.Advance(length);
    }

    private static void WriteInt32(ArrayBufferWriter<byte> buffer, int value)
    {
        BinaryPrimitives.WriteInt32BigEndian(buffer.GetSpan(4), value);
        buffer.Advance(4);
    }

    private static void WriteInt64(ArrayBufferWriter<byte> buffer, long value)
    {
        BinaryPrimitives.WriteInt64BigEndian(buffer.GetSpan(8), value);
        buffer.Advance(8);
    }
}
