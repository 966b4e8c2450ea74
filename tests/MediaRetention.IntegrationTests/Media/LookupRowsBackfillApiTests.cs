using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Azure.Data.Tables;
using Azure.Storage.Blobs.Models;
using MediaRetention.Api.Holds;
using MediaRetention.Api.Media;
using MediaRetention.Core.Audit;
using MediaRetention.Core.Media;
using MediaRetention.IntegrationTests.Infrastructure;

namespace MediaRetention.IntegrationTests.Media;

/// <summary>
/// An upgraded deployment end to end: media indexed without phone rows and no marker; a phone hold still covers the call
/// (fallback); the backfill operation adds the rows and writes the marker; a phone hold then covers it through them.
/// </summary>
[Collection(AzuriteCollection.Name)]
public sealed class LookupRowsBackfillApiTests(AzuriteFixture azurite)
{
    [Fact]
    public async Task Phone_holds_cover_the_call_before_and_after_the_backfill_operation_switches_over()
    {
        var storage = AzuriteFixture.UniqueStorageOptions();
        await using var runner = await RunnerHost.StartAsync(azurite.ConnectionString, storage);
        var calls = azurite.BlobService.GetBlobContainerClient(storage.CallsContainer);
        await calls.CreateIfNotExistsAsync();
        await calls.GetBlobClient("pbx-1/20261120T100000Z_c1.wav").UploadAsync(new BinaryData("a"u8.ToArray()),
            new BlobUploadOptions { Metadata = new Dictionary<string, string> { ["caller"] = "+4791234567" } });
        await runner.WaitForAsync<MediaListResponse>("/api/media?system=pbx-1", r => r.Items.Count == 1, TimeSpan.FromSeconds(10));

        // As an older version left it: no phone rows, no marker.
        var table = azurite.TableService.GetTableClient(storage.MediaTable);
        var phoneRows = table.Query<TableEntity>(TableClient.CreateQueryFilter($"PartitionKey ge {"p|"} and PartitionKey lt {"p~"}")).ToList();
        Assert.Single(phoneRows);
        foreach (var row in phoneRows.Append(new TableEntity(MediaTableLayout.LookupMarkerKey.PartitionKey, MediaTableLayout.LookupMarkerKey.RowKey)))
        {
            await table.DeleteEntityAsync(row.PartitionKey, row.RowKey);
        }

        Assert.Equal(1, await PlacePhoneHoldAsync(runner, "OPD-1"));

        using var admin = runner.ClientFor(TestKeys.Admin);
        var report = await admin.RunOperationAsync<BackfillLookupRowsReport>("/api/maintenance/lookup-rows/backfill");

        Assert.Equal((1L, 1L, false, MediaTableLayout.LookupLayoutVersion), (report.RecordsVisited, report.RowsAdded, report.WasComplete, report.LayoutVersion));
        Assert.True((await table.GetEntityIfExistsAsync<TableEntity>(MediaTableLayout.LookupMarkerKey.PartitionKey, MediaTableLayout.LookupMarkerKey.RowKey)).HasValue);
        Assert.Equal(1, await PlacePhoneHoldAsync(runner, "OPD-2"));
        var audit = (await admin.GetFromJsonAsync<AuditPage>("/api/audit?pageSize=1000", JsonSerializerOptions.Web))!.Items;
        Assert.Contains(audit, e => e.Action == AuditActions.LookupRowsBackfilled && e.Details["rowsAdded"] == "1");
    }

    private static async Task<int?> PlacePhoneHoldAsync(RunnerHost runner, string caseNumber)
    {
        using var place = await runner.Client.PostAsJsonAsync("/api/holds", new
        {
            caseNumber,
            reason = "Threatening call",
            requestedBy = new { agency = "oslo-pd", officer = "Sgt. Berg" },
            scope = new { type = "phone", phoneNumber = "+4791234567", from = "2026-11-20T00:00:00Z", to = "2026-11-21T00:00:00Z" },
        });
        Assert.Equal(HttpStatusCode.Created, place.StatusCode);
        return (await place.Content.ReadFromJsonAsync<PlacedHoldResponse>(JsonSerializerOptions.Web))!.CoveredMedia;
    }
}
