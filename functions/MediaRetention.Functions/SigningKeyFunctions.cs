using MediaRetention.Api;
using MediaRetention.Api.Evidence;
using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Functions.Worker;

namespace MediaRetention.Functions;

/// <summary>
/// <c>GET /api/evidence/signing-keys</c>: a one-liner into <see cref="SigningKeyEndpoints"/>. Anonymous (no function
/// key) and excluded from App Service Authentication in infra/main.bicep: public keys are for anyone who must
/// verify a manifest.
/// </summary>
public sealed class SigningKeyFunctions(SigningKeyEndpoints endpoints)
{
    [Function(nameof(GetEvidenceSigningKeys))]
    public Task<IResult> GetEvidenceSigningKeys(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = ApiRoutes.EvidenceSigningKeys)] HttpRequest request,
        CancellationToken cancellationToken) =>
        endpoints.GetAsync(request, cancellationToken);
}
