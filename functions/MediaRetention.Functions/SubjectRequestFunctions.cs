using MediaRetention.Api;
using MediaRetention.Api.SubjectRequests;
using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Functions.Worker;

namespace MediaRetention.Functions;

/// <summary><c>/api/subject-requests</c>: one-liners into <see cref="SubjectRequestEndpoints"/>, the same endpoint the runner maps.</summary>
public sealed class SubjectRequestFunctions(SubjectRequestEndpoints endpoints)
{
    [Function(nameof(OpenSubjectRequest))]
    public Task<IResult> OpenSubjectRequest(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = ApiRoutes.SubjectRequests)] HttpRequest request,
        CancellationToken cancellationToken) =>
        endpoints.OpenAsync(request, cancellationToken);

    [Function(nameof(ListSubjectRequests))]
    public Task<IResult> ListSubjectRequests(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = ApiRoutes.SubjectRequests)] HttpRequest request,
        CancellationToken cancellationToken) =>
        endpoints.ListAsync(request, cancellationToken);

    [Function(nameof(GetSubjectRequest))]
    public Task<IResult> GetSubjectRequest(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = ApiRoutes.SubjectRequestById)] HttpRequest request,
        string id,
        CancellationToken cancellationToken) =>
        endpoints.GetAsync(request, id, cancellationToken);

    [Function(nameof(GetSubjectMediumLink))]
    public Task<IResult> GetSubjectMediumLink(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = ApiRoutes.SubjectRequestMediumLink)] HttpRequest request,
        string id,
        string mediaId,
        CancellationToken cancellationToken) =>
        endpoints.MediumLinkAsync(request, id, mediaId, cancellationToken);

    [Function(nameof(ExportSubjectAccess))]
    public Task<IResult> ExportSubjectAccess(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = ApiRoutes.SubjectRequestExport)] HttpRequest request,
        string id,
        CancellationToken cancellationToken) =>
        endpoints.ExportAsync(request, id, cancellationToken);

    [Function(nameof(PreviewSubjectErasure))]
    public Task<IResult> PreviewSubjectErasure(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = ApiRoutes.SubjectRequestErasurePreview)] HttpRequest request,
        string id,
        CancellationToken cancellationToken) =>
        endpoints.PreviewErasureAsync(request, id, cancellationToken);

    [Function(nameof(EraseSubjectData))]
    public Task<IResult> EraseSubjectData(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = ApiRoutes.SubjectRequestErasure)] HttpRequest request,
        string id,
        CancellationToken cancellationToken) =>
        endpoints.EraseAsync(request, id, cancellationToken);

    [Function(nameof(AnswerSubjectRequest))]
    public Task<IResult> AnswerSubjectRequest(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = ApiRoutes.SubjectRequestAnswer)] HttpRequest request,
        string id,
        CancellationToken cancellationToken) =>
        endpoints.AnswerAsync(request, id, cancellationToken);

    [Function(nameof(RejectSubjectRequest))]
    public Task<IResult> RejectSubjectRequest(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = ApiRoutes.SubjectRequestReject)] HttpRequest request,
        string id,
        CancellationToken cancellationToken) =>
        endpoints.RejectAsync(request, id, cancellationToken);
}
