using MediaRetention.Core.Audit;
using MediaRetention.Core.Holds;
using MediaRetention.Core.Media;
using MediaRetention.Core.Retention;
using MediaRetention.IntegrationTests.Infrastructure;
using Xunit.Abstractions;

namespace MediaRetention.IntegrationTests.Retention;

[Collection(AzuriteCollection.Name)]
public sealed class RetentionRaceAndFaultTests(AzuriteFixture azurite, ITestOutputHelper output)
{
    private static readonly Dictionary<string, string?> SweepSettings = new()
    {
        ["Retention:MaxParallelDeletes"] = "4",
        ["Retention:IngestSettleTime"] = "00:00:00",
    };

    [Fact]
    public async Task Holds_placed_while_a_sweep_is_deleting_never_lose_a_held_medium()
    {
        var heldChecked = 0;
        for (var iteration = 0; iteration < 5; iteration++)
        {
            var random = new Random(iteration);
            var storage = AzuriteFixture.UniqueStorageOptions();
            await using var harness = await CoreHarness.CreateAsync(azurite.ConnectionString, storage, settings: SweepSettings);
            var media = await UploadExpiredClipsAsync(harness, 150, sites: 3);
            harness.Time.Advance(TimeSpan.FromMinutes(1));

            var sweep = Task.Run(() => harness.Get<RetentionSweepHandler>().SweepAsync("race test", default));
            var placed = new List<PlaceHoldResult>();
            while (!sweep.IsCompleted)
            {
                placed.Add(await PlaceRandomHoldAsync(harness, random, media));
            }

            var summary = await sweep;
            output.WriteLine($"iteration {iteration}: {placed.Count} holds placed during the sweep; {summary.Deleted} deleted, {summary.HeldKept} held");

            var lost = new List<string>();
            foreach (var hold in placed)
            {
                foreach (var id in hold.CoveredMediaIds)
                {
                    var clip = media[id];
                    if (!await harness.ExistsAsync(storage.CctvContainer, clip))
                    {
                        lost.Add($"{clip} (hold {hold.Hold.Id})");
                    }
                }

                heldChecked += hold.CoveredMediaIds.Count;
            }

            Assert.True(lost.Count == 0, $"held media deleted in iteration {iteration}: {string.Join(", ", lost)}");
            Assert.True(summary.Deleted > 0, "the sweep deleted nothing, so nothing raced");
        }

        Assert.True(heldChecked > 0, "no hold covered anything while the sweeps ran");
    }

    [Fact]
    public async Task Police_requests_placed_while_a_sweep_is_deleting_win_like_active_holds_and_a_rejection_lets_go()
    {
        var heldChecked = 0;
        for (var iteration = 0; iteration < 3; iteration++)
        {
            var random = new Random(100 + iteration);
            var storage = AzuriteFixture.UniqueStorageOptions();
            await using var harness = await CoreHarness.CreateAsync(azurite.ConnectionString, storage, settings: SweepSettings);
            var media = await UploadExpiredClipsAsync(harness, 150, sites: 3);
            harness.Time.Advance(TimeSpan.FromMinutes(1));

            var sweep = Task.Run(() => harness.Get<RetentionSweepHandler>().SweepAsync("race test", default));
            var placed = new List<PlaceHoldResult>();
            while (!sweep.IsCompleted)
            {
                placed.Add(await PlaceRandomHoldAsync(harness, random, media, HoldStatus.Requested));
            }

            var summary = await sweep;
            Assert.All(placed, p => Assert.Equal(HoldStatus.Requested, p.Hold.Status));
            var lost = placed.SelectMany(p => p.CoveredMediaIds.Select(id => (Hold: p.Hold.Id, Clip: media[id])))
                .Where(c => !harness.ExistsAsync(storage.CctvContainer, c.Clip).GetAwaiter().GetResult())
                .Select(c => $"{c.Clip} (request {c.Hold})").ToList();
            Assert.True(lost.Count == 0, $"media of a preservation request deleted in iteration {iteration}: {string.Join(", ", lost)}");
            Assert.True(summary.Deleted > 0, "the sweep deleted nothing, so nothing raced");
            heldChecked += placed.Sum(p => p.CoveredMediaIds.Count);

            // Rejected, a request preserves nothing: the next sweep deletes what only it kept.
            var last = placed.Last(p => p.CoveredMediaIds.Count > 0);
            var onlyItsOwn = last.CoveredMediaIds.Where(id => placed.Count(p => p.CoveredMediaIds.Contains(id)) == 1).ToList();
            foreach (var request in placed)
            {
                await harness.Get<ReviewHoldHandler>().HandleAsync(new ReviewHoldCommand(request.Hold.Id, "guard-1",
                    request == last ? HoldReview.Rejected : HoldReview.Approved, "reviewed"), default);
            }

            harness.Time.Advance(TimeSpan.FromMinutes(1));
            await harness.Get<RetentionSweepHandler>().SweepAsync("after review", default);
            foreach (var id in onlyItsOwn)
            {
                Assert.False(await harness.ExistsAsync(storage.CctvContainer, media[id]), $"{media[id]} was kept only by a rejected request");
            }

            foreach (var id in placed.Where(p => p != last).SelectMany(p => p.CoveredMediaIds))
            {
                Assert.True(await harness.ExistsAsync(storage.CctvContainer, media[id]), $"{media[id]} is kept by an approved request");
            }
        }

        Assert.True(heldChecked > 0, "no request covered anything while the sweeps ran");
    }

    [Fact]
    public async Task Storage_lost_mid_sweep_then_the_next_sweep_finishes_and_keeps_everything_else()
    {
        await using var server = await AzuriteInstance.StartAsync(persistent: true);
        var storage = AzuriteFixture.UniqueStorageOptions();
        var settings = new Dictionary<string, string?>(SweepSettings) { ["Retention:MaxParallelDeletes"] = "2", ["Retention:MaxConsecutiveFailures"] = "5" };
        var time = new Microsoft.Extensions.Time.Testing.FakeTimeProvider(CoreHarness.TruncateToSeconds(DateTimeOffset.UtcNow));
        Dictionary<string, string> expired, unexpired, held;
        await using (var before = await CoreHarness.CreateAsync(server.ConnectionString, storage, time, settings, failFast: true))
        {
            expired = await UploadExpiredClipsAsync(before, 300, sites: 2);
            held = await UploadExpiredClipsAsync(before, 20, sites: 1, site: "held");
            unexpired = await UploadClipsAsync(before, 20, "fresh", time.GetUtcNow().AddDays(-5));
            await before.Get<PlaceHoldHandler>().HandleAsync(new PlaceHoldCommand("C-1", "fault test", new RequestedBy("pd", "o"), "pd", "tester", null,
                new HoldScope { Type = HoldScope.CctvType, Site = "held0", From = time.GetUtcNow().AddDays(-60), To = time.GetUtcNow() }), default);
            time.Advance(TimeSpan.FromMinutes(1));

            var sweep = Task.Run(() => before.Get<RetentionSweepHandler>().SweepAsync("fault test", default));
            var container = before.Blobs.GetBlobContainerClient(storage.CctvContainer);
            var total = expired.Count + held.Count + unexpired.Count;
            using (var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(60)))
            {
                while (await container.GetBlobsAsync(cancellationToken: deadline.Token).CountAsync(deadline.Token) > total - 60)
                {
                    await Task.Delay(20, deadline.Token);
                }
            }

            await server.StopAsync();
            var outcome = await Record.ExceptionAsync(() => sweep);
            output.WriteLine($"interrupted sweep ended with: {outcome?.GetType().Name ?? "completion"}");
        }

        await server.RestartAsync();
        await using var after = await CoreHarness.CreateAsync(server.ConnectionString, storage, time, settings);
        var summary = await after.Get<RetentionSweepHandler>().SweepAsync("after restart", default);
        output.WriteLine($"second sweep: {summary}");

        var index = after.Get<IMediaIndex>();
        var wrong = new List<string>();
        foreach (var (id, name) in expired)
        {
            if (await after.ExistsAsync(storage.CctvContainer, name) || await index.GetAsync(id, default) is not null)
            {
                wrong.Add("expired kept: " + name);
            }
        }

        foreach (var (id, name) in held.Concat(unexpired))
        {
            if (!await after.ExistsAsync(storage.CctvContainer, name) || await index.GetAsync(id, default) is null)
            {
                wrong.Add("kept medium lost: " + name);
            }
        }

        Assert.True(wrong.Count == 0, string.Join('\n', wrong));
        Assert.True((await after.Get<IAuditLog>().VerifyAsync(default)).Intact);
    }

    private static Task<Dictionary<string, string>> UploadExpiredClipsAsync(CoreHarness harness, int count, int sites, string site = "s") =>
        UploadClipsAsync(harness, count, site, harness.Time.GetUtcNow().AddDays(-40), sites);

    /// <summary>Uploads and indexes clips; returns media id → blob name.</summary>
    private static async Task<Dictionary<string, string>> UploadClipsAsync(CoreHarness harness, int count, string site, DateTimeOffset recordedFrom, int sites = 1)
    {
        var names = Enumerable.Range(0, count)
            .Select(i => $"{site}{i % sites}/cam-{i % 3}/{Core.Ingest.UploadContract.FormatTimestamp(recordedFrom.AddSeconds(i))}.mp4").ToList();
        await Parallel.ForEachAsync(names, new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (name, _) =>
            await harness.UploadAndIngestAsync(harness.Storage.CctvContainer, name, System.Text.Encoding.UTF8.GetBytes(name)));
        return names.ToDictionary(n => MediaId.For(harness.Storage.CctvContainer, n));
    }

    private static Task<PlaceHoldResult> PlaceRandomHoldAsync(CoreHarness harness, Random random, Dictionary<string, string> media, string status = HoldStatus.Active)
    {
        var ids = media.Keys.OrderBy(_ => random.Next()).Take(random.Next(1, 8)).ToList();
        return harness.Get<PlaceHoldHandler>().HandleAsync(new PlaceHoldCommand("RACE-1", "race test", new RequestedBy("pd", "o"), "pd", "tester", null,
            new HoldScope { Type = HoldScope.MediaType, MediaIds = ids }) { Status = status }, default);
    }
}
