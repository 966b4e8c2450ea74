using System.Globalization;
using MediaRetention.Core.Retention;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;

namespace MediaRetention.Runner.Health;

/// <summary>
/// The retention promise: how the last sweep of any host on the account ended, when the last one completed, and the
/// retention lag it left. Unhealthy when the last sweep failed, when unreadable hold rows blocked its deletions (they
/// are named), or when the lag is over <see cref="HealthOptions.MaxRetentionLag"/> (what infra/main.bicep alerts on);
/// healthy before any sweep has run.
/// </summary>
public sealed class RetentionHealthCheck(RunRetentionSweepHandler sweeps, IOptions<HealthOptions> options) : IHealthCheck
{
    public const string Name = "retention";

    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        SweepRecord? last;
        try
        {
            last = await sweeps.LastSweepAsync(cancellationToken);
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            return HealthCheckResult.Unhealthy($"The last sweep could not be read ({e.GetType().Name}).");
        }

        if (last is null)
        {
            return HealthCheckResult.Healthy("No retention sweep has run yet.", new Dictionary<string, object> { ["lastSweepOutcome"] = "none" });
        }

        var data = new Dictionary<string, object>
        {
            ["lastSweepAt"] = last.At.ToString("O", CultureInfo.InvariantCulture),
            ["lastSweepOutcome"] = last.Outcome,
        };
        if (last.LastCompletedAt is { } completed)
        {
            data["lastCompletedSweepAt"] = completed.ToString("O", CultureInfo.InvariantCulture);
        }

        if (last.RetentionLagSeconds is { } lag)
        {
            data["retentionLagSeconds"] = lag.ToString("0.###", CultureInfo.InvariantCulture);
        }

        if (last.Error is { } error)
        {
            data["lastSweepError"] = error;
        }

        if (last.UnreadableHolds is { } unreadable)
        {
            data["unreadableHolds"] = unreadable;
        }

        var maxLag = options.Value.MaxRetentionLag;
        if (last.Outcome == SweepOutcomes.Failed)
        {
            return HealthCheckResult.Unhealthy($"The last retention sweep failed ({last.Error}); nothing was deleted after the failure.", data: data);
        }

        if (last.Outcome == SweepOutcomes.DeletionBlocked)
        {
            return HealthCheckResult.Unhealthy(
                $"The last retention sweep deleted nothing: hold rows that cannot be read ({last.UnreadableHolds}) might cover any medium. " +
                "Release or repair them (GET /api/holds?status=all lists them under 'unreadable').", data: data);
        }

        return last.RetentionLagSeconds > maxLag.TotalSeconds
            ? HealthCheckResult.Unhealthy(
                $"An expired, unheld medium is {TimeSpan.FromSeconds(last.RetentionLagSeconds.Value):g} past its expiry (more than Health:MaxRetentionLag {maxLag:g}).", data: data)
            : HealthCheckResult.Healthy($"The last retention sweep {last.Outcome}.", data);
    }
}
