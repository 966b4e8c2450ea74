using MediaRetention.Api.Auth;
using MediaRetention.Core.Audit;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace MediaRetention.UnitTests.Auth;

public sealed class DenialAuditTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 27, 12, 0, 0, TimeSpan.Zero);
    private readonly FakeTimeProvider time = new(Now);
    private readonly IAuditLog audit = Substitute.For<IAuditLog>();
    private readonly List<AuditEvent> written = [];
    private readonly AbuseOptions options = new() { DenialAuditWindow = TimeSpan.FromMinutes(1), MaxTrackedClients = 100 };
    private readonly DenialAudit denials;

    public DenialAuditTests()
    {
        audit.AppendAsync(default!, default).ReturnsForAnyArgs(call =>
        {
            written.Add((AuditEvent)call[0]);
            return Task.FromResult<AuditEntry>(null!);
        });
        denials = new DenialAudit(audit, Options.Create(options), time, NullLogger<DenialAudit>.Instance);
    }

    [Fact]
    public async Task The_first_denial_of_a_window_is_written_in_full_and_repeats_become_one_counted_entry()
    {
        for (var i = 0; i < 50; i++)
        {
            await denials.RecordAsync(BadKey("10.0.0.1", $"GET /api/holds/{i}"), default);
        }

        var first = Assert.Single(written);
        Assert.Equal((AuditActions.AccessDenied, "anonymous", "GET /api/holds/0"), (first.Action, first.Actor, first.Target));
        Assert.Equal("10.0.0.1", first.Details!["client"]);

        time.Advance(TimeSpan.FromSeconds(59));
        await denials.FlushAsync(all: false, default);
        Assert.Single(written); // the window is still open

        time.Advance(TimeSpan.FromSeconds(1));
        await denials.FlushAsync(all: false, default);

        Assert.Equal(2, written.Count);
        var aggregate = written[1];
        Assert.Equal((AuditActions.AccessDeniedAggregated, "anonymous", "client/10.0.0.1"), (aggregate.Action, aggregate.Actor, aggregate.Target));
        Assert.Equal("49", aggregate.Details!["count"]);
        Assert.Equal("The API key is not valid.", aggregate.Details["reason"]);
        Assert.Equal("GET /api/holds/49", aggregate.Details["lastTarget"]);
        Assert.Equal(0, denials.OpenWindows);
    }

    [Fact]
    public async Task The_next_denial_after_a_window_writes_its_aggregate_before_opening_a_new_window()
    {
        await denials.RecordAsync(BadKey("10.0.0.1"), default);
        await denials.RecordAsync(BadKey("10.0.0.1"), default);
        time.Advance(TimeSpan.FromMinutes(2));

        await denials.RecordAsync(BadKey("10.0.0.1"), default);

        Assert.Equal([AuditActions.AccessDenied, AuditActions.AccessDeniedAggregated, AuditActions.AccessDenied], written.Select(e => e.Action));
        Assert.Equal("1", written[1].Details!["count"]);
    }

    [Fact]
    public async Task Each_client_caller_and_reason_has_its_own_window()
    {
        await denials.RecordAsync(BadKey("10.0.0.1"), default);
        await denials.RecordAsync(BadKey("10.0.0.2"), default);
        await denials.RecordAsync(new Denial("10.0.0.1", "anonymous", null, "Send an API key in the X-Api-Key header.", "GET /api/media"), default);
        await denials.RecordAsync(new Denial("10.0.0.1", "guard-1", "security", "Role 'security' may not do this", "GET /api/audit"), default);
        await denials.RecordAsync(new Denial("10.0.0.1", "guard-2", "security", "Role 'security' may not do this", "GET /api/audit"), default);

        Assert.Equal(5, written.Count);
        Assert.All(written, e => Assert.Equal(AuditActions.AccessDenied, e.Action));
    }

    [Fact]
    public async Task Counted_denials_are_never_written_alone_and_a_window_without_repeats_writes_no_aggregate()
    {
        await denials.RecordAsync(BadKey("10.0.0.1"), default);
        for (var i = 0; i < 30; i++)
        {
            denials.Count(new Denial("10.0.0.1", "anonymous", null, ApiAccess.RateLimitedReason, "GET /api/media"));
        }

        Assert.Single(written);
        time.Advance(TimeSpan.FromMinutes(1));
        await denials.FlushAsync(all: false, default);

        var aggregate = Assert.Single(written, e => e.Action == AuditActions.AccessDeniedAggregated);
        Assert.Equal((ApiAccess.RateLimitedReason, "30", "false"), (aggregate.Details!["reason"], aggregate.Details["count"], aggregate.Details["firstAudited"]));
        Assert.Equal(2, written.Count); // the bad-key window had no repeats
    }

    [Fact]
    public async Task Counts_met_after_their_window_closed_are_kept_for_the_flush()
    {
        var limited = new Denial("10.0.0.1", "anonymous", null, ApiAccess.RateLimitedReason, "GET /api/media");
        denials.Count(limited);
        denials.Count(limited);
        time.Advance(TimeSpan.FromMinutes(2));
        denials.Count(limited);

        Assert.Empty(written);
        await denials.FlushAsync(all: false, default);

        Assert.Equal("2", Assert.Single(written).Details!["count"]);
        await denials.FlushAsync(all: true, default);
        Assert.Equal(["2", "1"], written.Select(e => e.Details!["count"]));
    }

    [Fact]
    public async Task Stopping_flushes_open_windows()
    {
        await denials.RecordAsync(BadKey("10.0.0.1"), default);
        await denials.RecordAsync(BadKey("10.0.0.1"), default);

        await denials.FlushAsync(all: true, default);

        Assert.Equal("1", Assert.Single(written, e => e.Action == AuditActions.AccessDeniedAggregated).Details!["count"]);
    }

    [Fact]
    public async Task Beyond_the_tracked_clients_further_ones_are_counted_together()
    {
        options.MaxTrackedClients = 100;
        for (var i = 0; i < 150; i++)
        {
            await denials.RecordAsync(BadKey($"10.0.1.{i}"), default);
        }

        Assert.Equal(100, written.Count);
        await denials.FlushAsync(all: true, default);
        var overflow = Assert.Single(written, e => e.Action == AuditActions.AccessDeniedAggregated);
        Assert.Equal(("client/*", "50"), (overflow.Target, overflow.Details!["count"]));
    }

    private static Denial BadKey(string client, string target = "GET /api/holds") =>
        new(client, "anonymous", null, "The API key is not valid.", target);
}
