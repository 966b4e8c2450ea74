using Azure.Storage.Blobs;
using MediaRetention.Api.Http;
using Microsoft.AspNetCore.Http;
using Microsoft.Net.Http.Headers;

namespace MediaRetention.Api.WebConsole;

/// <summary>
/// Serves the web console at <c>/</c> from <see cref="ConsoleAssets"/>: the runner maps it after the API, the
/// Functions app calls it from a catch-all trigger. Paths below <c>api/</c> are never the console's: they are a
/// 404 problem, so a mistyped API route cannot answer with a web page.
/// </summary>
/// <remarks>
/// Every response carries a strict Content-Security-Policy: scripts and styles only from this origin (no inline
/// code at all), media and fetch() allowed to exactly one more origin, the blob endpoint that read links point to
/// (playback and "verify in this browser"), and no framing. Files are revalidated on every load (no-cache + ETag)
/// because their names carry no version.
/// </remarks>
public sealed class ConsoleEndpoints
{
    private readonly ConsoleAssets assets;

    public ConsoleEndpoints(ConsoleAssets assets, BlobServiceClient blobs)
    {
        this.assets = assets;
        ContentSecurityPolicy = BuildContentSecurityPolicy(BlobOrigin(blobs.Uri));
    }

    public string ContentSecurityPolicy { get; }

    /// <param name="path">The request path without its leading slash ("" for the root).</param>
    public IResult Serve(HttpRequest request, string? path)
    {
        path ??= "";
        if (path.Equals("api", StringComparison.OrdinalIgnoreCase) || path.StartsWith("api/", StringComparison.OrdinalIgnoreCase))
        {
            return ApiProblems.NotFound($"No API route {request.Method} /{Truncate(path)}. The routes are listed in the README.");
        }

        var asset = assets.Find(path.Length == 0 ? "/index.html" : "/" + path);
        return asset is null
            ? ApiProblems.NotFound($"No console page '/{Truncate(path)}'. The console starts at /.")
            : new ConsoleFileResult(asset, ContentSecurityPolicy);
    }

    /// <summary>The scheme, host and port of the blob endpoint (Azurite keeps the account in the path).</summary>
    public static string BlobOrigin(Uri blobServiceUri) => blobServiceUri.GetLeftPart(UriPartial.Authority);

    private static string BuildContentSecurityPolicy(string blobOrigin) => string.Join("; ",
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        $"img-src 'self' {blobOrigin}",
        $"media-src {blobOrigin}",
        $"connect-src 'self' {blobOrigin}",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'");

    private static string Truncate(string path) => path.Length <= 64 ? path : path[..64] + "...";

    private sealed class ConsoleFileResult(ConsoleAsset asset, string contentSecurityPolicy) : IResult
    {
        public async Task ExecuteAsync(HttpContext httpContext)
        {
            var response = httpContext.Response;
            var headers = response.Headers;
            headers.ContentSecurityPolicy = contentSecurityPolicy;
            headers.XContentTypeOptions = "nosniff";
            headers.XFrameOptions = "DENY";
            headers["Referrer-Policy"] = "no-referrer";
            headers["Cross-Origin-Opener-Policy"] = "same-origin";
            headers.CacheControl = "no-cache";
            headers.ETag = asset.ETag;

            var ifNoneMatch = httpContext.Request.Headers.IfNoneMatch;
            if (ifNoneMatch.Count > 0
                && EntityTagHeaderValue.TryParseList(ifNoneMatch, out var tags)
                && tags.Any(t => t.Equals(EntityTagHeaderValue.Any) || t.Tag.Equals(asset.ETag, StringComparison.Ordinal)))
            {
                response.StatusCode = StatusCodes.Status304NotModified;
                return;
            }

            response.StatusCode = StatusCodes.Status200OK;
            response.ContentType = asset.ContentType;
            response.ContentLength = asset.Content.Length;
            if (!HttpMethods.IsHead(httpContext.Request.Method))
            {
                await response.Body.WriteAsync(asset.Content, httpContext.RequestAborted);
            }
        }
    }
}
