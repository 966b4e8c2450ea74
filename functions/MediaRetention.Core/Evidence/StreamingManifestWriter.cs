using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;

namespace MediaRetention.Core.Evidence;

/// <summary>
/// Writes a signed, sealed manifest to a stream item by item, in exactly the canonical form
/// <see cref="CanonicalJson"/> gives the whole document, while hashing what it writes: memory is one item (plus a
/// small output buffer), whatever the number of items.
/// </summary>
/// <remarks>
/// <para>Canonical order sorts the top-level members; every member of the head (<c>generatedAt</c>,
/// <c>generatedBy</c>, <c>hold</c>) sorts before <c>items</c>, and <c>signature</c> after it. So the signed bytes
/// (the document without <c>signature</c> and <c>documentSha256</c>) are everything written up to the end of the
/// <c>items</c> array, then <c>}</c>; and the sealed bytes (without <c>documentSha256</c>) are the same prefix, then
/// <c>,"signature":{…}}</c>. Two incremental SHA-256 hashes over the one stream of bytes give both.</para>
/// <para>The seal is known only at the end, so <c>documentSha256</c> is the last member written, not where key order
/// would put it (first). JSON members have no order: every verifier parses the document and hashes its canonical
/// form, which is the same either way. The bytes sent are the sealed bytes with <c>,"documentSha256":"…"</c> put
/// in before the final <c>}</c>.</para>
/// </remarks>
public sealed class StreamingManifestWriter : IDisposable
{
    /// <summary>Written to the output when this much is buffered (and at every <see cref="FlushAsync"/>).</summary>
    public const int FlushThreshold = 64 * 1024;

    private const string ItemsProperty = "items";

    private readonly Stream output;
    private readonly IncrementalHash signedHash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
    private readonly IncrementalHash sealedHash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
    private readonly MemoryStream buffer = new();
    private State state = State.New;
    private string? signatureText;
    private string? seal;

    public StreamingManifestWriter(Stream output)
    {
        ArgumentNullException.ThrowIfNull(output);
        this.output = output;
    }

    private enum State
    {
        New,
        Items,
        ItemsClosed,
        Sealed,
        Done,
    }

    /// <summary>How many items were written.</summary>
    public int ItemCount { get; private set; }

    /// <summary>Bytes handed to the output so far.</summary>
    public long BytesWritten { get; private set; }

    /// <summary>Starts the document with every member but <c>items</c>, <c>signature</c> and <c>documentSha256</c>.</summary>
    /// <exception cref="ArgumentException">A member of the head does not sort before <c>items</c>.</exception>
    public void Begin(JsonObject head)
    {
        ArgumentNullException.ThrowIfNull(head);
        Expect(State.New);
        foreach (var (key, _) in head)
        {
            if (string.CompareOrdinal(key, ItemsProperty) >= 0)
            {
                throw new ArgumentException(
                    $"Member '{key}' does not sort before '{ItemsProperty}', so it cannot be written ahead of the items in canonical order.", nameof(head));
            }
        }

        var text = CanonicalJson.Serialize(head);
        Append(text[..^1]); // without the closing '}'
        Append(head.Count == 0 ? "\"items\":[" : ",\"items\":[");
        state = State.Items;
    }

    /// <summary>Adds one item to <c>items</c> (buffered; see <see cref="FlushAsync"/>).</summary>
    public async ValueTask WriteItemAsync(JsonObject item, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(item);
        Expect(State.Items);
        if (ItemCount > 0)
        {
            Append(",");
        }

        Append(CanonicalJson.Serialize(item));
        ItemCount++;
        if (buffer.Length >= FlushThreshold)
        {
            await WriteBufferAsync(flush: false, cancellationToken);
        }
    }

    /// <summary>Sends what is buffered and flushes the output, so the reader sees every item written so far.</summary>
    public ValueTask FlushAsync(CancellationToken cancellationToken) => WriteBufferAsync(flush: true, cancellationToken);

    /// <summary>Ends <c>items</c> and returns the SHA-256 of the signed bytes, for the signature.</summary>
    public byte[] CloseItems()
    {
        Expect(State.Items);
        Append("]");
        signedHash.AppendData("}"u8);
        state = State.ItemsClosed;
        return signedHash.GetHashAndReset();
    }

    /// <summary>
    /// Adds the signature (buffered, not yet sent) and returns the seal: the lower-case hex SHA-256 of the canonical
    /// document without <c>documentSha256</c>. Nothing more is sent until <see cref="CompleteAsync"/>, so the
    /// caller can record the seal before the document is whole at the reader's end.
    /// </summary>
    public string Seal(JsonObject signature)
    {
        ArgumentNullException.ThrowIfNull(signature);
        Expect(State.ItemsClosed);
        signatureText = CanonicalJson.Serialize(signature);
        sealedHash.AppendData(Encoding.UTF8.GetBytes(",\"signature\":" + signatureText + "}"));
        seal = Convert.ToHexStringLower(sealedHash.GetHashAndReset());
        state = State.Sealed;
        return seal;
    }

    /// <summary>Writes the signature and the seal, ends the document and flushes.</summary>
    public async ValueTask CompleteAsync(CancellationToken cancellationToken)
    {
        Expect(State.Sealed);
        AppendToOutputOnly(",\"signature\":" + signatureText + ",\"" + CanonicalJson.DocumentHashProperty + "\":\"" + seal + "\"}");
        state = State.Done;
        await WriteBufferAsync(flush: true, cancellationToken);
    }

    public void Dispose()
    {
        signedHash.Dispose();
        sealedHash.Dispose();
        buffer.Dispose();
    }

    /// <summary>Bytes that are part of both the signed and the sealed document, and of the output.</summary>
    private void Append(string text)
    {
        var bytes = Encoding.UTF8.GetBytes(text);
        signedHash.AppendData(bytes);
        sealedHash.AppendData(bytes);
        buffer.Write(bytes);
    }

    private void AppendToOutputOnly(string text) => buffer.Write(Encoding.UTF8.GetBytes(text));

    private async ValueTask WriteBufferAsync(bool flush, CancellationToken cancellationToken)
    {
        if (buffer.Length > 0)
        {
            await output.WriteAsync(buffer.GetBuffer().AsMemory(0, (int)buffer.Length), cancellationToken);
            BytesWritten += buffer.Length;
            buffer.SetLength(0);
        }

        if (flush)
        {
            await output.FlushAsync(cancellationToken);
        }
    }

    private void Expect(State expected)
    {
        if (state != expected)
        {
            throw new InvalidOperationException($"The manifest writer is at {state}, not {expected}.");
        }
    }
}
