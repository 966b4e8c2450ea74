using System.Net;
using System.Net.Http.Json;
using Azure.Data.Tables;
using MediaRetention.Api.Holds;
using MediaRetention.IntegrationTests.Infrastructure;

namespace MediaRetention.IntegrationTests.Holds;

/// <summary><c>Idempotency-Key</c> on <c>POST /api/holds</c>, through the real runner.</summary>
[Collection(AzuriteCollection.Name)]
public sealed class IdempotentHoldPlacementTests(AzuriteFixture azurite)
{
    private static object Body(string caseNumber) => new
    {
        caseNumber,
        reason = "Retry test",
        requestedBy = new { agency = TestKeys.PoliceAgency, officer = "Insp. Hansen" },
        scope = new { type = "cctv", site = "oslo-1", from = "2026-11-20T09:00:00Z", to = "2026-11-20T12:00:00Z" },
    };

    [Fact]
    public async Task A_retry_with_the_same_key_and_body_gets_the_same_hold_and_another_body_is_a_409()
    {
        var storage = AzuriteFixture.UniqueStorageOptions();
        await using var runner = await RunnerHost.StartAsync(azurite.ConnectionString, storage);
        using var security = runner.ClientFor(TestKeys.Security);

        var first = await PostAsync(security, Body("CASE-1"), "key-1");
        var retry = await PostAsync(security, Body("CASE-1"), "key-1");
        var other = await PostAsync(security, Body("CASE-2"), "key-1");
        var newKey = await PostAsync(security, Body("CASE-1"), "key-2");

        Assert.Equal(HttpStatusCode.Created, first.StatusCode);
        Assert.Equal(HttpStatusCode.OK, retry.StatusCode);
        var placed = (await first.Content.ReadFromJsonAsync<PlacedHoldResponse>())!;
        var replayed = (await retry.Content.ReadFromJsonAsync<PlacedHoldResponse>())!;
        Assert.Equal(placed.Hold.Id, replayed.Hold.Id);
        Assert.Equal(placed.CoveredMedia, replayed.CoveredMedia);

        Assert.Equal(HttpStatusCode.Conflict, other.StatusCode);
        Assert.Equal("application/problem+json", other.Content.Headers.ContentType?.MediaType);
        Assert.Contains("Idempotency-Key", await other.Content.ReadAsStringAsync());

        Assert.Equal(HttpStatusCode.Created, newKey.StatusCode);
        Assert.NotEqual(placed.Hold.Id, (await newKey.Content.ReadFromJsonAsync<PlacedHoldResponse>())!.Hold.Id);
        Assert.Equal(2, azurite.TableService.GetTableClient(storage.HoldsTable).Query<TableEntity>(e => e.PartitionKey == MediaRetention.Core.Holds.HoldEntityMapper.Partition).Count());
    }

    [Fact]
    public async Task Concurrent_retries_with_one_key_place_one_hold_and_a_police_retry_is_not_counted_against_the_limit()
    {
        var storage = AzuriteFixture.UniqueStorageOptions();
        await using var runner = await RunnerHost.StartAsync(azurite.ConnectionString, storage,
            settings: new Dictionary<string, string?> { ["Holds:PoliceMaxOpenRequests"] = "1" });
        using var police = runner.ClientFor(TestKeys.Police);

        var responses = await Task.WhenAll(Enumerable.Range(0, 6).Select(_ => PostAsync(police, Body("CASE-P"), "same")));

        Assert.All(responses, r => Assert.True(r.StatusCode is HttpStatusCode.Created or HttpStatusCode.OK, $"{r.StatusCode}"));
        var ids = new HashSet<string>();
        foreach (var response in responses)
        {
            ids.Add((await response.Content.ReadFromJsonAsync<PlacedHoldResponse>())!.Hold.Id);
        }

        Assert.Single(ids);
        Assert.Equal(HttpStatusCode.TooManyRequests, (await PostAsync(police, Body("CASE-Q"), "another")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await PostAsync(police, Body("CASE-P"), "same")).StatusCode);
    }

    [Theory]
    [InlineData("")]
    [InlineData("has space")]
    public async Task A_malformed_key_is_a_400_naming_the_header_and_nothing_is_stored(string key)
    {
        var storage = AzuriteFixture.UniqueStorageOptions();
        await using var runner = await RunnerHost.StartAsync(azurite.ConnectionString, storage);
        using var security = runner.ClientFor(TestKeys.Security);

        var response = await PostAsync(security, Body("CASE-1"), key);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("Idempotency-Key", await response.Content.ReadAsStringAsync());
        Assert.Empty(azurite.TableService.GetTableClient(storage.HoldsTable).Query<TableEntity>(e => e.PartitionKey == MediaRetention.Core.Holds.HoldEntityMapper.Partition));
    }

    private static Task<HttpResponseMessage> PostAsync(HttpClient client, object body, string key)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/api/holds") { Content = JsonContent.Create(body) };
        request.Headers.TryAddWithoutValidation(HoldEndpoints.IdempotencyKeyHeader, key);
        return client.SendAsync(request);
    }
}
