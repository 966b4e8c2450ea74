using Azure.Data.Tables;
using MediaRetention.Core.Media;
using MediaRetention.Core.Storage;

namespace MediaRetention.UnitTests.Storage;

/// <summary>The adapter-side guard that makes Azurite refuse what Azure would refuse.</summary>
public sealed class AzureTableLimitsTests
{
    [Fact]
    public void Each_limit_azure_enforces_is_detected()
    {
        var entity = new TableEntity("p|1", "r")
        {
            ["Long"] = new string('x', AzureTableLimits.MaxStringLength + 1),
            ["Ancient"] = new DateTimeOffset(1500, 1, 1, 0, 0, 0, TimeSpan.Zero),
            ["Fine"] = new string('x', AzureTableLimits.MaxStringLength),
        };

        var problems = AzureTableLimits.Violations(entity);

        Assert.Equal(2, problems.Count);
        Assert.Contains(problems, p => p.Contains("'Long'"));
        Assert.Contains(problems, p => p.Contains("'Ancient'"));
        Assert.Contains(AzureTableLimits.Violations(new TableEntity("a/b", "r")), p => p.Contains("PartitionKey"));
        Assert.Contains(AzureTableLimits.Violations(new TableEntity("p", "r#1")), p => p.Contains("RowKey"));
        var wide = new TableEntity("p", "r");
        for (var i = 0; i < 253; i++)
        {
            wide["P" + i] = i;
        }

        Assert.Contains(AzureTableLimits.Violations(wide), p => p.Contains("properties"));
        var heavy = new TableEntity("p", "r");
        for (var i = 0; i < 40; i++)
        {
            heavy["S" + i] = new string('x', 30_000);
        }

        Assert.Contains(AzureTableLimits.Violations(heavy), p => p.Contains("bytes"));
        Assert.Throws<TableLimitException>(() => AzureTableLimits.EnsureWithin(entity));
    }

    [Fact]
    public void The_media_row_of_an_ancient_recording_is_refused_before_it_is_written()
    {
        var record = new MediaRecord
        {
            Id = MediaId.For("cctv", "s/c/15000101T000000Z.mp4"),
            Kind = MediaKind.Cctv,
            Container = "cctv",
            BlobName = "s/c/15000101T000000Z.mp4",
            Status = MediaStatus.Rejected,
            RecordedAt = new DateTimeOffset(1500, 1, 1, 0, 0, 0, TimeSpan.Zero),
            UploadedAt = DateTimeOffset.UnixEpoch,
            IndexedAt = DateTimeOffset.UnixEpoch,
            Size = 1,
            Sha256 = new string('a', 64),
            ETag = "\"e\"",
        };

        Assert.Throws<TableLimitException>(() => MediaEntityMapper.ToEntity(record, MediaTableLayout.RecordKey(record.Id)));
        Assert.Empty(AzureTableLimits.Violations(MediaEntityMapper.ToEntity(record with { RecordedAt = null }, MediaTableLayout.RecordKey(record.Id))));
    }
}
