using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using MediaRetention.Api.Holds;
using MediaRetention.Api.Media;
using MediaRetention.Core.Ingest;
using MediaRetention.Core.Media;
using MediaRetention.Core.Retention;
using MediaRetention.IntegrationTests.Infrastructure;
using Xunit.Abstractions;

namespace MediaRetention.IntegrationTests.Holds;

/// <summary>
/// Generated hold requests against the real runner: random JSON shapes, wrong types, nulls in arrays, huge arrays,
/// deep nesting, odd, zoneless and ancient times, broken JSON, and near-valid bodies with one field spoiled. Never a
/// 5xx; and whatever was accepted, preview, sweep and ingest keep working and nothing stored blocks retention.
/// Seeded: a failure prints its seed and the request, and replays exactly.
/// </summary>
[Collection(AzuriteCollection.Name)]
public sealed class HoldApiFuzzTests(AzuriteFixture azurite, ITestOutputHelper output)
{
    private const int Requests = 300;

    private static readonly string[] Times =
    [
        "2026-11-24T08:15:00Z", "2026-11-24T09:15:00+01:00", "20261124T081500Z", "2026-11-24T08:15:00", "2026-11-24",
        "1500-01-01T00:00:00Z", "15000101T000000Z", "0001-01-01T00:00:00Z", "1601-01-01T00:00:00Z", "9999-12-31T23:59:59Z",
        "9999-12-31T23:59:59-14:00", "2026-02-30T00:00:00Z", "2026-11-24T08:15:00+15:00", "24.11.2026", "", " ", "now",
        "2026-11-24T08:15:00.12345678Z", "2026-11-24t08:15:00z", "2027-11-24T08:15:00Z", "2026-11-25T08:15:00Z",
    ];

    private static readonly string[] Texts =
    [
        "oslo-1", "cam-1", "pbx-1", "c-1", "..", ".", "", " ", "a/b", "a\\b", "x\u0000y", "\u202e", "😀", "O'Brien", "%2E%2E",
        "<script>", "+4791234567", "91 23 45 67", "OPD-2026-4711", "oslo-pd", "bergen-pd", "null", "true",
    ];

    [Theory]
    [InlineData(1)]
    [InlineData(20261127)]
    public async Task Generated_hold_requests_never_get_a_5xx_and_never_stop_retention_or_ingest(int seed)
    {
        output.WriteLine($"seed {seed}");
        var random = new Random(seed);
        var storage = AzuriteFixture.UniqueStorageOptions();
        await using var runner = await RunnerHost.StartAsync(azurite.ConnectionString, storage);
        using var admin = runner.ClientFor(TestKeys.Admin);
        var clients = new[] { runner.Client, runner.ClientFor(TestKeys.Police), admin };
        var cctv = azurite.BlobService.GetBlobContainerClient(storage.CctvContainer);
        await cctv.CreateIfNotExistsAsync();
        var clip = cctv.GetBlobClient($"oslo-1/cam-1/{UploadContract.FormatTimestamp(DateTimeOffset.UtcNow.AddHours(-1))}.mp4");
        await clip.UploadAsync(new BinaryData("clip"u8.ToArray()));
        var clipId = MediaId.For(storage.CctvContainer, clip.Name);

        var created = new List<string>();
        var statuses = new Dictionary<int, int>();
        for (var i = 0; i < Requests; i++)
        {
            var body = NextBody(random, clipId);
            using var response = await clients[random.Next(clients.Length)].PostAsync("/api/holds",
                new StringContent(body, Encoding.UTF8, "application/json"));
            var text = await response.Content.ReadAsStringAsync();
            Assert.True((int)response.StatusCode < 500, $"seed {seed}, request {i}: {(int)response.StatusCode} {text}\nbody: {Shorten(body)}");
            statuses[(int)response.StatusCode] = statuses.GetValueOrDefault((int)response.StatusCode) + 1;
            if (response.StatusCode == HttpStatusCode.Created)
            {
                created.Add(JsonNode.Parse(text)!["hold"]!["id"]!.GetValue<string>());

                // After every hold that was stored, retention can still read what is stored.
                var preview = await admin.GetAsync("/api/retention/preview");
                Assert.True(preview.StatusCode == HttpStatusCode.OK, $"seed {seed}, request {i}: preview {(int)preview.StatusCode}\nbody: {Shorten(body)}");
                Assert.False((await preview.Content.ReadFromJsonAsync<RetentionPreview>(JsonSerializerOptions.Web))!.DeletionBlocked,
                    $"seed {seed}, request {i}: a stored hold cannot be read back\nbody: {Shorten(body)}");
            }

            if (i % 100 == 99)
            {
                await AssertRetentionAndIngestWorkAsync(runner, admin, cctv, seed, i);
            }
        }

        output.WriteLine(string.Join(", ", statuses.OrderBy(s => s.Key).Select(s => $"{s.Key}: {s.Value}")));
        Assert.True(statuses.GetValueOrDefault(201) > 10, "the generator should also produce bodies that are valid");
        Assert.True(statuses.GetValueOrDefault(400) > 100, "and many that are not");

        var all = await runner.Client.GetFromJsonAsync<HoldListResponse>("/api/holds?status=all&pageSize=1000");
        Assert.Equal(created.Order(), all!.Items.Select(h => h.Id).Order());
        Assert.Null(all.Unreadable);
        foreach (var id in created.Take(20))
        {
            Assert.Equal(HttpStatusCode.OK, (await runner.Client.GetAsync($"/api/holds/{id}")).StatusCode);
        }

        await AssertRetentionAndIngestWorkAsync(runner, admin, cctv, seed, Requests);
    }

    private static async Task AssertRetentionAndIngestWorkAsync(RunnerHost runner, HttpClient admin, Azure.Storage.Blobs.BlobContainerClient cctv, int seed, int after)
    {
        var preview = await admin.GetAsync("/api/retention/preview");
        Assert.True(preview.StatusCode == HttpStatusCode.OK, $"seed {seed}, after {after}: preview {(int)preview.StatusCode}");
        var summary = await admin.SweepAsync();
        Assert.False(summary.DeletionBlocked, $"seed {seed}, after {after}: {string.Join("; ", summary.UnreadableHolds.Select(h => h.Reason))}");

        var fresh = cctv.GetBlobClient($"oslo-2/cam-1/{UploadContract.FormatTimestamp(DateTimeOffset.UtcNow.AddMinutes(-after - 1))}.mp4");
        await fresh.UploadAsync(new BinaryData(Encoding.UTF8.GetBytes("fresh " + after)), overwrite: true);
        var id = MediaId.For(cctv.Name, fresh.Name);
        await runner.WaitForAsync<MediaListResponse>("/api/media?site=oslo-2", r => r.Items.Any(m => m.Id == id), TimeSpan.FromSeconds(15));
    }

    private static string NextBody(Random random, string clipId) => random.Next(10) switch
    {
        < 4 => Spoil(random, ValidBody(random, clipId)).ToJsonString(),
        < 5 => ValidBody(random, clipId).ToJsonString(),
        < 8 => RandomObject(random, clipId, depth: 0).ToJsonString(),
        < 9 => Corrupt(random, ValidBody(random, clipId).ToJsonString()),
        _ => random.Next(6) switch
        {
            0 => "",
            1 => "null",
            2 => "[]",
            3 => "\"text\"",
            4 => new string('[', 5000) + new string(']', 5000),
            _ => "{" + string.Join(",", Enumerable.Range(0, 3000).Select(i => $"\"k{i}\":{i}")) + "}",
        },
    };

    private static JsonObject ValidBody(Random random, string clipId)
    {
        var hour = DateTimeOffset.UtcNow.AddHours(-random.Next(1, 100));
        JsonObject scope = random.Next(5) switch
        {
            0 => new JsonObject { ["type"] = "media", ["mediaIds"] = new JsonArray(Enumerable.Range(0, random.Next(1, 1001))
                .Select(i => (JsonNode?)JsonValue.Create(i == 0 ? clipId : MediaId.For("cctv", "fuzz-" + random.Next()))).ToArray()) },
            1 => new JsonObject { ["type"] = "cctv", ["site"] = "oslo-1", ["cameras"] = new JsonArray("cam-1", "cam-2"),
                ["from"] = hour.AddHours(-2).ToString("O"), ["to"] = UploadContract.FormatTimestamp(hour) },
            2 => new JsonObject { ["type"] = "call", ["callId"] = "c-" + random.Next(100) },
            3 => new JsonObject { ["type"] = "phone", ["phoneNumber"] = "+47 9" + random.Next(1000000, 9999999),
                ["from"] = hour.AddDays(-1).ToString("yyyy-MM-ddTHH:mm:sszzz"), ["to"] = hour.ToString("O") },
            _ => new JsonObject { ["type"] = "system", ["system"] = "pbx-1", ["from"] = hour.AddDays(-3).ToString("O"), ["to"] = hour.ToString("O") },
        };
        var body = new JsonObject
        {
            ["caseNumber"] = "OPD-" + random.Next(1000),
            ["reason"] = "fuzz " + random.Next(),
            ["requestedBy"] = new JsonObject { ["agency"] = TestKeys.PoliceAgency, ["officer"] = "Insp. Hansen" },
            ["scope"] = scope,
        };
        if (random.Next(3) == 0)
        {
            body["reviewDate"] = DateTimeOffset.UtcNow.AddDays(random.Next(1, 400)).ToString("O");
        }

        return body;
    }

    /// <summary>A valid body with one thing spoiled: a field replaced or removed, or a null or a non-string slipped into an array.</summary>
    private static JsonObject Spoil(Random random, JsonObject body)
    {
        var scope = (JsonObject)body["scope"]!;
        var array = (scope["mediaIds"] ?? scope["cameras"]) as JsonArray;
        var choice = random.Next(3);
        if (choice == 0 && array is not null)
        {
            array.Insert(random.Next(array.Count + 1), random.Next(3) switch
            {
                0 => null,
                1 => JsonValue.Create(random.Next()),
                _ => new JsonObject { ["id"] = "x" },
            });
            return body;
        }

        var target = random.Next(4) == 0 ? body : scope;
        var keys = target.Select(p => p.Key).Concat(["from", "to", "reviewDate", "cameras", "mediaIds", "type"]).Distinct().ToList();
        var key = keys[random.Next(keys.Count)];
        if (choice == 1)
        {
            target.Remove(key);
            return body;
        }

        target[key] = random.Next(8) switch
        {
            0 => null,
            1 => JsonValue.Create(Times[random.Next(Times.Length)]),
            2 => JsonValue.Create(Texts[random.Next(Texts.Length)]),
            3 => new JsonArray(Enumerable.Range(0, random.Next(0, 1500)).Select(_ => RandomValue(random, 2)).ToArray()),
            4 => new JsonArray(JsonValue.Create(MediaId.For("cctv", "a")), null, JsonValue.Create(MediaId.For("cctv", "b"))),
            5 => JsonValue.Create(random.NextDouble() * 1e20),
            6 => new string('x', random.Next(60_000)),
            _ => RandomValue(random, 0),
        };
        return body;
    }

    private static JsonObject RandomObject(Random random, string clipId, int depth)
    {
        var names = new[] { "caseNumber", "reason", "requestedBy", "reviewDate", "scope", "type", "mediaIds", "site", "cameras", "callId",
            "phoneNumber", "system", "from", "to", "agency", "officer", "CaseNumber", "SCOPE", "extra" };
        var result = new JsonObject();
        for (var n = random.Next(0, 8); n > 0; n--)
        {
            var name = names[random.Next(names.Length)];
            result[name] = name == "mediaIds" && random.Next(2) == 0
                ? new JsonArray(JsonValue.Create(clipId), null)
                : depth < 4 && random.Next(3) == 0 ? RandomObject(random, clipId, depth + 1) : RandomValue(random, depth);
        }

        return result;
    }

    private static JsonNode? RandomValue(Random random, int depth) => random.Next(depth > 3 ? 6 : 9) switch
    {
        0 => null,
        1 => JsonValue.Create(random.Next(2) == 0),
        2 => JsonValue.Create(random.Next(int.MinValue, int.MaxValue)),
        3 => JsonValue.Create(Times[random.Next(Times.Length)]),
        4 => JsonValue.Create(Texts[random.Next(Texts.Length)]),
        5 => JsonValue.Create(new string((char)random.Next(32, 0xD7FF), random.Next(0, 300))),
        6 => new JsonArray(Enumerable.Range(0, random.Next(0, 50)).Select(_ => RandomValue(random, depth + 1)).ToArray()),
        7 => new JsonObject { ["type"] = RandomValue(random, depth + 1), ["mediaIds"] = RandomValue(random, depth + 1) },
        _ => Nest(random.Next(1, 80)),
    };

    private static JsonNode Nest(int levels)
    {
        JsonNode node = JsonValue.Create(1);
        for (var i = 0; i < levels; i++)
        {
            node = new JsonArray(node);
        }

        return node;
    }

    /// <summary>Valid JSON cut short, or with bytes changed: the reader must refuse it as 400.</summary>
    private static string Corrupt(Random random, string json)
    {
        const string Noise = "{}[],:\"\\x\u0001";
        var chars = json.ToCharArray();
        return random.Next(3) switch
        {
            0 => json[..random.Next(json.Length)],
            1 => new string(chars.Select(c => random.Next(20) == 0 ? Noise[random.Next(Noise.Length)] : c).ToArray()),
            _ => json.Replace("\"", "", StringComparison.Ordinal),
        };
    }

    private static string Shorten(string body) => body.Length <= 600 ? body : body[..600] + $"... ({body.Length} characters)";
}
