using MediaRetention.Core.Holds;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace MediaRetention.UnitTests.Holds;

public sealed class HoldCacheTests : IDisposable
{
    private readonly IHoldStore store = Substitute.For<IHoldStore>();
    private readonly FakeTimeProvider time = new(DateTimeOffset.UnixEpoch);
    private readonly HoldCache cache;

    public HoldCacheTests()
    {
        cache = new HoldCache(store, Options.Create(new HoldOptions { CacheMaxAge = TimeSpan.FromMinutes(5) }), time);
        store.LoadActiveAsync(default).ReturnsForAnyArgs(_ => new ActiveHolds([HoldIngestMarkerTests.MediaHold("h", new string('a', 32))]));
    }

    public void Dispose() => cache.Dispose();

    [Fact]
    public async Task An_unchanged_version_costs_one_point_read_and_no_reload()
    {
        store.GetVersionAsync(default).ReturnsForAnyArgs("v1");

        for (var i = 0; i < 5; i++)
        {
            Assert.Equal(1, (await cache.GetFreshAsync(default)).Count);
        }

        await store.Received(5).GetVersionAsync(Arg.Any<CancellationToken>());
        await store.Received(1).LoadActiveAsync(Arg.Any<CancellationToken>());
    }

    [Fact]
    public async Task A_new_version_reloads_the_holds_read_after_the_version()
    {
        var version = "v1";
        store.GetVersionAsync(default).ReturnsForAnyArgs(_ => version);
        await cache.GetFreshAsync(default);

        version = "v2";
        store.LoadActiveAsync(default).ReturnsForAnyArgs(ActiveHolds.None);
        Assert.Equal(0, (await cache.GetFreshAsync(default)).Count);

        Received.InOrder(() =>
        {
            store.GetVersionAsync(Arg.Any<CancellationToken>());
            store.LoadActiveAsync(Arg.Any<CancellationToken>());
            store.GetVersionAsync(Arg.Any<CancellationToken>());
            store.LoadActiveAsync(Arg.Any<CancellationToken>());
        });
    }

    [Fact]
    public async Task A_copy_older_than_the_max_age_is_reloaded_even_at_the_same_version()
    {
        store.GetVersionAsync(default).ReturnsForAnyArgs("v1");
        await cache.GetFreshAsync(default);
        time.Advance(TimeSpan.FromMinutes(6));

        await cache.GetFreshAsync(default);

        await store.Received(2).LoadActiveAsync(Arg.Any<CancellationToken>());
    }

    [Fact]
    public async Task Callers_waiting_on_a_read_that_began_after_them_share_it_but_never_one_that_began_before()
    {
        var first = new TaskCompletionSource<string?>();
        var reads = 0;
        store.GetVersionAsync(default).ReturnsForAnyArgs(_ => ++reads == 1 ? first.Task : Task.FromResult<string?>("v1"));

        var early = cache.GetFreshAsync(default); // its read is in flight
        var late = Enumerable.Range(0, 10).Select(_ => cache.GetFreshAsync(default)).ToList(); // called during that read
        first.SetResult("v1");
        await early;
        await Task.WhenAll(late);

        // The callers that came during the first read could not use it; one read after it serves them all.
        Assert.Equal(2, reads);
    }
}
