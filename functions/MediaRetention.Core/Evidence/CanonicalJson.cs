using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace MediaRetention.Core.Evidence;

/// <summary>
/// One exact text for a JSON document, so its hash can be recomputed by anyone: by us when sealing a
/// manifest, and by a liaison's script (scripts/fetch-evidence.mjs) with nothing but JavaScript's
/// <c>JSON.stringify</c> and a key sort. Both sides must produce the same bytes for every manifest.
/// </summary>
/// <remarks>
/// Rules: object keys sorted by ordinal UTF-16 code units (JavaScript's default <c>sort()</c>); no
/// whitespace; strings escaped as <c>JSON.stringify</c> does (<c>"</c>, <c>\</c>, control characters as
/// <c>\b \f \n \r \t</c> or lower-case <c>\u00xx</c>, lone surrogates as <c>\udxxx</c>, everything else
/// literal); integers in plain decimal; <c>true</c>, <c>false</c>, <c>null</c>.
/// </remarks>
public static class CanonicalJson
{
    public const string DocumentHashProperty = "documentSha256";

    // Beyond 2^53 JavaScript numbers lose digits, so the script would hash a different number than we did.
    private const decimal MaxSafeInteger = 9_007_199_254_740_991m;

    public static string Serialize(JsonNode? node)
    {
        var text = new StringBuilder();
        Write(text, node);
        return text.ToString();
    }

    /// <summary>Lower-case hex SHA-256 of the UTF-8 of <see cref="Serialize"/>.</summary>
    public static string Sha256Hex(JsonNode node) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(Serialize(node))));

    /// <summary>
    /// Sets <c>documentSha256</c> on the document (replacing an earlier one) to the hash of the document
    /// without that property, and returns the same instance.
    /// </summary>
    public static JsonObject Seal(JsonObject document)
    {
        document.Remove(DocumentHashProperty);
        var hash = Sha256Hex(document);
        document[DocumentHashProperty] = hash;
        return document;
    }

    /// <summary>True when <c>documentSha256</c> is present and matches the rest of the document.</summary>
    public static bool IsIntact(JsonObject document)
    {
        if (!document.TryGetPropertyValue(DocumentHashProperty, out var claimed)
            || claimed is not JsonValue value
            || !value.TryGetValue<string>(out var claimedHash))
        {
            return false;
        }

        var unsealed = document.DeepClone().AsObject();
        unsealed.Remove(DocumentHashProperty);
        return string.Equals(claimedHash, Sha256Hex(unsealed), StringComparison.Ordinal);
    }

    private static void Write(StringBuilder text, JsonNode? node)
    {
        switch (node)
        {
            case null:
                text.Append("null");
                break;
            case JsonObject obj:
                text.Append('{');
                var first = true;
                foreach (var (key, child) in obj.OrderBy(p => p.Key, StringComparer.Ordinal))
                {
                    if (!first)
                    {
                        text.Append(',');
                    }

                    first = false;
                    WriteString(text, key);
                    text.Append(':');
                    Write(text, child);
                }

                text.Append('}');
                break;
            case JsonArray array:
                text.Append('[');
                for (var i = 0; i < array.Count; i++)
                {
                    if (i > 0)
                    {
                        text.Append(',');
                    }

                    Write(text, array[i]);
                }

                text.Append(']');
                break;
            case JsonValue value:
                WriteValue(text, value);
                break;
            default:
                throw new NotSupportedException($"Unexpected JSON node {node.GetType()}.");
        }
    }

    private static void WriteValue(StringBuilder text, JsonValue value)
    {
        switch (value.GetValueKind())
        {
            case JsonValueKind.String:
                // A value built from a DateTimeOffset, Guid etc. is not a string until written; the text a
                // reader of the written document sees is what must be hashed.
                WriteString(text, value.TryGetValue<string>(out var s)
                    ? s
                    : JsonSerializer.Deserialize<string>(value.ToJsonString())!);
                break;
            case JsonValueKind.True:
                text.Append("true");
                break;
            case JsonValueKind.False:
                text.Append("false");
                break;
            case JsonValueKind.Null:
                text.Append("null");
                break;
            case JsonValueKind.Number:
                WriteInteger(text, value);
                break;
            default:
                throw new NotSupportedException($"Unexpected JSON value kind {value.GetValueKind()}.");
        }
    }

    // Only integers: .NET and JavaScript print fractions and exponents differently (1E+21 vs 1e+21, digit
    // counts), and a formatting difference would look like tampering. Times and amounts go in as strings.
    private static void WriteInteger(StringBuilder text, JsonValue value)
    {
        var literal = value.ToJsonString();
        if (!decimal.TryParse(literal, NumberStyles.Float, CultureInfo.InvariantCulture, out var number)
            || number != decimal.Truncate(number)
            || Math.Abs(number) > MaxSafeInteger)
        {
            throw new NotSupportedException(
                $"Canonical JSON takes only integers within ±(2^53-1); got {literal}. Put other numbers in strings.");
        }

        // decimal keeps trailing zeros ("1.0" stays 1.0): print the integer, the way JavaScript would.
        text.Append(((long)number).ToString(CultureInfo.InvariantCulture));
    }

    private static void WriteString(StringBuilder text, string value)
    {
        text.Append('"');
        for (var i = 0; i < value.Length; i++)
        {
            var c = value[i];
            switch (c)
            {
                case '"':
                    text.Append("\\\"");
                    break;
                case '\\':
                    text.Append("\\\\");
                    break;
                case '\b':
                    text.Append("\\b");
                    break;
                case '\f':
                    text.Append("\\f");
                    break;
                case '\n':
                    text.Append("\\n");
                    break;
                case '\r':
                    text.Append("\\r");
                    break;
                case '\t':
                    text.Append("\\t");
                    break;
                case < ' ':
                    AppendUnicodeEscape(text, c);
                    break;
                default:
                    if (char.IsHighSurrogate(c) && i + 1 < value.Length && char.IsLowSurrogate(value[i + 1]))
                    {
                        text.Append(c).Append(value[++i]);
                    }
                    else if (char.IsSurrogate(c))
                    {
                        // A lone surrogate has no UTF-8 form; JSON.stringify escapes it (ES2019), so do we.
                        AppendUnicodeEscape(text, c);
                    }
                    else
                    {
                        text.Append(c);
                    }

                    break;
            }
        }

        text.Append('"');
    }

    private static void AppendUnicodeEscape(StringBuilder text, char c) =>
        text.Append("\\u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture));
}
