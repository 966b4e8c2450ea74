using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Azure.Storage.Blobs;
using MediaRetention.Api.Auth;
using MediaRetention.Api.Holds;
using MediaRetention.Api.Media;
using MediaRetention.Core.Audit;
using MediaRetention.Core.Media;
using MediaRetention.IntegrationTests.Infrastructure;

namespace MediaRetention.IntegrationTests.WebConsole;

/// <summary>
/// What the web console relies on, through the real runner: its files with their security headers, who-am-I,
/// audited playback links, hold previews that store nothing, JSON-only state changes, and blob CORS for the
/// in-browser evidence check.
/// </summary>
[Collection(AzuriteCollection.Name)]
public sealed class ConsoleApiTests(AzuriteFixture azurite)
{
    private static readonly TimeSpan IngestDeadline = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task The_console_is_served_at_the_root_with_a_strict_policy_and_api_paths_never_fall_into_it()
    {
        await using var runner = await RunnerHost.StartAsync(azurite.ConnectionString, AzuriteFixture.UniqueStorageOptions());
        using var anonymous = runner.ClientFor(null);
        var blobOrigin = new Uri(new BlobServiceClient(azurite.ConnectionString).Uri.GetLeftPart(UriPartial.Authority)).ToString().TrimEnd('/');

        using var index = await anonymous.GetAsync("/");
        Assert.Equal(HttpStatusCode.OK, index.StatusCode);
        Assert.Equal("text/html", index.Content.Headers.ContentType!.MediaType);
        var csp = index.Headers.GetValues("Content-Security-Policy").Single();
        Assert.Contains("default-src 'self'", csp);
        Assert.Contains("script-src 'self';", csp);
        Assert.Contains("frame-ancestors 'none'", csp);
        Assert.Contains($"media-src {blobOrigin};", csp);
        Assert.Contains($"connect-src 'self' {blobOrigin};", csp);
        Assert.DoesNotContain("unsafe-inline", csp);
        Assert.Equal("nosniff", index.Headers.GetValues("X-Content-Type-Options").Single());
        var etag = index.Headers.ETag!;

        using var revalidate = new HttpRequestMessage(HttpMethod.Get, "/");
        revalidate.Headers.IfNoneMatch.Add(etag);
        Assert.Equal(HttpStatusCode.NotModified, (await anonymous.SendAsync(revalidate)).StatusCode);

        using var script = await anonymous.GetAsync("/js/api.js");
        Assert.Equal(HttpStatusCode.OK, script.StatusCode);
        Assert.Equal("text/javascript", script.Content.Headers.ContentType!.MediaType);
        using var style = await anonymous.GetAsync("/console.css");
        Assert.Equal("text/css", style.Content.Headers.ContentType!.MediaType);

        foreach (var path in new[] { "/api/nothing-here", "/api", "/api/holds/x/y/z", "/no-such-page.html", "/.auth/me" })
        {
            using var missing = await anonymous.GetAsync(path);
            Assert.True(missing.StatusCode == HttpStatusCode.NotFound, $"{path}: {missing.StatusCode}");
            Assert.Equal("application/problem+json", missing.Content.Headers.ContentType!.MediaType);
        }

        // API routes still win over the console's catch-all.
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync("/api/me")).StatusCode);
    }

    [Fact]
    public async Task Me_says_who_the_caller_is()
    {
        await using var runner = await RunnerHost.StartAsync(azurite.ConnectionString, AzuriteFixture.UniqueStorageOptions());
        using var police = runner.ClientFor(TestKeys.Police);

        var me = await police.GetFromJsonAsync<MeResponse>("/api/me", JsonSerializerOptions.Web);

        Assert.Equal(new MeResponse("liaison-oslo", Roles.Police, TestKeys.PoliceAgency), me);
    }

    [Fact]
    public async Task A_playback_link_reads_the_medium_and_every_link_is_audited_without_phone_numbers()
    {
        var storage = AzuriteFixture.UniqueStorageOptions();
        await using var runner = await RunnerHost.StartAsync(azurite.ConnectionString, storage);
        const string name = "pbx-1/20261120T093000Z_c-9.wav";
        var content = Encoding.ASCII.GetBytes("RIFF-not-really-a-wav");
        var calls = azurite.BlobService.GetBlobContainerClient(storage.CallsContainer);
        await calls.CreateIfNotExistsAsync();
        await calls.GetBlobClient(name).UploadAsync(new BinaryData(content));
        await calls.GetBlobClient(name).SetMetadataAsync(new Dictionary<string, string> { ["caller"] = "+4791234567" });
        var id = MediaId.For(storage.CallsContainer, name);
        await runner.WaitForAsync<MediaListResponse>("/api/media?system=pbx-1", r => r.Items.Any(m => m.Caller is not null), IngestDeadline);

        var requestedAt = DateTimeOffset.UtcNow;
        var link = (await runner.Client.GetFromJsonAsync<MediaLinkResponse>($"/api/media/{id}/link", JsonSerializerOptions.Web))!;

        Assert.Equal(id, link.MediaId);
        Assert.InRange(link.UrlExpiresAt, requestedAt.AddMinutes(29), DateTimeOffset.UtcNow.AddMinutes(30).AddSeconds(1));
        using var plain = new HttpClient();
        Assert.Equal(content, await plain.GetByteArrayAsync(link.Url));
        // Read only, and only that blob.
        var sibling = link.Url.Replace("c-9.wav", "c-8.wav", StringComparison.Ordinal);
        Assert.False((await plain.GetAsync(sibling)).IsSuccessStatusCode);
        Assert.False((await plain.DeleteAsync(link.Url)).IsSuccessStatusCode);

        using var admin = runner.ClientFor(TestKeys.Admin);
        var audit = (await admin.GetFromJsonAsync<AuditPage>("/api/audit?pageSize=1000", JsonSerializerOptions.Web))!;
        var viewed = Assert.Single(audit.Items, e => e.Action == AuditActions.MediaViewed);
        Assert.Equal(("guard-1", "media/" + id, name), (viewed.Actor, viewed.Target, viewed.Details["blobName"]));
        Assert.DoesNotContain(viewed.Details.Values, v => v is not null && (v.Contains("91234567", StringComparison.Ordinal) || v.Contains('*', StringComparison.Ordinal)));

        Assert.Equal(HttpStatusCode.NotFound, (await runner.Client.GetAsync($"/api/media/{new string('0', 32)}/link")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await runner.Client.GetAsync("/api/media/not-an-id/link")).StatusCode);
    }

    [Fact]
    public async Task A_hold_preview_counts_and_lists_what_it_would_cover_and_stores_nothing()
    {
        var storage = AzuriteFixture.UniqueStorageOptions();
        await using var runner = await RunnerHost.StartAsync(azurite.ConnectionString, storage);
        var cctv = azurite.BlobService.GetBlobContainerClient(storage.CctvContainer);
        await cctv.CreateIfNotExistsAsync();
        string[] clips = ["oslo-1/cam-1/20261120T100000Z.mp4", "oslo-1/cam-2/20261120T101000Z.mp4", "oslo-1/cam-1/20261121T100000Z.mp4"];
        foreach (var clip in clips)
        {
            await cctv.GetBlobClient(clip).UploadAsync(new BinaryData("clip"u8.ToArray()));
        }

        await runner.WaitForAsync<MediaListResponse>("/api/media?site=oslo-1", r => r.Items.Count == 3, IngestDeadline);
        var body = new
        {
            caseNumber = "C-9",
            reason = "preview",
            requestedBy = new { agency = TestKeys.PoliceAgency, officer = "o" },
            scope = new { type = "cctv", site = "oslo-1", from = "2026-11-20T00:00:00Z", to = "2026-11-20T23:59:59Z" },
        };

        var preview = (await (await runner.Client.PostAsJsonAsync("/api/holds/preview", body)).Content.ReadFromJsonAsync<HoldPreviewResponse>(JsonSerializerOptions.Web))!;
        Assert.Equal((2, false), (preview.CoveredMedia, preview.AtLeast));
        Assert.Equal(clips[..2], preview.Items!.Select(m => m.BlobName).Order(StringComparer.Ordinal));
        Assert.Equal("oslo-1", preview.Scope.Site);

        using var police = runner.ClientFor(TestKeys.Police);
        var policePreview = (await (await police.PostAsJsonAsync("/api/holds/preview", body)).Content.ReadFromJsonAsync<HoldPreviewResponse>(JsonSerializerOptions.Web))!;
        Assert.Null(policePreview.CoveredMedia); // police learn what a request covers only once it is approved
        Assert.Null(policePreview.Items); // police may not list media
        Assert.Equal("oslo-1", policePreview.Scope.Site);

        var badWindow = await runner.Client.PostAsJsonAsync("/api/holds/preview", new
        {
            body.caseNumber, body.reason, body.requestedBy,
            scope = new { type = "cctv", site = "oslo-1", from = "2026-11-21T00:00:00Z", to = "2026-11-20T00:00:00Z" },
        });
        Assert.Equal(HttpStatusCode.BadRequest, badWindow.StatusCode);
        Assert.Contains("scope.from", await badWindow.Content.ReadAsStringAsync());

        // Nothing stored, nothing marked, nothing audited.
        var holds = (await runner.Client.GetFromJsonAsync<HoldListResponse>("/api/holds?status=all", JsonSerializerOptions.Web))!;
        Assert.Empty(holds.Items);
        var tags = await cctv.GetBlobClient(clips[0]).GetTagsAsync();
        Assert.NotEqual("yes", tags.Value.Tags.TryGetValue("mrhold", out var mark) ? mark : null);
        using var admin = runner.ClientFor(TestKeys.Admin);
        var audit = (await admin.GetFromJsonAsync<AuditPage>("/api/audit?pageSize=1000", JsonSerializerOptions.Web))!;
        Assert.DoesNotContain(audit.Items, e => e.Action == AuditActions.HoldPlaced);
    }

    [Fact]
    public async Task State_changing_requests_that_do_not_declare_json_are_refused_with_415_and_change_nothing()
    {
        var storage = AzuriteFixture.UniqueStorageOptions();
        await using var runner = await RunnerHost.StartAsync(azurite.ConnectionString, storage);
        using var admin = runner.ClientFor(TestKeys.Admin);
        var placed = (await (await admin.PostAsJsonAsync("/api/holds", new
        {
            caseNumber = "C-1", reason = "r", requestedBy = new { agency = "oslo-pd", officer = "o" }, scope = new { type = "call", callId = "c-1" },
        })).Content.ReadFromJsonAsync<PlacedHoldResponse>(JsonSerializerOptions.Web))!;
        var holdId = placed.Hold.Id;

        // What a cross-site HTML form can send: urlencoded, multipart, text/plain (even with a JSON-looking body).
        HttpContent[] formPosts =
        [
            new FormUrlEncodedContent(new Dictionary<string, string> { ["reason"] = "csrf" }),
            new MultipartFormDataContent { { new StringContent("csrf"), "reason" } },
            new StringContent("{\"reason\":\"csrf\"}", Encoding.UTF8, "text/plain"),
        ];
        foreach (var content in formPosts)
        {
            var release = await admin.PostAsync($"/api/holds/{holdId}/release", content);
            Assert.Equal(HttpStatusCode.UnsupportedMediaType, release.StatusCode);
            Assert.Contains("application/json", await release.Content.ReadAsStringAsync());
        }

        var hold = (await admin.GetFromJsonAsync<HoldDetailResponse>($"/api/holds/{holdId}", JsonSerializerOptions.Web))!;
        Assert.Equal("active", hold.Hold.Status);

        Assert.Equal(HttpStatusCode.UnsupportedMediaType, (await admin.PostAsync("/api/holds", new StringContent("{}", Encoding.UTF8, "text/plain"))).StatusCode);
        Assert.Equal(HttpStatusCode.UnsupportedMediaType, (await admin.PostAsync("/api/holds/preview", null)).StatusCode);
        // Routes without a body need the JSON content type too; with it, an empty body is fine.
        Assert.Equal(HttpStatusCode.UnsupportedMediaType, (await admin.PostAsync("/api/retention/sweep", null)).StatusCode);
        Assert.Equal(HttpStatusCode.UnsupportedMediaType, (await admin.PostAsync($"/api/holds/{holdId}/evidence/verify", new StringContent("", Encoding.UTF8, "text/plain"))).StatusCode);
        using var emptyJson = new ByteArrayContent([]);
        emptyJson.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        Assert.Equal(HttpStatusCode.Accepted, (await admin.PostAsync($"/api/holds/{holdId}/evidence/verify", emptyJson)).StatusCode);
        Assert.Equal(HttpStatusCode.Accepted, (await admin.PostAsJsonAsync("/api/retention/sweep", new { })).StatusCode);
    }

    [Fact]
    public async Task The_runner_lets_its_own_origin_read_blobs_cross_origin_and_keeps_other_rules()
    {
        var blobs = new BlobServiceClient(azurite.ConnectionString);
        var properties = (await blobs.GetPropertiesAsync()).Value;
        properties.Cors = [new Azure.Storage.Blobs.Models.BlobCorsRule { AllowedOrigins = "https://other.example", AllowedMethods = "PUT", AllowedHeaders = "*", ExposedHeaders = "*", MaxAgeInSeconds = 60 }];
        await blobs.SetPropertiesAsync(properties);

        var storage = AzuriteFixture.UniqueStorageOptions();
        await using var runner = await RunnerHost.StartAsync(azurite.ConnectionString, storage);
        var origin = runner.BaseAddress.GetLeftPart(UriPartial.Authority);

        var rules = (await blobs.GetPropertiesAsync()).Value.Cors;
        Assert.Contains(rules, r => r.AllowedMethods == "PUT" && r.AllowedOrigins == "https://other.example");
        var ours = Assert.Single(rules, r => r.AllowedMethods == "GET,HEAD");
        Assert.Contains(origin, ours.AllowedOrigins.Split(','));

        // Azurite answers a cross-origin read with the allow-origin header only for that origin.
        var cctv = blobs.GetBlobContainerClient(storage.CctvContainer);
        await cctv.CreateIfNotExistsAsync();
        var blob = cctv.GetBlobClient("oslo-1/cam-1/20261120T100000Z.mp4");
        await blob.UploadAsync(new BinaryData("x"u8.ToArray()));
        var sas = blob.GenerateSasUri(Azure.Storage.Sas.BlobSasPermissions.Read, DateTimeOffset.UtcNow.AddMinutes(5));
        using var plain = new HttpClient();
        foreach (var (requestOrigin, allowed) in new[] { (origin, true), ("https://evil.example", false) })
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, sas);
            request.Headers.Add("Origin", requestOrigin);
            using var response = await plain.SendAsync(request);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            var allowOrigin = response.Headers.TryGetValues("Access-Control-Allow-Origin", out var values) ? values.Single() : null;
            Assert.Equal(allowed ? requestOrigin : null, allowOrigin);
        }

        // Clean up the account-wide rule for the other tests sharing this Azurite.
        properties.Cors = [];
        await blobs.SetPropertiesAsync(properties);
    }
}
