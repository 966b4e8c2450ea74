using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using MediaRetention.Api.Holds;
using MediaRetention.Api.Media;
using MediaRetention.IntegrationTests.Infrastructure;

namespace MediaRetention.IntegrationTests.Http;

/// <summary>README: invalid input is a 400 that says what to fix, never silently something else.</summary>
[Collection(AzuriteCollection.Name)]
public sealed class StrictInputTests(AzuriteFixture azurite)
{
    // Valid base64url that this API never issued: what an old, foreign or guessed token looks like.
    private const string Garbage = "bm90IGEgdG9rZW4";

    [Fact]
    public async Task Every_paged_route_follows_its_own_tokens_and_refuses_foreign_and_garbage_ones()
    {
        var storage = AzuriteFixture.UniqueStorageOptions();
        await using var runner = await RunnerHost.StartAsync(azurite.ConnectionString, storage);
        using var admin = runner.ClientFor(TestKeys.Admin);
        var cctv = azurite.BlobService.GetBlobContainerClient(storage.CctvContainer);
        await cctv.CreateIfNotExistsAsync();
        foreach (var minute in new[] { "00", "10", "20" })
        {
            await cctv.GetBlobClient($"oslo-1/cam-1/20261120T10{minute}00Z.mp4").UploadAsync(new BinaryData(Encoding.UTF8.GetBytes(minute)));
        }

        await runner.WaitForAsync<MediaListResponse>("/api/media", r => r.Items.Count == 3, TimeSpan.FromSeconds(10), admin);
        var holdIds = new List<string>();
        for (var i = 0; i < 2; i++)
        {
            var placed = await admin.PostAsJsonAsync("/api/holds", new
            {
                caseNumber = $"OPD-{i}",
                reason = "Break-in",
                requestedBy = new { agency = TestKeys.PoliceAgency, officer = "Sgt. Dahl" },
                scope = new { type = "cctv", site = "oslo-1", from = "2026-11-20T09:00:00Z", to = "2026-11-20T11:00:00Z" },
            });
            Assert.Equal(HttpStatusCode.Created, placed.StatusCode);
            holdIds.Add((await placed.Content.ReadFromJsonAsync<PlacedHoldResponse>())!.Hold.Id);
        }

        var hold = holdIds[0];
        var listings = new (string Name, string FirstPage, Func<JsonNode, string?> Token)[]
        {
            ("media list", "/api/media?pageSize=1", j => (string?)j["continuationToken"]),
            ("holds list", "/api/holds?pageSize=1", j => (string?)j["continuationToken"]),
            ("hold detail coverage", $"/api/holds/{hold}?pageSize=1", j => (string?)j["coveredMedia"]!["continuationToken"]),
            ("audit list", "/api/audit?pageSize=1", j => (string?)j["continuationToken"]),
            ("evidence page", $"/api/holds/{hold}/evidence?pageSize=1", j => (string?)j["continuationToken"]),
        };

        var tokens = new Dictionary<string, string>();
        foreach (var (name, firstPage, tokenOf) in listings)
        {
            var token = tokenOf((await GetJsonAsync(admin, firstPage, HttpStatusCode.OK, name))!);
            Assert.True(token is not null, $"{name}: the first page of one item has no continuationToken");
            tokens[name] = token;
            await GetJsonAsync(admin, $"{firstPage}&continuationToken={Uri.EscapeDataString(token)}", HttpStatusCode.OK, name + " page 2");
        }

        var failures = new List<string>();
        foreach (var (name, firstPage, _) in listings)
        {
            var foreign = tokens.First(t => t.Key != name);
            var cases = new (string What, string Token, string Expected)[]
            {
                ("garbage", Garbage, "not a token this API issued"),
                ("malformed", "not a token!", "not a token this API issued"),
                ($"the {foreign.Key} token", foreign.Value, "belongs to another listing"),
            };
            foreach (var (what, token, expected) in cases)
            {
                using var response = await admin.GetAsync($"{firstPage}&continuationToken={Uri.EscapeDataString(token)}");
                var body = await response.Content.ReadAsStringAsync();
                if (response.StatusCode != HttpStatusCode.BadRequest || response.Content.Headers.ContentType?.MediaType != "application/problem+json"
                    || !body.Contains(expected, StringComparison.Ordinal) || !body.Contains("continuationToken", StringComparison.Ordinal))
                {
                    failures.Add($"{name} with {what}: {(int)response.StatusCode} {body}");
                }
            }
        }

        // The same listing with other filters: another hold's coverage, or another query of the media list.
        using var otherHold = await admin.GetAsync($"/api/holds/{holdIds[1]}?pageSize=1&continuationToken={Uri.EscapeDataString(tokens["hold detail coverage"])}");
        if (otherHold.StatusCode != HttpStatusCode.BadRequest)
        {
            failures.Add($"another hold's coverage token: {(int)otherHold.StatusCode}");
        }

        using var otherQuery = await admin.GetAsync($"/api/media?pageSize=1&site=oslo-1&continuationToken={Uri.EscapeDataString(tokens["media list"])}");
        if (otherQuery.StatusCode != HttpStatusCode.BadRequest || !(await otherQuery.Content.ReadAsStringAsync()).Contains("does not belong to this query", StringComparison.Ordinal))
        {
            failures.Add($"a media token with other filters: {(int)otherQuery.StatusCode}");
        }

        Assert.True(failures.Count == 0, string.Join(Environment.NewLine, failures));
    }

    [Fact]
    public async Task A_misspelt_field_is_a_400_naming_it_and_nothing_is_written()
    {
        var storage = AzuriteFixture.UniqueStorageOptions();
        await using var runner = await RunnerHost.StartAsync(azurite.ConnectionString, storage);
        using var security = runner.ClientFor(TestKeys.Security);

        var place = await security.PostAsJsonAsync("/api/holds", new
        {
            caseNumber = "OPD-1",
            reason = "Robbery",
            requestedBy = new { agency = TestKeys.PoliceAgency, officer = "Insp. Hansen" },
            reviewDat = "2027-06-01T00:00:00Z",
            scope = new { type = "call", callId = "c-1" },
        });

        Assert.Equal(HttpStatusCode.BadRequest, place.StatusCode);
        var problem = (await place.Content.ReadFromJsonAsync<JsonObject>())!;
        Assert.Equal("'reviewDat' is not a known field of this request; check its spelling.", (string?)problem["detail"]);
        Assert.Empty((await security.GetFromJsonAsync<HoldListResponse>("/api/holds?status=all"))!.Items);

        var release = await security.PostAsJsonAsync($"/api/holds/{new string('a', 32)}/release", new { reason = "done", force = true });
        Assert.Equal(HttpStatusCode.BadRequest, release.StatusCode);
        Assert.Contains("'force' is not a known field", (string?)(await release.Content.ReadFromJsonAsync<JsonObject>())!["detail"]);
    }

    private static async Task<JsonNode?> GetJsonAsync(HttpClient client, string path, HttpStatusCode expected, string what)
    {
        using var response = await client.GetAsync(path);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == expected, $"{what}: {(int)response.StatusCode} {body}");
        return JsonNode.Parse(body);
    }
}
