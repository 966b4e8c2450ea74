using Azure.Data.Tables;
using MediaRetention.Core.Audit;
using MediaRetention.Core.Storage;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace MediaRetention.UnitTests.Audit;

public sealed class AuditHashTests
{
    private static readonly DateTimeOffset Time = new(2025, 3, 1, 12, 34, 56, 789, TimeSpan.Zero);
    private static readonly string Previous = string.Concat(Enumerable.Repeat("ab", 32));

    [Fact]
    public void Canonical_form_is_pinned()
    {
        // Computed independently (Python, from the format described on AuditHash). If this changes, every
        // existing log stops verifying: a format change needs a new version tag, not an edit.
        var details = new Dictionary<string, string?> { ["reason"] = "case 2025-17", ["case"] = null, ["Z"] = "é" };

        var hash = AuditHash.Compute(42, Time, "user:alice", AuditActions.HoldPlaced, "media/cctv/oslo-1/cam-1", details, Previous);

        Assert.Equal("b56c25e3ebfd744e1f4f82a5b027bb2866c53cfb7ea73f21a8ea3f1612bead16", hash);
    }

    [Fact]
    public void Same_input_gives_the_same_lower_hex_hash()
    {
        var a = AuditHash.Compute(7, Time, "alice", "hold.placed", "m1", new Dictionary<string, string?> { ["k"] = "v" }, AuditHash.Genesis);
        var b = AuditHash.Compute(7, Time, "alice", "hold.placed", "m1", new Dictionary<string, string?> { ["k"] = "v" }, AuditHash.Genesis);

        Assert.Equal(a, b);
        Assert.Matches("^[0-9a-f]{64}$", a);
        Assert.Equal(new string('0', 64), AuditHash.Genesis);
    }

    public static TheoryData<string> Fields => ["sequence", "time", "actor", "action", "target", "detail value", "detail key", "extra detail", "null detail", "previous"];

    [Theory]
    [MemberData(nameof(Fields))]
    public void Changing_any_field_changes_the_hash(string field)
    {
        var original = Entry();
        var changed = field switch
        {
            "sequence" => original with { Sequence = 8 },
            "time" => original with { Time = Time.AddMilliseconds(1) },
            "actor" => original with { Actor = "mallory" },
            "action" => original with { Action = AuditActions.HoldReleased },
            "target" => original with { Target = "m2" },
            "detail value" => original with { Details = new Dictionary<string, string?> { ["case"] = "C-2", ["note"] = null } },
            "detail key" => original with { Details = new Dictionary<string, string?> { ["Case"] = "C-1", ["note"] = null } },
            "extra detail" => original with { Details = new Dictionary<string, string?> { ["case"] = "C-1", ["note"] = null, ["x"] = "" } },
            "null detail" => original with { Details = new Dictionary<string, string?> { ["case"] = "C-1", ["note"] = "" } },
            "previous" => original with { PreviousHash = Previous },
            _ => throw new ArgumentOutOfRangeException(nameof(field)),
        };

        Assert.NotEqual(AuditHash.Compute(original), AuditHash.Compute(changed));
    }

    [Fact]
    public void Details_order_does_not_matter()
    {
        var forward = new Dictionary<string, string?> { ["a"] = "1", ["b"] = "2", ["B"] = null };
        var backward = new SortedDictionary<string, string?>(Comparer<string>.Create((x, y) => string.CompareOrdinal(y, x))) { ["B"] = null, ["b"] = "2", ["a"] = "1" };
        var reversed = new Dictionary<string, string?>();
        foreach (var (key, value) in forward.Reverse())
        {
            reversed[key] = value;
        }

        var expected = AuditHash.Compute(1, Time, "x", "y", "z", forward, AuditHash.Genesis);
        Assert.Equal(expected, AuditHash.Compute(1, Time, "x", "y", "z", reversed, AuditHash.Genesis));
        Assert.Equal(expected, AuditHash.Compute(1, Time, "x", "y", "z", backward, AuditHash.Genesis));
    }

    [Fact]
    public void Text_cannot_move_between_fields_unnoticed()
    {
        var none = new Dictionary<string, string?>();
        Assert.NotEqual(
            AuditHash.Compute(1, Time, "ab", "c", "t", none, AuditHash.Genesis),
            AuditHash.Compute(1, Time, "a", "bc", "t", none, AuditHash.Genesis));
        Assert.NotEqual(
            AuditHash.Compute(1, Time, "a", "b", "t", new Dictionary<string, string?> { ["k"] = "ab" }, AuditHash.Genesis),
            AuditHash.Compute(1, Time, "a", "b", "t", new Dictionary<string, string?> { ["ka"] = "b" }, AuditHash.Genesis));
    }

    [Fact]
    public void The_same_instant_in_another_offset_hashes_alike()
    {
        var none = new Dictionary<string, string?>();
        var oslo = Time.ToOffset(TimeSpan.FromHours(2));

        Assert.Equal(
            AuditHash.Compute(1, Time, "a", "b", "c", none, AuditHash.Genesis),
            AuditHash.Compute(1, oslo, "a", "b", "c", none, AuditHash.Genesis));
    }

    [Fact]
    public void Time_is_normalized_to_utc_milliseconds()
    {
        var precise = Time.AddTicks(9_999).ToOffset(TimeSpan.FromHours(-5));

        var normalized = AuditHash.NormalizeTime(precise);

        Assert.Equal(Time, normalized);
        Assert.Equal(TimeSpan.Zero, normalized.Offset);
    }

    [Fact]
    public void Matches_detects_an_edit()
    {
        var entry = Entry();
        entry = entry with { Hash = AuditHash.Compute(entry) };

        Assert.True(AuditHash.Matches(entry));
        Assert.False(AuditHash.Matches(entry with { Target = "m2" }));
    }

    [Fact]
    public async Task Invalid_events_are_rejected_before_storage_is_touched()
    {
        var service = Substitute.For<TableServiceClient>();
        var table = Substitute.For<TableClient>();
        service.GetTableClient("audit").Returns(table);
        var log = new TableAuditLog(service, Options.Create(new MediaStorageOptions()), new FakeTimeProvider());
        var tooBig = new Dictionary<string, string?> { ["big"] = new string('x', TableAuditLog.MaxDetailsJsonLength) };

        await Assert.ThrowsAsync<ArgumentException>(() => log.AppendAsync(new AuditEvent(" ", "a", "t"), default));
        await Assert.ThrowsAsync<ArgumentException>(() => log.AppendAsync(new AuditEvent("a", "a", "t", tooBig), default));
        await Assert.ThrowsAsync<ArgumentException>(() => log.AppendAsync(new AuditEvent("a\ud800", "a", "t"), default));
        await Assert.ThrowsAsync<ArgumentException>(() => log.AppendManyAsync([new("a", "b", "c"), new("a", "", "c")], default));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => log.QueryAsync(null, null, null, 0, default));

        Assert.Empty(table.ReceivedCalls());
    }

    private static AuditEntry Entry() => new(
        7, Time, "alice", AuditActions.HoldPlaced, "m1",
        new Dictionary<string, string?> { ["case"] = "C-1", ["note"] = null }, AuditHash.Genesis, string.Empty);
}
