using System.Net.Http.Json;
using System.Text.Json;
using Azure.Data.Tables;
using MediaRetention.Core.Audit;
using MediaRetention.IntegrationTests.Infrastructure;

namespace MediaRetention.IntegrationTests.Audit;

[Collection(AzuriteCollection.Name)]
public sealed class AuditApiTests(AzuriteFixture azurite)
{
    [Fact]
    public async Task Verify_endpoint_pinpoints_an_entry_edited_directly_in_table_storage()
    {
        var storage = AzuriteFixture.UniqueStorageOptions();
        await using var runner = await RunnerHost.StartAsync(azurite.ConnectionString, storage);
        using var admin = runner.ClientFor(TestKeys.Admin);
        // Four different denials (repeats of one would be aggregated into a single entry per window).
        foreach (var key in new[] { null, "not-a-key", TestKeys.Security, TestKeys.Police })
        {
            using var client = runner.ClientFor(key);
            await client.GetAsync("/api/audit");
        }

        var before = await admin.GetFromJsonAsync<AuditVerification>("/api/audit/verify", JsonSerializerOptions.Web);
        Assert.True(before!.Intact);

        // Someone with storage access rewrites who did it in entry 2.
        var table = azurite.TableService.GetTableClient(storage.AuditTable);
        var entry = table.Query<TableEntity>().Single(e => e.RowKey == 2L.ToString("D19"));
        var actorProperty = entry.Keys.Single(k => k.Equals("Actor", StringComparison.OrdinalIgnoreCase));
        entry[actorProperty] = "someone-else";
        await table.UpdateEntityAsync(entry, entry.ETag, TableUpdateMode.Replace);

        var after = await admin.GetFromJsonAsync<AuditVerification>("/api/audit/verify", JsonSerializerOptions.Web);
        Assert.False(after!.Intact);
        var broken = Assert.Single(after.Breaks);
        Assert.Equal(2, broken.Sequence);
    }

    [Fact]
    public async Task A_sweep_anchors_the_chain_and_verify_then_reports_a_consistent_rewrite_the_table_alone_would_hide()
    {
        var storage = AzuriteFixture.UniqueStorageOptions();
        await using var runner = await RunnerHost.StartAsync(azurite.ConnectionString, storage);
        using var admin = runner.ClientFor(TestKeys.Admin);
        using var nobody = runner.ClientFor(null);
        using var wrongKey = runner.ClientFor("not-a-key");
        using var police = runner.ClientFor(TestKeys.Police);

        // Three different denials (repeats of one kind would be aggregated into a single entry).
        await nobody.GetAsync("/api/holds");
        await wrongKey.GetAsync("/api/holds");
        await police.GetAsync("/api/audit");

        await admin.SweepAsync();

        var before = (await admin.GetFromJsonAsync<AuditVerification>("/api/audit/verify", JsonSerializerOptions.Web))!;
        Assert.True(before.Intact, string.Join("; ", before.Breaks.Select(b => b.Problem)));
        Assert.Equal(1, before.AnchorsChecked);
        var anchor = before.LastAnchor!;
        Assert.Equal(("retention-sweep", 4L), (anchor.Reason, anchor.Sequence)); // three denials and the sweep's summary
        Assert.Equal(before.HeadHash, anchor.Hash);

        // Rewrite entry 2 and everything after it consistently, head included.
        var table = azurite.TableService.GetTableClient(storage.AuditTable);
        await AuditTampering.RewriteFromAsync(table, 2);

        var after = (await admin.GetFromJsonAsync<AuditVerification>("/api/audit/verify", JsonSerializerOptions.Web))!;
        Assert.False(after.Intact);
        var rewritten = Assert.Single(after.Breaks);
        Assert.Equal(4, rewritten.Sequence);
        Assert.Contains("hash differs from the one anchored", rewritten.Problem, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Verify_pages_with_sealed_tokens_and_the_whole_walk_runs_as_an_operation_finding_the_same_edit()
    {
        var storage = AzuriteFixture.UniqueStorageOptions();
        await using var runner = await RunnerHost.StartAsync(azurite.ConnectionString, storage);
        using var admin = runner.ClientFor(TestKeys.Admin);
        foreach (var key in new[] { null, "not-a-key", TestKeys.Security, TestKeys.Police })
        {
            using var client = runner.ClientFor(key);
            await client.GetAsync("/api/audit");
        }

        var table = azurite.TableService.GetTableClient(storage.AuditTable);
        var entry = table.Query<TableEntity>().Single(e => e.RowKey == 3L.ToString("D19"));
        entry["Actor"] = "someone-else";
        await table.UpdateEntityAsync(entry, entry.ETag, TableUpdateMode.Replace);

        // Page by page from entry 1, two entries a page: the edit shows on the page that holds entry 3.
        var breaks = new List<AuditBreak>();
        var froms = new List<long>();
        string? token = null;
        AuditPageView? page;
        do
        {
            var url = "/api/audit/verify?from=1&pageSize=2" + (token is null ? "" : "&continuationToken=" + Uri.EscapeDataString(token));
            page = await admin.GetFromJsonAsync<AuditPageView>(url, JsonSerializerOptions.Web);
            breaks.AddRange(page!.Breaks);
            froms.Add(page.FromSequence);
            token = page.ContinuationToken;
        }
        while (token is not null);

        Assert.Equal(3, Assert.Single(breaks).Sequence);
        Assert.Equal(1, froms[0]);
        Assert.Equal(3, froms[1]);
        Assert.NotNull(page.HeadSequence);

        // A token of other parameters, or altered, is a 400.
        var first = await admin.GetFromJsonAsync<AuditPageView>("/api/audit/verify?from=1&pageSize=2", JsonSerializerOptions.Web);
        Assert.Equal(System.Net.HttpStatusCode.BadRequest,
            (await admin.GetAsync("/api/audit/verify?from=1&pageSize=3&continuationToken=" + Uri.EscapeDataString(first!.ContinuationToken!))).StatusCode);
        Assert.Equal(System.Net.HttpStatusCode.BadRequest, (await admin.GetAsync("/api/audit/verify?from=zero")).StatusCode);

        // The whole chain as an operation: the same break as the synchronous walk.
        var whole = await admin.GetFromJsonAsync<AuditVerification>("/api/audit/verify", JsonSerializerOptions.Web);
        var operation = await admin.RunOperationAsync<AuditVerification>("/api/audit/verify");
        Assert.False(operation.Intact);
        Assert.Equal(whole!.Breaks, operation.Breaks);
        Assert.True(operation.EntriesChecked >= whole.EntriesChecked);
    }

    private sealed record AuditPageView(bool Intact, long EntriesChecked, long FromSequence, List<AuditBreak> Breaks, long? HeadSequence, string? ContinuationToken);

    [Fact]
    public async Task A_continuation_token_the_api_did_not_issue_is_a_400()
    {
        var storage = AzuriteFixture.UniqueStorageOptions();
        await using var runner = await RunnerHost.StartAsync(azurite.ConnectionString, storage);

        var response = await runner.ClientFor(TestKeys.Admin).GetAsync("/api/audit?continuationToken=not-base64!");

        Assert.Equal(System.Net.HttpStatusCode.BadRequest, response.StatusCode);
    }
}
