using MediaRetention.Api.Auth;
using MediaRetention.Api.Http;
using MediaRetention.Core.Audit;
using MediaRetention.Core.Storage;
using Microsoft.AspNetCore.Http;

namespace MediaRetention.Api.Audit;

/// <summary>
/// <c>GET /api/audit</c> and <c>GET /api/audit/verify</c> (the chain against itself and against every anchor):
/// admin only.
/// </summary>
public sealed class AuditEndpoints(ApiAccess access, IAuditLog audit, VerifyAuditChainHandler verify)
{
    private static readonly string[] Admins = [Roles.Admin];

    public async Task<IResult> ListAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        var auth = await access.RequireAsync(request, Admins, cancellationToken);
        if (!auth.Granted)
        {
            return auth.Denial!;
        }

        try
        {
            var q = new QueryReader(request.Query);
            var from = q.Instant("from");
            var to = q.Instant("to");
            if (from > to)
            {
                return ApiProblems.BadRequest("'from' must not be after 'to'.");
            }

            var page = await audit.QueryAsync(from, to, q.Text("continuationToken", 4096), q.Number("pageSize", 100, 1, 1000), cancellationToken);
            return Results.Ok(page);
        }
        catch (RequestValidationException e)
        {
            return ApiProblems.BadRequest(e.Message);
        }
        catch (InvalidContinuationTokenException e)
        {
            return ApiProblems.BadRequest(e.Message);
        }
    }

    public async Task<IResult> VerifyAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        var auth = await access.RequireAsync(request, Admins, cancellationToken);
        return auth.Granted ? Results.Ok(await verify.HandleAsync(cancellationToken)) : auth.Denial!;
    }
}
