using MediaRetention.Api;
using MediaRetention.Api.Audit;
using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Functions.Worker;

namespace MediaRetention.Functions;

/// <summary><c>/api/audit</c>: one-liners into <see cref="AuditEndpoints"/>.</summary>
public sealed class AuditFunctions(AuditEndpoints endpoints)
{
    [Function(nameof(ListAudit))]
    public Task<IResult> ListAudit(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = ApiRoutes.Audit)] HttpRequest request,
        CancellationToken cancellationToken) =>
        endpoints.ListAsync(request, cancellationToken);

    [Function(nameof(VerifyAudit))]
    public Task<IResult> VerifyAudit(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = ApiRoutes.AuditVerify)] HttpRequest request,
        CancellationToken cancellationToken) =>
        endpoints.VerifyAsync(request, cancellationToken);

    [Function(nameof(StartAuditVerify))]
    public Task<IResult> StartAuditVerify(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = ApiRoutes.AuditVerify)] HttpRequest request,
        CancellationToken cancellationToken) =>
        endpoints.StartVerifyAsync(request, cancellationToken);
}
