using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using Azure.Data.Tables;
using MediaRetention.Api.Holds;
using MediaRetention.Api.Media;
using MediaRetention.Core.Audit;
using MediaRetention.Core.Holds;
using MediaRetention.Core.Ingest;
using MediaRetention.Core.Media;
using MediaRetention.Core.Retention;
using MediaRetention.IntegrationTests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace MediaRetention.IntegrationTests.Storage;

/// <summary>
/// Every table read of the app against a table service that answers each page empty first, with a continuation token
/// (<see cref="EmptyTablePages"/>, at the SDK's transport), as Azure may: the adapters (media index, holds, audit log,
/// hold coverage), the sweep and its reconcile, the API's paged routes (a page with no items and a token is valid)
/// and the evidence manifest all still see every row.
/// </summary>
[Collection(AzuriteCollection.Name)]
public sealed class EmptyTablePagesTests(AzuriteFixture azurite)
{
    private static readonly DateTimeOffset Recorded = CoreHarness.TruncateToSeconds(DateTimeOffset.UtcNow).AddDays(-40);
    private readonly EmptyTablePages emptyPages = new();

    [Fact]
    public async Task The_media_index_queries_scans_and_lists_every_row()
    {
        await using var harness = await HarnessAsync();
        var ids = await UploadClipsAsync(harness, 7);
        var index = harness.Get<IMediaIndex>();

        // The API-style query, page by page: some pages are empty yet carry a token; following it loses nothing.
        var seen = new List<string>();
        var emptyWithToken = 0;
        string? token = null;
        do
        {
            var page = await index.QueryAsync(new MediaQuery { Site = "s" }, token, 3, default);
            seen.AddRange(page.Items.Select(m => m.Id));
            emptyWithToken += page.Items.Count == 0 && page.ContinuationToken is not null ? 1 : 0;
            token = page.ContinuationToken;
        }
        while (token is not null);

        Assert.Equal(ids, seen);
        Assert.True(emptyWithToken > 0, "no empty page came back: the fake was not in the pipeline");

        var scanned = await index.ScanRetainedBeforeAsync(MediaKind.Cctv, harness.Time.GetUtcNow(), 3, null, default).ToListAsync();
        Assert.Equal(ids, scanned.SelectMany(p => p.Records).Select(m => m.Id));
        var resumed = await index.ScanRetainedBeforeAsync(MediaKind.Cctv, harness.Time.GetUtcNow(), 3, scanned[0].Last, default).ToListAsync();
        Assert.Equal(ids.Skip(scanned[0].Records.Count), resumed.SelectMany(p => p.Records).Select(m => m.Id));
        Assert.Equal(ids.Order(), (await index.ListRecordVersionsAsync(default).ToListAsync()).Select(v => v.Id).Order());
    }

    [Fact]
    public async Task The_hold_store_lists_and_loads_every_hold_and_coverage_finds_every_medium()
    {
        await using var harness = await HarnessAsync();
        var ids = await UploadClipsAsync(harness, 5);
        var place = harness.Get<PlaceHoldHandler>();
        var placed = new List<string>();
        for (var i = 0; i < 5; i++)
        {
            placed.Add((await place.HandleAsync(new PlaceHoldCommand($"C-{i}", "paging", new RequestedBy("pd", "o"), "pd", "tester", null,
                new HoldScope { Type = HoldScope.CctvType, Site = "s", From = Recorded.AddMinutes(-1), To = Recorded.AddHours(1) }), default)).Hold.Id);
        }

        var holds = harness.Get<IHoldStore>();
        var listed = new List<string>();
        string? token = null;
        do
        {
            var page = await holds.ListAsync(HoldStatus.Active, null, token, 2, default);
            listed.AddRange(page.Items.Select(h => h.Id));
            token = page.ContinuationToken;
        }
        while (token is not null);

        // Same clock tick for all five (a fake clock): ids sort by their random part, so compare as sets, and none twice.
        Assert.Equal(placed.Order(), listed.Order());
        Assert.Equal(5, (await holds.LoadActiveAsync(default)).Count);
        var thorough = await holds.LoadActiveThoroughAsync(default);
        Assert.Equal((5, 0), (thorough.Count, thorough.Unreadable.Count));
        var scope = (await holds.GetAsync(placed[0], default))!.Hold!.Scope;
        Assert.Equal(ids.Order(), await harness.Get<HoldCoverage>().FindCoveredAsync(scope, default).Select(m => m.Id).Order().ToListAsync());
        Assert.True(emptyPages.EmptyPagesServed > 0);
    }

    [Fact]
    public async Task The_audit_log_pages_and_its_verification_see_every_entry()
    {
        await using var harness = await HarnessAsync();
        var audit = harness.Get<IAuditLog>();
        for (var i = 0; i < 12; i++)
        {
            await audit.AppendAsync(new AuditEvent("tester", "test.paging", $"item/{i}"), default);
        }

        var sequences = new List<long>();
        string? token = null;
        do
        {
            var page = await audit.QueryAsync(null, null, token, 5, default);
            sequences.AddRange(page.Items.Select(e => e.Sequence));
            token = page.ContinuationToken;
        }
        while (token is not null);

        Assert.Equal(Enumerable.Range(1, 12).Select(i => (long)i), sequences);
        var verification = await audit.VerifyAsync(default);
        Assert.True(verification.Intact, string.Join("; ", verification.Breaks.Select(b => b.Problem)));
        Assert.Equal(12, verification.EntriesChecked);
        Assert.True(emptyPages.EmptyPagesServed > 0);
    }

    [Fact]
    public async Task A_sweep_reconciles_nothing_twice_and_deletes_every_expired_medium()
    {
        await using var harness = await HarnessAsync(new Dictionary<string, string?> { ["Retention:ScanPageSize"] = "2" });
        var ids = await UploadClipsAsync(harness, 7);
        harness.Time.Advance(TimeSpan.FromMinutes(1));

        var summary = await harness.Get<RetentionSweepHandler>().SweepAsync("paging", default);

        Assert.Equal((0, 7, 7), (summary.Reconciled, summary.Expired, summary.Deleted));
        foreach (var id in ids)
        {
            Assert.Null(await harness.Get<IMediaIndex>().GetAsync(id, default));
        }

        Assert.True(emptyPages.EmptyPagesServed > 0);
    }

    [Fact]
    public async Task The_api_answers_empty_pages_with_a_token_and_following_them_gives_everything_including_the_manifest()
    {
        var storage = AzuriteFixture.UniqueStorageOptions();
        await using var runner = await RunnerHost.StartAsync(azurite.ConnectionString, storage,
            configure: builder => builder.Services.AddSingleton(emptyPages.CreateClient(azurite.ConnectionString)));
        var cctv = azurite.BlobService.GetBlobContainerClient(storage.CctvContainer);
        var names = Enumerable.Range(0, 4).Select(i => $"s/cam-1/{UploadContract.FormatTimestamp(DateTimeOffset.UtcNow.AddHours(-2).AddMinutes(i))}.mp4").ToList();
        foreach (var name in names)
        {
            await cctv.GetBlobClient(name).UploadAsync(new BinaryData(System.Text.Encoding.UTF8.GetBytes(name)));
        }

        var media = await FollowAsync<MediaView>(runner.Client, "/api/media?pageSize=100", "items");
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        while (media.Items.Count < names.Count)
        {
            await Task.Delay(200, deadline.Token);
            media = await FollowAsync<MediaView>(runner.Client, "/api/media?pageSize=100", "items");
        }

        Assert.Equal(names.Order(), media.Items.Select(m => m.BlobName).Order());
        Assert.True(media.EmptyPagesWithToken > 0, "the API never answered an empty page with a token");

        var placed = await (await runner.Client.PostAsJsonAsync("/api/holds", new
        {
            caseNumber = "OPD-PAGING",
            reason = "paging",
            requestedBy = new { agency = "oslo-pd", officer = "o" },
            scope = new { type = "cctv", site = "s", from = DateTimeOffset.UtcNow.AddHours(-3), to = DateTimeOffset.UtcNow },
        })).Content.ReadFromJsonAsync<PlacedHoldResponse>(JsonSerializerOptions.Web);
        Assert.Equal(names.Count, placed!.CoveredMedia);

        var holds = await FollowAsync<HoldView>(runner.Client, "/api/holds?pageSize=100", "items");
        Assert.Equal([placed.Hold.Id], holds.Items.Select(h => h.Id));
        using var admin = runner.ClientFor(TestKeys.Admin);
        var audit = await FollowAsync<AuditEntry>(admin, "/api/audit?pageSize=100", "items");
        Assert.Contains(audit.Items, e => e.Action == AuditActions.HoldPlaced);

        // The manifest follows the coverage through empty pages on the server; the liaison's script checks all of it.
        var manifest = JsonNode.Parse(await runner.Client.GetStringAsync($"/api/holds/{placed.Hold.Id}/evidence/manifest"))!;
        Assert.Equal(names.Order(), manifest["items"]!.AsArray().Select(i => (string)i!["blobName"]!).Order());
        var work = Directory.CreateTempSubdirectory("paging-evidence-");
        try
        {
            var result = await FetchEvidenceScript.RunAsync(work.FullName, TimeSpan.FromSeconds(60),
                new Uri(runner.BaseAddress, $"/api/holds/{placed.Hold.Id}/evidence/manifest").ToString(),
                "--header", $"X-Api-Key: {TestKeys.Security}", "--public-key", TestSigningKeys.Current.PublicKeyPath, "--out", Path.Combine(work.FullName, "out"));
            Assert.True(result.ExitCode == 0, result.Describe());
            Assert.Equal($"evidence: {names.Count} passed, 0 failed", result.Lines[^1]);
        }
        finally
        {
            work.Delete(recursive: true);
        }
    }

    private sealed record Followed<T>(List<T> Items, int EmptyPagesWithToken);

    /// <summary>Follows continuationToken until it is null, as a client must, counting pages that had no items.</summary>
    private static async Task<Followed<T>> FollowAsync<T>(HttpClient client, string path, string itemsProperty)
    {
        var items = new List<T>();
        var empty = 0;
        string? token = null;
        do
        {
            var url = token is null ? path : $"{path}&continuationToken={Uri.EscapeDataString(token)}";
            var page = JsonNode.Parse(await client.GetStringAsync(url))!;
            var pageItems = page[itemsProperty]!.Deserialize<List<T>>(JsonSerializerOptions.Web)!;
            items.AddRange(pageItems);
            token = (string?)page["continuationToken"];
            empty += pageItems.Count == 0 && token is not null ? 1 : 0;
        }
        while (token is not null);

        return new Followed<T>(items, empty);
    }

    private Task<CoreHarness> HarnessAsync(IDictionary<string, string?>? settings = null)
    {
        var values = new Dictionary<string, string?>(settings ?? new Dictionary<string, string?>()) { ["Retention:IngestSettleTime"] = "00:00:00" };
        return CoreHarness.CreateAsync(azurite.ConnectionString, AzuriteFixture.UniqueStorageOptions(), settings: values,
            configure: services => services.AddSingleton<TableServiceClient>(emptyPages.CreateClient(azurite.ConnectionString)));
    }

    /// <summary>Clips a minute apart at site s, indexed: their ids in recording order.</summary>
    private static async Task<List<string>> UploadClipsAsync(CoreHarness harness, int count)
    {
        var ids = new List<string>();
        for (var i = 0; i < count; i++)
        {
            var name = $"s/cam-1/{UploadContract.FormatTimestamp(Recorded.AddMinutes(i))}.mp4";
            await harness.UploadAndIngestAsync(harness.Storage.CctvContainer, name, System.Text.Encoding.UTF8.GetBytes(name));
            ids.Add(MediaId.For(harness.Storage.CctvContainer, name));
        }

        return ids;
    }
}
