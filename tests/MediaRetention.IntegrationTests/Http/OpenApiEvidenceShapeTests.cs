using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using MediaRetention.Api.Holds;
using MediaRetention.Api.Media;
using MediaRetention.IntegrationTests.Infrastructure;

namespace MediaRetention.IntegrationTests.Http;

/// <summary>
/// The evidence page and manifest are built as JSON (for the seal), not from the types the OpenAPI document shows;
/// their real fields must be exactly the documented ones.
/// </summary>
[Collection(AzuriteCollection.Name)]
public sealed class OpenApiEvidenceShapeTests(AzuriteFixture azurite)
{
    [Fact]
    public async Task Evidence_page_and_manifest_have_exactly_the_documented_fields()
    {
        var storage = AzuriteFixture.UniqueStorageOptions();
        await using var runner = await RunnerHost.StartAsync(azurite.ConnectionString, storage);
        using var security = runner.ClientFor(TestKeys.Security);
        var cctv = azurite.BlobService.GetBlobContainerClient(storage.CctvContainer);
        await cctv.CreateIfNotExistsAsync();
        await cctv.GetBlobClient("oslo-1/cam-1/20261120T100000Z.mp4").UploadAsync(new BinaryData("clip"u8.ToArray()));
        await runner.WaitForAsync<MediaListResponse>("/api/media", r => r.Items.Count == 1, TimeSpan.FromSeconds(10));
        var placed = await security.PostAsJsonAsync("/api/holds", new
        {
            caseNumber = "OPD-9",
            reason = "Robbery",
            requestedBy = new { agency = TestKeys.PoliceAgency, officer = "Insp. Hansen" },
            reviewDate = DateTimeOffset.UtcNow.AddDays(30),
            scope = new { type = "cctv", site = "oslo-1", cameras = new[] { "cam-1" }, from = "2026-11-20T09:00:00Z", to = "2026-11-20T11:00:00Z" },
        });
        Assert.Equal(HttpStatusCode.Created, placed.StatusCode);
        var holdId = (await placed.Content.ReadFromJsonAsync<PlacedHoldResponse>())!.Hold.Id;

        var document = JsonNode.Parse(await security.GetStringAsync("/openapi/v1.json"))!;
        var page = JsonNode.Parse(await security.GetStringAsync($"/api/holds/{holdId}/evidence"))!;
        var manifest = JsonNode.Parse(await security.GetStringAsync($"/api/holds/{holdId}/evidence/manifest"))!;

        var failures = new List<string>();
        Compare(document, "EvidencePageDocument", page, "page", failures);
        Compare(document, "EvidenceManifestDocument", manifest, "manifest", failures);
        Assert.True(failures.Count == 0, string.Join(Environment.NewLine, failures));
    }

    /// <summary>Field names of a JSON object against a schema's properties, into nested objects and the first array item.</summary>
    private static void Compare(JsonNode document, string schemaName, JsonNode? value, string path, List<string> failures)
    {
        if (value is not JsonObject json)
        {
            return;
        }

        var properties = document["components"]!["schemas"]![schemaName]!["properties"]!.AsObject();
        var documented = properties.Select(p => p.Key).Order(StringComparer.Ordinal).ToList();
        var actual = json.Select(p => p.Key).Order(StringComparer.Ordinal).ToList();
        if (!documented.SequenceEqual(actual))
        {
            failures.Add($"{path}: documented [{string.Join(", ", documented)}] but sent [{string.Join(", ", actual)}]");
        }

        foreach (var (name, schema) in properties)
        {
            var reference = (string?)schema?["$ref"] ?? (string?)schema?["items"]?["$ref"]
                ?? schema?["oneOf"]?.AsArray().Select(s => (string?)s?["$ref"]).FirstOrDefault(r => r is not null);
            if (reference is null)
            {
                continue;
            }

            var nested = json[name] is JsonArray array ? array.FirstOrDefault() : json[name];
            Compare(document, reference.Split('/')[^1], nested, $"{path}.{name}", failures);
        }
    }
}
