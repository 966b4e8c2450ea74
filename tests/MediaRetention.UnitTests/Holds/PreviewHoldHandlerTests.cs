using MediaRetention.Core.Holds;
using MediaRetention.Core.Media;

namespace MediaRetention.UnitTests.Holds;

public sealed class PreviewHoldHandlerTests
{
    private static readonly DateTimeOffset Day = new(2026, 11, 20, 0, 0, 0, TimeSpan.Zero);
    private readonly IMediaIndex index = Substitute.For<IMediaIndex>();

    [Fact]
    public async Task It_counts_every_covered_medium_and_lists_the_first_ones_without_writing_anything()
    {
        index.QueryAsync(default!, default, default, default).ReturnsForAnyArgs(
            new MediaPage([Clip("cam-1", 1), Clip("cam-2", 2), Clip("cam-1", 3)], "next"),
            new MediaPage([Clip("cam-1", 4)], null));

        var preview = await new PreviewHoldHandler(new HoldCoverage(index)).HandleAsync(Scope(["cam-1"]), sampleSize: 2, CancellationToken.None);

        Assert.Equal((3, false), (preview.CoveredMedia, preview.CountIsLowerBound));
        Assert.Equal(["oslo-1/cam-1/20261120T010000Z.mp4", "oslo-1/cam-1/20261120T030000Z.mp4"], preview.Sample.Select(m => m.BlobName));
        Assert.All(index.ReceivedCalls(), c => Assert.Equal(nameof(IMediaIndex.QueryAsync), c.GetMethodInfo().Name));
    }

    [Fact]
    public async Task Counting_stops_at_the_cap_and_says_so()
    {
        var page = Enumerable.Range(0, 1000).Select(i => Clip("cam-1", i % 24)).ToList();
        index.QueryAsync(default!, default, default, default).ReturnsForAnyArgs(new MediaPage(page, "more"));

        var preview = await new PreviewHoldHandler(new HoldCoverage(index)).HandleAsync(Scope(null), sampleSize: 0, CancellationToken.None);

        Assert.Equal((PreviewHoldHandler.MaxCount, true), (preview.CoveredMedia, preview.CountIsLowerBound));
        Assert.Empty(preview.Sample);
        await index.ReceivedWithAnyArgs(PreviewHoldHandler.MaxCount / 1000).QueryAsync(default!, default, default, default);
    }

    private static HoldScope Scope(IReadOnlyList<string>? cameras) => new()
    {
        Type = HoldScope.CctvType,
        Site = "oslo-1",
        Cameras = cameras,
        From = Day,
        To = Day.AddDays(1),
    };

    private static MediaRecord Clip(string camera, int hour)
    {
        var name = $"oslo-1/{camera}/20261120T{hour:00}0000Z.mp4";
        return new MediaRecord
        {
            Id = MediaId.For("cctv", name),
            Kind = MediaKind.Cctv,
            Container = "cctv",
            BlobName = name,
            Status = MediaStatus.Indexed,
            Site = "oslo-1",
            Camera = camera,
            RecordedAt = Day.AddHours(hour),
            UploadedAt = Day.AddHours(hour),
            IndexedAt = Day.AddHours(hour),
            Size = 1,
            Sha256 = new string('0', 64),
            ETag = "\"e\"",
        };
    }
}
