using MediaRetention.Api.Http;
using MediaRetention.Core.Media;
using Microsoft.AspNetCore.Http;

namespace MediaRetention.Api.Media;

/// <summary><c>GET /api/media</c> and <c>GET /api/media/{id}</c>. Hosts call these; they hold no logic of their own.</summary>
public sealed class MediaEndpoints(IMediaIndex index)
{
    public const int DefaultPageSize = 100;
    public const int MaxPageSize = 1000;

    public async Task<IResult> ListAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        MediaQuery query;
        int pageSize;
        string? continuation;
        try
        {
            var q = new QueryReader(request.Query);
            query = new MediaQuery
            {
                Kind = q.OneOf("kind", MediaKind.Cctv, MediaKind.Call),
                Site = q.Identifier("site"),
                Camera = q.Identifier("camera"),
                System = q.Identifier("system"),
                CallId = q.Identifier("callId"),
                From = q.Instant("from"),
                To = q.Instant("to"),
                Status = q.OneOf("status", MediaStatus.Indexed, MediaStatus.Rejected),
            };
            pageSize = q.Number("pageSize", DefaultPageSize, 1, MaxPageSize);
            continuation = q.Text("continuationToken", 4096);
            if (query.From > query.To)
            {
                return ApiProblems.BadRequest("'from' must not be after 'to'.");
            }

            if (query.Camera is not null && query.Site is null)
            {
                return ApiProblems.BadRequest("'camera' needs 'site': camera names are unique within a site.");
            }
        }
        catch (RequestValidationException e)
        {
            return ApiProblems.BadRequest(e.Message);
        }

        try
        {
            var page = await index.QueryAsync(query, continuation, pageSize, cancellationToken);
            return Results.Ok(new MediaListResponse(page.Items.Select(MediaView.From).ToList(), page.ContinuationToken));
        }
        catch (ArgumentException e) when (e.ParamName == "token")
        {
            return ApiProblems.BadRequest("'continuationToken' is not a token this API issued.");
        }
    }

    public async Task<IResult> GetAsync(string id, CancellationToken cancellationToken)
    {
        if (!MediaId.IsWellFormed(id))
        {
            return ApiProblems.NotFound($"No medium with id '{Truncate(id)}'. Ids are 32 lower-case hex characters.");
        }

        var stored = await index.GetAsync(id, cancellationToken);
        return stored is null
            ? ApiProblems.NotFound($"No medium with id '{id}'.")
            : Results.Ok(MediaView.From(stored.Record));
    }

    private static string Truncate(string value) => value.Length <= 64 ? value : value[..64] + "...";
}
