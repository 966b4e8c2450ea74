using MediaRetention.Core.Holds;
using MediaRetention.Core.Ingest;
using MediaRetention.Core.Media;
using MediaRetention.Core.Retention;
using MediaRetention.Core.Storage;
using MediaRetention.IntegrationTests.Infrastructure;
using MediaRetention.Testing;
using Xunit.Abstractions;

namespace MediaRetention.IntegrationTests.Holds;

/// <summary>
/// The hold cache against real storage: a hold placed while many ingests run ends up marking every medium it covers,
/// the sweep keeps them all, and ingest's request count does not grow with the number of holds.
/// </summary>
[Collection(AzuriteCollection.Name)]
public sealed class HoldCacheRaceTests(AzuriteFixture azurite, ITestOutputHelper output)
{
    private static readonly Dictionary<string, string?> Settings = new()
    {
        ["Retention:MaxParallelDeletes"] = "4",
        ["Retention:IngestSettleTime"] = "00:00:00",
    };

    [Fact]
    public async Task A_hold_placed_while_many_ingests_run_ends_up_marking_every_covered_medium_and_the_sweep_keeps_them()
    {
        var coveredChecked = 0;
        for (var iteration = 0; iteration < 4; iteration++)
        {
            var random = new Random(iteration);
            var storage = AzuriteFixture.UniqueStorageOptions();
            await using var harness = await CoreHarness.CreateAsync(azurite.ConnectionString, storage, settings: Settings);
            var recordedFrom = harness.Time.GetUtcNow().AddDays(-40);

            // A warm cache, as on a host that has been ingesting for a while: the race is then with revalidation.
            await harness.UploadAndIngestAsync(storage.CctvContainer, $"warm/cam-1/{UploadContract.FormatTimestamp(recordedFrom)}.mp4", "w"u8.ToArray());

            var names = Enumerable.Range(0, 120)
                .Select(i => $"r{i % 3}/cam-{i % 2}/{UploadContract.FormatTimestamp(recordedFrom.AddSeconds(i))}.mp4").ToList();
            await Parallel.ForEachAsync(names, new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (name, _) =>
                await harness.UploadAsync(storage.CctvContainer, name, System.Text.Encoding.UTF8.GetBytes(name)));
            var listed = new List<BlobSnapshot>();
            await foreach (var blob in harness.Get<IMediaBlobStore>().ListAsync(storage.CctvContainer, default))
            {
                listed.Add(blob);
            }

            // Ingest everything, 8 at a time, as the runner does (with the listed ETags); place the hold part-way.
            var placeAfter = random.Next(5, 80);
            var done = 0;
            var holdPlaced = new TaskCompletionSource();
            var ingest = harness.Get<IngestBlobHandler>();
            var ingests = Parallel.ForEachAsync(listed.OrderBy(_ => random.Next()).ToList(), new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (blob, ct) =>
            {
                await ingest.HandleAsync(IngestBlobCommand.Listed(blob), ct);
                Interlocked.Increment(ref done);
            });
            while (Volatile.Read(ref done) < placeAfter && !ingests.IsCompleted)
            {
                await Task.Yield();
            }

            var status = iteration % 2 == 0 ? HoldStatus.Active : HoldStatus.Requested; // police requests preserve at once too
            var placed = await harness.Get<PlaceHoldHandler>().HandleAsync(new PlaceHoldCommand("RACE-2", "cache race", new RequestedBy("pd", "o"), "pd", "tester", null,
                new HoldScope { Type = HoldScope.CctvType, Site = "r0", From = recordedFrom.AddHours(-1), To = recordedFrom.AddDays(1) }) { Status = status }, default);
            var ingestedBeforePlacement = placed.CoveredMedia;
            await ingests;

            var covered = names.Where(n => n.StartsWith("r0/", StringComparison.Ordinal)).ToList();
            var marks = harness.Get<IBlobHoldMarks>();
            var unmarked = new List<string>();
            foreach (var name in covered)
            {
                if (await marks.GetMarkAsync(storage.CctvContainer, name, default) != IBlobHoldMarks.Held)
                {
                    unmarked.Add(name);
                }
            }

            var fresh = await harness.Get<IHoldStore>().LoadActiveAsync(default);
            var index = harness.Get<IMediaIndex>();
            foreach (var name in covered)
            {
                var stored = await index.GetAsync(MediaId.For(storage.CctvContainer, name), default);
                Assert.True(stored is { Unreadable: null } && fresh.IsHeld(stored.Record), $"{name} is not indexed as held");
            }

            Assert.True(unmarked.Count == 0, $"iteration {iteration}: covered media left unmarked: {string.Join(", ", unmarked)}");

            var summary = await harness.Get<RetentionSweepHandler>().SweepAsync("cache race", default);
            var lost = new List<string>();
            foreach (var name in covered)
            {
                if (!await harness.ExistsAsync(storage.CctvContainer, name))
                {
                    lost.Add(name);
                }
            }

            output.WriteLine($"iteration {iteration}: hold placed after {placeAfter} ingests ({ingestedBeforePlacement} covered media indexed by then); " +
                             $"{covered.Count} covered, {summary.Deleted} others deleted, cache reloads {harness.Get<HoldCache>().Reloads}");
            Assert.True(lost.Count == 0, $"held media deleted in iteration {iteration}: {string.Join(", ", lost)}");
            Assert.True(summary.Deleted >= 80, "the sweep did not delete the uncovered media, so it proved nothing");
            coveredChecked += covered.Count;
        }

        Assert.Equal(4 * 40, coveredChecked);
    }

    [Fact]
    public async Task Ingest_costs_the_same_storage_requests_per_new_medium_with_no_holds_and_with_many_active_and_released()
    {
        var requests = new StorageRequestCounter();
        var storage = AzuriteFixture.UniqueStorageOptions();
        await using var harness = await CoreHarness.CreateAsync(azurite.ConnectionString, storage, settings: Settings, requests: requests);
        var recordedFrom = harness.Time.GetUtcNow().AddDays(-1);
        var clip = 0;

        async Task<double> PerMediumAsync(string label)
        {
            await IngestNewAsync(); // warms the host's hold cache after the holds changed
            requests.Reset();
            const int count = 20;
            for (var i = 0; i < count; i++)
            {
                await IngestNewAsync();
            }

            output.WriteLine($"{label}: {requests.Total / (double)count:0.##} requests per new medium ({requests.Describe(count)})");
            return requests.Total / (double)count;
        }

        async Task IngestNewAsync()
        {
            // Uploaded through a client that is not counted; ingested as the runner's listing reports a new blob.
            var name = $"site-1/cam-1/{UploadContract.FormatTimestamp(recordedFrom.AddSeconds(clip++))}.mp4";
            var uploaded = await azurite.BlobService.GetBlobContainerClient(storage.CctvContainer).GetBlobClient(name)
                .UploadAsync(new BinaryData("clip"u8.ToArray()));
            var etag = $"\"{uploaded.Value.ETag.ToString().Trim('"')}\"";
            var result = await harness.Get<IngestBlobHandler>().HandleAsync(
                new IngestBlobCommand(storage.CctvContainer, name, etag) { Unmarked = true }, default);
            Assert.Equal(IngestOutcome.Indexed, result.Outcome);
        }

        var none = await PerMediumAsync("no holds");

        // 600 holds active and 600 released, none covering the new clips.
        var store = harness.Get<IHoldStore>();
        await Parallel.ForEachAsync(Enumerable.Range(0, 1200), new ParallelOptions { MaxDegreeOfParallelism = 16 }, async (i, ct) =>
        {
            var hold = new Hold
            {
                Id = Guid.CreateVersion7().ToString("N"), CaseNumber = "C-" + i, Reason = "r", RequestedBy = new RequestedBy("pd", "o"), Agency = "pd",
                PlacedBy = "t", PlacedAt = harness.Time.GetUtcNow(), Status = HoldStatus.Active,
                Scope = new HoldScope { Type = HoldScope.CctvType, Site = "other-" + i, From = recordedFrom, To = recordedFrom.AddDays(1) },
            };
            await store.CreateAsync(hold, ct);
            if (i % 2 == 1)
            {
                var stored = await store.GetAsync(hold.Id, ct);
                Assert.True(await store.TryUpdateAsync(hold with
                {
                    Status = HoldStatus.Released,
                    Release = new HoldRelease("t", harness.Time.GetUtcNow(), "done"),
                }, stored!.StorageETag, ct));
            }
        });
        var many = await PerMediumAsync("1,200 holds (600 active, 600 released)");

        Assert.Equal(none, many);
        // The camera row rides in the site row's transaction (same partition): still 2 lookup requests.
        Assert.True(none <= 6, $"{none} requests per new medium");

        // Placing a hold: its row, the version bump, the covered media found by key range and marked, the audit entry.
        requests.Reset();
        var placed = await harness.Get<PlaceHoldHandler>().HandleAsync(new PlaceHoldCommand("C-P", "count", new RequestedBy("pd", "o"), "pd", "t", null,
            new HoldScope { Type = HoldScope.CctvType, Site = "site-1", From = recordedFrom, To = recordedFrom.AddSeconds(4) }), default);
        output.WriteLine($"place hold covering {placed.CoveredMedia} media: {requests.Total} requests ({requests.Describe()})");
        Assert.Equal(5, placed.CoveredMedia);
    }
}
