using MediaRetention.Api;
using MediaRetention.Api.Media;
using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Functions.Worker;

namespace MediaRetention.Functions;

/// <summary>
/// <c>GET /api/media</c>, <c>GET /api/media/{id}</c> and <c>GET /api/media/{id}/link</c>: one-liners into <see cref="MediaEndpoints"/>, the same
/// endpoint the runner maps. Routes come from <see cref="ApiRoutes"/> (host.json's route prefix is empty).
/// </summary>
/// <remarks>
/// With the ASP.NET Core integration (ConfigureFunctionsWebApplication) the worker executes an
/// <see cref="IResult"/> returned by an HttpTrigger against the request's HttpContext, as it does an
/// IActionResult, so the endpoints' results are returned as they are.
/// </remarks>
public sealed class MediaFunctions(MediaEndpoints endpoints)
{
    [Function(nameof(ListMedia))]
    public Task<IResult> ListMedia(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = ApiRoutes.Media)] HttpRequest request,
        CancellationToken cancellationToken) =>
        endpoints.ListAsync(request, cancellationToken);

    [Function(nameof(GetMedia))]
    public Task<IResult> GetMedia(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = ApiRoutes.MediaById)] HttpRequest request,
        string id,
        CancellationToken cancellationToken) =>
        endpoints.GetAsync(request, id, cancellationToken);

    [Function(nameof(GetMediaLink))]
    public Task<IResult> GetMediaLink(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = ApiRoutes.MediaLink)] HttpRequest request,
        string id,
        CancellationToken cancellationToken) =>
        endpoints.LinkAsync(request, id, cancellationToken);
}
