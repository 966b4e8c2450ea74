using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using MediaRetention.Api.Media;
using MediaRetention.Core.Audit;
using MediaRetention.Core.Ingest;
using MediaRetention.Core.Retention;
using MediaRetention.IntegrationTests.Infrastructure;

namespace MediaRetention.IntegrationTests.Retention;

[Collection(AzuriteCollection.Name)]
public sealed class RetentionApiTests(AzuriteFixture azurite)
{
    [Fact]
    public async Task Preview_and_sweep_through_the_runner_delete_only_expired_unheld_media_and_audit_it()
    {
        var storage = AzuriteFixture.UniqueStorageOptions();
        await using var runner = await RunnerHost.StartAsync(azurite.ConnectionString, storage,
            new Dictionary<string, string?> { ["Retention:IngestSettleTime"] = "00:00:00" });
        using var admin = runner.ClientFor(TestKeys.Admin);
        var cctv = azurite.BlobService.GetBlobContainerClient(storage.CctvContainer);
        await cctv.CreateIfNotExistsAsync();
        var old = DateTimeOffset.UtcNow.AddDays(-40);
        var expired = cctv.GetBlobClient($"shop-1/cam-1/{UploadContract.FormatTimestamp(old)}.mp4");
        var held = cctv.GetBlobClient($"shop-2/cam-1/{UploadContract.FormatTimestamp(old)}.mp4");
        var fresh = cctv.GetBlobClient($"shop-1/cam-1/{UploadContract.FormatTimestamp(DateTimeOffset.UtcNow.AddDays(-1))}.mp4");
        foreach (var blob in new[] { expired, held, fresh })
        {
            await blob.UploadAsync(new BinaryData(System.Text.Encoding.UTF8.GetBytes(blob.Name)));
        }

        await runner.WaitForAsync<MediaListResponse>("/api/media?kind=cctv", r => r.Items.Count == 3, TimeSpan.FromSeconds(10));
        var hold = await runner.Client.PostAsJsonAsync("/api/holds", new
        {
            caseNumber = "OPD-77",
            reason = "Break-in",
            requestedBy = new { agency = "oslo-pd", officer = "Sgt. Dahl" },
            scope = new { type = "cctv", site = "shop-2", from = old.AddHours(-1), to = old.AddHours(1) },
        });
        Assert.Equal(HttpStatusCode.Created, hold.StatusCode);

        Assert.Equal(HttpStatusCode.Forbidden, (await runner.Client.GetAsync("/api/retention/preview")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await runner.Client.PostAsync("/api/retention/sweep", null)).StatusCode);

        var preview = await admin.GetFromJsonAsync<RetentionPreview>("/api/retention/preview", JsonSerializerOptions.Web);
        Assert.Equal([expired.Name], preview!.WouldDelete.Select(m => m.BlobName));
        Assert.Equal([held.Name], preview.KeptByHolds.Select(m => m.BlobName));
        Assert.Equal(["OPD-77"], preview.KeptByHolds[0].CaseNumbers);

        var summary = await admin.SweepAsync();
        Assert.Equal((1, 1, 0), (summary.Deleted, summary.HeldKept, summary.Failures));

        Assert.False((await expired.ExistsAsync()).Value);
        Assert.True((await held.ExistsAsync()).Value);
        Assert.True((await fresh.ExistsAsync()).Value);

        var audit = await admin.GetFromJsonAsync<AuditPage>("/api/audit?pageSize=1000", JsonSerializerOptions.Web);
        var deletion = Assert.Single(audit!.Items, e => e.Action == AuditActions.MediaDeleted);
        Assert.Equal(expired.Name, deletion.Details["blobName"]);
        Assert.Equal(RetentionSweepHandler.Actor, deletion.Actor);
        var sweep = Assert.Single(audit.Items, e => e.Action == AuditActions.RetentionSweep);
        Assert.Equal("api:admin-1", sweep.Details["triggeredBy"]);
    }

    [Fact]
    public async Task Runner_sweeps_at_start_up_when_the_last_sweep_is_overdue()
    {
        var storage = AzuriteFixture.UniqueStorageOptions();
        var cctv = azurite.BlobService.GetBlobContainerClient(storage.CctvContainer);
        await cctv.CreateIfNotExistsAsync();
        var expired = cctv.GetBlobClient($"shop-1/cam-1/{UploadContract.FormatTimestamp(DateTimeOffset.UtcNow.AddDays(-40))}.mp4");
        await expired.UploadAsync(new BinaryData("old clip"u8.ToArray()));

        // A yearly schedule: only the start-up catch-up can sweep within this test. No sweep ever ran, so it is overdue;
        // the start-up sweep reconciles the unindexed blob, and the next catch-up would delete it. Here we check that
        // the start-up sweep ran and recorded itself.
        await using var runner = await RunnerHost.StartAsync(azurite.ConnectionString, storage, new Dictionary<string, string?>
        {
            ["Retention:TimerEnabled"] = "true",
            ["RetentionSchedule"] = "0 0 0 1 1 *",
        });

        using var admin = runner.ClientFor(TestKeys.Admin);
        var audit = await runner.WaitForAsync<AuditPage>("/api/audit", p => p.Items.Any(e => e.Action == AuditActions.RetentionSweep), TimeSpan.FromSeconds(20), admin);
        Assert.Equal("startup (overdue)", audit.Items.First(e => e.Action == AuditActions.RetentionSweep).Details["triggeredBy"]);
    }
}
