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
    public async Task A_continuation_token_the_api_did_not_issue_is_a_400()
    {
        var storage = AzuriteFixture.UniqueStorageOptions();
        await using var runner = await RunnerHost.StartAsync(azurite.ConnectionString, storage);

        var response = await runner.ClientFor(TestKeys.Admin).GetAsync("/api/audit?continuationToken=not-base64!");

        Assert.Equal(System.Net.HttpStatusCode.BadRequest, response.StatusCode);
    }
}
