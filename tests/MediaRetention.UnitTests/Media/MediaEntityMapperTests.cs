using Azure.Data.Tables;
using MediaRetention.Core.Media;

namespace MediaRetention.UnitTests.Media;

/// <summary>Index rows that are not what this version writes are reported, never thrown on.</summary>
public sealed class MediaEntityMapperTests
{
    private static readonly MediaRecord Record = new()
    {
        Id = MediaId.For("cctv", "s/c/20261124T080000Z.mp4"),
        Kind = MediaKind.Cctv,
        Container = "cctv",
        BlobName = "s/c/20261124T080000Z.mp4",
        Status = MediaStatus.Indexed,
        Site = "s",
        Camera = "c",
        RecordedAt = new DateTimeOffset(2026, 11, 24, 8, 0, 0, TimeSpan.Zero),
        UploadedAt = new DateTimeOffset(2026, 11, 24, 8, 1, 0, TimeSpan.Zero),
        IndexedAt = new DateTimeOffset(2026, 11, 24, 8, 2, 0, TimeSpan.Zero),
        Size = 10,
        Sha256 = new string('a', 64),
        ETag = "\"e1\"",
    };

    [Fact]
    public void A_record_reads_back_from_every_row_type()
    {
        foreach (var key in MediaTableLayout.LookupKeys(Record).Append(MediaTableLayout.RecordKey(Record.Id)))
        {
            var (record, unreadable) = MediaEntityMapper.Read(MediaEntityMapper.ToEntity(Record, key));
            Assert.Null(unreadable);
            Assert.Equal(Record, record);
        }
    }

    public static TheoryData<Action<TableEntity>, string> HandEdits => new()
    {
        { e => e["Size"] = "ten", "'Size' is not a whole number" },
        { e => e.Remove("UploadedAt"), "'UploadedAt' is missing" },
        { e => e["UploadedAt"] = "2026-11-24", "'UploadedAt' is not a date" },
        { e => e["Kind"] = "video", "'Kind'" },
        { e => e["Status"] = "Deleted", "'Status'" },
        { e => e["Id"] = "abc", "'Id'" },
        { e => e["BlobName"] = 5, "'BlobName' is not text" },
        { e => e["Sha256"] = "short", "'Sha256'" },
    };

    [Theory]
    [MemberData(nameof(HandEdits))]
    public void A_hand_edited_row_is_unreadable_with_a_reason(Action<TableEntity> change, string reason)
    {
        var entity = MediaEntityMapper.ToEntity(Record, MediaTableLayout.RecordKey(Record.Id));
        change(entity);

        var (record, unreadable) = MediaEntityMapper.Read(entity);

        Assert.Null(record);
        Assert.Contains(reason, unreadable!.Reason);
        Assert.Equal(Record.Id, unreadable.MediaId);
        var salvage = MediaEntityMapper.Salvage(entity, unreadable);
        Assert.Equal((MediaStatus.Unreadable, ""), (salvage.Status, salvage.ETag));
    }
}
