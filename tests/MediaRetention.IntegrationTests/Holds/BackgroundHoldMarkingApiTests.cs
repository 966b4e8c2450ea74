using System.Net;
using System.Net.Http.Json;
using MediaRetention.Api.Holds;
using MediaRetention.Api.Media;
using MediaRetention.Core.Holds;
using MediaRetention.IntegrationTests.Infrastructure;

namespace MediaRetention.IntegrationTests.Holds;

/// <summary>
/// POST /api/holds beyond Holds:InlineMarkLimit through the real runner (its own operation worker marks the rest): 202
/// with the marking operation, the hold's marking state on GET until complete, a replay answering the same hold and
/// operation, and police still getting their 201 without any of it.
/// </summary>
[Collection(AzuriteCollection.Name)]
public sealed class BackgroundHoldMarkingApiTests(AzuriteFixture azurite)
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);

    private static object Body(string caseNumber) => new
    {
        caseNumber,
        reason = "Site held for a month",
        requestedBy = new { agency = TestKeys.PoliceAgency, officer = "Insp. Hansen" },
        scope = new { type = "cctv", site = "oslo-1", from = "2026-11-20T09:00:00Z", to = "2026-11-20T12:00:00Z" },
    };

    [Fact]
    public async Task A_large_hold_is_a_202_with_its_marking_operation_its_GET_shows_the_marking_and_a_replay_gets_the_same_operation()
    {
        var storage = AzuriteFixture.UniqueStorageOptions();
        await using var runner = await RunnerHost.StartAsync(azurite.ConnectionString, storage, settings: new Dictionary<string, string?>
        {
            ["Holds:InlineMarkLimit"] = "2",
            ["Holds:BackgroundMarkPageSize"] = "2",
        });
        using var security = runner.ClientFor(TestKeys.Security);
        using var police = runner.ClientFor(TestKeys.Police);
        var cctv = azurite.BlobService.GetBlobContainerClient(storage.CctvContainer);
        await cctv.CreateIfNotExistsAsync();
        for (var i = 0; i < 7; i++)
        {
            await cctv.GetBlobClient($"oslo-1/cam-{i % 2}/20261120T10000{i}Z.mp4").UploadAsync(new BinaryData(new[] { (byte)i }));
        }

        await runner.WaitForAsync<MediaListResponse>("/api/media?site=oslo-1", r => r.Items.Count == 7, Deadline);

        var response = await PostAsync(security, Body("CASE-BIG"), "big-1");

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        Assert.NotNull(response.Headers.RetryAfter);
        var placed = (await response.Content.ReadFromJsonAsync<PlacedHoldResponse>())!;
        var marking = placed.Marking!;
        Assert.Equal(HoldMarkingStates.InProgress, marking.State);
        Assert.Null(placed.CoveredMedia); // not known until marking is complete
        Assert.Equal(2, marking.MarkedMedia);
        Assert.Equal($"/api/operations/{marking.OperationId}", response.Headers.Location?.OriginalString);
        Assert.Equal(response.Headers.Location?.OriginalString, marking.Operation);
        Assert.Equal(HoldStatus.Active, placed.Hold.Status);

        var done = await runner.WaitForAsync<HoldDetailResponse>($"/api/holds/{placed.Hold.Id}",
            h => h.Marking?.State == HoldMarkingStates.Complete, Deadline, security);
        Assert.Equal((7, marking.OperationId), (done.Marking!.MarkedMedia, done.Marking.OperationId));
        var operation = await security.GetFromJsonAsync<MediaRetention.Api.Operations.OperationView>(marking.Operation);
        Assert.Equal(("succeeded", placed.Hold.Id), (operation!.Status, operation.HoldId));

        // A retry after a timeout: the same hold, the same operation, and now the count.
        var replay = await PostAsync(security, Body("CASE-BIG"), "big-1");
        Assert.Equal(HttpStatusCode.OK, replay.StatusCode);
        var replayed = (await replay.Content.ReadFromJsonAsync<PlacedHoldResponse>())!;
        Assert.Equal((placed.Hold.Id, marking.OperationId, HoldMarkingStates.Complete, (int?)7),
            (replayed.Hold.Id, replayed.Marking!.OperationId, replayed.Marking.State, replayed.CoveredMedia));

        // Police: a request shows nothing of what it covers, its marking included, and its answer stays the 201.
        var request = await PostAsync(police, Body("CASE-P"), null);
        Assert.Equal(HttpStatusCode.Created, request.StatusCode);
        var requested = (await request.Content.ReadFromJsonAsync<PlacedHoldResponse>())!;
        Assert.Null(requested.Marking);
        Assert.DoesNotContain("marking", await request.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.NotFound, (await police.GetAsync(marking.Operation)).StatusCode);
    }

    [Fact]
    public async Task A_small_hold_keeps_its_201_with_marking_complete()
    {
        var storage = AzuriteFixture.UniqueStorageOptions();
        await using var runner = await RunnerHost.StartAsync(azurite.ConnectionString, storage);
        using var security = runner.ClientFor(TestKeys.Security);

        var response = await PostAsync(security, Body("CASE-SMALL"), null);

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var placed = (await response.Content.ReadFromJsonAsync<PlacedHoldResponse>())!;
        Assert.Equal((HoldMarkingStates.Complete, (string?)null, (int?)0), (placed.Marking!.State, placed.Marking.OperationId, placed.CoveredMedia));
        var detail = await security.GetFromJsonAsync<HoldDetailResponse>($"/api/holds/{placed.Hold.Id}");
        Assert.Equal(HoldMarkingStates.Complete, detail!.Marking!.State);
    }

    private static async Task<HttpResponseMessage> PostAsync(HttpClient client, object body, string? key)
    {
        using var message = new HttpRequestMessage(HttpMethod.Post, "/api/holds") { Content = JsonContent.Create(body) };
        if (key is not null)
        {
            message.Headers.Add(HoldEndpoints.IdempotencyKeyHeader, key);
        }

        return await client.SendAsync(message);
    }
}
