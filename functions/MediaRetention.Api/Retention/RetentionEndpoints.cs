using MediaRetention.Api.Auth;
using MediaRetention.Api.Http;
using MediaRetention.Core.Retention;
using Microsoft.AspNetCore.Http;

namespace MediaRetention.Api.Retention;

/// <summary><c>GET /api/retention/preview</c> and <c>POST /api/retention/sweep</c>: admin only.</summary>
public sealed class RetentionEndpoints(ApiAccess access, RetentionSweepHandler sweeper, RunRetentionSweepHandler sweeps)
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

        // The sweep is not tied to the HTTP request: a client giving up must not stop it halfway.
        var result = await sweeps.RunAsync("api:" + caller.Name, CancellationToken.None);
        return result.Busy
            ? ApiProblems.Conflict("A retention sweep is already running on another host; try again when it has finished.")
            : Results.Ok(result.Summary);
    }
}
