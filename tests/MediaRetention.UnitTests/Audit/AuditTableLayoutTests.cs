using MediaRetention.Core.Audit;

namespace MediaRetention.UnitTests.Audit;

public sealed class AuditTableLayoutTests
{
    [Fact]
    public void Entry_keys_sort_numerically_and_before_the_head()
    {
        var keys = new[] { 10L, 9L, 1L, long.MaxValue, 100L }.Select(AuditTableLayout.RowKey).ToList();

        Assert.Equal(keys.OrderBy(k => long.Parse(k, System.Globalization.CultureInfo.InvariantCulture)), keys.Order(StringComparer.Ordinal));
        Assert.All(keys, k => Assert.True(string.CompareOrdinal(k, AuditTableLayout.HeadRowKey) < 0));
        Assert.Equal("0000000000000000012", AuditTableLayout.RowKey(12));
    }

    [Theory]
    [InlineData("0000000000000000012", true)]
    [InlineData("head", false)]
    [InlineData("12", false)]
    [InlineData("0000000000000000000", false)]
    [InlineData("-000000000000000012", false)]
    public void Only_padded_positive_sequences_are_entries(string rowKey, bool isEntry) =>
        Assert.Equal(isEntry, AuditTableLayout.TryParseRowKey(rowKey, out _));

    [Fact]
    public void Details_are_copied_sorted_and_read_only()
    {
        var source = new Dictionary<string, string?> { ["b"] = "2", ["a"] = null };

        var copy = AuditTableLayout.CopyDetails(source);
        source["c"] = "3";

        Assert.Equal(["a", "b"], copy.Keys);
        Assert.False(copy is IDictionary<string, string?> { IsReadOnly: false });
        Assert.Equal("{\"a\":null,\"b\":\"2\"}", AuditTableLayout.SerializeDetails(copy));
    }
}
