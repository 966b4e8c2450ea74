using MediaRetention.Api.Auth;
using MediaRetention.Api.Http;
using MediaRetention.Api.Operations;
using MediaRetention.Core.Operations;
using Microsoft.AspNetCore.Http;

namespace MediaRetention.Api.Maintenance;

/// <summary>
/// <c>POST /api/maintenance/lookup-rows/backfill</c>, admin only: the phone and camera lookup rows backfilled for media
/// indexed before they existed, then the marker written, as an operation (202). Until the marker exists, phone and camera
/// queries fall back to reading the site and time rows.
/// </summary>
public sealed class LookupRowsEndpoints(ApiAccess access, OperationEndpoints operations)
{
    internal static readonly string[] Admins = [Roles.Admin];

    public async Task<IResult> StartBackfillAsync(HttpRequest request, CancellationToken cancellationToken)
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

        return await operations.StartAsync(request, new StartOperationCommand(OperationKinds.LookupRowsBackfill, caller.Name, Admins), cancellationToken);
    }
}
