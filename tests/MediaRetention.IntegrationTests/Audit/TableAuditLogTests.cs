using Azure;
using Azure.Core;
using Azure.Core.Pipeline;
using Azure.Data.Tables;
using MediaRetention.Core.Audit;
using MediaRetention.Core.Storage;
using MediaRetention.IntegrationTests.Infrastructure;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace MediaRetention.IntegrationTests.Audit;

[Collection(AzuriteCollection.Name)]
public sealed class TableAuditLogTests(AzuriteFixture azurite) : IAsyncLifetime
{
    private static readonly DateTimeOffset Start = new(2025, 3, 1, 8, 0, 0, TimeSpan.Zero);

    private readonly MediaStorageOptions options = AzuriteFixture.UniqueStorageOptions();
    private readonly FakeTimeProvider clock = new(Start);
    private TableClient table = null!;
    private TableAuditLog log = null!;

    public async Task InitializeAsync()
    {
        await azurite.TableService.CreateTableIfNotExistsAsync(options.AuditTable);
        table = azurite.TableService.GetTableClient(options.AuditTable);
        log = NewLog(clock);
    }

    public Task DisposeAsync() => azurite.TableService.DeleteTableAsync(options.AuditTable);

    [Fact]
    public async Task Appended_entries_chain_verify_and_read_back_in_order()
    {
        var appended = await AppendMinutely(5);

        Assert.Equal([1L, 2, 3, 4, 5], appended.Select(e => e.Sequence));
        Assert.Equal(AuditHash.Genesis, appended[0].PreviousHash);
        Assert.All(appended.Skip(1), (e, i) => Assert.Equal(appended[i].Hash, e.PreviousHash));
        Assert.Equal("C-0", appended[0].Details["case"]);
        Assert.Null(appended[0].Details["note"]);

        var verification = await log.VerifyAsync(default);
        Assert.True(verification.Intact, string.Join("; ", verification.Breaks));
        Assert.Equal(5, verification.EntriesChecked);
        Assert.Equal(5, verification.HeadSequence);
        Assert.Equal(appended[^1].Hash, verification.HeadHash);

        var all = await log.QueryAsync(null, null, null, 100, default);
        Assert.Equal(appended, all.Items);
        Assert.Null(all.ContinuationToken);
    }

    [Fact]
    public async Task Query_filters_by_time_with_from_inclusive_and_to_exclusive()
    {
        await AppendMinutely(5);

        var window = await log.QueryAsync(Start.AddMinutes(1), Start.AddMinutes(3), null, 100, default);
        Assert.Equal([2L, 3], window.Items.Select(e => e.Sequence));

        var since = await log.QueryAsync(Start.AddMinutes(3).ToOffset(TimeSpan.FromHours(2)), null, null, 100, default);
        Assert.Equal([4L, 5], since.Items.Select(e => e.Sequence));

        var until = await log.QueryAsync(null, Start.AddSeconds(30), null, 100, default);
        Assert.Equal([1L], until.Items.Select(e => e.Sequence));
    }

    [Fact]
    public async Task Query_pages_with_an_opaque_token()
    {
        var appended = await AppendMinutely(5);

        var read = new List<AuditEntry>();
        var pages = 0;
        string? token = null;
        do
        {
            var page = await log.QueryAsync(null, null, token, 2, default);
            Assert.InRange(page.Items.Count, 1, 2);
            Assert.DoesNotContain('/', page.ContinuationToken ?? string.Empty);
            read.AddRange(page.Items);
            token = page.ContinuationToken;
            pages++;
        }
        while (token is not null);

        Assert.Equal(3, pages);
        Assert.Equal(appended, read);
        await Assert.ThrowsAsync<InvalidContinuationTokenException>(() => log.QueryAsync(null, null, "not base64!", 2, default));
    }

    [Fact]
    public async Task Many_events_span_transactions_and_stay_consecutive()
    {
        await log.AppendAsync(Event("first"), default);
        var events = Enumerable.Range(0, 250).Select(i => Event($"m{i}")).ToList();

        var appended = await log.AppendManyAsync(events, default);

        Assert.Equal(Enumerable.Range(2, 250).Select(i => (long)i), appended.Select(e => e.Sequence));
        Assert.Equal(events.Select(e => e.Target), appended.Select(e => e.Target));
        var verification = await log.VerifyAsync(default);
        Assert.True(verification.Intact, string.Join("; ", verification.Breaks));
        Assert.Equal(251, verification.EntriesChecked);
    }

    [Fact]
    public async Task A_host_with_a_slow_clock_never_stamps_earlier_than_the_chain()
    {
        var slowHost = NewLog(new FakeTimeProvider(Start.AddMinutes(-10)));

        var first = await log.AppendAsync(Event("a"), default);
        var second = await slowHost.AppendAsync(Event("b"), default);

        Assert.Equal(Start, first.Time);
        Assert.Equal(first.Time, second.Time);
        Assert.True((await log.VerifyAsync(default)).Intact);
    }

    [Fact]
    public async Task An_edited_entry_breaks_at_exactly_that_sequence()
    {
        await AppendMinutely(5);
        var row = (await table.GetEntityAsync<TableEntity>("chain", "0000000000000000003")).Value;
        row["Target"] = "media/someone-else";
        await table.UpdateEntityAsync(row, row.ETag, TableUpdateMode.Merge);

        var verification = await log.VerifyAsync(default);

        Assert.False(verification.Intact);
        var single = Assert.Single(verification.Breaks);
        Assert.Equal(3, single.Sequence);
        Assert.Equal("entry 3: content does not match its hash (edited)", single.Problem);
        Assert.Equal(5, verification.EntriesChecked);
    }

    [Fact]
    public async Task An_edit_with_a_recomputed_hash_breaks_the_next_link()
    {
        var appended = await AppendMinutely(5);
        var forged = appended[2] with { Target = "media/someone-else" };
        var row = (await table.GetEntityAsync<TableEntity>("chain", "0000000000000000003")).Value;
        row["Target"] = forged.Target;
        row["Hash"] = AuditHash.Compute(forged);
        await table.UpdateEntityAsync(row, row.ETag, TableUpdateMode.Merge);

        var verification = await log.VerifyAsync(default);

        var single = Assert.Single(verification.Breaks);
        Assert.Equal(4, single.Sequence);
        Assert.Equal("entry 4: previous hash does not match entry 3", single.Problem);
    }

    [Fact]
    public async Task A_removed_middle_entry_is_reported_as_a_gap()
    {
        await AppendMinutely(6);
        await table.DeleteEntityAsync("chain", "0000000000000000003");
        await table.DeleteEntityAsync("chain", "0000000000000000004");

        var verification = await log.VerifyAsync(default);

        Assert.False(verification.Intact);
        var single = Assert.Single(verification.Breaks);
        Assert.Equal(3, single.Sequence);
        Assert.Equal("entries 3-4 missing", single.Problem);
        Assert.Equal(4, verification.EntriesChecked);
    }

    [Fact]
    public async Task Entries_removed_at_the_end_are_caught_by_the_head()
    {
        await AppendMinutely(5);
        await table.DeleteEntityAsync("chain", "0000000000000000005");

        var verification = await log.VerifyAsync(default);

        var single = Assert.Single(verification.Breaks);
        Assert.Equal(5, single.Sequence);
        Assert.StartsWith("entry 5 missing", single.Problem, StringComparison.Ordinal);
        Assert.Equal(5, verification.HeadSequence);
    }

    [Fact]
    public async Task A_row_written_around_the_log_is_reported()
    {
        var appended = await AppendMinutely(2);
        var smuggled = new TableEntity("chain", "0000000000000000003")
        {
            ["Time"] = Start, ["Actor"] = "x", ["Action"] = "y", ["Target"] = "z", ["Details"] = "{}",
            ["PreviousHash"] = appended[^1].Hash, ["Hash"] = new string('1', 64),
        };
        await table.AddEntityAsync(smuggled);

        var problems = (await log.VerifyAsync(default)).Breaks.Select(b => b.Problem).ToList();

        Assert.Contains("entry 3: content does not match its hash (edited)", problems);
        Assert.Contains("entry 3 is beyond the head (at 2): not written through the log", problems);
    }

    [Fact]
    public async Task Concurrent_hosts_and_tasks_never_fork_the_chain()
    {
        const int hosts = 8;
        const int singlesPerHost = 25;
        const int batchSize = 30;
        var logs = Enumerable.Range(0, hosts).Select(_ => NewLog(TimeProvider.System)).ToList();

        var singles = logs.SelectMany((l, h) => Enumerable.Range(0, singlesPerHost)
            .Select(i => Task.Run(async () => (IReadOnlyList<AuditEntry>)[await l.AppendAsync(Event($"h{h}-s{i}"), default)])));
        var batches = logs.Select((l, h) => Task.Run(() =>
            l.AppendManyAsync(Enumerable.Range(0, batchSize).Select(i => Event($"h{h}-b{i}")).ToList(), default)));
        var results = await Task.WhenAll(singles.Concat(batches));

        const int total = (hosts * singlesPerHost) + (hosts * batchSize);
        var returned = results.SelectMany(r => r).ToList();
        Assert.Equal(Enumerable.Range(1, total).Select(i => (long)i), returned.Select(e => e.Sequence).Order());
        Assert.All(results.Where(r => r.Count == batchSize), batch =>
            Assert.Equal(Enumerable.Range((int)batch[0].Sequence, batchSize).Select(i => (long)i), batch.Select(e => e.Sequence)));

        var stored = await ReadAll();
        Assert.Equal(Enumerable.Range(1, total).Select(i => (long)i), stored.Select(e => e.Sequence));
        Assert.Equal(returned.Select(e => e.Target).Order(), stored.Select(e => e.Target).Order());
        Assert.Equal(total, stored.Select(e => e.Target).Distinct().Count());

        var verification = await logs[0].VerifyAsync(default);
        Assert.True(verification.Intact, string.Join("; ", verification.Breaks));
        Assert.Equal(total, verification.EntriesChecked);
        Assert.Equal(total, verification.HeadSequence);
    }

    [Fact]
    public async Task Parallel_appends_through_one_instance_share_transactions()
    {
        var counter = new CountBatches();
        var clientOptions = new TableClientOptions();
        clientOptions.AddPolicy(counter, HttpPipelinePosition.PerRetry);
        var counted = new TableAuditLog(new TableServiceClient(azurite.ConnectionString, clientOptions), Options.Create(options), clock);

        var entries = await Task.WhenAll(Enumerable.Range(0, 100).Select(i => Task.Run(() => counted.AppendAsync(Event($"p{i}"), default))));

        Assert.Equal(Enumerable.Range(1, 100).Select(i => (long)i), entries.Select(e => e.Sequence).Order());
        Assert.InRange(counter.Batches, 1, 50);
        Assert.True((await log.VerifyAsync(default)).Intact);
    }

    [Fact]
    public async Task A_transaction_whose_response_was_lost_is_not_appended_twice()
    {
        // The first $batch reaches storage and commits, then the connection "drops"; the SDK resends it and
        // gets 412 because the head moved. The log must recognise its own commit instead of appending again.
        var dropper = new DropFirstBatchResponse();
        var clientOptions = new TableClientOptions { Retry = { Delay = TimeSpan.FromMilliseconds(10) } };
        clientOptions.AddPolicy(dropper, HttpPipelinePosition.PerRetry);
        var flaky = new TableAuditLog(new TableServiceClient(azurite.ConnectionString, clientOptions), Options.Create(options), clock);

        var entry = await flaky.AppendAsync(Event("once"), default);

        Assert.Equal(1, dropper.Dropped);
        Assert.Equal(1, entry.Sequence);
        var stored = await ReadAll();
        Assert.Equal(["once"], stored.Select(e => e.Target));
        Assert.True((await log.VerifyAsync(default)).Intact);
    }

    private TableAuditLog NewLog(TimeProvider time) => new(azurite.TableService, Options.Create(options), time);

    private async Task<List<AuditEntry>> AppendMinutely(int count)
    {
        var appended = new List<AuditEntry>();
        for (var i = 0; i < count; i++)
        {
            var details = new Dictionary<string, string?> { ["case"] = $"C-{i}", ["note"] = null };
            appended.Add(await log.AppendAsync(new AuditEvent("user:alice", AuditActions.HoldPlaced, $"media/{i}", details), default));
            clock.Advance(TimeSpan.FromMinutes(1));
        }

        return appended;
    }

    private async Task<List<AuditEntry>> ReadAll()
    {
        var all = new List<AuditEntry>();
        string? token = null;
        do
        {
            var page = await log.QueryAsync(null, null, token, 1000, default);
            all.AddRange(page.Items);
            token = page.ContinuationToken;
        }
        while (token is not null);

        return all;
    }

    private static AuditEvent Event(string target) => new("svc:test", AuditActions.MediaDeleted, target);

    private sealed class CountBatches : HttpPipelinePolicy
    {
        private int batches;

        public int Batches => Volatile.Read(ref batches);

        public override void Process(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline)
        {
            Count(message);
            ProcessNext(message, pipeline);
        }

        public override ValueTask ProcessAsync(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline)
        {
            Count(message);
            return ProcessNextAsync(message, pipeline);
        }

        private void Count(HttpMessage message)
        {
            if (message.Request.Uri.Path.EndsWith("$batch", StringComparison.Ordinal))
            {
                Interlocked.Increment(ref batches);
            }
        }
    }

    private sealed class DropFirstBatchResponse : HttpPipelinePolicy
    {
        private int dropped;

        public int Dropped => Volatile.Read(ref dropped);

        public override void Process(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline)
        {
            ProcessNext(message, pipeline);
            ThrowIfFirstBatch(message);
        }

        public override async ValueTask ProcessAsync(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline)
        {
            await ProcessNextAsync(message, pipeline);
            ThrowIfFirstBatch(message);
        }

        private void ThrowIfFirstBatch(HttpMessage message)
        {
            if (message.Request.Uri.Path.EndsWith("$batch", StringComparison.Ordinal)
                && message.Response.Status == 202
                && Interlocked.CompareExchange(ref dropped, 1, 0) == 0)
            {
                throw new IOException("Simulated connection reset after the service committed.");
            }
        }
    }
}
