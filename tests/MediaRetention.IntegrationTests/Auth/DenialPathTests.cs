using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using MediaRetention.Core.Audit;
using MediaRetention.IntegrationTests.Infrastructure;

namespace MediaRetention.IntegrationTests.Auth;

/// <summary>
/// A denial is a 401/403/404 and an audit entry whatever the path: the entry names the route template plus a bounded,
/// escaped copy of the path, so a long or odd path can neither fail the request nor the audit write.
/// </summary>
[Collection(AzuriteCollection.Name)]
public sealed class DenialPathTests(AzuriteFixture azurite)
{
    [Fact]
    public async Task Long_and_odd_hold_ids_are_denied_with_401_403_or_404_and_audited_by_route_template()
    {
        var storage = AzuriteFixture.UniqueStorageOptions();
        await using var runner = await RunnerHost.StartAsync(azurite.ConnectionString, storage);
        using var none = runner.ClientFor(null);
        using var wrong = runner.ClientFor("not-a-key");
        using var otherPolice = runner.ClientFor(TestKeys.OtherPolice);
        using var police = runner.ClientFor(TestKeys.Police);
        using var admin = runner.ClientFor(TestKeys.Admin);

        var placed = await (await police.PostAsJsonAsync("/api/holds", new
        {
            caseNumber = "C-1", reason = "r", requestedBy = new { agency = TestKeys.PoliceAgency, officer = "o" },
            scope = new { type = "call", callId = "c-1" },
        })).Content.ReadFromJsonAsync<JsonElement>();
        var holdId = placed.GetProperty("hold").GetProperty("id").GetString()!;

        var longId = new string('x', 1100);
        var odd = Uri.EscapeDataString("ä'\"<script>;%00?#" + new string('9', 40)) + "%2F..%2F";
        var failures = new List<string>();
        foreach (var (client, who, path, expected) in new (HttpClient, string, string, HttpStatusCode)[]
                 {
                     (none, "no key", $"/api/holds/{longId}", HttpStatusCode.Unauthorized),
                     (wrong, "wrong key", $"/api/holds/{longId}", HttpStatusCode.Unauthorized),
                     (none, "no key", $"/api/holds/{odd}", HttpStatusCode.Unauthorized),
                     (wrong, "wrong key", $"/api/holds/{odd}/evidence", HttpStatusCode.Unauthorized),
                     (otherPolice, "other agency", $"/api/holds/{holdId}", HttpStatusCode.NotFound),
                     (otherPolice, "other agency", $"/api/holds/{longId}", HttpStatusCode.NotFound),
                     (otherPolice, "other agency", $"/api/holds/{odd}", HttpStatusCode.NotFound),
                     (otherPolice, "police", $"/api/media/{longId}", HttpStatusCode.Forbidden),
                     (wrong, "wrong key", $"/api/media/{longId}/link", HttpStatusCode.Unauthorized),
                 })
        {
            using var response = await client.GetAsync(path);
            if (response.StatusCode != expected)
            {
                failures.Add($"{who} GET {path[..Math.Min(60, path.Length)]}...: expected {(int)expected}, got {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
            }
        }

        Assert.Empty(failures);
        var entries = (await admin.GetFromJsonAsync<AuditPage>("/api/audit?pageSize=1000", JsonSerializerOptions.Web))!.Items
            .Where(e => e.Action == AuditActions.AccessDenied).ToList();
        var longDenial = entries.First(e => e.Actor == "anonymous" && e.Details["path"]!.Contains("xxxx", StringComparison.Ordinal));
        Assert.Equal("GET api/holds/{id}", longDenial.Target);
        Assert.True(longDenial.Details["path"]!.Length < 300, longDenial.Details["path"]);
        Assert.EndsWith("(1111 characters)", longDenial.Details["path"], StringComparison.Ordinal);
        Assert.Contains(entries, e => e.Actor == "liaison-bergen" && e.Target == "GET api/holds/{id}" && e.Details["path"] == "/api/holds/" + holdId);
        Assert.All(entries, e => Assert.DoesNotContain(e.Target + e.Details["path"], c => c is '<' or '"' or '\'' or '\0' || c > 127));
        Assert.True((await admin.GetFromJsonAsync<AuditVerification>("/api/audit/verify", JsonSerializerOptions.Web))!.Intact);
    }

    [Fact]
    public async Task A_request_whose_principal_header_is_garbage_is_a_401_in_app_service_mode()
    {
        var storage = AzuriteFixture.UniqueStorageOptions();
        await using var runner = await RunnerHost.StartAsync(azurite.ConnectionString, storage, new Dictionary<string, string?>
        {
            ["Auth:Mode"] = "AppService",
            ["WEBSITE_AUTH_ENABLED"] = "True",
        });
        using var client = runner.ClientFor(null);
        foreach (var header in new[] { "%%%not-base64", Convert.ToBase64String(Encoding.UTF8.GetBytes("{\"claims\":[null]}")),
                     Convert.ToBase64String(Encoding.UTF8.GetBytes("{\"claims\":7}")), Convert.ToBase64String(Encoding.UTF8.GetBytes("{}")) })
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, "/api/holds/" + new string('y', 1100));
            request.Headers.TryAddWithoutValidation("X-MS-CLIENT-PRINCIPAL", header);
            using var response = await client.SendAsync(request);
            Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        }
    }
}
