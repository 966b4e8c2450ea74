using System.Text;
using Azure.Data.Tables;
using Azure.Storage.Blobs.Specialized;
using MediaRetention.Core.Audit;
using MediaRetention.Core.Storage;
using MediaRetention.IntegrationTests.Infrastructure;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace MediaRetention.IntegrationTests.Audit;

/// <summary>
/// The audit chain against its anchors on Azurite: someone with table access who rewrites the chain consistently
/// from some entry on, or cuts off its tail and moves the head back, leaves a chain that verifies by itself;
/// only the anchors (append blobs) tell.
/// </summary>
[Collection(AzuriteCollection.Name)]
public sealed class AuditAnchorTests(AzuriteFixture azurite) : IAsyncLifetime
{
    private static readonly DateTimeOffset Start = new(2026, 11, 30, 23, 50, 0, TimeSpan.Zero);

    private readonly MediaStorageOptions storage = AzuriteFixture.UniqueStorageOptions();
    private readonly FakeTimeProvider clock = new(Start);
    private TableClient table = null!;
    private TableAuditLog log = null!;
    private AppendBlobAuditAnchorStore anchors = null!;

    public async Task InitializeAsync()
    {
        await azurite.TableService.CreateTableIfNotExistsAsync(storage.AuditTable);
        table = azurite.TableService.GetTableClient(storage.AuditTable);
        log = new TableAuditLog(azurite.TableService, Options.Create(storage), clock);
        anchors = new AppendBlobAuditAnchorStore(azurite.BlobService, Options.Create(storage), Options.Create(new AuditOptions()));
    }

    public async Task DisposeAsync()
    {
        await azurite.TableService.DeleteTableAsync(storage.AuditTable);
        await azurite.BlobService.GetBlobContainerClient(storage.StateContainer).DeleteIfExistsAsync();
    }

    [Fact]
    public async Task An_untouched_chain_verifies_intact_against_its_anchors_which_roll_over_monthly()
    {
        await AnchoredChainAsync();

        var result = await Verify();

        Assert.True(result.Intact, string.Join("; ", result.Breaks));
        Assert.Equal(2, result.AnchorsChecked);
        Assert.Equal((8L, "retention-sweep"), (result.LastAnchor!.Sequence, result.LastAnchor.Reason));
        // The anchors are in the state container, one append blob per month of anchoring.
        var names = new List<string>();
        await foreach (var blob in azurite.BlobService.GetBlobContainerClient(storage.StateContainer).GetBlobsAsync())
        {
            names.Add(blob.Name);
        }

        Assert.Equal(["audit-anchors/2026-11.jsonl", "audit-anchors/2026-12.jsonl"], names);
        Assert.Equal(8, (await anchors.ReadLatestAsync(default))!.Sequence);
    }

    [Fact]
    public async Task A_chain_rewritten_consistently_from_an_entry_on_is_reported_at_the_anchored_entries()
    {
        await AnchoredChainAsync();

        await AuditTampering.RewriteFromAsync(table, 6);

        var alone = await log.VerifyAsync(default);
        Assert.True(alone.Intact, "the rewrite is consistent: the table alone cannot tell");
        var result = await Verify();
        Assert.False(result.Intact);
        var rewritten = Assert.Single(result.Breaks);
        Assert.Equal(8, rewritten.Sequence);
        Assert.StartsWith("entry 8: hash differs from the one anchored at ", rewritten.Problem, StringComparison.Ordinal);
        Assert.EndsWith("(rewritten at or before this entry)", rewritten.Problem, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_rewrite_reaching_back_before_an_earlier_anchor_is_reported_at_every_anchor_it_passes()
    {
        await AnchoredChainAsync();

        await AuditTampering.RewriteFromAsync(table, 2);

        var result = await Verify();
        Assert.Equal([4L, 8], result.Breaks.Select(b => b.Sequence));
    }

    [Fact]
    public async Task A_truncated_tail_with_the_head_moved_back_is_reported()
    {
        await AnchoredChainAsync();

        for (var sequence = 7; sequence <= 10; sequence++)
        {
            await table.DeleteEntityAsync("chain", sequence.ToString("D19", System.Globalization.CultureInfo.InvariantCulture));
        }

        var six = (await table.GetEntityAsync<TableEntity>("chain", 6L.ToString("D19", System.Globalization.CultureInfo.InvariantCulture))).Value;
        var head = (await table.GetEntityAsync<TableEntity>("chain", "head")).Value;
        head["Sequence"] = 6L;
        head["Hash"] = six["Hash"];
        head["Time"] = six["Time"];
        await table.UpdateEntityAsync(head, head.ETag, TableUpdateMode.Replace);

        var alone = await log.VerifyAsync(default);
        Assert.True(alone.Intact, "head and entries agree: the table alone cannot tell");
        var result = await Verify();
        Assert.False(result.Intact);
        var truncated = Assert.Single(result.Breaks);
        Assert.Equal(7, truncated.Sequence);
        Assert.StartsWith("the chain ends at entry 6 but entry 8 was anchored at ", truncated.Problem, StringComparison.Ordinal);
        Assert.EndsWith("(truncated)", truncated.Problem, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_unreadable_anchor_record_is_reported_and_the_readable_ones_still_count()
    {
        await AnchoredChainAsync();
        var blob = azurite.BlobService.GetBlobContainerClient(storage.StateContainer).GetAppendBlobClient("audit-anchors/2026-12.jsonl");
        await blob.AppendBlockAsync(new MemoryStream(Encoding.UTF8.GetBytes("{not json\n")));

        var result = await Verify();

        Assert.False(result.Intact);
        Assert.Equal(2, result.AnchorsChecked);
        Assert.Equal("anchor record audit-anchors/2026-12.jsonl line 2 is unreadable", Assert.Single(result.Breaks).Problem);
    }

    [Fact]
    public async Task Without_any_anchor_the_store_reads_empty_and_a_configured_container_is_created_on_first_use()
    {
        var own = new AppendBlobAuditAnchorStore(azurite.BlobService, Options.Create(storage),
            Options.Create(new AuditOptions { AnchorContainer = "anchors-" + Guid.NewGuid().ToString("N")[..10] }));

        Assert.Empty((await own.ReadAllAsync(default)).Anchors);
        Assert.Null(await own.ReadLatestAsync(default));

        var anchor = new AuditAnchor(1, new string('a', 64), Start, Start, AuditAnchorReasons.Schedule);
        await own.AppendAsync(anchor, default);
        Assert.Equal([anchor], (await own.ReadAllAsync(default)).Anchors);
    }

    /// <summary>Ten entries; the head anchored at 4 on 30 November and at 8 (after a sweep) on 1 December.</summary>
    private async Task AnchoredChainAsync()
    {
        using var anchoring = new AnchorAuditChainHandler(log, anchors, clock, NullLogger<AnchorAuditChainHandler>.Instance);
        for (var i = 1; i <= 10; i++)
        {
            await log.AppendAsync(new AuditEvent("svc:test", AuditActions.MediaDeleted, "media/" + i), default);
            clock.Advance(TimeSpan.FromMinutes(1));
            if (i == 4)
            {
                Assert.NotNull(await anchoring.AnchorHeadAsync(AuditAnchorReasons.Schedule, default));
            }
            else if (i == 8)
            {
                clock.Advance(TimeSpan.FromMinutes(20));
                Assert.NotNull(await anchoring.AnchorHeadAsync(AuditAnchorReasons.RetentionSweep, default));
            }
        }
    }

    private async Task<AuditVerification> Verify() => await new VerifyAuditChainHandler(log, anchors).HandleAsync(default);
}
