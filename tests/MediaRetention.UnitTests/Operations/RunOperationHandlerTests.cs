using System.Collections.Concurrent;
using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text.Json;
using MediaRetention.Core.Operations;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace MediaRetention.UnitTests.Operations;

/// <summary>
/// How a worker runs an operation: one claim at a time (conditional writes), heartbeats with progress, take-over of a
/// worker that died, and the limits that keep readers from waiting forever.
/// </summary>
public sealed class RunOperationHandlerTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 27, 12, 0, 0, TimeSpan.Zero);
    private readonly FakeTimeProvider time = new(Now);
    private readonly InMemoryOperationStore store = new();
    private readonly OperationOptions options = new() { HeartbeatInterval = TimeSpan.FromSeconds(5), StaleAfter = TimeSpan.FromMinutes(1) };
    private readonly ScriptedWork work = new();

    [Fact]
    public async Task A_queued_operation_is_claimed_run_and_its_result_and_progress_stored()
    {
        var id = await store.AddAsync(Queued());
        work.Body = (_, report, _) =>
        {
            report(new { done = 3 });
            return Task.FromResult(JsonSerializer.SerializeToElement(new { answer = 42 }));
        };

        Assert.Equal(OperationRunOutcome.Finished, await Handler().RunAsync(id, default));

        var done = store.Current(id);
        Assert.Equal((OperationStatuses.Succeeded, 1), (done.Status, done.Attempts));
        Assert.Equal(42, done.Result!.Value.GetProperty("answer").GetInt32());
        Assert.Equal(3, done.Progress!.Value.GetProperty("done").GetInt32());
        Assert.Equal((Now, Now), (done.StartedAt, done.FinishedAt));
        Assert.Null(done.Error);

        // A repeated delivery runs nothing again.
        Assert.Equal(OperationRunOutcome.AlreadyFinished, await Handler().RunAsync(id, default));
        Assert.Equal(1, work.Runs);
    }

    [Fact]
    public async Task A_running_operation_with_a_fresh_heartbeat_is_left_to_its_worker()
    {
        var id = await store.AddAsync(Queued() with { Status = OperationStatuses.Running, Attempts = 1, HeartbeatAt = Now.AddSeconds(-30) });

        Assert.Equal(OperationRunOutcome.RunningElsewhere, await Handler().RunAsync(id, default));
        Assert.Equal(0, work.Runs);
    }

    [Fact]
    public async Task A_worker_that_stopped_beating_is_taken_over_and_the_attempt_counted()
    {
        var id = await store.AddAsync(Queued() with { Status = OperationStatuses.Running, Attempts = 1, StartedAt = Now.AddMinutes(-5), HeartbeatAt = Now.AddMinutes(-2) });

        Assert.Equal(OperationRunOutcome.Finished, await Handler().RunAsync(id, default));

        var done = store.Current(id);
        Assert.Equal((OperationStatuses.Succeeded, 2, Now.AddMinutes(-5)), (done.Status, done.Attempts, done.StartedAt));
        Assert.Equal(1, work.Runs);
    }

    [Fact]
    public async Task After_the_last_attempt_died_the_operation_fails_without_running_again()
    {
        var id = await store.AddAsync(Queued() with { Status = OperationStatuses.Running, Attempts = options.MaxAttempts, HeartbeatAt = Now.AddMinutes(-2) });

        Assert.Equal(OperationRunOutcome.Finished, await Handler().RunAsync(id, default));

        var failed = store.Current(id);
        Assert.Equal(OperationStatuses.Failed, failed.Status);
        Assert.Contains("none finished it", failed.Error!.Detail, StringComparison.Ordinal);
        Assert.Equal(0, work.Runs);
    }

    [Fact]
    public async Task An_operation_nobody_picked_up_for_too_long_reads_as_failed_and_is_never_started()
    {
        var stale = Queued() with { CreatedAt = Now - options.AbandonAfter };
        var id = await store.AddAsync(stale);

        Assert.Equal(OperationStatuses.Failed, stale.AsOf(Now, options).Status);
        Assert.Equal(OperationStatuses.Queued, stale.AsOf(Now.AddSeconds(-1), options).Status);
        Assert.Equal(OperationRunOutcome.Finished, await Handler().RunAsync(id, default));
        Assert.Equal(("Abandoned", OperationStatuses.Failed), (store.Current(id).Error!.Title, store.Current(id).Status));
        Assert.Equal(0, work.Runs);
    }

    [Fact]
    public async Task Of_two_workers_claiming_at_once_only_one_runs_it()
    {
        var id = await store.AddAsync(Queued());
        store.BeforeNextWrite = () => store.Tamper(id, o => o with { Status = OperationStatuses.Running, HeartbeatAt = Now, Attempts = 1 });

        Assert.Equal(OperationRunOutcome.RunningElsewhere, await Handler().RunAsync(id, default));
        Assert.Equal(0, work.Runs);
    }

    [Fact]
    public async Task A_failure_is_stored_as_a_problem_and_an_unexpected_one_names_no_detail_of_the_exception()
    {
        var conflict = await store.AddAsync(Queued());
        work.Body = (_, _, _) => throw new OperationFailedException(new OperationError(409, "Conflict", "another sweep"));
        await Handler().RunAsync(conflict, default);

        var crash = await store.AddAsync(Queued());
        work.Body = (_, _, _) => throw new InvalidOperationException("blob oslo-1/secret-name.mp4 broke");
        await Handler().RunAsync(crash, default);

        Assert.Equal(new OperationError(409, "Conflict", "another sweep"), store.Current(conflict).Error);
        var error = store.Current(crash).Error!;
        Assert.Equal((500, OperationStatuses.Failed), (error.Status, store.Current(crash).Status));
        Assert.Contains(nameof(InvalidOperationException), error.Detail, StringComparison.Ordinal);
        Assert.DoesNotContain("secret-name", error.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Heartbeats_write_progress_while_the_work_runs_and_a_worker_that_lost_its_claim_stops()
    {
        var id = await store.AddAsync(Queued());
        var release = new TaskCompletionSource();
        CancellationToken seen = default;
        work.Body = async (_, report, ct) =>
        {
            seen = ct;
            report(new { step = 1 });
            await release.Task.WaitAsync(ct);
            return JsonSerializer.SerializeToElement(new { });
        };

        var running = Handler().RunAsync(id, default);
        await WaitUntilAsync(() => work.Runs == 1);

        // One beat: progress and a new heartbeat reach storage while the work is still going.
        time.Advance(options.HeartbeatInterval);
        await WaitUntilAsync(() => store.Current(id).Progress is not null);
        Assert.Equal((OperationStatuses.Running, Now + options.HeartbeatInterval), (store.Current(id).Status, store.Current(id).HeartbeatAt));
        Assert.Equal(1, store.Current(id).Progress!.Value.GetProperty("step").GetInt32());

        // Another worker takes over (its write changes the version): the next beat notices and this work is cancelled.
        store.Tamper(id, o => o with { Attempts = 2, HeartbeatAt = time.GetUtcNow() });
        time.Advance(options.HeartbeatInterval);

        Assert.Equal(OperationRunOutcome.RunningElsewhere, await running.WaitAsync(TimeSpan.FromSeconds(10)));
        Assert.True(seen.IsCancellationRequested);
        Assert.Equal((OperationStatuses.Running, 2), (store.Current(id).Status, store.Current(id).Attempts));
    }

    [Fact]
    public async Task A_host_that_stops_leaves_the_operation_running_for_the_next_worker()
    {
        var id = await store.AddAsync(Queued());
        using var stopping = new CancellationTokenSource();
        work.Body = async (_, _, ct) =>
        {
            await stopping.CancelAsync();
            await Task.Delay(Timeout.Infinite, ct);
            return default;
        };

        Assert.Equal(OperationRunOutcome.Interrupted, await Handler().RunAsync(id, stopping.Token));
        Assert.Equal(OperationStatuses.Running, store.Current(id).Status);
    }

    [Fact]
    public async Task Finished_work_removes_operations_past_their_expiry()
    {
        var old = await store.AddAsync(Queued() with { Id = Guid.CreateVersion7(Now.AddDays(-8)).ToString("N"), Status = OperationStatuses.Succeeded, ExpiresAt = Now.AddDays(-1) });
        var id = await store.AddAsync(Queued());

        await Handler().RunAsync(id, default);

        Assert.False(store.Contains(old));
        Assert.True(store.Contains(id));
    }

    [Fact]
    public void Heartbeats_must_be_more_frequent_than_take_over_and_take_over_sooner_than_abandonment()
    {
        var validator = new OperationOptionsValidator();
        Assert.True(validator.Validate(null, new OperationOptions()).Succeeded);
        Assert.True(validator.Validate(null, new OperationOptions { HeartbeatInterval = TimeSpan.FromMinutes(2) }).Failed);
        Assert.True(validator.Validate(null, new OperationOptions { StaleAfter = TimeSpan.FromHours(2) }).Failed);
    }

    private RunOperationHandler Handler() =>
        new(store, [work], Options.Create(options), time, NullLogger<RunOperationHandler>.Instance);

    private static Operation Queued() => new()
    {
        Id = Guid.NewGuid().ToString("N"),
        Kind = ScriptedWork.TheKind,
        Status = OperationStatuses.Queued,
        CreatedAt = Now,
        CreatedBy = "admin-1",
        ReaderRoles = ["admin"],
        ExpiresAt = Now.AddDays(7),
    };

    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        while (!condition())
        {
            await Task.Delay(10, timeout.Token);
        }
    }

    private sealed class ScriptedWork : IOperationWork
    {
        public const string TheKind = "test.work";
        private int runs;

        public int Runs => Volatile.Read(ref runs);

        public Func<Operation, Action<object>, CancellationToken, Task<JsonElement>> Body { get; set; } =
            (_, _, _) => Task.FromResult(JsonSerializer.SerializeToElement(new { ok = true }));

        public string Kind => TheKind;

        public Task<JsonElement> RunAsync(Operation operation, Action<object> report, CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref runs);
            return Body(operation, report, cancellationToken);
        }
    }
}

/// <summary>The operations blob store in memory, with ETags that change on every write.</summary>
internal sealed class InMemoryOperationStore : IOperationStore
{
    private readonly ConcurrentDictionary<string, (Operation Operation, string ETag)> items = new();
    private int version;

    private Action? beforeNextWrite;

    /// <summary>Runs once, just before the next conditional write: another worker's write in between.</summary>
    public Action? BeforeNextWrite
    {
        set => beforeNextWrite = value;
    }

    public async Task<string> AddAsync(Operation operation)
    {
        await CreateAsync(operation, default);
        return operation.Id;
    }

    public Operation Current(string id) => items[id].Operation;

    public bool Contains(string id) => items.ContainsKey(id);

    public void Tamper(string id, Func<Operation, Operation> change) => items[id] = (change(items[id].Operation), NextETag());

    public Task CreateAsync(Operation operation, CancellationToken cancellationToken) =>
        items.TryAdd(operation.Id, (operation, NextETag())) ? Task.CompletedTask : throw new InvalidOperationException("exists");

    public Task<StoredOperation?> GetAsync(string id, CancellationToken cancellationToken) =>
        Task.FromResult(items.TryGetValue(id, out var item) ? new StoredOperation(item.Operation, item.ETag) : null);

    public Task<string?> TryReplaceAsync(Operation operation, string etag, CancellationToken cancellationToken)
    {
        Interlocked.Exchange(ref beforeNextWrite, null)?.Invoke();

        lock (items)
        {
            if (!items.TryGetValue(operation.Id, out var item) || item.ETag != etag)
            {
                return Task.FromResult<string?>(null);
            }

            var next = NextETag();
            items[operation.Id] = (operation, next);
            return Task.FromResult<string?>(next);
        }
    }

    public async IAsyncEnumerable<OperationListing> ListAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await Task.Yield();
        foreach (var (operation, _) in items.Values)
        {
            yield return new OperationListing(operation.Id, operation.Kind, operation.Status, operation.ExpiresAt, operation.HeartbeatAt ?? operation.CreatedAt);
        }
    }

    public Task DeleteAsync(string id, CancellationToken cancellationToken)
    {
        items.TryRemove(id, out _);
        return Task.CompletedTask;
    }

    private string NextETag() => "\"" + Interlocked.Increment(ref version).ToString(CultureInfo.InvariantCulture) + "\"";
}
