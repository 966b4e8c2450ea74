using Azure;
using Azure.Data.Tables;
using MediaRetention.Core.Audit;
using MediaRetention.Core.Storage;
using MediaRetention.IntegrationTests.Infrastructure;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace MediaRetention.IntegrationTests.Audit;

/// <summary>
/// Verification page by page finds exactly what the whole walk finds — edits, recomputed links, removals in the middle
/// and at the end, re-orderings, rows written around the log — wherever the page boundaries fall; a resumed page
/// notices an entry changed at its boundary; and time queries find their range by binary search.
/// </summary>
[Collection(AzuriteCollection.Name)]
public sealed class PagedAuditVerifyTests(AzuriteFixture azurite) : IAsyncLifetime
{
    private static readonly DateTimeOffset Start = new(2025, 3, 1, 8, 0, 0, TimeSpan.Zero);

    private readonly MediaStorageOptions options = AzuriteFixture.UniqueStorageOptions();
    private readonly FakeTimeProvider clock = new(Start);
    private TableClient table = null!;
    private TableAuditLog log = null!;

    public async Task InitializeAsync()
    {
        await azurite.TableService.CreateTableIfNotExistsAsync(options.AuditTable);
        table = azurite.TableService.GetTableClient(options.AuditTable);
        log = new TableAuditLog(azurite.TableService, Options.Create(options), clock);
    }

    public Task DisposeAsync() => azurite.TableService.DeleteTableAsync(options.AuditTable);

    public static TheoryData<string> Tamperings => ["none", "edit", "recomputed", "gap", "tail", "swap", "smuggled"];

    [Theory]
    [MemberData(nameof(Tamperings))]
    public async Task Every_page_size_finds_what_the_whole_walk_finds(string tampering)
    {
        var appended = await AppendMinutely(9);
        await TamperAsync(tampering, appended);
        var whole = await log.VerifyAsync([], default);
        Assert.Equal(tampering == "none", whole.Intact);

        foreach (var pageSize in new[] { 1, 2, 3, 4, 9, 10 })
        {
            var (breaks, checkedCount, head) = await WalkPagesAsync(pageSize);
            Assert.Equal(whole.Breaks, breaks);
            Assert.Equal((whole.EntriesChecked, whole.HeadSequence), (checkedCount, head));
        }

        // The operation's walk: the same result as the synchronous one.
        var all = await Handler([]).HandleAllAsync(2, _ => { }, default);
        Assert.Equal((whole.Intact, whole.EntriesChecked, whole.HeadSequence, whole.HeadHash), (all.Intact, all.EntriesChecked, all.HeadSequence, all.HeadHash));
        Assert.Equal(whole.Breaks, all.Breaks);
        Assert.Equal(whole.Breaks.Count, all.BreaksFound);
    }

    [Fact]
    public async Task A_page_resumed_after_its_boundary_entry_was_edited_says_so()
    {
        var appended = await AppendMinutely(6);
        var handler = Handler([]);
        var first = await handler.HandlePageAsync(1, null, 3, default);
        Assert.True(first.Verification.Intact);
        Assert.Equal(new AuditChainPosition(4, appended[2].Hash), first.Next);

        // Entry 3 rewritten consistently with entry 4 pointing at it: a walk of 4.. alone would not see it.
        var forged = appended[2] with { Target = "media/someone-else" };
        var row = (await table.GetEntityAsync<TableEntity>("chain", "0000000000000000003")).Value;
        row["Target"] = forged.Target;
        row["Hash"] = AuditHash.Compute(forged);
        await table.UpdateEntityAsync(row, row.ETag, TableUpdateMode.Merge);

        var second = await handler.HandlePageAsync(null, first.Next, 3, default);

        Assert.False(second.Verification.Intact);
        Assert.Contains(second.Verification.Breaks, b => b.Problem == "entry 3: hash changed since the previous page was verified");
    }

    [Fact]
    public async Task Without_a_start_the_page_begins_at_the_last_anchor_and_checks_the_anchored_hash()
    {
        var appended = await AppendMinutely(8);
        var anchor = new AuditAnchor(5, appended[4].Hash, appended[4].Time, Start.AddHours(1), AuditAnchorReasons.Schedule);

        var page = await Handler([anchor]).HandlePageAsync(null, null, 100, default);

        Assert.Equal(5, page.From);
        Assert.Equal((true, 4L, (long?)8), (page.Verification.Intact, page.Verification.EntriesChecked, page.Verification.HeadSequence));
        Assert.Null(page.Next);

        var moved = anchor with { Hash = new string('0', 64) };
        var tampered = await Handler([moved]).HandlePageAsync(null, null, 100, default);
        Assert.Contains(tampered.Verification.Breaks, b => b.Sequence == 5 && b.Problem.Contains("anchored", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Time_queries_find_their_range_by_binary_search_over_gaps_and_equal_times()
    {
        // Two entries a minute, so equal times sit side by side; then entries 7 and 8 removed.
        for (var i = 0; i < 20; i++)
        {
            await log.AppendAsync(new AuditEvent("user:alice", AuditActions.HoldPlaced, $"media/{i}"), default);
            if (i % 2 == 1)
            {
                clock.Advance(TimeSpan.FromMinutes(1));
            }
        }

        await table.DeleteEntityAsync("chain", "0000000000000000007");
        await table.DeleteEntityAsync("chain", "0000000000000000008");

        Assert.Equal(5, await log.FirstSequenceAtOrAfterAsync(Start.AddMinutes(2), default));
        // 7 and 8 are gone: any bound from 7 to 9 names the same key range, which starts with 9.
        Assert.InRange(await log.FirstSequenceAtOrAfterAsync(Start.AddMinutes(3), default), 7, 9);
        Assert.Equal(9, (await log.QueryAsync(Start.AddMinutes(3), null, null, 1, default)).Items.Single().Sequence);
        Assert.Equal(1, await log.FirstSequenceAtOrAfterAsync(Start.AddYears(-1), default));
        Assert.Equal(21, await log.FirstSequenceAtOrAfterAsync(Start.AddYears(1), default));

        var window = await log.QueryAsync(Start.AddMinutes(2), Start.AddMinutes(5), null, 3, default);
        Assert.Equal([5L, 6, 9], window.Items.Select(e => e.Sequence));
        var rest = await log.QueryAsync(Start.AddMinutes(2), Start.AddMinutes(5), window.ContinuationToken, 3, default);
        Assert.Equal([10L], rest.Items.Select(e => e.Sequence));
        Assert.Null(rest.ContinuationToken);
    }

    private async Task<(List<AuditBreak> Breaks, long Checked, long? Head)> WalkPagesAsync(int pageSize)
    {
        var breaks = new List<AuditBreak>();
        long count = 0;
        var position = new AuditChainPosition(1, AuditHash.Genesis);
        while (true)
        {
            var page = await log.VerifyPageAsync(position, [], pageSize, default);
            breaks.AddRange(page.Verification.Breaks);
            count += page.Verification.EntriesChecked;
            if (page.Next is not { } next)
            {
                return (breaks, count, page.Verification.HeadSequence);
            }

            position = next;
        }
    }

    private async Task TamperAsync(string tampering, List<AuditEntry> appended)
    {
        switch (tampering)
        {
            case "edit":
                var row = (await table.GetEntityAsync<TableEntity>("chain", "0000000000000000004")).Value;
                row["Target"] = "media/someone-else";
                await table.UpdateEntityAsync(row, row.ETag, TableUpdateMode.Merge);
                break;
            case "recomputed":
                var forged = appended[4] with { Target = "media/someone-else" };
                var five = (await table.GetEntityAsync<TableEntity>("chain", "0000000000000000005")).Value;
                five["Target"] = forged.Target;
                five["Hash"] = AuditHash.Compute(forged);
                await table.UpdateEntityAsync(five, five.ETag, TableUpdateMode.Merge);
                break;
            case "gap":
                await table.DeleteEntityAsync("chain", "0000000000000000003");
                await table.DeleteEntityAsync("chain", "0000000000000000004");
                break;
            case "tail":
                await table.DeleteEntityAsync("chain", "0000000000000000009");
                break;
            case "swap":
                // Entries 6 and 7 change places: each row keeps its key and takes the other's content.
                var six = (await table.GetEntityAsync<TableEntity>("chain", "0000000000000000006")).Value;
                var seven = (await table.GetEntityAsync<TableEntity>("chain", "0000000000000000007")).Value;
                foreach (var name in new[] { "Time", "Actor", "Action", "Target", "Details", "PreviousHash", "Hash" })
                {
                    (six[name], seven[name]) = (seven[name], six[name]);
                }

                await table.UpdateEntityAsync(six, ETag.All, TableUpdateMode.Replace);
                await table.UpdateEntityAsync(seven, ETag.All, TableUpdateMode.Replace);
                break;
            case "smuggled":
                await table.AddEntityAsync(new TableEntity("chain", "0000000000000000004x") { ["Actor"] = "x" });
                await table.AddEntityAsync(new TableEntity("chain", "0") { ["Actor"] = "x" });
                break;
        }
    }

    private VerifyAuditChainHandler Handler(IReadOnlyList<AuditAnchor> anchors) => new(log, new FixedAnchors(anchors));

    private async Task<List<AuditEntry>> AppendMinutely(int count)
    {
        var appended = new List<AuditEntry>();
        for (var i = 0; i < count; i++)
        {
            appended.Add(await log.AppendAsync(new AuditEvent("user:alice", AuditActions.HoldPlaced, $"media/{i}"), default));
            clock.Advance(TimeSpan.FromMinutes(1));
        }

        return appended;
    }

    private sealed class FixedAnchors(IReadOnlyList<AuditAnchor> anchors) : IAuditAnchorStore
    {
        public Task AppendAsync(AuditAnchor anchor, CancellationToken cancellationToken) => throw new NotSupportedException();

        public Task<AuditAnchorLog> ReadAllAsync(CancellationToken cancellationToken) => Task.FromResult(new AuditAnchorLog(anchors, []));

        public Task<AuditAnchor?> ReadLatestAsync(CancellationToken cancellationToken) => Task.FromResult(anchors.MaxBy(a => a.Sequence));
    }
}
