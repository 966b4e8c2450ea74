using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using MediaRetention.Core.Evidence;

namespace MediaRetention.UnitTests.Evidence;

public sealed class CanonicalJsonTests
{
    [Fact]
    public void Keys_are_sorted_by_utf16_code_units_at_every_level_without_whitespace()
    {
        var node = JsonNode.Parse("""
            { "b": [1, { "z": null, "a": true }], "a": { "y": [], "x": {} }, "B": false, "é": 1, "😀": 0, "｡": 2 }
            """);

        // "😀" is a surrogate pair (0xD83D...) and so sorts before "｡" (0xFF61), unlike code-point order.
        Assert.Equal("""{"B":false,"a":{"x":{},"y":[]},"b":[1,{"a":true,"z":null}],"é":1,"😀":0,"｡":2}""",
            CanonicalJson.Serialize(node));
    }

    [Fact]
    public void Strings_are_escaped_like_json_stringify()
    {
        var node = JsonValue.Create("q\" b\\ /\b\f\n\r\t\u0000\u0001\u000b\u001f");

        Assert.Equal("\"q\\\" b\\\\ /\\b\\f\\n\\r\\t\\u0000\\u0001\\u000b\\u001f\"", CanonicalJson.Serialize(node));
    }

    [Fact]
    public void Non_ascii_and_html_sensitive_characters_stay_literal()
    {
        var text = "Ærlig é 😀 <b>&'\u007f\u2028\u2029";

        Assert.Equal("\"" + text + "\"", CanonicalJson.Serialize(JsonValue.Create(text)));
    }

    [Fact]
    public void Lone_surrogates_are_escaped_in_lower_case_as_javascript_does()
    {
        Assert.Equal("\"a\\ud800b\\udfff\"", CanonicalJson.Serialize(JsonValue.Create("a\ud800b\udfff")));
    }

    [Fact]
    public void Keys_are_escaped_like_strings()
    {
        var node = new JsonObject { ["a\nb"] = 1, ["\"q"] = 2 };

        Assert.Equal("{\"\\\"q\":2,\"a\\nb\":1}", CanonicalJson.Serialize(node));
    }

    [Fact]
    public void Integers_are_plain_and_anything_javascript_would_print_differently_is_refused()
    {
        Assert.Equal("[0,-5,1000,1,9007199254740991,0]",
            CanonicalJson.Serialize(JsonNode.Parse("[0,-5,1e3,1.0,9007199254740991,-0]")));
        Assert.Equal("[12,34]", CanonicalJson.Serialize(new JsonArray(12L, 34.0)));
        Assert.Throws<NotSupportedException>(() => CanonicalJson.Serialize(JsonNode.Parse("1.5")));
        Assert.Throws<NotSupportedException>(() => CanonicalJson.Serialize(JsonNode.Parse("9007199254740992")));
    }

    [Fact]
    public void Literals_and_null_nodes()
    {
        Assert.Equal("null", CanonicalJson.Serialize(null));
        Assert.Equal("[true,false,null,null]", CanonicalJson.Serialize(JsonNode.Parse("[true,false,null,null]")));
        Assert.Equal("{\"a\":null}", CanonicalJson.Serialize(new JsonObject { ["a"] = null }));
    }

    [Fact]
    public void Typed_values_are_hashed_as_the_text_a_reader_of_the_document_gets()
    {
        var at = new DateTimeOffset(2026, 11, 24, 12, 0, 0, TimeSpan.Zero);
        var built = new JsonObject { ["at"] = at, ["id"] = Guid.Empty };
        var reread = JsonNode.Parse(built.ToJsonString());

        Assert.Equal(CanonicalJson.Serialize(reread), CanonicalJson.Serialize(built));
        Assert.Equal("{\"at\":\"2026-11-24T12:00:00+00:00\",\"id\":\"00000000-0000-0000-0000-000000000000\"}",
            CanonicalJson.Serialize(built));
    }

    [Fact]
    public void Sha256Hex_is_lower_hex_of_the_utf8_canonical_text()
    {
        var node = JsonNode.Parse("""{ "b": 1, "a": [true, null] }""")!;

        // Independently computed: printf '%s' '{"a":[true,null],"b":1}' | sha256sum
        Assert.Equal("51705a2c9eb3e7e410a58f696a770c3ac3885a0cf43eb7fc88f5e47c11d4d30d", CanonicalJson.Sha256Hex(node));
        var unicode = new JsonObject { ["s"] = "é😀" };
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes("{\"s\":\"é😀\"}"))),
            CanonicalJson.Sha256Hex(unicode));
    }

    [Fact]
    public void Sealed_manifest_is_intact_after_a_round_trip_through_any_formatting()
    {
        var sealedDocument = CanonicalJson.Seal(Manifest());

        var hash = sealedDocument["documentSha256"]!.GetValue<string>();
        var withoutHash = Manifest();
        Assert.Equal(CanonicalJson.Sha256Hex(withoutHash), hash);
        Assert.True(CanonicalJson.IsIntact(sealedDocument));
        var indented = sealedDocument.ToJsonString(new JsonSerializerOptions { WriteIndented = true });
        Assert.True(CanonicalJson.IsIntact(JsonNode.Parse(indented)!.AsObject()));
    }

    [Fact]
    public void Edited_item_breaks_the_seal()
    {
        var document = CanonicalJson.Seal(Manifest());

        document["items"]![1]!["sha256"] = new string('0', 64);

        Assert.False(CanonicalJson.IsIntact(document));
    }

    [Fact]
    public void Added_property_or_missing_hash_breaks_the_seal_and_resealing_replaces_the_hash()
    {
        var document = CanonicalJson.Seal(Manifest());
        document["items"]![0]!.AsObject()["note"] = "added later";
        Assert.False(CanonicalJson.IsIntact(document));

        CanonicalJson.Seal(document);
        Assert.True(CanonicalJson.IsIntact(document));

        document.Remove("documentSha256");
        Assert.False(CanonicalJson.IsIntact(document));
        document["documentSha256"] = 42;
        Assert.False(CanonicalJson.IsIntact(document));
    }

    private static JsonObject Manifest() => new()
    {
        ["hold"] = new JsonObject { ["id"] = "hold-1", ["reason"] = "Case 2026/114 \"Storgata\"\nline two", ["requestedBy"] = "Ødegård" },
        ["generatedAt"] = "2026-11-24T12:00:00+00:00",
        ["generatedBy"] = "liaison@example.no",
        ["items"] = new JsonArray(
            Item("oslo-1/cam-2/20261120T081500Z.mp4", 1024, "aa"),
            Item("oslo-1/cam-3/20261120T081500Z.mp4", 2048, "bb")),
    };

    private static JsonObject Item(string blobName, long size, string hashByte) => new()
    {
        ["mediaId"] = "m-" + hashByte,
        ["container"] = "cctv",
        ["blobName"] = blobName,
        ["kind"] = "cctv",
        ["site"] = "oslo-1",
        ["camera"] = null,
        ["recordedAt"] = "2026-11-20T08:15:00+00:00",
        ["size"] = size,
        ["sha256"] = string.Concat(Enumerable.Repeat(hashByte, 32)),
        ["downloadUrl"] = "https://acct.blob.core.windows.net/cctv/" + blobName + "?sv=x&sig=y",
        ["urlExpiresAt"] = "2026-11-24T13:00:00+00:00",
    };
}
