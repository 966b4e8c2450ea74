using MediaRetention.Api.Auth;
using MediaRetention.Api.Http;
using MediaRetention.Api.Operations;
using MediaRetention.Core.Operations;
using MediaRetention.Core.Retention;
using Microsoft.AspNetCore.Http;

namespace MediaRetention.Api.Retention;

/// <summary>
/// <c>GET /api/retention/preview</c> and <c>POST /api/retention/sweep</c>: admin only. A sweep's work grows with the data,
/// so the POST answers 202 with an operation (<see cref="OperationEndpoints"/>) that a background worker runs.
/// </summary>
public sealed class RetentionEndpoints(ApiAccess access, RetentionSweepHandler sweeper, StartOperationHandler operations, OperationEndpoints operationEndpoints)
{
    internal static readonly string[] Admins = [Roles.Admin];

    public async Task<IResult> PreviewAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        var auth = await access.RequireAsync(request, Admins, cancellationToken);
        if (!auth.Granted)
        {
            return auth.Denial!;
        }

        try
        {
            var limit = new QueryReader(request.Query).Number("limit", 1000, 1, 10_000);
            return Results.Ok(await sweeper.PreviewAsync(limit, cancellationToken));
        }
        catch (RequestValidationException e)
        {
            return ApiProblems.BadRequest(e.Message);
        }
    }

    public async Task<IResult> SweepAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        var auth = await access.RequireAsync(request, Admins, cancellationToken);
        if (auth.Caller is not { } caller)
        {
            return auth.Denial!;
        }

        if (JsonBody.RequireJsonContentType(request) is { } unsupported)
        {
            return unsupported;
        }

        if (await operations.IsSweepUnderwayAsync(cancellationToken))
        {
            return ApiProblems.Conflict("A retention sweep is already running (or queued) on this storage account; try again when it has finished.");
        }

        return await operationEndpoints.StartAsync(request, new StartOperationCommand(OperationKinds.RetentionSweep, caller.Name, Admins), cancellationToken);
    }
}
