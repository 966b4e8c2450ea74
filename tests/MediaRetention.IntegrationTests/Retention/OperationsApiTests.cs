using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Azure.Storage.Blobs;
using MediaRetention.Api.Operations;
using MediaRetention.Core.Operations;
using MediaRetention.Core.Retention;
using MediaRetention.Core.Storage;
using MediaRetention.IntegrationTests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace MediaRetention.IntegrationTests.Retention;

/// <summary>
/// Operations on real storage: their state is in the state container, so any host reads them and a runner finishes
/// what a dead worker left; a sweep asked for while one runs is a 409.
/// </summary>
[Collection(AzuriteCollection.Name)]
public sealed class OperationsApiTests(AzuriteFixture azurite)
{
    [Fact]
    public async Task A_sweep_while_another_host_sweeps_is_409_and_once_it_has_finished_202()
    {
        var storage = AzuriteFixture.UniqueStorageOptions();
        await using var runner = await RunnerHost.StartAsync(azurite.ConnectionString, storage);
        using var admin = runner.ClientFor(TestKeys.Admin);

        await using (var lease = await runner.Services.GetRequiredService<RetentionSweepLock>().TryAcquireAsync(default))
        {
            Assert.NotNull(lease);
            using var busy = await admin.PostAsJsonAsync("/api/retention/sweep", new { });
            Assert.Equal(HttpStatusCode.Conflict, busy.StatusCode);
            Assert.Contains("already running", await busy.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }

        var summary = await admin.SweepAsync();
        Assert.Equal("api:admin-1", summary.TriggeredBy);
    }

    [Fact]
    public async Task An_operation_accepted_by_one_runner_is_read_on_another_with_progress_and_result()
    {
        var storage = AzuriteFixture.UniqueStorageOptions();
        await using var first = await RunnerHost.StartAsync(azurite.ConnectionString, storage);
        await using var second = await RunnerHost.StartAsync(azurite.ConnectionString, storage);
        using var adminOnFirst = first.ClientFor(TestKeys.Admin);
        using var adminOnSecond = second.ClientFor(TestKeys.Admin);

        var accepted = await adminOnFirst.StartOperationAsync("/api/retention/sweep");
        var done = await adminOnSecond.WaitForOperationAsync(accepted);

        Assert.Equal((OperationStatuses.Succeeded, OperationKinds.RetentionSweep, "admin-1", 1), (done.Status, done.Kind, done.CreatedBy, done.Attempts));
        Assert.Equal(accepted.CreatedAt.AddDays(7), done.ExpiresAt);
        var summary = done.Result!.Value.Deserialize<SweepSummary>(JsonSerializerOptions.Web)!;
        Assert.Equal(SweepOutcomes.Succeeded, summary.Outcome);
        Assert.Equal(SweepPhases.Expired, done.Progress!.Value.GetProperty("phase").GetString());
        using var finished = await adminOnSecond.GetAsync(accepted.Location);
        Assert.Null(finished.Headers.RetryAfter);
        var blob = new BlobContainerClient(azurite.ConnectionString, storage.StateContainer).GetBlobClient($"{BlobOperationStore.Prefix}{accepted.Id}.json");
        Assert.True((await blob.ExistsAsync()).Value);
    }

    [Fact]
    public async Task A_runner_takes_over_an_operation_a_dead_worker_left_running_and_removes_expired_ones()
    {
        var storage = AzuriteFixture.UniqueStorageOptions();
        await new BlobContainerClient(azurite.ConnectionString, storage.StateContainer).CreateIfNotExistsAsync();
        var store = new BlobOperationStore(new BlobServiceClient(azurite.ConnectionString), Options.Create(storage));
        var now = DateTimeOffset.UtcNow;
        var orphan = Operation(now.AddMinutes(-3)) with { Status = OperationStatuses.Running, Attempts = 1, StartedAt = now.AddMinutes(-3), HeartbeatAt = now.AddMinutes(-2) };
        var expired = Operation(now.AddDays(-8)) with { Status = OperationStatuses.Succeeded, ExpiresAt = now.AddDays(-1) };
        await store.CreateAsync(orphan, default);
        await store.CreateAsync(expired, default);

        await using var runner = await RunnerHost.StartAsync(azurite.ConnectionString, storage, new Dictionary<string, string?>
        {
            ["Operations:RecoveryInterval"] = "00:00:01",
            ["Operations:StaleAfter"] = "00:00:30",
        });
        using var admin = runner.ClientFor(TestKeys.Admin);

        var done = await admin.WaitForOperationAsync(OperationView.From(orphan));
        Assert.Equal((OperationStatuses.Succeeded, 2), (done.Status, done.Attempts));
        Assert.Equal("api:admin-1", done.Result!.Value.GetProperty("triggeredBy").GetString());

        Assert.Equal(HttpStatusCode.NotFound, (await admin.GetAsync($"/api/operations/{expired.Id}")).StatusCode);
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        while (await store.GetAsync(expired.Id, deadline.Token) is not null)
        {
            await Task.Delay(100, deadline.Token);
        }
    }

    private static Operation Operation(DateTimeOffset createdAt) => new()
    {
        Id = Guid.CreateVersion7(createdAt).ToString("N"),
        Kind = OperationKinds.RetentionSweep,
        Status = OperationStatuses.Queued,
        CreatedAt = createdAt,
        CreatedBy = "admin-1",
        ReaderRoles = ["admin"],
        ExpiresAt = createdAt.AddDays(7),
    };
}
