using System.Globalization;
using System.Text;
using MediaRetention.Api.Auth;
using MediaRetention.Api.Http;
using MediaRetention.Api.Media;
using MediaRetention.Core.Evidence.Signing;
using MediaRetention.Core.Media;
using MediaRetention.Core.SubjectRequests;
using MediaRetention.Core.Storage;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Options;

namespace MediaRetention.Api.SubjectRequests;

/// <summary>
/// <c>/api/subject-requests</c>: data-subject requests (access and erasure), for the privacy officer (role
/// <c>privacy</c>) and admin. Security staff and police get 403: the requests name people and what is kept about them.
/// </summary>
public sealed class SubjectRequestEndpoints(
    ApiAccess access,
    ISubjectRequestStore store,
    ISubjectPhoneNumbers phoneNumbers,
    IOptions<SubjectRequestOptions> options,
    OpenSubjectRequestHandler open,
    ListSubjectRequestsHandler list,
    GetSubjectRequestHandler get,
    ExportSubjectAccessHandler export,
    EraseSubjectDataHandler erase,
    ResolveSubjectRequestHandler resolve,
    ViewSubjectMediumHandler view,
    TimeProvider time)
{
    /// <summary>Media listed per case and per dry run (counts are always complete).</summary>
    public const int MaxListed = 1000;

    internal static readonly string[] Officers = [Roles.Privacy, Roles.Admin];

    public async Task<IResult> OpenAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        var auth = await access.RequireAsync(request, Officers, cancellationToken);
        if (auth.Caller is not { } caller)
        {
            return auth.Denial!;
        }

        var (body, problem) = await JsonBody.ReadAsync<OpenSubjectRequestRequest>(request, cancellationToken);
        if (body is null)
        {
            return problem!;
        }

        OpenSubjectRequestCommand command;
        try
        {
            // The number is read (and hashed) by the one phone seam; the validator only sees the result.
            var phone = body.Phone is null ? null : await phoneNumbers.ReadAsync(body.Phone.Number, cancellationToken);
            command = new SubjectRequestValidator(phone, options.Value, time).ToCommand(body, caller.Name);
        }
        catch (RequestValidationException e)
        {
            return ApiProblems.BadRequest(e.Message);
        }

        var opened = await open.HandleAsync(command, cancellationToken);
        return Results.Created($"/api/subject-requests/{opened.Id}", SubjectRequestView.From(opened, time.GetUtcNow()));
    }

    public async Task<IResult> ListAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        var auth = await access.RequireAsync(request, Officers, cancellationToken);
        if (auth.Caller is null)
        {
            return auth.Denial!;
        }

        try
        {
            var q = new QueryReader(request.Query);
            var status = q.OneOf("status", [.. SubjectRequestStatus.All, "all"]) ?? "all";
            var pageSize = q.Number("pageSize", 100, 1, 1000);
            var filters = PageTokens.Filters(("status", status));
            var offset = Offset(PageTokens.Open(PageTokens.SubjectRequests, filters, q.Text("continuationToken", 4096)));
            var queue = await list.HandleAsync(status == "all" ? null : status, cancellationToken);
            var page = queue.Items.Skip(offset).Take(pageSize).Select(r => SubjectRequestView.From(r, queue.Now)).ToList();
            var next = offset + page.Count < queue.Items.Count ? (offset + page.Count).ToString(CultureInfo.InvariantCulture) : null;
            return Results.Ok(new SubjectRequestListResponse(queue.Now, queue.Items.Count(r => r.IsOverdue(queue.Now)), page,
                PageTokens.Seal(PageTokens.SubjectRequests, filters, next))
            {
                Unreadable = queue.Unreadable.Count == 0 ? null : queue.Unreadable,
            });
        }
        catch (RequestValidationException e)
        {
            return ApiProblems.BadRequest(e.Message);
        }
        catch (InvalidContinuationTokenException e)
        {
            return ApiProblems.BadRequest(e.Message);
        }
    }

    public async Task<IResult> GetAsync(HttpRequest request, string id, CancellationToken cancellationToken)
    {
        var auth = await access.RequireAsync(request, Officers, cancellationToken);
        if (auth.Caller is null)
        {
            return auth.Denial!;
        }

        if (await get.HandleAsync(id, cancellationToken) is not { } detail)
        {
            return NotFound(id);
        }

        return Results.Ok(new SubjectRequestDetailResponse(
            SubjectRequestView.From(detail.Request, detail.Now),
            new SubjectMatchesView(
                detail.Matches.Count,
                detail.TooManyMatches,
                detail.Matches.Take(MaxListed).Select(m => MatchedMediumView.From(m.Media, m.ScheduledDeletion, m.HoldIds)).ToList(),
                detail.UnreadableIndexRows,
                detail.UnreadableHolds.Select(h => h.Id).ToList()),
            SubjectSummaryView.From(detail.Summary),
            detail.Disclosures.Select(SubjectExportView.From).ToList(),
            detail.Erasures));
    }

    public async Task<IResult> MediumLinkAsync(HttpRequest request, string id, string mediaId, CancellationToken cancellationToken)
    {
        var (caller, subjectRequest, problem) = await RequireRequestAsync(request, id, cancellationToken);
        if (caller is null || subjectRequest is null)
        {
            return problem!;
        }

        var link = MediaId.IsWellFormed(mediaId)
            ? await view.HandleAsync(new ViewSubjectMediumCommand(subjectRequest, mediaId, caller.Name), cancellationToken)
            : null;
        return link is null
            ? ApiProblems.NotFound($"No medium with id '{Shown(mediaId)}' matches subject request '{subjectRequest.Id}'.")
            : Results.Ok(new MediaLinkResponse(link.Media.Id, link.Media.ContentType, link.Url.AbsoluteUri, link.ExpiresAt));
    }

    public async Task<IResult> ExportAsync(HttpRequest request, string id, CancellationToken cancellationToken)
    {
        var (caller, subjectRequest, problem) = await RequireRequestAsync(request, id, cancellationToken);
        if (caller is null || subjectRequest is null)
        {
            return problem!;
        }

        var (body, bodyProblem) = await JsonBody.ReadAsync<SubjectExportRequest>(request, cancellationToken);
        if (body is null)
        {
            return bodyProblem!;
        }

        ExportSubjectAccessCommand command;
        try
        {
            var (mediaIds, reason, lifetime) = SubjectRequestValidator.Export(body);
            command = new ExportSubjectAccessCommand(subjectRequest, mediaIds, reason, caller.Name, lifetime);
        }
        catch (RequestValidationException e)
        {
            return ApiProblems.BadRequest(e.Message);
        }

        SubjectAccessExport result;
        try
        {
            result = await export.HandleAsync(command, cancellationToken);
        }
        catch (SigningKeyUnavailableException e)
        {
            return ApiProblems.ServiceUnavailable($"The export cannot be signed now, so none was issued: {e.Message}");
        }

        return result.Outcome switch
        {
            ExportOutcome.Issued => Results.File(Encoding.UTF8.GetBytes(result.Document!.ToJsonString()), "application/json",
                SubjectAccessDocument.FileName(subjectRequest, result.Disclosure!)),
            ExportOutcome.MediaNotMatching => ApiProblems.BadRequest(
                $"'mediaIds[{result.NotMatching!.Value.Index}]' ({result.NotMatching.Value.MediaId}) is not among the media that match this request; " +
                $"choose from GET /api/subject-requests/{subjectRequest.Id}."),
            ExportOutcome.TooManyMatches => TooMany(subjectRequest),
            _ => ApiProblems.Conflict(NotOpen(subjectRequest, SubjectRequestTypes.Access)),
        };
    }

    public async Task<IResult> PreviewErasureAsync(HttpRequest request, string id, CancellationToken cancellationToken)
    {
        var (caller, subjectRequest, problem) = await RequireRequestAsync(request, id, cancellationToken);
        if (caller is null || subjectRequest is null)
        {
            return problem!;
        }

        if (JsonBody.RequireJsonContentType(request) is { } unsupported)
        {
            return unsupported;
        }

        var result = await erase.PreviewAsync(subjectRequest, cancellationToken);
        if (result.Plan is not { } plan)
        {
            return ApiProblems.Conflict(NotOpen(subjectRequest, SubjectRequestTypes.Erasure));
        }

        if (result.Outcome == ErasureOutcome.TooManyMatches)
        {
            return TooMany(subjectRequest);
        }

        return Results.Ok(new ErasurePreviewResponse(
            subjectRequest.Id, plan.Matched.Count, plan.ToDelete.Count, plan.Kept.Count, plan.NeedsConfirmation, plan.ConfirmationThreshold,
            plan.DeletionBlocked, plan.UnreadableHolds.Select(h => h.Id).ToList(),
            plan.ToDelete.Take(MaxListed).Select(ErasureMediumView.From).ToList(), plan.Kept.Take(MaxListed).ToList()));
    }

    public async Task<IResult> EraseAsync(HttpRequest request, string id, CancellationToken cancellationToken)
    {
        var (caller, subjectRequest, problem) = await RequireRequestAsync(request, id, cancellationToken);
        if (caller is null || subjectRequest is null)
        {
            return problem!;
        }

        var (body, bodyProblem) = await JsonBody.ReadAsync<SubjectErasureRequest>(request, cancellationToken);
        if (body is null)
        {
            return bodyProblem!;
        }

        if (body.ConfirmCount is < 0)
        {
            return ApiProblems.BadRequest("'confirmCount' must be the number of media the dry run said would be deleted (0 or more).");
        }

        var result = await erase.ExecuteAsync(new EraseSubjectDataCommand(subjectRequest, caller.Name, body.ConfirmCount), cancellationToken);
        var plan = result.Plan;
        return result.Outcome switch
        {
            ErasureOutcome.Done => Results.Ok(Executed(subjectRequest, result)),
            ErasureOutcome.TooManyMatches => TooMany(subjectRequest),
            ErasureOutcome.DeletionBlocked => ApiProblems.Conflict(
                $"Nothing was deleted: hold row(s) {string.Join(", ", plan!.UnreadableHolds.Select(h => h.Id))} cannot be read, so nobody can tell " +
                "what they cover. An administrator must release or repair them (see GET /api/holds); then run the erasure again."),
            ErasureOutcome.ConfirmationRequired => ApiProblems.Conflict(body.ConfirmCount is { } confirmed
                ? $"'confirmCount' is {confirmed}, but the erasure would now delete {plan!.ToDelete.Count} media: the matches changed. " +
                  $"Run the dry run again (POST /api/subject-requests/{subjectRequest.Id}/erasure/preview) and confirm the number it shows."
                : $"This erasure would delete {plan!.ToDelete.Count} media, more than SubjectRequests:ErasureConfirmationThreshold " +
                  $"({plan.ConfirmationThreshold}). Check the dry run (POST /api/subject-requests/{subjectRequest.Id}/erasure/preview), then send " +
                  $"{{ \"confirmCount\": {plan.ToDelete.Count} }} to go ahead."),
            ErasureOutcome.StorageUnavailable => ApiProblems.ServiceUnavailable(
                "Storage kept failing, so the erasure stopped; what it deleted is recorded when it runs again. Run it again later."),
            _ => ApiProblems.Conflict(NotOpen(subjectRequest, SubjectRequestTypes.Erasure)),
        };
    }

    public Task<IResult> AnswerAsync(HttpRequest request, string id, CancellationToken cancellationToken) =>
        ResolveAsync<SubjectAnswerRequest>(request, id, SubjectRequestStatus.Answered, b => SubjectRequestValidator.Text("answer", b.Answer), cancellationToken);

    public Task<IResult> RejectAsync(HttpRequest request, string id, CancellationToken cancellationToken) =>
        ResolveAsync<SubjectRejectRequest>(request, id, SubjectRequestStatus.Rejected, b => SubjectRequestValidator.Text("reason", b.Reason), cancellationToken);

    private async Task<IResult> ResolveAsync<TBody>(
        HttpRequest request, string id, string status, Func<TBody, string> text, CancellationToken cancellationToken)
        where TBody : class
    {
        var auth = await access.RequireAsync(request, Officers, cancellationToken);
        if (auth.Caller is not { } caller)
        {
            return auth.Denial!;
        }

        if (!SubjectRequestIds.IsWellFormed(id))
        {
            return NotFound(id);
        }

        var (body, problem) = await JsonBody.ReadAsync<TBody>(request, cancellationToken);
        if (body is null)
        {
            return problem!;
        }

        string validated;
        try
        {
            validated = text(body);
        }
        catch (RequestValidationException e)
        {
            return ApiProblems.BadRequest(e.Message);
        }

        var result = await resolve.HandleAsync(new ResolveSubjectRequestCommand(id, status, caller.Name, validated), cancellationToken);
        var r = result.Request;
        return result.Outcome switch
        {
            ResolveOutcome.Resolved => Results.Ok(SubjectRequestView.From(r!, time.GetUtcNow())),
            ResolveOutcome.AlreadyClosed => ApiProblems.Conflict(
                $"Subject request '{id}' was {r!.Status} already, by {r.Resolution?.By} at {r.Resolution?.At:O}."),
            ResolveOutcome.NoExport => ApiProblems.Conflict(
                $"Nothing has been given to the subject yet: issue an access export first (POST /api/subject-requests/{id}/export), or reject the request with a reason."),
            ResolveOutcome.ErasureIncomplete => ApiProblems.Conflict(r!.LastErasure is { } last
                ? $"The last erasure ({last.ErasureId}) left {last.NotDeleted} media not deleted (changed meanwhile, or storage failed): run it again (POST /api/subject-requests/{id}/erasure) before answering."
                : $"Nothing has been erased yet: run the erasure first (dry run: POST /api/subject-requests/{id}/erasure/preview, then POST /api/subject-requests/{id}/erasure), or reject the request with a reason."),
            ResolveOutcome.Conflict => ApiProblems.Conflict($"Subject request '{id}' was changed by someone else meanwhile; read it again and retry."),
            _ => NotFound(id),
        };
    }

    /// <summary>Authenticates, checks the role, and finds the request: the caller and request, or the problem to return.</summary>
    private async Task<(Caller? Caller, SubjectRequest? Request, IResult? Problem)> RequireRequestAsync(
        HttpRequest request, string id, CancellationToken cancellationToken)
    {
        var auth = await access.RequireAsync(request, Officers, cancellationToken);
        if (auth.Caller is not { } caller)
        {
            return (null, null, auth.Denial);
        }

        return SubjectRequestIds.IsWellFormed(id) && await store.GetAsync(id, cancellationToken) is { } stored
            ? (caller, stored.Request, null)
            : (caller, null, NotFound(id));
    }

    private static ErasureResponse Executed(SubjectRequest request, SubjectErasureResult result)
    {
        var t = result.Erasure!.Totals;
        return new ErasureResponse(request.Id, t.ErasureId, t.ExecutedAt, t.ExecutedBy, t.Matched, t.Deleted, t.AlreadyGone, t.KeptByHolds,
            t.NotDeleted, result.Kept.Take(MaxListed).ToList(), result.NotDeleted.Select(NotDeletedView.From).ToList(),
            SubjectSummaryView.From(result.SubjectSummary!));
    }

    private static IResult NotFound(string id) => ApiProblems.NotFound($"No subject request with id '{Shown(id)}'.");

    private IResult TooMany(SubjectRequest request) => ApiProblems.Conflict(
        $"Subject request '{request.Id}' matches more than {options.Value.MaxMatches} media (SubjectRequests:MaxMatches): its identifiers are " +
        "too broad to be about one person. Reject it and open a new one with narrower identifiers (a window for the phone number, " +
        "shorter CCTV windows, fewer cameras).");

    private static string NotOpen(SubjectRequest request, string expectedType) =>
        request.Type != expectedType
            ? $"Subject request '{request.Id}' is an {request.Type} request; this is for {expectedType} requests."
            : $"Subject request '{request.Id}' is {request.Status}: nothing more is done for it.";

    private static int Offset(string? token) =>
        token is null ? 0
        : int.TryParse(token, NumberStyles.None, CultureInfo.InvariantCulture, out var offset) ? offset
        : throw new InvalidContinuationTokenException();

    private static string Shown(string id) =>
        new((id.Length <= 64 ? id : id[..64] + "...").Select(c => char.IsControl(c) ? '?' : c).ToArray());
}
