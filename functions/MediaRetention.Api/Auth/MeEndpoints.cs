using Microsoft.AspNetCore.Http;

namespace MediaRetention.Api.Auth;

/// <summary>Who the caller is, as the API sees them.</summary>
public sealed record MeResponse(string Name, string Role, string? Agency);

/// <summary>
/// <c>GET /api/me</c>: any authenticated role. The web console shows the signed-in person and offers only what
/// their role may do; the API still checks every request on its own.
/// </summary>
public sealed class MeEndpoints(ApiAccess access)
{
    public async Task<IResult> GetAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        var auth = await access.RequireAsync(request, Roles.All, cancellationToken);
        return auth.Caller is { } caller ? Results.Ok(new MeResponse(caller.Name, caller.Role, caller.Agency)) : auth.Denial!;
    }
}
