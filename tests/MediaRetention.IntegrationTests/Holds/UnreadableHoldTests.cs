using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using Azure.Data.Tables;
using MediaRetention.Api.Holds;
using MediaRetention.Api.Media;
using MediaRetention.Core.Audit;
using MediaRetention.Core.Ingest;
using MediaRetention.Core.Media;
using MediaRetention.Core.Retention;
using MediaRetention.IntegrationTests.Infrastructure;

namespace MediaRetention.IntegrationTests.Holds;

/// <summary>
/// Hold rows this version cannot read, written straight into the table as an older version or a hand edit in
/// Storage Explorer would leave them. Before, one such row made preview, sweep and ingest fail for everyone.
/// </summary>
[Collection(AzuriteCollection.Name)]
public sealed class UnreadableHoldTests(AzuriteFixture azurite)
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(15);

    [Fact]
    public async Task Unreadable_hold_rows_stop_no_ingest_block_every_deletion_loudly_are_audited_once_and_can_be_released()
    {
        var storage = AzuriteFixture.UniqueStorageOptions();
        await using var runner = await RunnerHost.StartAsync(azurite.ConnectionString, storage,
            new Dictionary<string, string?> { ["Retention:IngestSettleTime"] = "00:00:00" });
        using var admin = runner.ClientFor(TestKeys.Admin);
        var cctv = azurite.BlobService.GetBlobContainerClient(storage.CctvContainer);
        await cctv.CreateIfNotExistsAsync();
        var expired = cctv.GetBlobClient($"shop-1/cam-1/{UploadContract.FormatTimestamp(DateTimeOffset.UtcNow.AddDays(-40))}.mp4");
        await expired.UploadAsync(new BinaryData("old clip"u8.ToArray()));
        await runner.WaitForAsync<MediaListResponse>("/api/media", r => r.Items.Count == 1, Deadline);

        // A media hold with a null among its ids (what the old API stored), and a row whose status was deleted by hand.
        var table = azurite.TableService.GetTableClient(storage.HoldsTable);
        var nullId = Guid.NewGuid().ToString("N");
        var noStatus = Guid.NewGuid().ToString("N");
        await table.AddEntityAsync(RawHold(nullId, "active",
            $$"""{"type":"media","mediaIds":["{{MediaId.For(storage.CctvContainer, expired.Name)}}",null]}"""));
        var statusless = RawHold(noStatus, null, """{"type":"call","callId":"c-1"}""");
        await table.AddEntityAsync(statusless);

        // Ingest carries on: a new clip is indexed.
        await cctv.GetBlobClient($"shop-1/cam-1/{UploadContract.FormatTimestamp(DateTimeOffset.UtcNow.AddMinutes(-1))}.mp4")
            .UploadAsync(new BinaryData("new clip"u8.ToArray()));
        await runner.WaitForAsync<MediaListResponse>("/api/media", r => r.Items.Count == 2, Deadline);

        // The preview says deletion is blocked, and by which rows.
        var preview = await admin.GetFromJsonAsync<RetentionPreview>("/api/retention/preview", JsonSerializerOptions.Web);
        Assert.True(preview!.DeletionBlocked);
        Assert.Equal(Sorted(noStatus, nullId), preview.UnreadableHolds.Select(h => h.Id).Order(StringComparer.Ordinal));
        Assert.Equal((0, 1), (preview.WouldDeleteCount, preview.BlockedCount));

        // Two sweeps: both answer, delete nothing, name the rows; each row is audited once.
        for (var i = 0; i < 2; i++)
        {
            var summary = await admin.SweepAsync();
            Assert.True(summary.DeletionBlocked);
            Assert.Equal((0, 1), (summary.Deleted, summary.Blocked));
            Assert.Equal(Sorted(noStatus, nullId), summary.UnreadableHolds.Select(h => h.Id).Order(StringComparer.Ordinal));
            Assert.True((await expired.ExistsAsync()).Value);
        }

        // Health says so too, naming the rows.
        using (var health = await runner.ClientFor(null).GetAsync("/healthz"))
        {
            Assert.Equal(HttpStatusCode.ServiceUnavailable, health.StatusCode);
            var retention = JsonNode.Parse(await health.Content.ReadAsStringAsync())!["checks"]!["retention"]!;
            Assert.Equal(("unhealthy", "deletionBlocked"), ((string?)retention["status"], (string?)retention["data"]!["lastSweepOutcome"]));
            var named = (string)retention["data"]!["unreadableHolds"]!;
            Assert.StartsWith("2: ", named);
            Assert.Contains(nullId, named);
            Assert.Contains(noStatus, named);
        }

        var audit = await admin.GetFromJsonAsync<AuditPage>("/api/audit?pageSize=1000", JsonSerializerOptions.Web);
        var reported = audit!.Items.Where(e => e.Action == AuditActions.HoldUnreadable).Select(e => e.Target).Order(StringComparer.Ordinal).ToList();
        Assert.Equal(Sorted("hold/" + noStatus, "hold/" + nullId), reported);
        Assert.Equal(2, audit.Items.Count(e => e.Action == AuditActions.RetentionSweep && e.Details["deletionBlocked"] == "true"));

        // The API shows them, and placing a new hold still works.
        var all = await runner.Client.GetFromJsonAsync<HoldListResponse>("/api/holds?status=all");
        Assert.Equal(Sorted(noStatus, nullId), all!.Unreadable!.Select(h => h.Id).Order(StringComparer.Ordinal));
        var one = await runner.Client.GetFromJsonAsync<UnreadableHoldDetailResponse>($"/api/holds/{nullId}");
        Assert.Equal(("unreadable", "active", "OPD-BAD"), (one!.Hold.Status, one.Hold.StoredStatus, one.Hold.CaseNumber));
        Assert.Contains("not a media id", one.Hold.UnreadableReason);
        Assert.Equal(HttpStatusCode.OK, (await runner.ClientFor(TestKeys.Police).GetAsync($"/api/holds/{nullId}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await runner.ClientFor(TestKeys.OtherPolice).GetAsync($"/api/holds/{nullId}")).StatusCode);
        Assert.Equal(HttpStatusCode.Conflict, (await runner.Client.GetAsync($"/api/holds/{nullId}/evidence")).StatusCode);
        var media = await runner.Client.GetFromJsonAsync<MediaView>($"/api/media/{MediaId.For(storage.CctvContainer, expired.Name)}");
        Assert.Empty(media!.Holds!);
        var place = await runner.Client.PostAsJsonAsync("/api/holds", new
        {
            caseNumber = "OPD-2",
            reason = "still works",
            requestedBy = new { agency = "oslo-pd", officer = "Sgt. Dahl" },
            scope = new { type = "call", callId = "c-2" },
        });
        Assert.Equal(HttpStatusCode.Created, place.StatusCode);

        // Security clears the blockage by releasing them (on the record); then the expired clip goes.
        foreach (var id in new[] { nullId, noStatus })
        {
            var release = await runner.Client.PostAsJsonAsync($"/api/holds/{id}/release", new { reason = "unreadable row, replaced by a new hold" });
            Assert.Equal(HttpStatusCode.OK, release.StatusCode);
            Assert.Equal(HttpStatusCode.Conflict, (await runner.Client.PostAsJsonAsync($"/api/holds/{id}/release", new { reason = "again" })).StatusCode);
        }

        var after = await admin.SweepAsync();
        Assert.False(after.DeletionBlocked);
        Assert.Equal(SweepOutcomes.Succeeded, after.Outcome);
        Assert.Equal(1, after.Deleted);
        using (var health = await runner.ClientFor(null).GetAsync("/healthz"))
        {
            var retention = JsonNode.Parse(await health.Content.ReadAsStringAsync())!["checks"]!["retention"]!;
            Assert.Equal(("healthy", "succeeded"), ((string?)retention["status"], (string?)retention["data"]!["lastSweepOutcome"]));
            Assert.Null(retention["data"]!["unreadableHolds"]);
        }

        Assert.False((await expired.ExistsAsync()).Value);
        var releases = (await admin.GetFromJsonAsync<AuditPage>("/api/audit?pageSize=1000", JsonSerializerOptions.Web))!
            .Items.Where(e => e.Action == AuditActions.HoldReleased).Select(e => e.Target).Order(StringComparer.Ordinal);
        Assert.Equal(Sorted("hold/" + noStatus, "hold/" + nullId), releases);
    }

    private static IEnumerable<string> Sorted(params string[] values) => values.Order(StringComparer.Ordinal);

    private static TableEntity RawHold(string id, string? status, string scope)
    {
        var entity = new TableEntity("hold", id)
        {
            ["CaseNumber"] = "OPD-BAD",
            ["Reason"] = "written by hand",
            ["RequestedByAgency"] = "oslo-pd",
            ["RequestedByOfficer"] = "Insp. Hansen",
            ["Agency"] = "oslo-pd",
            ["PlacedBy"] = "guard-1",
            ["PlacedAt"] = DateTimeOffset.UtcNow.AddDays(-1),
            ["Scope"] = scope,
        };
        if (status is not null)
        {
            entity["Status"] = status;
        }

        return entity;
    }
}
