using Azure.Storage.Blobs;
using MediaRetention.Core.Audit;
using MediaRetention.Core.Holds;
using MediaRetention.Core.Media;
using MediaRetention.Core.Retention;
using MediaRetention.Core.Storage;
using MediaRetention.IntegrationTests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace MediaRetention.IntegrationTests.Retention;

/// <summary>
/// A sweep that runs out of its time budget (Retention:MaxSweepDuration, the guard against the Functions host's
/// functionTimeout) on Azurite: it stops at a page boundary, saves its position next to the sweep lease, deletes
/// nothing it should not, and the next sweep — on another instance — finishes exactly the rest.
/// </summary>
[Collection(AzuriteCollection.Name)]
public sealed class SweepBudgetTests(AzuriteFixture azurite)
{
    [Fact]
    public async Task A_sweep_cut_off_by_its_budget_loses_nothing_and_the_next_one_on_another_instance_finishes()
    {
        var storage = AzuriteFixture.UniqueStorageOptions();
        var time = new FakeTimeProvider(CoreHarness.TruncateToSeconds(DateTimeOffset.UtcNow));
        var settings = new Dictionary<string, string?>
        {
            ["Retention:IngestSettleTime"] = "00:00:00",
            ["Retention:MaxParallelDeletes"] = "1",
            ["Retention:ScanPageSize"] = "3",
            ["Retention:MaxSweepDuration"] = "00:00:05",
        };
        var start = time.GetUtcNow().AddDays(-40);
        Dictionary<string, string> expired, held, fresh;
        SweepSummary first;

        // Every delete takes two (fake) seconds: the first sweep's budget of five lasts for one page of three.
        await using (var slow = await CoreHarness.CreateAsync(azurite.ConnectionString, storage, time, settings,
                         configure: services => services.AddSingleton<IMediaBlobStore>(sp =>
                             new SlowDeletes(ActivatorUtilities.CreateInstance<AzureMediaBlobStore>(sp), time, TimeSpan.FromSeconds(2)))))
        {
            expired = await UploadAsync(slow, "s", start, 10);
            held = await UploadAsync(slow, "held", start.AddMinutes(1), 3);
            fresh = await UploadAsync(slow, "s", time.GetUtcNow().AddDays(-2), 2);
            await slow.Get<PlaceHoldHandler>().HandleAsync(new PlaceHoldCommand("C-1", "budget test", new RequestedBy("pd", "o"), "pd", "tester", null,
                new HoldScope { Type = HoldScope.CctvType, Site = "held", From = start, To = start.AddHours(1) }), default);
            time.Advance(TimeSpan.FromMinutes(1));

            first = await slow.Get<RetentionSweepHandler>().SweepAsync("budget test", default);
        }

        Assert.True(first.StoppedEarly);
        Assert.InRange(first.Deleted, 1, expired.Count - 1);
        Assert.Equal(SweepPhases.Expired, first.Checkpoint!.Phase);
        Assert.Equal(MediaKind.Cctv, first.Checkpoint.Kind);
        Assert.NotNull(first.Checkpoint.After);
        var checkpointBlob = new BlobContainerClient(azurite.ConnectionString, storage.StateContainer).GetBlobClient(BlobSweepCheckpointStore.BlobName);
        Assert.True((await checkpointBlob.ExistsAsync()).Value);

        // Another instance, with time enough, resumes where the first stopped.
        time.Advance(TimeSpan.FromMinutes(1));
        await using var next = await CoreHarness.CreateAsync(azurite.ConnectionString, storage, time,
            new Dictionary<string, string?>(settings) { ["Retention:MaxSweepDuration"] = "01:00:00" });
        var second = await next.Get<RetentionSweepHandler>().SweepAsync("budget test", default);

        Assert.False(second.StoppedEarly);
        Assert.Equal(first.Checkpoint, second.ResumedFrom);
        Assert.Null(second.Checkpoint);
        Assert.Equal(expired.Count, first.Deleted + second.Deleted);
        Assert.False((await checkpointBlob.ExistsAsync()).Value);

        var index = next.Get<IMediaIndex>();
        foreach (var (id, name) in expired)
        {
            Assert.False(await next.ExistsAsync(storage.CctvContainer, name), $"expired {name} is still stored");
            Assert.Null(await index.GetAsync(id, default));
        }

        foreach (var (id, name) in held.Concat(fresh))
        {
            Assert.True(await next.ExistsAsync(storage.CctvContainer, name), $"{name} was deleted");
            Assert.NotNull(await index.GetAsync(id, default));
        }

        // Each deletion audited exactly once; both summaries say what happened.
        var entries = await AllEntriesAsync(next.Get<IAuditLog>());
        Assert.Equal(expired.Keys.Order(), entries.Where(e => e.Action == AuditActions.MediaDeleted).Select(e => e.Target["media/".Length..]).Order());
        var sweeps = entries.Where(e => e.Action == AuditActions.RetentionSweep).ToList();
        Assert.Equal(["true", "false"], sweeps.Select(e => e.Details["stoppedEarly"]));
        Assert.Equal(first.Checkpoint.ToString(), sweeps[0].Details["checkpoint"]);
        Assert.Equal(first.Checkpoint.ToString(), sweeps[1].Details["resumedFrom"]);
        Assert.True((await next.Get<IAuditLog>().VerifyAsync(default)).Intact);
    }

    private static async Task<Dictionary<string, string>> UploadAsync(CoreHarness harness, string site, DateTimeOffset from, int count)
    {
        var names = Enumerable.Range(0, count)
            .Select(i => $"{site}/cam-1/{Core.Ingest.UploadContract.FormatTimestamp(from.AddSeconds(i * 7))}.mp4").ToList();
        foreach (var name in names)
        {
            await harness.UploadAndIngestAsync(harness.Storage.CctvContainer, name, System.Text.Encoding.UTF8.GetBytes(name));
        }

        return names.ToDictionary(n => MediaId.For(harness.Storage.CctvContainer, n));
    }

    private static async Task<List<AuditEntry>> AllEntriesAsync(IAuditLog audit)
    {
        var all = new List<AuditEntry>();
        string? token = null;
        do
        {
            var page = await audit.QueryAsync(null, null, token, 1000, default);
            all.AddRange(page.Items);
            token = page.ContinuationToken;
        }
        while (token is not null);

        return all;
    }

    /// <summary>The real store, with each delete taking <paramref name="step"/> of the test's clock.</summary>
    private sealed class SlowDeletes(IMediaBlobStore inner, FakeTimeProvider time, TimeSpan step) : IMediaBlobStore
    {
        public Task<BlobSnapshot?> GetPropertiesAsync(string container, string name, CancellationToken cancellationToken) =>
            inner.GetPropertiesAsync(container, name, cancellationToken);

        public Task<Stream> OpenReadAsync(string container, string name, string etag, CancellationToken cancellationToken) =>
            inner.OpenReadAsync(container, name, etag, cancellationToken);

        public Task<(BlobSnapshot Blob, Stream Content)> OpenReadWithPropertiesAsync(string container, string name, string etag, CancellationToken cancellationToken) =>
            inner.OpenReadWithPropertiesAsync(container, name, etag, cancellationToken);

        public IAsyncEnumerable<BlobSnapshot> ListAsync(string container, CancellationToken cancellationToken) =>
            inner.ListAsync(container, cancellationToken);

        public IAsyncEnumerable<BlobListPage> ListPagesAsync(string container, string? continuation, CancellationToken cancellationToken) =>
            inner.ListPagesAsync(container, continuation, cancellationToken);

        public Task<string> ReplaceMetadataAsync(string container, string name, IDictionary<string, string> metadata, string etag, CancellationToken cancellationToken) =>
            inner.ReplaceMetadataAsync(container, name, metadata, etag, cancellationToken);

        public async Task<BlobDeleteOutcome> DeleteIfUnchangedAndNotHeldAsync(string container, string name, string etag, CancellationToken cancellationToken)
        {
            var outcome = await inner.DeleteIfUnchangedAndNotHeldAsync(container, name, etag, cancellationToken);
            time.Advance(step);
            return outcome;
        }
    }
}
