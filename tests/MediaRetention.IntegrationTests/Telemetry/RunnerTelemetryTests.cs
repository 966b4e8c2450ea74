using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using Azure.Storage.Blobs.Specialized;
using MediaRetention.Api.Media;
using MediaRetention.Core.Ingest;
using MediaRetention.Core.Media;
using MediaRetention.Core.Retention;
using MediaRetention.Core.Telemetry;
using MediaRetention.IntegrationTests.Infrastructure;
using MediaRetention.Testing;

namespace MediaRetention.IntegrationTests.Telemetry;

/// <summary>The runner's metrics and spans as an OpenTelemetry exporter receives them, and what /healthz makes of them.</summary>
[Collection(AzuriteCollection.Name)]
public sealed class RunnerTelemetryTests(AzuriteFixture azurite)
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(15);

    [Fact]
    public async Task An_ingested_clip_is_counted_by_kind_with_its_ingest_lag_and_traced()
    {
        var telemetry = new InMemoryTelemetry();
        var storage = AzuriteFixture.UniqueStorageOptions();
        await using var runner = await RunnerHost.StartAsync(azurite.ConnectionString, storage, configure: telemetry.AddTo);
        var cctv = azurite.BlobService.GetBlobContainerClient(storage.CctvContainer);
        await cctv.CreateIfNotExistsAsync();

        await cctv.GetBlobClient("oslo-1/cam-1/20261120T100000Z.mp4").UploadAsync(new BinaryData("clip"u8.ToArray()));
        await runner.WaitForAsync<MediaListResponse>("/api/media", r => r.Items.Count == 1, Deadline);

        // The row is visible before ingest has finished (it looks at the holds after writing it): wait for its span.
        using (var waiting = new CancellationTokenSource(Deadline))
        {
            while (!telemetry.Spans("mediaretention.ingest").Any(s => (string?)s.GetTagItem(MediaRetentionTelemetry.Tags.Outcome) == "Indexed"))
            {
                await Task.Delay(TimeSpan.FromMilliseconds(50), waiting.Token);
            }
        }

        var indexed = Assert.Single(telemetry.Points(runner, MediaRetentionTelemetry.Metrics.MediaIndexed));
        Assert.Equal(1, indexed.GetSumLong());
        Assert.Equal(MediaKind.Cctv, InMemoryTelemetry.Tag(indexed, MediaRetentionTelemetry.Tags.Kind));
        var lag = Assert.Single(telemetry.Points(runner, MediaRetentionTelemetry.Metrics.IngestLag));
        Assert.Equal(1, lag.GetHistogramCount());
        Assert.InRange(lag.GetHistogramSum(), 0, Deadline.TotalSeconds);
        Assert.Empty(telemetry.Points(runner, MediaRetentionTelemetry.Metrics.MediaRejected));
        var span = Assert.Single(telemetry.Spans("mediaretention.ingest"), s => (string?)s.GetTagItem(MediaRetentionTelemetry.Tags.Outcome) == "Indexed");
        Assert.Equal(MediaId.For(storage.CctvContainer, "oslo-1/cam-1/20261120T100000Z.mp4"), span.GetTagItem(MediaRetentionTelemetry.Tags.MediaId));
    }

    [Fact]
    public async Task An_expired_clip_that_cannot_be_deleted_shows_as_retention_lag_in_metrics_summary_and_healthz()
    {
        var telemetry = new InMemoryTelemetry();
        var storage = AzuriteFixture.UniqueStorageOptions();
        await using var runner = await RunnerHost.StartAsync(azurite.ConnectionString, storage, new Dictionary<string, string?>
        {
            ["Retention:IngestSettleTime"] = "00:00:00",
            ["Health:MaxRetentionLag"] = "01:00:00",
        }, telemetry.AddTo);
        using var admin = runner.ClientFor(TestKeys.Admin);
        using var anonymous = runner.ClientFor(null);
        var cctv = azurite.BlobService.GetBlobContainerClient(storage.CctvContainer);
        await cctv.CreateIfNotExistsAsync();
        var recorded = DateTimeOffset.UtcNow.AddDays(-40);
        var clip = cctv.GetBlobClient($"shop-1/cam-1/{UploadContract.FormatTimestamp(recorded)}.mp4");
        await clip.UploadAsync(new BinaryData("old clip"u8.ToArray()));
        await runner.WaitForAsync<MediaListResponse>("/api/media", r => r.Items.Count == 1, Deadline, admin);

        var before = await HealthAsync(anonymous);
        Assert.Equal((HttpStatusCode.OK, "healthy"), (before.Status, (string?)before.Body["status"]));
        Assert.Equal("none", (string?)before.Body["checks"]!["retention"]!["data"]!["lastSweepOutcome"]);

        // A lease (as another program holding the file open would have) makes the delete fail: the clip stays, 10 days overdue.
        var lease = clip.GetBlobLeaseClient();
        await lease.AcquireAsync(TimeSpan.FromSeconds(-1));
        var stuck = await SweepAsync(admin);
        Assert.Equal(0, stuck.Deleted);
        Assert.InRange(stuck.RetentionLagSeconds, TimeSpan.FromDays(9.9).TotalSeconds, TimeSpan.FromDays(10.1).TotalSeconds);
        Assert.True((await clip.ExistsAsync()).Value);

        var gauge = Assert.Single(telemetry.Points(runner, MediaRetentionTelemetry.Metrics.RetentionLag));
        Assert.Equal(stuck.RetentionLagSeconds, gauge.GetGaugeLastValueDouble(), 3);
        var unhealthy = await HealthAsync(anonymous);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, unhealthy.Status);
        var retention = unhealthy.Body["checks"]!["retention"]!;
        Assert.Equal("unhealthy", (string?)retention["status"]);
        Assert.Contains("past its expiry", (string?)retention["description"]);
        Assert.Equal("healthy", (string?)unhealthy.Body["checks"]!["storage"]!["status"]);

        // The file is let go: the next sweep deletes it, the lag is gone and the runner is healthy again.
        await lease.ReleaseAsync();
        var done = await SweepAsync(admin);
        Assert.Equal((1, 0.0), (done.Deleted, done.RetentionLagSeconds));
        Assert.Equal(0, Assert.Single(telemetry.Points(runner, MediaRetentionTelemetry.Metrics.RetentionLag)).GetGaugeLastValueDouble());
        Assert.Equal(1, telemetry.Points(runner, MediaRetentionTelemetry.Metrics.SweepDeleted).Sum(p => p.GetSumLong()));
        Assert.Equal(2, telemetry.Points(runner, MediaRetentionTelemetry.Metrics.SweepRuns).Sum(p => p.GetSumLong()));
        var after = await HealthAsync(anonymous);
        Assert.Equal(HttpStatusCode.OK, after.Status);
        Assert.Equal("0", (string?)after.Body["checks"]!["retention"]!["data"]!["retentionLagSeconds"]);
        Assert.Equal(2, telemetry.Spans("mediaretention.retention.sweep").Count);
    }

    [Fact]
    public async Task Healthz_is_503_when_storage_does_not_answer()
    {
        await using var own = await AzuriteInstance.StartAsync();
        var storage = AzuriteFixture.UniqueStorageOptions();
        await using var runner = await RunnerHost.StartAsync(own.ConnectionString, storage,
            new Dictionary<string, string?> { ["Health:StorageTimeout"] = "00:00:02" });
        using var anonymous = runner.ClientFor(null);
        Assert.Equal(HttpStatusCode.OK, (await HealthAsync(anonymous)).Status);

        await own.StopAsync();

        var down = await HealthAsync(anonymous);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, down.Status);
        Assert.Equal("unhealthy", (string?)down.Body["checks"]!["storage"]!["status"]);
    }

    private static async Task<SweepSummary> SweepAsync(HttpClient admin)
    {
        // An empty JSON body is accepted too; the operation is then followed to its end.
        using var json = new StringContent("", System.Text.Encoding.UTF8, "application/json");
        using var response = await admin.PostAsync("/api/retention/sweep", json);
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var operation = (await response.Content.ReadFromJsonAsync<MediaRetention.Api.Operations.OperationView>(JsonSerializerOptions.Web))!;
        var done = await admin.WaitForOperationAsync(operation);
        Assert.Equal(MediaRetention.Core.Operations.OperationStatuses.Succeeded, done.Status);
        return done.Result!.Value.Deserialize<SweepSummary>(JsonSerializerOptions.Web)!;
    }

    private static async Task<(HttpStatusCode Status, JsonNode Body)> HealthAsync(HttpClient client)
    {
        using var response = await client.GetAsync("/healthz");
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        return (response.StatusCode, JsonNode.Parse(await response.Content.ReadAsStringAsync())!);
    }
}
