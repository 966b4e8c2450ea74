using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using MediaRetention.Api.Holds;
using MediaRetention.Api.Media;
using MediaRetention.Core.Audit;
using MediaRetention.Core.Holds;
using MediaRetention.IntegrationTests.Infrastructure;

namespace MediaRetention.IntegrationTests.Holds;

/// <summary>
/// A police key requests preservation: it preserves at once, but the police see its case data and status only until
/// security approves it (possibly narrowed) or rejects it; limits per agency; every step audited.
/// </summary>
[Collection(AzuriteCollection.Name)]
public sealed class PreservationRequestTests(AzuriteFixture azurite)
{
    private static readonly TimeSpan IngestDeadline = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task A_police_request_on_any_site_preserves_at_once_but_shows_nothing_until_security_approves_it_narrowed()
    {
        var storage = AzuriteFixture.UniqueStorageOptions();
        await using var runner = await RunnerHost.StartAsync(azurite.ConnectionString, storage);
        using var police = runner.ClientFor(TestKeys.Police);
        using var security = runner.ClientFor(TestKeys.Security);
        using var admin = runner.ClientFor(TestKeys.Admin);
        var cctv = azurite.BlobService.GetBlobContainerClient(storage.CctvContainer);
        await cctv.CreateIfNotExistsAsync();
        string[] clips = ["bergen-mall/cam-1/20261120T093000Z.mp4", "bergen-mall/cam-1/20261120T103000Z.mp4", "bergen-mall/cam-2/20261120T103000Z.mp4"];
        foreach (var clip in clips)
        {
            await cctv.GetBlobClient(clip).UploadAsync(new BinaryData("clip"u8.ToArray()));
        }

        await runner.WaitForAsync<MediaListResponse>("/api/media?site=bergen-mall", r => r.Items.Count == 3, IngestDeadline);

        // The request: 201, requested, nothing about what it covers; yet every covered blob is marked held at once.
        using var place = await police.PostAsJsonAsync("/api/holds", new
        {
            caseNumber = "OPD-2026-77",
            reason = "Assault in the mall",
            requestedBy = new { agency = TestKeys.PoliceAgency, officer = "Insp. Hansen" },
            scope = new { type = "cctv", site = "bergen-mall", cameras = new[] { "cam-1", "cam-2" }, from = "2026-11-20T09:00:00Z", to = "2026-11-20T12:00:00Z" },
        });
        Assert.Equal(HttpStatusCode.Created, place.StatusCode);
        var placed = JsonNode.Parse(await place.Content.ReadAsStringAsync())!;
        Assert.Equal("requested", placed["hold"]!["status"]!.GetValue<string>());
        Assert.Null(placed["coveredMedia"]);
        Assert.Contains("preservation request", placed["warnings"]![0]!.GetValue<string>());
        var holdId = placed["hold"]!["id"]!.GetValue<string>();
        foreach (var clip in clips)
        {
            Assert.Equal("yes", (await cctv.GetBlobClient(clip).GetTagsAsync()).Value.Tags["mrhold"]);
        }

        var seenByPolice = (await police.GetFromJsonAsync<HoldDetailResponse>($"/api/holds/{holdId}", JsonSerializerOptions.Web))!;
        Assert.Null(seenByPolice.CoveredMedia);
        Assert.Equal(("OPD-2026-77", "requested"), (seenByPolice.Hold.CaseNumber, seenByPolice.Hold.Status));
        foreach (var path in new[] { "evidence", "evidence/manifest" })
        {
            using var refused = await police.GetAsync($"/api/holds/{holdId}/{path}");
            Assert.Equal(HttpStatusCode.Conflict, refused.StatusCode);
            Assert.Contains("waiting for review", await refused.Content.ReadAsStringAsync());
        }

        Assert.Equal(HttpStatusCode.Conflict, (await police.PostAsJsonAsync($"/api/holds/{holdId}/evidence/verify", new { })).StatusCode);
        Assert.Contains(holdId, (await police.GetStringAsync("/api/holds?status=requested")));
        Assert.Equal(HttpStatusCode.Conflict, (await security.PostAsJsonAsync($"/api/holds/{holdId}/release", new { reason = "x" })).StatusCode);

        // Security sees what it covers, in the queue of requests.
        var queue = (await security.GetFromJsonAsync<HoldListResponse>("/api/holds?status=requested", JsonSerializerOptions.Web))!;
        Assert.Equal([holdId], queue.Items.Select(h => h.Id));
        Assert.Equal(3, (await security.GetFromJsonAsync<HoldDetailResponse>($"/api/holds/{holdId}", JsonSerializerOptions.Web))!.CoveredMedia!.Items.Count);

        // An approval may narrow, never widen.
        using var wider = await security.PostAsJsonAsync($"/api/holds/{holdId}/approve", new
        {
            reason = "ok",
            scope = new { type = "cctv", site = "bergen-mall", cameras = new[] { "cam-1" }, from = "2026-11-20T08:00:00Z", to = "2026-11-20T12:00:00Z" },
        });
        Assert.Equal(HttpStatusCode.BadRequest, wider.StatusCode);
        Assert.Contains("'scope.from'", await wider.Content.ReadAsStringAsync());
        using var approve = await security.PostAsJsonAsync($"/api/holds/{holdId}/approve", new
        {
            reason = "Only the entrance camera concerns the case",
            scope = new { type = "cctv", site = "bergen-mall", cameras = new[] { "cam-1" }, from = "2026-11-20T10:00:00Z", to = "2026-11-20T11:00:00Z" },
        });
        Assert.Equal(HttpStatusCode.OK, approve.StatusCode);
        var approved = (await approve.Content.ReadFromJsonAsync<ReviewedHoldResponse>(JsonSerializerOptions.Web))!;
        Assert.Equal((HoldStatus.Active, 1), (approved.Hold.Status, approved.CoveredMedia));
        Assert.Equal(["cam-1"], approved.Hold.Scope.Cameras);
        Assert.Equal(["cam-1", "cam-2"], approved.Hold.RequestedScope!.Cameras);
        Assert.Equal(("approved", "guard-1", "Only the entrance camera concerns the case"),
            (approved.Hold.Review!.Decision, approved.Hold.Review.ReviewedBy, approved.Hold.Review.Reason));
        Assert.Equal(HttpStatusCode.Conflict, (await admin.PostAsJsonAsync($"/api/holds/{holdId}/approve", new { reason = "again" })).StatusCode);
        Assert.Equal(HttpStatusCode.Conflict, (await admin.PostAsJsonAsync($"/api/holds/{holdId}/reject", new { reason = "late" })).StatusCode);

        // Now the police see the approved scope's media and can take its evidence: exactly the one clip.
        var afterApproval = (await police.GetFromJsonAsync<HoldDetailResponse>($"/api/holds/{holdId}", JsonSerializerOptions.Web))!;
        Assert.Equal([clips[1]], afterApproval.CoveredMedia!.Items.Select(m => m.BlobName));
        var evidence = JsonNode.Parse(await police.GetStringAsync($"/api/holds/{holdId}/evidence"))!;
        Assert.Single(evidence["items"]!.AsArray());

        var audit = (await admin.GetFromJsonAsync<AuditPage>("/api/audit?pageSize=1000", JsonSerializerOptions.Web))!.Items;
        var placedEntry = audit.Single(e => e.Action == AuditActions.HoldPlaced);
        Assert.Equal(("liaison-oslo", "requested"), (placedEntry.Actor, placedEntry.Details["status"]));
        var approvedEntry = audit.Single(e => e.Action == AuditActions.HoldApproved);
        Assert.Equal(("guard-1", "Only the entrance camera concerns the case", "cam-1,cam-2", "cam-1", "true"),
            (approvedEntry.Actor, approvedEntry.Details["reason"], approvedEntry.Details["requested.cameras"], approvedEntry.Details["cameras"], approvedEntry.Details["narrowed"]));
        Assert.Equal("2026-11-20T09:00:00.0000000+00:00", approvedEntry.Details["requested.from"]);
    }

    [Fact]
    public async Task A_rejected_request_preserves_nothing_and_the_police_see_why()
    {
        var storage = AzuriteFixture.UniqueStorageOptions();
        await using var runner = await RunnerHost.StartAsync(azurite.ConnectionString, storage, new Dictionary<string, string?> { ["Retention:IngestSettleTime"] = "00:00:00" });
        using var police = runner.ClientFor(TestKeys.Police);
        using var security = runner.ClientFor(TestKeys.Security);
        var cctv = azurite.BlobService.GetBlobContainerClient(storage.CctvContainer);
        await cctv.CreateIfNotExistsAsync();
        var old = DateTimeOffset.UtcNow.AddDays(-40);
        var clip = cctv.GetBlobClient($"shop-1/cam-1/{old:yyyyMMdd'T'HHmmss'Z'}.mp4");
        await clip.UploadAsync(new BinaryData("expired"u8.ToArray()));
        await runner.WaitForAsync<MediaListResponse>("/api/media?site=shop-1", r => r.Items.Count == 1, IngestDeadline);

        var holdId = (await (await police.PostAsJsonAsync("/api/holds", new
        {
            caseNumber = "OPD-1", reason = "r", requestedBy = new { agency = TestKeys.PoliceAgency, officer = "o" },
            scope = new { type = "cctv", site = "shop-1", from = old.AddMinutes(-1), to = old.AddMinutes(1) },
        })).Content.ReadFromJsonAsync<PlacedHoldResponse>(JsonSerializerOptions.Web))!.Hold.Id;

        using var admin = runner.ClientFor(TestKeys.Admin);
        await admin.SweepAsync();
        Assert.True((await clip.ExistsAsync()).Value, "a request preserves from the moment it is stored");

        using var reject = await security.PostAsJsonAsync($"/api/holds/{holdId}/reject", new { reason = "No connection between the case and this shop" });
        Assert.Equal(HttpStatusCode.OK, reject.StatusCode);
        var seen = (await police.GetFromJsonAsync<HoldDetailResponse>($"/api/holds/{holdId}", JsonSerializerOptions.Web))!;
        Assert.Equal((HoldStatus.Rejected, "No connection between the case and this shop"), (seen.Hold.Status, seen.Hold.Review!.Reason));
        Assert.Null(seen.CoveredMedia);
        Assert.Equal(HttpStatusCode.Conflict, (await police.GetAsync($"/api/holds/{holdId}/evidence")).StatusCode);
        Assert.Contains(holdId, await police.GetStringAsync("/api/holds?status=rejected"));

        await admin.SweepAsync();
        Assert.False((await clip.ExistsAsync()).Value, "a rejected request keeps nothing");
        var audit = (await admin.GetFromJsonAsync<AuditPage>("/api/audit?pageSize=1000", JsonSerializerOptions.Web))!.Items;
        Assert.Contains(audit, e => e.Action == AuditActions.HoldRejected && e.Actor == "guard-1" && e.Details["reason"] == "No connection between the case and this shop");
    }

    [Fact]
    public async Task Police_requests_are_limited_per_agency_in_number_and_window()
    {
        var storage = AzuriteFixture.UniqueStorageOptions();
        await using var runner = await RunnerHost.StartAsync(azurite.ConnectionString, storage, new Dictionary<string, string?>
        {
            ["Holds:PoliceMaxOpenRequests"] = "2",
            ["Holds:PoliceMaxWindow"] = "7.00:00:00",
        });
        using var police = runner.ClientFor(TestKeys.Police);
        using var otherPolice = runner.ClientFor(TestKeys.OtherPolice);
        using var security = runner.ClientFor(TestKeys.Security);
        object Body(string agency, string to) => new
        {
            caseNumber = "C-1", reason = "r", requestedBy = new { agency, officer = "o" },
            scope = new { type = "system", system = "pbx-1", from = "2026-11-01T00:00:00Z", to },
        };

        using var tooLong = await police.PostAsJsonAsync("/api/holds", Body(TestKeys.PoliceAgency, "2026-11-09T00:00:00Z"));
        Assert.Equal(HttpStatusCode.BadRequest, tooLong.StatusCode);
        Assert.Contains("Holds:PoliceMaxWindow", await tooLong.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.Created, (await security.PostAsJsonAsync("/api/holds", Body(TestKeys.PoliceAgency, "2026-11-09T00:00:00Z"))).StatusCode);

        var first = (await (await police.PostAsJsonAsync("/api/holds", Body(TestKeys.PoliceAgency, "2026-11-02T00:00:00Z"))).Content.ReadFromJsonAsync<PlacedHoldResponse>(JsonSerializerOptions.Web))!;
        Assert.Equal(HttpStatusCode.Created, (await police.PostAsJsonAsync("/api/holds", Body(TestKeys.PoliceAgency, "2026-11-02T00:00:00Z"))).StatusCode);
        using var third = await police.PostAsJsonAsync("/api/holds", Body(TestKeys.PoliceAgency, "2026-11-02T00:00:00Z"));
        Assert.Equal(HttpStatusCode.TooManyRequests, third.StatusCode);
        Assert.Contains("Holds:PoliceMaxOpenRequests", await third.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.Created, (await otherPolice.PostAsJsonAsync("/api/holds", Body(TestKeys.OtherPoliceAgency, "2026-11-02T00:00:00Z"))).StatusCode);

        await runner.ApproveAsync(first.Hold.Id);
        Assert.Equal(HttpStatusCode.Created, (await police.PostAsJsonAsync("/api/holds", Body(TestKeys.PoliceAgency, "2026-11-02T00:00:00Z"))).StatusCode);
    }
}
