using MediaRetention.Core.Audit;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace MediaRetention.UnitTests.Audit;

public sealed class AnchorAuditChainHandlerTests : IDisposable
{
    private static readonly DateTimeOffset Now = new(2026, 11, 24, 12, 0, 0, TimeSpan.Zero);
    private readonly IAuditChain chain = Substitute.For<IAuditChain>();
    private readonly IAuditAnchorStore store = Substitute.For<IAuditAnchorStore>();
    private readonly FakeTimeProvider time = new(Now);
    private readonly List<AuditAnchor> appended = [];
    private readonly AnchorAuditChainHandler handler;

    public AnchorAuditChainHandlerTests()
    {
        store.AppendAsync(Arg.Do<AuditAnchor>(appended.Add), Arg.Any<CancellationToken>()).Returns(Task.CompletedTask);
        handler = new AnchorAuditChainHandler(chain, store, time, NullLogger<AnchorAuditChainHandler>.Instance);
    }

    [Fact]
    public async Task Anchors_the_head_once_and_again_only_after_it_moved()
    {
        GivenHead(7, 'a');

        var first = await handler.AnchorHeadAsync(AuditAnchorReasons.Schedule, default);
        time.Advance(TimeSpan.FromMinutes(5));
        var unchanged = await handler.AnchorHeadAsync(AuditAnchorReasons.Schedule, default);
        GivenHead(9, 'b');
        var moved = await handler.AnchorHeadAsync(AuditAnchorReasons.RetentionSweep, default);

        Assert.Equal(new AuditAnchor(7, new string('a', 64), Now.AddSeconds(-30), Now, "schedule"), first);
        Assert.Null(unchanged);
        Assert.Equal(new AuditAnchor(9, new string('b', 64), Now.AddMinutes(5).AddSeconds(-30), Now.AddMinutes(5), "retention-sweep"), moved);
        Assert.Equal([first!, moved!], appended);
        await store.Received(1).ReadLatestAsync(Arg.Any<CancellationToken>());
    }

    [Fact]
    public async Task A_head_already_anchored_before_a_restart_is_not_anchored_again()
    {
        GivenHead(7, 'a');
        store.ReadLatestAsync(Arg.Any<CancellationToken>()).Returns(new AuditAnchor(7, new string('a', 64), Now, Now, "schedule"));

        Assert.Null(await handler.AnchorHeadAsync(AuditAnchorReasons.Schedule, default));
        Assert.Empty(appended);
    }

    [Fact]
    public async Task An_empty_chain_has_nothing_to_anchor()
    {
        chain.ReadHeadAsync(Arg.Any<CancellationToken>()).Returns((AuditChainHead?)null);

        Assert.Null(await handler.AnchorHeadAsync(AuditAnchorReasons.Schedule, default));
        Assert.Empty(appended);
    }

    [Fact]
    public async Task A_failed_anchor_after_a_sweep_is_logged_not_thrown_and_the_next_trigger_retries()
    {
        GivenHead(3, 'c');
        store.AppendAsync(Arg.Any<AuditAnchor>(), Arg.Any<CancellationToken>())
            .Returns(Task.FromException(new InvalidOperationException("storage down")), Task.CompletedTask);

        Assert.Null(await handler.TryAnchorHeadAsync(AuditAnchorReasons.RetentionSweep, default));
        Assert.NotNull(await handler.TryAnchorHeadAsync(AuditAnchorReasons.Schedule, default));
    }

    [Fact]
    public async Task Verification_compares_with_every_anchor_and_counts_unreadable_anchor_records_as_breaks()
    {
        var anchors = new[] { new AuditAnchor(2, new string('a', 64), Now, Now, "schedule") };
        store.ReadAllAsync(Arg.Any<CancellationToken>()).Returns(new AuditAnchorLog(anchors, ["audit-anchors/2026-11.jsonl line 3"]));
        chain.VerifyAsync(anchors, Arg.Any<CancellationToken>()).Returns(new AuditVerification(true, 2, 2, []) { AnchorsChecked = 1 });

        var result = await new VerifyAuditChainHandler(chain, store).HandleAsync(default);

        Assert.False(result.Intact);
        Assert.Equal(1, result.AnchorsChecked);
        Assert.Equal("anchor record audit-anchors/2026-11.jsonl line 3 is unreadable", Assert.Single(result.Breaks).Problem);
    }

    public void Dispose() => handler.Dispose();

    private void GivenHead(long sequence, char hash) =>
        chain.ReadHeadAsync(Arg.Any<CancellationToken>()).Returns(new AuditChainHead(sequence, new string(hash, 64), time.GetUtcNow().AddSeconds(-30)));
}
