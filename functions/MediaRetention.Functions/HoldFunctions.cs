using MediaRetention.Api;
using MediaRetention.Api.Holds;
using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Functions.Worker;

namespace MediaRetention.Functions;

/// <summary><c>/api/holds</c>: one-liners into <see cref="HoldEndpoints"/>, the same endpoint the runner maps.</summary>
public sealed class HoldFunctions(HoldEndpoints endpoints)
{
    [Function(nameof(PlaceHold))]
    public Task<IResult> PlaceHold(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = ApiRoutes.Holds)] HttpRequest request,
        CancellationToken cancellationToken) =>
        endpoints.PlaceAsync(request, cancellationToken);

    [Function(nameof(PreviewHold))]
    public Task<IResult> PreviewHold(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = ApiRoutes.HoldPreview)] HttpRequest request,
        CancellationToken cancellationToken) =>
        endpoints.PreviewAsync(request, cancellationToken);

    [Function(nameof(ListHolds))]
    public Task<IResult> ListHolds(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = ApiRoutes.Holds)] HttpRequest request,
        CancellationToken cancellationToken) =>
        endpoints.ListAsync(request, cancellationToken);

    [Function(nameof(GetHold))]
    public Task<IResult> GetHold(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = ApiRoutes.HoldById)] HttpRequest request,
        string id,
        CancellationToken cancellationToken) =>
        endpoints.GetAsync(request, id, cancellationToken);

    [Function(nameof(ReleaseHold))]
    public Task<IResult> ReleaseHold(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = ApiRoutes.HoldRelease)] HttpRequest request,
        string id,
        CancellationToken cancellationToken) =>
        endpoints.ReleaseAsync(request, id, cancellationToken);

    [Function(nameof(ApproveHold))]
    public Task<IResult> ApproveHold(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = ApiRoutes.HoldApprove)] HttpRequest request,
        string id,
        CancellationToken cancellationToken) =>
        endpoints.ApproveAsync(request, id, cancellationToken);

    [Function(nameof(RejectHold))]
    public Task<IResult> RejectHold(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = ApiRoutes.HoldReject)] HttpRequest request,
        string id,
        CancellationToken cancellationToken) =>
        endpoints.RejectAsync(request, id, cancellationToken);
}
