using MediaRetention.Api;
using MediaRetention.Api.Auth;
using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Functions.Worker;

namespace MediaRetention.Functions;

/// <summary><c>GET /api/me</c>: a one-liner into <see cref="MeEndpoints"/>.</summary>
public sealed class MeFunctions(MeEndpoints endpoints)
{
    [Function(nameof(GetMe))]
    public Task<IResult> GetMe(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = ApiRoutes.Me)] HttpRequest request,
        CancellationToken cancellationToken) =>
        endpoints.GetAsync(request, cancellationToken);
}
