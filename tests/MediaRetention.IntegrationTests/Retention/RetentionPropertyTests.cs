using MediaRetention.Core.Holds;
using MediaRetention.Core.Ingest;
using MediaRetention.Core.Media;
using MediaRetention.Core.Retention;
using MediaRetention.IntegrationTests.Infrastructure;
using Xunit.Abstractions;

namespace MediaRetention.IntegrationTests.Retention;

/// <summary>
/// Random media, random holds placed and released, random clock jumps: after every sweep exactly the media
/// that are expired and not covered by an active hold are gone. The expectation comes from a model written
/// here, independent of the production coverage and retention code.
/// </summary>
[Collection(AzuriteCollection.Name)]
public sealed class RetentionPropertyTests(AzuriteFixture azurite, ITestOutputHelper output)
{
    private const int CctvDays = 30;
    private const int CallDays = 20;
    private const int LongSiteDays = 45;
    private static readonly string[] Sites = ["s0", "s1", "long"];
    private static readonly string[] Cameras = ["c0", "c1"];
    private static readonly string[] Systems = ["p0", "p1"];
    private static readonly string[] Phones = ["+4790000001", "+4790000002", "+4790000003"];

    [Theory]
    [InlineData(11)]
    [InlineData(29)]
    [InlineData(47)]
    public async Task After_each_sweep_exactly_the_expired_unheld_media_are_gone(int seed)
    {
        output.WriteLine($"seed {seed}");
        var random = new Random(seed);
        var storage = AzuriteFixture.UniqueStorageOptions();
        await using var harness = await CoreHarness.CreateAsync(azurite.ConnectionString, storage, settings: new Dictionary<string, string?>
        {
            ["Retention:CctvDays"] = CctvDays.ToString(),
            ["Retention:CallDays"] = CallDays.ToString(),
            ["Retention:SiteDays:long"] = LongSiteDays.ToString(),
        });
        var start = harness.Time.GetUtcNow();
        var media = new List<ModelMedium>();
        for (var i = 0; i < 50; i++)
        {
            media.Add(await CreateMediumAsync(harness, random, start, i));
        }

        var holds = new List<ModelHold>();
        for (var round = 0; round < 6; round++)
        {
            for (var h = random.Next(0, 3); h > 0; h--)
            {
                holds.Add(await PlaceRandomHoldAsync(harness, random, media, start));
            }

            var active = holds.Where(h => h.Active).ToList();
            if (active.Count > 0 && random.NextDouble() < 0.5)
            {
                var release = active[random.Next(active.Count)];
                await harness.Get<ReleaseHoldHandler>().HandleAsync(new ReleaseHoldCommand(release.Id, "test", "released in round " + round), default);
                release.Active = false;
            }

            harness.Time.Advance(TimeSpan.FromDays(random.Next(0, 12)) + TimeSpan.FromHours(random.Next(0, 24)) + TimeSpan.FromMinutes(2));
            var now = harness.Time.GetUtcNow();
            var summary = await harness.Get<RetentionSweepHandler>().SweepAsync("property test", default);

            foreach (var m in media.Where(m => m.Present))
            {
                var expired = m.RetentionFrom + TimeSpan.FromDays(m.RetentionDays) <= now;
                var held = holds.Any(h => h.Active && h.Covers(m));
                m.Present = !expired || held;
            }

            var wrong = new List<string>();
            foreach (var m in media)
            {
                var exists = await harness.ExistsAsync(m.Container, m.Name);
                var indexed = await harness.Get<IMediaIndex>().GetAsync(MediaId.For(m.Container, m.Name), default) is not null;
                if (exists != m.Present || indexed != m.Present)
                {
                    wrong.Add($"{m.Name}: expected {(m.Present ? "kept" : "gone")}, blob {(exists ? "exists" : "gone")}, index {(indexed ? "has it" : "not")}");
                }
            }

            Assert.True(wrong.Count == 0, $"seed {seed}, round {round}, now {now:O}, summary {summary}:\n{string.Join('\n', wrong)}");
            Assert.Equal(0, summary.Failures);
        }

        Assert.Contains(media, m => !m.Present);
        Assert.Contains(media, m => m.Present);
    }

    private static async Task<ModelMedium> CreateMediumAsync(CoreHarness harness, Random random, DateTimeOffset start, int i)
    {
        var recordedAt = start - TimeSpan.FromDays(random.Next(0, 40)) - TimeSpan.FromSeconds(random.Next(0, 86_400)) - TimeSpan.FromSeconds(i);
        var stamp = UploadContract.FormatTimestamp(recordedAt);
        var kindRoll = random.NextDouble();
        ModelMedium m;
        Dictionary<string, string>? metadata = null;
        if (kindRoll < 0.55)
        {
            var site = Sites[random.Next(Sites.Length)];
            var camera = Cameras[random.Next(Cameras.Length)];
            m = new ModelMedium(harness.Storage.CctvContainer, $"{site}/{camera}/{stamp}.mp4", MediaKind.Cctv, recordedAt,
                site == "long" ? LongSiteDays : CctvDays) { Site = site, Camera = camera };
        }
        else if (kindRoll < 0.9)
        {
            var system = Systems[random.Next(Systems.Length)];
            var phone = Phones[random.Next(Phones.Length)];
            metadata = new Dictionary<string, string> { ["caller"] = phone, ["direction"] = "inbound" };
            m = new ModelMedium(harness.Storage.CallsContainer, $"{system}/{stamp}_call{i}.wav", MediaKind.Call, recordedAt, CallDays)
            {
                System = system, CallId = "call" + i, Phone = phone,
            };
        }
        else
        {
            // Breaks the contract: rejected, retention from upload time (the upload happens now, at the start).
            m = new ModelMedium(harness.Storage.CctvContainer, $"loose/file-{i}.mp4", MediaKind.Cctv, start, CctvDays) { Rejected = true };
        }

        var result = await harness.UploadAndIngestAsync(m.Container, m.Name, [(byte)i, 1, 2, 3], metadata);
        Assert.Equal(m.Rejected ? IngestOutcome.Rejected : IngestOutcome.Indexed, result.Outcome);
        if (m.Rejected)
        {
            // The upload time is the storage clock's; the model uses what the index recorded.
            m.RetentionFrom = result.Record!.UploadedAt;
        }

        return m;
    }

    private static async Task<ModelHold> PlaceRandomHoldAsync(CoreHarness harness, Random random, List<ModelMedium> media, DateTimeOffset start)
    {
        var from = start - TimeSpan.FromDays(random.Next(5, 45));
        var to = from + TimeSpan.FromDays(random.Next(1, 20));
        HoldScope scope;
        ModelHold hold;
        switch (random.Next(4))
        {
            case 0:
                var picked = media.OrderBy(_ => random.Next()).Take(random.Next(1, 6)).ToList();
                var ids = picked.Select(m => MediaId.For(m.Container, m.Name)).ToList();
                scope = new HoldScope { Type = HoldScope.MediaType, MediaIds = ids };
                hold = new ModelHold(m => picked.Contains(m));
                break;
            case 1:
                var site = Sites[random.Next(Sites.Length)];
                var camera = random.NextDouble() < 0.5 ? Cameras[random.Next(Cameras.Length)] : null;
                scope = new HoldScope { Type = HoldScope.CctvType, Site = site, Cameras = camera is null ? null : [camera], From = from, To = to };
                hold = new ModelHold(m => !m.Rejected && m.Site == site && (camera is null || m.Camera == camera) && m.RecordedAt >= from && m.RecordedAt <= to);
                break;
            case 2:
                var phone = Phones[random.Next(Phones.Length)];
                scope = new HoldScope { Type = HoldScope.PhoneType, PhoneHash = PhoneNumber.Hash(phone), PhoneMasked = PhoneNumber.Mask(phone), From = from, To = to };
                hold = new ModelHold(m => m.Phone == phone && m.RecordedAt >= from && m.RecordedAt <= to);
                break;
            default:
                var system = Systems[random.Next(Systems.Length)];
                scope = new HoldScope { Type = HoldScope.SystemType, System = system, From = from, To = to };
                hold = new ModelHold(m => m.System == system && m.RecordedAt >= from && m.RecordedAt <= to);
                break;
        }

        var placed = await harness.Get<PlaceHoldHandler>().HandleAsync(
            new PlaceHoldCommand("CASE-1", "property test", new RequestedBy("pd", "officer"), "pd", "tester", null, scope), default);
        hold.Id = placed.Hold.Id;
        return hold;
    }

    private sealed record ModelMedium(string Container, string Name, string Kind, DateTimeOffset RecordedAt, int RetentionDays)
    {
        public string? Site { get; init; }
        public string? Camera { get; init; }
        public string? System { get; init; }
        public string? CallId { get; init; }
        public string? Phone { get; init; }
        public bool Rejected { get; init; }
        public DateTimeOffset RetentionFrom { get; set; } = RecordedAt;
        public bool Present { get; set; } = true;
    }

    private sealed class ModelHold(Func<ModelMedium, bool> covers)
    {
        public string Id { get; set; } = "";
        public bool Active { get; set; } = true;

        public bool Covers(ModelMedium m) => covers(m);
    }
}
