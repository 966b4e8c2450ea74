using MediaRetention.Api;
using MediaRetention.Api.Retention;
using MediaRetention.Core.Retention;
using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Logging;

namespace MediaRetention.Functions;

/// <summary>The retention sweep on its schedule (<c>RetentionSchedule</c>, NCRONTAB with seconds) and its admin endpoints.</summary>
public sealed class RetentionFunctions(RunRetentionSweepHandler sweeps, RetentionEndpoints endpoints, ILogger<RetentionFunctions> logger)
{
    // The runtime's own storage lock already runs one timer at a time; the handler's blob lease also keeps the
    // sweep exclusive against the HTTP endpoint and any self-hosted runner on the same account.
    [Function(nameof(RetentionSweepTimer))]
    public async Task RetentionSweepTimer([TimerTrigger("%" + RetentionOptions.ScheduleSetting + "%")] TimerInfo timer, CancellationToken cancellationToken)
    {
        var result = await sweeps.RunAsync(timer.IsPastDue ? "schedule (past due)" : "schedule", cancellationToken);
        if (result.Busy)
        {
            logger.LogInformation("Retention sweep skipped: another host holds the sweep lease");
        }
    }

    [Function(nameof(PreviewRetention))]
    public Task<IResult> PreviewRetention(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = ApiRoutes.RetentionPreview)] HttpRequest request,
        CancellationToken cancellationToken) =>
        endpoints.PreviewAsync(request, cancellationToken);

    [Function(nameof(SweepRetention))]
    public Task<IResult> SweepRetention(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = ApiRoutes.RetentionSweep)] HttpRequest request,
        CancellationToken cancellationToken) =>
        endpoints.SweepAsync(request, cancellationToken);
}
