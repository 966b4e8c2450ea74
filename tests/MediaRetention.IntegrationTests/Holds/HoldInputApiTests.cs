using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Azure.Data.Tables;
using MediaRetention.Api.Holds;
using MediaRetention.Api.Media;
using MediaRetention.Core.Ingest;
using MediaRetention.Core.Media;
using MediaRetention.Core.Retention;
using MediaRetention.Core.Storage;
using MediaRetention.IntegrationTests.Infrastructure;

namespace MediaRetention.IntegrationTests.Holds;

/// <summary>
/// The hold API's input rules as README states them, through the real runner: each case here was a 500 (with the hold
/// stored anyway), a 500 for a documented limit, or a time accepted in a zone nobody chose.
/// </summary>
[Collection(AzuriteCollection.Name)]
public sealed class HoldInputApiTests(AzuriteFixture azurite)
{
    private static readonly string Id = MediaId.For("cctv", "x");

    [Fact]
    public async Task A_null_media_id_is_a_400_naming_it_nothing_is_stored_and_retention_and_ingest_carry_on()
    {
        var storage = AzuriteFixture.UniqueStorageOptions();
        await using var runner = await RunnerHost.StartAsync(azurite.ConnectionString, storage);
        using var admin = runner.ClientFor(TestKeys.Admin);

        var response = await PostAsync(runner.Client, Body("""{"type":"media","mediaIds":["ID", null]}""".Replace("ID", Id)));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains("'scope.mediaIds[1]'", await response.Content.ReadAsStringAsync());
        Assert.Empty(azurite.TableService.GetTableClient(storage.HoldsTable).Query<TableEntity>());
        Assert.Equal(HttpStatusCode.OK, (await admin.GetAsync("/api/retention/preview")).StatusCode);
        Assert.False((await admin.SweepAsync()).DeletionBlocked);
        await UploadClipAsync(storage);
        await runner.WaitForAsync<MediaListResponse>("/api/media", r => r.Items.Count == 1, TimeSpan.FromSeconds(15));
    }

    [Fact]
    public async Task A_media_hold_of_a_thousand_ids_is_placed_and_reads_back_whole_within_azure_limits()
    {
        var storage = AzuriteFixture.UniqueStorageOptions();
        await using var runner = await RunnerHost.StartAsync(azurite.ConnectionString, storage);
        var ids = Enumerable.Range(0, 1000).Select(i => MediaId.For("cctv", "clip-" + i)).ToList();

        var response = await PostAsync(runner.Client, Body(JsonSerializer.Serialize(new { type = "media", mediaIds = ids })));

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var placed = (await response.Content.ReadFromJsonAsync<PlacedHoldResponse>())!;
        var read = await runner.Client.GetFromJsonAsync<HoldDetailResponse>($"/api/holds/{placed.Hold.Id}");
        Assert.Equal(ids, read!.Hold.Scope.MediaIds);
        var listed = await runner.Client.GetFromJsonAsync<HoldListResponse>("/api/holds");
        Assert.Equal(ids, Assert.Single(listed!.Items).Scope.MediaIds);
        Assert.Null(listed.Unreadable);

        // What Azurite stored is what Azure would have accepted: no property over 32K characters.
        var row = Assert.Single(azurite.TableService.GetTableClient(storage.HoldsTable)
            .Query<TableEntity>(e => e.PartitionKey == MediaRetention.Core.Holds.HoldEntityMapper.Partition));
        Assert.Empty(AzureTableLimits.Violations(row));
        Assert.True(row.ContainsKey("Scope1"), "the scope of 1,000 ids is split over several properties");

        var tooMany = await PostAsync(runner.Client, Body(JsonSerializer.Serialize(new { type = "media", mediaIds = ids.Append(MediaId.For("cctv", "one more")) })));
        Assert.Equal(HttpStatusCode.BadRequest, tooMany.StatusCode);
    }

    [Theory]
    [InlineData("""{"type":"cctv","site":"oslo-1","from":"2026-11-01T00:00:00","to":"2026-11-02T00:00:00Z"}""", null, "'scope.from'")]
    [InlineData("""{"type":"cctv","site":"oslo-1","from":"2026-11-01","to":"2026-11-02"}""", null, "'scope.from'")]
    [InlineData("""{"type":"cctv","site":"oslo-1","from":"2026-11-01T00:00:00Z","to":"2026-11-02T00:00:00"}""", null, "'scope.to'")]
    [InlineData("""{"type":"call","callId":"c-1"}""", "2027-11-01T00:00:00", "'reviewDate'")]
    [InlineData("""{"type":"call","callId":"c-1"}""", "2027-11-01", "'reviewDate'")]
    [InlineData("""{"type":"system","system":"pbx","from":"15000101T000000Z","to":"15000102T000000Z"}""", null, "before 1601-01-01")]
    [InlineData("""{"type":"system","system":"pbx","from":20261101,"to":"2026-11-02T00:00:00Z"}""", null, "'scope.from'")]
    public async Task A_time_without_a_zone_or_outside_what_can_be_stored_is_a_400_naming_the_field(string scope, string? reviewDate, string field)
    {
        var storage = AzuriteFixture.UniqueStorageOptions();
        await using var runner = await RunnerHost.StartAsync(azurite.ConnectionString, storage);

        var response = await PostAsync(runner.Client, Body(scope, reviewDate));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains(field, await response.Content.ReadAsStringAsync());
        Assert.Empty(azurite.TableService.GetTableClient(storage.HoldsTable).Query<TableEntity>());
    }

    [Fact]
    public async Task Times_in_the_contract_format_and_with_offsets_are_accepted_as_the_instants_they_name()
    {
        var storage = AzuriteFixture.UniqueStorageOptions();
        await using var runner = await RunnerHost.StartAsync(azurite.ConnectionString, storage);

        var response = await PostAsync(runner.Client,
            Body("""{"type":"cctv","site":"oslo-1","from":"20261101T000000Z","to":"2026-11-02T01:00:00+01:00"}""", "20271101T120000Z"));

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var hold = (await response.Content.ReadFromJsonAsync<PlacedHoldResponse>())!.Hold;
        Assert.Equal(new DateTimeOffset(2026, 11, 1, 0, 0, 0, TimeSpan.Zero), hold.Scope.From);
        Assert.Equal(new DateTimeOffset(2026, 11, 2, 0, 0, 0, TimeSpan.Zero), hold.Scope.To);
        Assert.Equal(new DateTimeOffset(2027, 11, 1, 12, 0, 0, TimeSpan.Zero), hold.ReviewDate);
        var media = await runner.Client.GetAsync("/api/media?from=20261101T000000Z&to=2026-11-02T00:00:00%2B01:00");
        Assert.Equal(HttpStatusCode.OK, media.StatusCode);
        var zoneless = await runner.Client.GetAsync("/api/media?from=2026-11-01T00:00:00");
        Assert.Equal(HttpStatusCode.BadRequest, zoneless.StatusCode);
        Assert.Contains("'from'", await zoneless.Content.ReadAsStringAsync());
    }

    private static string Body(string scope, string? reviewDate = null) =>
        $$"""{"caseNumber":"OPD-1","reason":"test","requestedBy":{"agency":"oslo-pd","officer":"Insp. Hansen"},{{(reviewDate is null ? "" : $"\"reviewDate\":\"{reviewDate}\",")}}"scope":{{scope}}}""";

    private static Task<HttpResponseMessage> PostAsync(HttpClient client, string body) =>
        client.PostAsync("/api/holds", new StringContent(body, Encoding.UTF8, "application/json"));

    private async Task UploadClipAsync(MediaStorageOptions storage)
    {
        var cctv = azurite.BlobService.GetBlobContainerClient(storage.CctvContainer);
        await cctv.CreateIfNotExistsAsync();
        await cctv.GetBlobClient($"shop-1/cam-1/{UploadContract.FormatTimestamp(DateTimeOffset.UtcNow.AddMinutes(-1))}.mp4")
            .UploadAsync(new BinaryData("clip"u8.ToArray()));
    }
}
