using MediaRetention.Core.Evidence;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Net.Http.Headers;

namespace MediaRetention.Api.Evidence;

/// <summary>
/// Streams a prepared manifest into the response as a download (<see cref="BuildEvidenceManifestHandler.WriteAsync"/>):
/// the status and headers go first, then the document page by page, <c>documentSha256</c> last.
/// </summary>
/// <remarks>
/// A failure after the first byte cannot become a problem response any more: the exception is left to the server,
/// which ends the response abnormally (an unfinished chunked body), so the client sees a broken download rather than a
/// document that looks whole. What was sent is in the audit log page by page.
/// </remarks>
internal sealed class EvidenceManifestResult(BuildEvidenceManifestHandler handler, PreparedEvidenceManifest manifest) : IResult
{
    public async Task ExecuteAsync(HttpContext httpContext)
    {
        var response = httpContext.Response;
        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = "application/json";
        var disposition = new ContentDispositionHeaderValue("attachment");
        disposition.SetHttpFileName(manifest.FileName);
        response.Headers.ContentDisposition = disposition.ToString();
        // Live links: no shared cache may keep a copy.
        response.Headers.CacheControl = "no-store";
        httpContext.Features.Get<IHttpResponseBodyFeature>()?.DisableBuffering();
        await handler.WriteAsync(manifest, response.Body, httpContext.RequestAborted);
    }
}
