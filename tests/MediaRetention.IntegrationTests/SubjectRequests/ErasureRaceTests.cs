using MediaRetention.Core.Holds;
using MediaRetention.Core.Media;
using MediaRetention.Core.SubjectRequests;
using MediaRetention.IntegrationTests.Infrastructure;
using Xunit.Abstractions;

namespace MediaRetention.IntegrationTests.SubjectRequests;

/// <summary>
/// Erasure deletes through the sweep's own path, so a hold placed while an erasure is deleting wins exactly as it does
/// against a sweep (RetentionRaceAndFaultTests): nothing a hold covers is lost, whenever it is placed.
/// </summary>
[Collection(AzuriteCollection.Name)]
public sealed class ErasureRaceTests(AzuriteFixture azurite, ITestOutputHelper output)
{
    private static readonly Dictionary<string, string?> Settings = new() { ["Retention:MaxParallelDeletes"] = "4" };

    [Fact]
    public async Task Holds_placed_while_an_erasure_is_deleting_never_lose_a_held_medium()
    {
        var heldChecked = 0;
        for (var iteration = 0; iteration < 4; iteration++)
        {
            var random = new Random(iteration);
            var storage = AzuriteFixture.UniqueStorageOptions();
            await using var harness = await CoreHarness.CreateAsync(azurite.ConnectionString, storage, settings: Settings);
            var from = harness.Time.GetUtcNow().AddHours(-3);
            var media = await UploadClipsAsync(harness, 150, from);
            var request = await harness.Get<OpenSubjectRequestHandler>().HandleAsync(new OpenSubjectRequestCommand(
                SubjectRequestTypes.Erasure, harness.Time.GetUtcNow(), "DSR-RACE",
                new SubjectIdentifiers(null, [new CctvPlace("race", null, from.AddMinutes(-1), from.AddHours(1), "everyone")]), null, "dpo"), default);

            var erasure = Task.Run(() => harness.Get<EraseSubjectDataHandler>().ExecuteAsync(
                new EraseSubjectDataCommand(request, "dpo", ConfirmCount: null), default));
            var placed = new List<PlaceHoldResult>();
            while (!erasure.IsCompleted)
            {
                var ids = media.Keys.OrderBy(_ => random.Next()).Take(random.Next(1, 8)).ToList();
                placed.Add(await harness.Get<PlaceHoldHandler>().HandleAsync(new PlaceHoldCommand("RACE-1", "race test", new RequestedBy("pd", "o"),
                    "pd", "tester", null, new HoldScope { Type = HoldScope.MediaType, MediaIds = ids }), default));
            }

            var result = await erasure;
            Assert.Equal(ErasureOutcome.Done, result.Outcome);
            var totals = result.Erasure!.Totals;
            output.WriteLine($"iteration {iteration}: {placed.Count} holds placed during the erasure; {totals.Deleted} deleted, " +
                $"{totals.KeptByHolds} kept, {totals.NotDeleted} not deleted");

            var lost = new List<string>();
            foreach (var hold in placed)
            {
                foreach (var id in hold.CoveredMediaIds)
                {
                    if (!await harness.ExistsAsync(storage.CctvContainer, media[id]))
                    {
                        lost.Add($"{media[id]} (hold {hold.Hold.Id})");
                    }
                }

                heldChecked += hold.CoveredMediaIds.Count;
            }

            Assert.True(lost.Count == 0, $"held media deleted in iteration {iteration}: {string.Join(", ", lost)}");
            Assert.True(totals.Deleted > 0, "the erasure deleted nothing, so nothing raced");

            // Every medium is accounted for: deleted (blob and index row gone), or still stored and indexed.
            var index = harness.Get<IMediaIndex>();
            foreach (var (id, name) in media)
            {
                var stored = await harness.ExistsAsync(storage.CctvContainer, name);
                Assert.True(stored == (await index.GetAsync(id, default) is not null), $"{name}: blob {(stored ? "kept" : "deleted")} but index row disagrees");
            }
        }

        Assert.True(heldChecked > 0, "no hold covered anything while the erasures ran");
    }

    /// <summary>Uploads and indexes clips of site "race"; returns media id → blob name.</summary>
    private static async Task<Dictionary<string, string>> UploadClipsAsync(CoreHarness harness, int count, DateTimeOffset from)
    {
        var names = Enumerable.Range(0, count)
            .Select(i => $"race/cam-{i % 3}/{Core.Ingest.UploadContract.FormatTimestamp(from.AddSeconds(i))}.mp4").ToList();
        await Parallel.ForEachAsync(names, new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (name, _) =>
            await harness.UploadAndIngestAsync(harness.Storage.CctvContainer, name, System.Text.Encoding.UTF8.GetBytes(name)));
        return names.ToDictionary(n => MediaId.For(harness.Storage.CctvContainer, n));
    }
}
