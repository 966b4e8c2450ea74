using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using MediaRetention.Core.Evidence;
using MediaRetention.Core.Evidence.Signing;
using MediaRetention.Core.Holds;

namespace MediaRetention.UnitTests.Evidence;

/// <summary>
/// The streamed manifest against the whole-document form it replaces (<see cref="EvidenceDocument.Body"/>, signed with
/// <see cref="ManifestSignature.Sign"/>, sealed with <see cref="CanonicalJson.Seal"/>): the same canonical bytes, the
/// same seal and a signature the existing verifier accepts, for the same data.
/// </summary>
public sealed class StreamingManifestWriterTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 24, 12, 0, 0, 750, TimeSpan.Zero);
    private readonly SigningKey key = TestKey();

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(3)]
    [InlineData(400)] // several buffer flushes
    public async Task Streamed_bytes_are_the_canonical_form_of_the_whole_document_and_its_seal_matches(int count)
    {
        var items = Items(count);
        var (bytes, seal, signature) = await StreamAsync(items);

        // The whole-document form of the same data, given the streamed signature (ECDSA signatures are randomised, so a
        // second signing would differ): canonical text and seal must be exactly those of the stream.
        var whole = EvidenceDocument.Body(TrickyHold(), Now, "liaison-øslo", items);
        whole[ManifestSignature.Property] = signature.DeepClone();
        var sealedCanonical = CanonicalJson.Serialize(whole);
        CanonicalJson.Seal(whole);
        Assert.Equal(whole[CanonicalJson.DocumentHashProperty]!.GetValue<string>(), seal);

        var text = Encoding.UTF8.GetString(bytes);
        var trailer = ",\"documentSha256\":\"" + seal + "\"}";
        Assert.EndsWith(trailer, text, StringComparison.Ordinal);
        Assert.Equal(sealedCanonical, text[..^trailer.Length] + "}");

        // The signed bytes are the whole form's too, and the existing checks accept the parsed stream.
        var parsed = JsonNode.Parse(bytes)!.AsObject();
        Assert.Equal(ManifestSignature.SignedBytes(whole), ManifestSignature.SignedBytes(parsed));
        Assert.True(CanonicalJson.IsIntact(parsed));
        var check = ManifestSignature.Verify(parsed, [key.PublicKey]);
        Assert.True(check.Valid, check.Problem);
        Assert.Equal(count, parsed["items"]!.AsArray().Count);
    }

    [Fact]
    public async Task Editing_an_item_breaks_the_seal_and_recomputing_the_seal_still_fails_the_signature()
    {
        var (bytes, _, _) = await StreamAsync(Items(3));
        var document = JsonNode.Parse(bytes)!.AsObject();
        document["items"]![1]!["sha256"] = new string('0', 64);

        Assert.False(CanonicalJson.IsIntact(document));
        CanonicalJson.Seal(document);
        Assert.True(CanonicalJson.IsIntact(document));
        var check = ManifestSignature.Verify(document, [key.PublicKey]);
        Assert.False(check.Valid);
        Assert.Contains("does not match", check.Problem, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Dropping_the_last_item_is_detected()
    {
        var (bytes, _, _) = await StreamAsync(Items(3));
        var document = JsonNode.Parse(bytes)!.AsObject();
        document["items"]!.AsArray().RemoveAt(2);

        Assert.False(CanonicalJson.IsIntact(document));
        Assert.False(ManifestSignature.Verify(document, [key.PublicKey]).Valid);
    }

    [Fact]
    public void A_head_member_that_sorts_after_items_is_refused()
    {
        using var writer = new StreamingManifestWriter(new MemoryStream());

        var e = Assert.Throws<ArgumentException>(() => writer.Begin(new JsonObject { ["hold"] = "h", ["summary"] = "s" }));
        Assert.Contains("'summary'", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Nothing_of_the_signature_or_seal_is_sent_before_complete()
    {
        var output = new MemoryStream();
        using var writer = new StreamingManifestWriter(output);
        writer.Begin(EvidenceDocument.Head(TrickyHold(), Now, "x"));
        await writer.WriteItemAsync(EvidenceDocument.Item(Items(1)[0]), default);
        var digest = writer.CloseItems();
        writer.Seal(ManifestSignature.SignDigest(digest, key));
        await writer.FlushAsync(default);
        var beforeComplete = Encoding.UTF8.GetString(output.ToArray());

        await writer.CompleteAsync(default);

        Assert.DoesNotContain("signature", beforeComplete, StringComparison.Ordinal);
        Assert.DoesNotContain("documentSha256", beforeComplete, StringComparison.Ordinal);
        Assert.True(CanonicalJson.IsIntact(JsonNode.Parse(output.ToArray())!.AsObject()));
    }

    [Fact]
    public void Writing_out_of_order_is_refused()
    {
        using var writer = new StreamingManifestWriter(new MemoryStream());

        Assert.Throws<InvalidOperationException>(() => writer.CloseItems());
        writer.Begin(new JsonObject { ["a"] = 1 });
        Assert.Throws<InvalidOperationException>(() => writer.Seal(new JsonObject()));
    }

    private async Task<(byte[] Bytes, string Seal, JsonObject Signature)> StreamAsync(IReadOnlyList<EvidenceItem> items)
    {
        var output = new MemoryStream();
        using var writer = new StreamingManifestWriter(output);
        writer.Begin(EvidenceDocument.Head(TrickyHold(), Now, "liaison-øslo"));
        foreach (var item in items)
        {
            await writer.WriteItemAsync(EvidenceDocument.Item(item), default);
        }

        var signature = ManifestSignature.SignDigest(writer.CloseItems(), key);
        var seal = writer.Seal(signature);
        await writer.CompleteAsync(default);
        Assert.Equal(output.Length, writer.BytesWritten);
        return (output.ToArray(), seal, signature);
    }

    private static SigningKey TestKey()
    {
        var ecdsa = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        return new SigningKey(ecdsa, SigningPublicKey.From(ecdsa));
    }

    /// <summary>A hold whose text needs every escaping rule: quotes, backslash, controls, non-ASCII, an emoji (a lone surrogate is CanonicalJsonTests': .NET cannot parse one back).</summary>
    private static Hold TrickyHold() => new()
    {
        Id = "hold-\"1\"",
        CaseNumber = "OPD/2026\\9",
        Reason = "Line1\nLine2\t\u0001 \u00e6\u00f8\u00e5 \ud83d\udcf9 end",
        RequestedBy = new RequestedBy("oslo-pd", "Sgt. Berg <b>"),
        Agency = "oslo-pd",
        PlacedBy = "security",
        PlacedAt = Now.AddDays(-1),
        Status = HoldStatus.Active,
        Scope = new HoldScope { Type = HoldScope.CctvType, Site = "oslo-1", Cameras = ["cam-1", "cam-\u00e6"], From = Now.AddDays(-3), To = Now.AddDays(-2) },
    };

    private static List<EvidenceItem> Items(int count) => Enumerable.Range(0, count).Select(i => new EvidenceItem(
        MediaId: "m" + i.ToString("D6", System.Globalization.CultureInfo.InvariantCulture),
        Container: "cctv",
        BlobName: $"oslo-1/cam-\u00e6/20261120T{i % 24:D2}0000Z.mp4",
        Kind: "cctv",
        Site: "oslo-1",
        Camera: "cam-\u00e6",
        System: null,
        CallId: null,
        RecordedAt: i % 5 == 0 ? null : Now.AddMinutes(-i),
        Size: 1_000_000L * i,
        Sha256: Convert.ToHexStringLower(SHA256.HashData(BitConverter.GetBytes(i))),
        DownloadUrl: new Uri($"https://acct.blob.core.windows.net/cctv/oslo-1/cam-%C3%A6/{i}.mp4?sv=2025&sig=a%2Bb%3D"),
        UrlExpiresAt: Now.AddHours(1))).ToList();
}
