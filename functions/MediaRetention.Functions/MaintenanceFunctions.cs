using MediaRetention.Api;
using MediaRetention.Api.Maintenance;
using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Functions.Worker;

namespace MediaRetention.Functions;

/// <summary>Admin maintenance: one-liners into <see cref="PhoneHashEndpoints"/>, the same endpoint the runner maps.</summary>
public sealed class MaintenanceFunctions(PhoneHashEndpoints endpoints)
{
    [Function(nameof(RekeyPhoneHashes))]
    public Task<IResult> RekeyPhoneHashes(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = ApiRoutes.PhoneHashRekey)] HttpRequest request,
        CancellationToken cancellationToken) =>
        endpoints.RekeyAsync(request, cancellationToken);
}
