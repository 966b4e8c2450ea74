using MediaRetention.Api.Auth;
using MediaRetention.Api.Holds;
using MediaRetention.Api.Http;
using MediaRetention.Core.Holds;
using MediaRetention.Core.Media;
using MediaRetention.Core.Storage;
using Microsoft.AspNetCore.Http;

namespace MediaRetention.Api.Media;

/// <summary>
/// <c>GET /api/media</c> and <c>GET /api/media/{id}</c>: security and admin only, since media records are
/// personal data. Hosts call these; they hold no logic of their own.
/// </summary>
public sealed class MediaEndpoints(ApiAccess access, IMediaIndex index, HoldCache holdCache, IssueMediaViewLinkHandler viewLinks)
{
    public const int DefaultPageSize = 100;
    public const int MaxPageSize = 1000;
    internal static readonly string[] Readers = [Roles.Security, Roles.Admin];

    public async Task<IResult> ListAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        var auth = await access.RequireAsync(request, Readers, cancellationToken);
        if (!auth.Granted)
        {
            return auth.Denial!;
        }

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
            var filters = PageTokens.Filters(("kind", query.Kind), ("site", query.Site), ("camera", query.Camera), ("system", query.System),
                ("callId", query.CallId), ("from", query.From), ("to", query.To), ("status", query.Status));
            var page = await index.QueryAsync(query, PageTokens.Open(PageTokens.Media, filters, continuation), pageSize, cancellationToken);
            return Results.Ok(new MediaListResponse(
                page.Items.Select(MediaView.From).ToList(), PageTokens.Seal(PageTokens.Media, filters, page.ContinuationToken))
            {
                Unreadable = page.Unreadable.Count == 0 ? null : page.Unreadable,
            });
        }
        catch (InvalidContinuationTokenException e)
        {
            return ApiProblems.BadRequest(e.Message);
        }
    }

    public async Task<IResult> GetAsync(HttpRequest request, string id, CancellationToken cancellationToken)
    {
        var auth = await access.RequireAsync(request, Readers, cancellationToken);
        if (!auth.Granted)
        {
            return auth.Denial!;
        }

        if (!MediaId.IsWellFormed(id))
        {
            return ApiProblems.NotFound($"No medium with id '{(id.Length <= 64 ? id : id[..64] + "...")}'. Ids are 32 lower-case hex characters.");
        }

        var stored = await index.GetAsync(id, cancellationToken);
        if (stored is null)
        {
            return ApiProblems.NotFound($"No medium with id '{id}'.");
        }

        if (stored.Unreadable is { } unreadable)
        {
            // Shown, not hidden: what could be read, and why the rest cannot. Ingest of the blob rewrites the row.
            return Results.Ok(MediaView.From(stored.Record) with { UnreadableReason = unreadable.Reason });
        }

        // The host's copy, revalidated with one point read: not a scan of every hold per request.
        var covering = (await holdCache.GetFreshAsync(cancellationToken)).Covering(stored.Record);
        return Results.Ok(MediaView.From(stored.Record) with
        {
            Holds = covering.Select(h => new HoldReference(h.Id, h.CaseNumber, h.Agency, h.Status)).ToList(),
        });
    }

    /// <summary>
    /// <c>GET /api/media/{id}/link</c>: a short-lived read link for playing one medium in a browser. Audited as
    /// <c>media.viewed</c> before it is returned.
    /// </summary>
    public async Task<IResult> LinkAsync(HttpRequest request, string id, CancellationToken cancellationToken)
    {
        var auth = await access.RequireAsync(request, Readers, cancellationToken);
        if (auth.Caller is not { } caller)
        {
            return auth.Denial!;
        }

        if (!MediaId.IsWellFormed(id))
        {
            return ApiProblems.NotFound($"No medium with id '{(id.Length <= 64 ? id : id[..64] + "...")}'. Ids are 32 lower-case hex characters.");
        }

        var link = await viewLinks.HandleAsync(new IssueMediaViewLinkCommand(id, caller.Name), cancellationToken);
        return link is null
            ? ApiProblems.NotFound($"No medium with id '{id}'.")
            : Results.Ok(new MediaLinkResponse(link.Media.Id, link.Media.ContentType, link.Url.AbsoluteUri, link.ExpiresAt));
    }
}
