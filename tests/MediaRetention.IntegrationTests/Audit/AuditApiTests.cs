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
    public async Task A_continuation_token_the_api_did_not_issue_is_a_400()
    {
        var storage = AzuriteFixture.UniqueStorageOptions();
        await using var runner = await RunnerHost.StartAsync(azurite.ConnectionString, storage);

        var response = await runner.ClientFor(TestKeys.Admin).GetAsync("/api/audit?continuationToken=not-base64!");

        Assert.Equal(System.Net.HttpStatusCode.BadRequest, response.StatusCode);
    }
}
