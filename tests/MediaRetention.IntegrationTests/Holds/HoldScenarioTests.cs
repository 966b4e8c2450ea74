using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using MediaRetention.Api.Holds;
using MediaRetention.Api.Media;
using MediaRetention.Core.Audit;
using MediaRetention.Core.Holds;
using MediaRetention.IntegrationTests.Infrastructure;

namespace MediaRetention.IntegrationTests.Holds;

[Collection(AzuriteCollection.Name)]
public sealed class HoldScenarioTests(AzuriteFixture azurite)
{
    private static readonly TimeSpan IngestDeadline = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task Police_hold_on_a_camera_window_covers_later_uploads_and_only_security_releases_it()
    {
        var storage = AzuriteFixture.UniqueStorageOptions();
        await using var runner = await RunnerHost.StartAsync(azurite.ConnectionString, storage);
        using var police = runner.ClientFor(TestKeys.Police);
        using var security = runner.ClientFor(TestKeys.Security);
        using var admin = runner.ClientFor(TestKeys.Admin);
        var cctv = azurite.BlobService.GetBlobContainerClient(storage.CctvContainer);
        await cctv.CreateIfNotExistsAsync();
        await cctv.GetBlobClient("oslo-1/cam-1/20261120T100000Z.mp4").UploadAsync(new BinaryData("before"u8.ToArray()));
        await runner.WaitForAsync<MediaListResponse>("/api/media?site=oslo-1", r => r.Items.Count == 1, IngestDeadline);

        // 1. A police key places a hold for a camera and a window.
        var place = await police.PostAsJsonAsync("/api/holds", new
        {
            caseNumber = "OPD-2026-4711",
            reason = "Shoplifting reported 2026-11-20",
            requestedBy = new { agency = TestKeys.PoliceAgency, officer = "Insp. Hansen" },
            scope = new { type = "cctv", site = "oslo-1", cameras = new[] { "cam-1" }, from = "2026-11-20T09:00:00Z", to = "2026-11-20T12:00:00Z" },
        });
        Assert.Equal(HttpStatusCode.Created, place.StatusCode);
        var placed = (await place.Content.ReadFromJsonAsync<PlacedHoldResponse>())!;
        Assert.Null(placed.CoveredMedia); // a request: the police see its case data and status only
        Assert.Equal(HoldStatus.Requested, placed.Hold.Status);
        Assert.Equal(TestKeys.PoliceAgency, placed.Hold.Agency);
        Assert.Equal("liaison-oslo", placed.Hold.PlacedBy);
        var holdId = placed.Hold.Id;
        Assert.Null((await police.GetFromJsonAsync<HoldDetailResponse>($"/api/holds/{holdId}"))!.CoveredMedia);

        // 2. A security key sees it in the requests and approves it.
        var seen = await security.GetFromJsonAsync<HoldListResponse>("/api/holds?status=requested");
        Assert.Contains(seen!.Items, h => h.Id == holdId);
        await runner.ApproveAsync(holdId);
        Assert.Single((await police.GetFromJsonAsync<HoldDetailResponse>($"/api/holds/{holdId}"))!.CoveredMedia!.Items);

        // 3. An upload later, falling in the window, shows as held (and is marked on the blob itself).
        var later = cctv.GetBlobClient("oslo-1/cam-1/20261120T113000Z.mp4");
        await later.UploadAsync(new BinaryData("later"u8.ToArray()));
        var laterId = MediaRetention.Core.Media.MediaId.For(storage.CctvContainer, later.Name);
        await runner.WaitForAsync<MediaListResponse>("/api/media?site=oslo-1", r => r.Items.Count == 2, IngestDeadline);
        var media = await security.GetFromJsonAsync<MediaView>($"/api/media/{laterId}");
        Assert.Equal([holdId], media!.Holds!.Select(h => h.Id));
        await WaitForTagAsync(later, "yes");
        var detail = await security.GetFromJsonAsync<HoldDetailResponse>($"/api/holds/{holdId}");
        Assert.Equal(2, detail!.CoveredMedia!.Items.Count);

        // 4. A police key cannot release it; 5. a security key can; a second release conflicts.
        var policeRelease = await police.PostAsJsonAsync($"/api/holds/{holdId}/release", new { reason = "case closed" });
        Assert.Equal(HttpStatusCode.Forbidden, policeRelease.StatusCode);
        var release = await security.PostAsJsonAsync($"/api/holds/{holdId}/release", new { reason = "Case closed by prosecutor" });
        Assert.Equal(HttpStatusCode.OK, release.StatusCode);
        var again = await security.PostAsJsonAsync($"/api/holds/{holdId}/release", new { reason = "again" });
        Assert.Equal(HttpStatusCode.Conflict, again.StatusCode);
        Assert.Equal("application/problem+json", again.Content.Headers.ContentType?.MediaType);
        Assert.Empty((await security.GetFromJsonAsync<MediaView>($"/api/media/{laterId}"))!.Holds!);

        // 6. Every step is in the audit log, and the chain verifies.
        var audit = await admin.GetFromJsonAsync<AuditPage>("/api/audit?pageSize=1000", JsonSerializerOptions.Web);
        var actions = audit!.Items.Select(e => (e.Action, e.Actor)).ToList();
        Assert.Contains((AuditActions.HoldPlaced, "liaison-oslo"), actions);
        Assert.Contains((AuditActions.HoldApproved, "guard-1"), actions);
        Assert.Contains((AuditActions.AccessDenied, "liaison-oslo"), actions);
        Assert.Contains((AuditActions.HoldReleased, "guard-1"), actions);
        var verify = await admin.GetFromJsonAsync<AuditVerification>("/api/audit/verify", JsonSerializerOptions.Web);
        Assert.True(verify!.Intact);
    }

    [Fact]
    public async Task Phone_number_hold_covers_calls_of_that_number_and_never_stores_it()
    {
        var storage = AzuriteFixture.UniqueStorageOptions();
        await using var runner = await RunnerHost.StartAsync(azurite.ConnectionString, storage);
        var calls = azurite.BlobService.GetBlobContainerClient(storage.CallsContainer);
        await calls.CreateIfNotExistsAsync();
        await calls.GetBlobClient("pbx-1/20261120T100000Z_c1.wav").UploadAsync(new BinaryData("a"u8.ToArray()),
            new Azure.Storage.Blobs.Models.BlobUploadOptions { Metadata = new Dictionary<string, string> { ["caller"] = "+47 912 34 567" } });
        await calls.GetBlobClient("pbx-1/20261120T100500Z_c2.wav").UploadAsync(new BinaryData("b"u8.ToArray()),
            new Azure.Storage.Blobs.Models.BlobUploadOptions { Metadata = new Dictionary<string, string> { ["caller"] = "+47 400 00 000" } });
        await runner.WaitForAsync<MediaListResponse>("/api/media?system=pbx-1", r => r.Items.Count == 2, IngestDeadline);

        var place = await runner.Client.PostAsJsonAsync("/api/holds", new
        {
            caseNumber = "OPD-2026-9",
            reason = "Threatening call",
            requestedBy = new { agency = "oslo-pd", officer = "Sgt. Berg" },
            scope = new { type = "phone", phoneNumber = "+4791234567", from = "2026-11-20T00:00:00Z", to = "2026-11-21T00:00:00Z" },
        });

        Assert.Equal(HttpStatusCode.Created, place.StatusCode);
        var body = await place.Content.ReadAsStringAsync();
        Assert.DoesNotContain("91234567", body);
        var placed = JsonSerializer.Deserialize<PlacedHoldResponse>(body, JsonSerializerOptions.Web)!;
        Assert.Equal(1, placed.CoveredMedia);
        Assert.Equal("+********67", placed.Hold.Scope.PhoneNumber);
        // One hold row (besides the holds version row); no row of the table holds the number.
        var rows = azurite.TableService.GetTableClient(storage.HoldsTable).Query<Azure.Data.Tables.TableEntity>().ToList();
        Assert.Single(rows, r => r.PartitionKey == MediaRetention.Core.Holds.HoldEntityMapper.Partition);
        Assert.All(rows, entity => Assert.DoesNotContain("91234567", JsonSerializer.Serialize(entity)));
        var audit = await runner.ClientFor(TestKeys.Admin).GetStringAsync("/api/audit");
        Assert.DoesNotContain("91234567", audit);
    }

    [Theory]
    [InlineData("""{"caseNumber":"C1","reason":"r","requestedBy":{"agency":"a","officer":"o"},"scope":{"type":"cctv","site":"s","from":"2026-11-20T10:00:00Z","to":"2026-11-20T09:00:00Z"}}""", "before")]
    [InlineData("""{"caseNumber":"C1","reason":"r","requestedBy":{"agency":"a","officer":"o"},"scope":{"type":"cctv","site":"s","from":"2025-01-01T00:00:00Z","to":"2026-11-20T09:00:00Z"}}""", "at most 366 days")]
    [InlineData("""{"caseNumber":"C1","reason":"r","requestedBy":{"agency":"a","officer":"o"},"scope":{"type":"teleport"}}""", "scope.type")]
    [InlineData("""{"caseNumber":"bad case!","reason":"r","requestedBy":{"agency":"a","officer":"o"},"scope":{"type":"call","callId":"c"}}""", "caseNumber")]
    [InlineData("""{"caseNumber":"C1","reason":"r","requestedBy":{"agency":"a","officer":"o"},"scope":{"type":"media","mediaIds":["nope"]}}""", "not a media id")]
    [InlineData("""{"caseNumber":"C1","reason":"r","requestedBy":{"agency":"a","officer":"o"}}""", "'scope' is required")]
    [InlineData("""not json""", "not valid JSON")]
    public async Task Invalid_hold_requests_get_400_and_write_nothing(string body, string message)
    {
        var storage = AzuriteFixture.UniqueStorageOptions();
        await using var runner = await RunnerHost.StartAsync(azurite.ConnectionString, storage);

        var response = await runner.Client.PostAsync("/api/holds", new StringContent(body, System.Text.Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains(message, await response.Content.ReadAsStringAsync());
        Assert.Empty(azurite.TableService.GetTableClient(storage.HoldsTable).Query<Azure.Data.Tables.TableEntity>());
    }

    [Fact]
    public async Task Body_over_64_KB_is_refused()
    {
        var storage = AzuriteFixture.UniqueStorageOptions();
        await using var runner = await RunnerHost.StartAsync(azurite.ConnectionString, storage);

        var response = await runner.Client.PostAsync("/api/holds",
            new StringContent("{\"reason\":\"" + new string('x', 70_000) + "\"}", System.Text.Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        Assert.Empty(azurite.TableService.GetTableClient(storage.HoldsTable).Query<Azure.Data.Tables.TableEntity>());
    }

    private static async Task WaitForTagAsync(Azure.Storage.Blobs.BlobClient blob, string value)
    {
        using var cts = new CancellationTokenSource(IngestDeadline);
        while (true)
        {
            var tags = (await blob.GetTagsAsync(cancellationToken: cts.Token)).Value.Tags;
            if (tags.TryGetValue("mrhold", out var v) && v == value)
            {
                return;
            }

            await Task.Delay(100, cts.Token);
        }
    }
}
