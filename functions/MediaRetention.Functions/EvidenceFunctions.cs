using MediaRetention.Api;
using MediaRetention.Api.Evidence;
using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Functions.Worker;

namespace MediaRetention.Functions;

/// <summary><c>/api/holds/{id}/evidence</c>: one-liners into <see cref="EvidenceEndpoints"/>, the same endpoint the runner maps.</summary>
public sealed class EvidenceFunctions(EvidenceEndpoints endpoints)
{
    [Function(nameof(GetEvidence))]
    public Task<IResult> GetEvidence(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = ApiRoutes.HoldEvidence)] HttpRequest request,
        string id,
        CancellationToken cancellationToken) =>
        endpoints.PageAsync(request, id, cancellationToken);

    [Function(nameof(GetEvidenceManifest))]
    public Task<IResult> GetEvidenceManifest(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = ApiRoutes.HoldEvidenceManifest)] HttpRequest request,
        string id,
        CancellationToken cancellationToken) =>
        endpoints.ManifestAsync(request, id, cancellationToken);

    [Function(nameof(VerifyEvidence))]
    public Task<IResult> VerifyEvidence(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = ApiRoutes.HoldEvidenceVerify)] HttpRequest request,
        string id,
        CancellationToken cancellationToken) =>
        endpoints.VerifyAsync(request, id, cancellationToken);
}
