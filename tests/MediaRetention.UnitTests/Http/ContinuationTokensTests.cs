using System.Text;
using MediaRetention.Core.Storage;

namespace MediaRetention.UnitTests.Http;

public sealed class ContinuationTokensTests
{
    private const string Filters = "status=active&agency=";

    [Theory]
    [InlineData("1!2 t|cctv|20261124 20261124T081500Z|cam|0f")]
    [InlineData("42")]
    [InlineData("ÆØÅ with spaces / and + and =")]
    public void A_sealed_token_opens_to_the_storage_token_for_the_same_listing_and_filters(string storageToken)
    {
        var token = ContinuationTokens.Seal("holds", Filters, storageToken);

        Assert.NotNull(token);
        Assert.Matches("^mr1\\.holds\\.[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+$", token);
        Assert.Equal(storageToken, ContinuationTokens.Open("holds", Filters, token));
    }

    [Fact]
    public void No_storage_token_is_no_token_and_no_token_is_the_first_page()
    {
        Assert.Null(ContinuationTokens.Seal("holds", Filters, null));
        Assert.Null(ContinuationTokens.Open("holds", Filters, null));
        Assert.Null(ContinuationTokens.Open("holds", Filters, ""));
    }

    [Fact]
    public void A_token_of_another_listing_is_refused_naming_that_listing()
    {
        var audit = ContinuationTokens.Seal("audit", Filters, "next")!;

        var e = Assert.Throws<InvalidContinuationTokenException>(() => ContinuationTokens.Open("holds", Filters, audit));
        Assert.Contains("another listing (audit)", e.Message);
    }

    [Fact]
    public void A_token_of_the_same_listing_with_other_filters_is_refused()
    {
        var released = ContinuationTokens.Seal("holds", "status=released&agency=", "next")!;

        var e = Assert.Throws<InvalidContinuationTokenException>(() => ContinuationTokens.Open("holds", Filters, released));
        Assert.Contains("does not belong to this query", e.Message);
    }

    [Fact]
    public void An_altered_token_is_refused()
    {
        var token = ContinuationTokens.Seal("media", Filters, "page-2")!;
        var parts = token.Split('.');
        var altered = string.Join('.', parts[0], parts[1], Convert.ToBase64String(Encoding.UTF8.GetBytes("page-9")).TrimEnd('='), parts[3]);

        Assert.Throws<InvalidContinuationTokenException>(() => ContinuationTokens.Open("media", Filters, altered));
    }

    [Theory]
    [InlineData("bm90IGEgdG9rZW4")] // valid base64 of "not a token": what an old or foreign token looks like
    [InlineData("not base64!")]
    [InlineData("mr1.media")]
    [InlineData("mr1.me dia.YQ.YQ")]
    [InlineData("mr2.media.YQ.YQ")]
    [InlineData("mr1.media.YQ.YQ.YQ")]
    public void Garbage_is_refused_as_not_issued_by_this_API(string garbage)
    {
        var e = Assert.Throws<InvalidContinuationTokenException>(() => ContinuationTokens.Open("media", Filters, garbage));
        Assert.Contains("not a token this API issued", e.Message);
    }
}
