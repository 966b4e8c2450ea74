using MediaRetention.Api;
using MediaRetention.Api.Maintenance;
using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Functions.Worker;

namespace MediaRetention.Functions;

/// <summary>Admin maintenance: one-liners into <see cref="PhoneHashEndpoints"/> and <see cref="LookupRowsEndpoints"/>, the same endpoints the runner maps.</summary>
public sealed class MaintenanceFunctions(PhoneHashEndpoints endpoints, LookupRowsEndpoints lookupRows)
{
    [Function(nameof(BackfillLookupRows))]
    public Task<IResult> BackfillLookupRows(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = ApiRoutes.LookupRowsBackfill)] HttpRequest request,
        CancellationToken cancellationToken) =>
        lookupRows.StartBackfillAsync(request, cancellationToken);

    [Function(nameof(RekeyPhoneHashes))]
    public Task<IResult> RekeyPhoneHashes(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = ApiRoutes.PhoneHashRekey)] HttpRequest request,
        CancellationToken cancellationToken) =>
        endpoints.RekeyAsync(request, cancellationToken);
}
