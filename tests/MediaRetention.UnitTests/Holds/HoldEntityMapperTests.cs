using System.Text.Json;
using Azure;
using Azure.Data.Tables;
using MediaRetention.Core.Holds;
using MediaRetention.Core.Media;
using MediaRetention.Core.Storage;

namespace MediaRetention.UnitTests.Holds;

/// <summary>
/// The hold row format against Azure's limits (which Azurite does not enforce), and reading rows that are not what
/// this version writes: never an exception, always a reason.
/// </summary>
public sealed class HoldEntityMapperTests
{
    private static readonly DateTimeOffset T = new(2026, 11, 24, 8, 0, 0, TimeSpan.Zero);

    [Fact]
    public void A_media_hold_of_a_thousand_ids_fits_azure_and_reads_back_whole()
    {
        var ids = Enumerable.Range(0, 1000).Select(i => MediaId.For("cctv", $"s/c/{i}.mp4")).ToList();
        var hold = Hold(new HoldScope { Type = HoldScope.MediaType, MediaIds = ids }) with
        {
            Reason = new string('r', 2000),
            CaseNumber = new string('c', 64),
        };

        var entity = HoldEntityMapper.ToEntity(hold);

        Assert.True(JsonSerializer.Serialize(hold.Scope).Length > AzureTableLimits.MaxStringLength, "the scope alone exceeds one property");
        Assert.Empty(AzureTableLimits.Violations(entity));
        Assert.All(entity.Select(p => p.Value).OfType<string>(), v => Assert.True(v.Length <= AzureTableLimits.MaxStringLength, $"{v.Length} characters"));
        var read = HoldEntityMapper.Read(Stored(entity));
        Assert.Null(read.Unreadable);
        Assert.Equal(ids, read.Hold!.Scope.MediaIds);
        Assert.Equal(hold with { Scope = read.Hold.Scope }, read.Hold);
    }

    [Fact]
    public void A_row_written_before_the_scope_was_split_reads_as_before()
    {
        var hold = Hold(new HoldScope { Type = HoldScope.CctvType, Site = "oslo-1", Cameras = ["cam-1"], From = T, To = T.AddHours(1) });
        var entity = HoldEntityMapper.ToEntity(hold);
        entity.Remove("ScopeParts");

        var read = HoldEntityMapper.Read(Stored(entity));

        Assert.Equal("oslo-1", read.Hold!.Scope.Site);
    }

    public static TheoryData<string, Action<TableEntity>, string> HandEdits => new()
    {
        { "null media id", e => e["Scope"] = $$"""{"type":"media","mediaIds":["{{MediaId.For("c", "x")}}",null]}""", "not a media id" },
        { "no media ids", e => e["Scope"] = """{"type":"media","mediaIds":[]}""", "no media ids" },
        { "scope not JSON", e => e["Scope"] = "{not json", "not valid JSON" },
        { "scope without type", e => e["Scope"] = """{"site":"s"}""", "not valid JSON" },
        { "unknown scope type", e => e["Scope"] = """{"type":"everything"}""", "scope type is unknown" },
        { "window backwards", e => e["Scope"] = """{"type":"system","system":"pbx","from":"2026-11-02T00:00:00Z","to":"2026-11-01T00:00:00Z"}""", "ends before it starts" },
        { "scope missing", e => e.Remove("Scope"), "'Scope' is missing" },
        { "scope part missing", e => { e["ScopeParts"] = 2; }, "'Scope1' is missing" },
        { "scope parts absurd", e => e["ScopeParts"] = 100000, "'ScopeParts'" },
        { "scope a number", e => e["Scope"] = 42, "'Scope' is not text" },
        { "status missing", e => e.Remove("Status"), "'Status' is missing" },
        { "status unknown", e => e["Status"] = "Active", "is not one of requested, active, released, rejected" },
        { "placed at text", e => e["PlacedAt"] = "yesterday", "'PlacedAt' is not a date" },
        { "case number missing", e => e.Remove("CaseNumber"), "'CaseNumber' is missing" },
        { "agency a number", e => e["Agency"] = 7, "'Agency' is not text" },
    };

    [Theory]
    [MemberData(nameof(HandEdits))]
    public void A_hand_edited_row_is_unreadable_with_a_reason_never_an_exception(string edit, Action<TableEntity> change, string reason)
    {
        var entity = HoldEntityMapper.ToEntity(Hold(new HoldScope { Type = HoldScope.CallType, CallId = "call-1" }));
        change(entity);

        var read = HoldEntityMapper.Read(Stored(entity));

        Assert.Null(read.Hold);
        Assert.NotNull(read.Unreadable);
        Assert.Contains(reason, read.Unreadable!.Reason);
        Assert.Equal("\"e1\"", read.Unreadable.StorageETag);
        Assert.False(string.IsNullOrEmpty(edit));
    }

    [Fact]
    public void What_can_be_read_of_an_unreadable_row_is_kept_for_people_to_act_on()
    {
        var entity = HoldEntityMapper.ToEntity(Hold(new HoldScope { Type = HoldScope.CallType, CallId = "call-1" }));
        entity["Scope"] = "garbage";

        var unreadable = HoldEntityMapper.Read(Stored(entity)).Unreadable!;

        Assert.Equal(("active", "oslo-pd", "OPD-1"), (unreadable.Status, unreadable.Agency, unreadable.CaseNumber));
        Assert.False(unreadable.IsReleased);
    }

    [Fact]
    public void Released_unreadable_rows_do_not_block_and_active_ones_do()
    {
        var blocking = new UnreadableHold("a", "bad", "e") { Status = "active" };
        var unknown = new UnreadableHold("b", "bad", "e") { Status = null };
        var released = new UnreadableHold("c", "bad", "e") { Status = HoldStatus.Released };

        var holds = new ActiveHolds([], [blocking, unknown, released]);

        Assert.True(holds.BlocksDeletion);
        Assert.Equal(["a", "b"], holds.Unreadable.Select(u => u.Id));
        Assert.False(new ActiveHolds([], [released]).BlocksDeletion);
    }

    private static TableEntity Stored(TableEntity entity)
    {
        entity.ETag = new ETag("\"e1\"");
        return entity;
    }

    private static Hold Hold(HoldScope scope) => new()
    {
        Id = Guid.CreateVersion7(T).ToString("N"),
        CaseNumber = "OPD-1",
        Reason = "r",
        RequestedBy = new RequestedBy("oslo-pd", "Insp. Hansen"),
        Agency = "oslo-pd",
        PlacedBy = "guard-1",
        PlacedAt = T,
        Status = HoldStatus.Active,
        Scope = scope,
    };
}
