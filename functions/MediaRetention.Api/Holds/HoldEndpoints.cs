using MediaRetention.Api.Auth;
using MediaRetention.Api.Http;
using MediaRetention.Api.Media;
using MediaRetention.Core.Holds;
using MediaRetention.Core.Storage;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Options;

namespace MediaRetention.Api.Holds;

/// <summary>
/// <c>/api/holds</c>: security and admin place, read and release all holds; police place holds for their own
/// agency and read only those (another agency's hold is a 404, as if it did not exist); police cannot release.
/// </summary>
public sealed class HoldEndpoints(
    ApiAccess access,
    PlaceHoldHandler placeHold,
    ReleaseHoldHandler releaseHold,
    IHoldStore holds,
    HoldCoverage coverage,
    IOptions<HoldOptions> options,
    PreviewHoldHandler previewHold,
    TimeProvider time)
{
    /// <summary>Media listed in a preview: enough to recognise the scope, not a listing.</summary>
    public const int PreviewSampleSize = 50;

    internal static readonly string[] Readers = [Roles.Security, Roles.Police, Roles.Admin];
    internal static readonly string[] Releasers = [Roles.Security, Roles.Admin];

    public async Task<IResult> PlaceAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        var auth = await access.RequireAsync(request, Readers, cancellationToken);
        if (auth.Caller is not { } caller)
        {
            return auth.Denial!;
        }

        var (body, problem) = await JsonBody.ReadAsync<PlaceHoldRequest>(request, cancellationToken);
        if (body is null)
        {
            return problem!;
        }

        PlaceHoldCommand command;
        try
        {
            command = ToCommand(body, caller);
        }
        catch (RequestValidationException e)
        {
            return ApiProblems.BadRequest(e.Message);
        }

        if (caller.IsPolice && command.RequestedBy.Agency != caller.Agency)
        {
            var reason = $"Police keys place holds for their own agency ('{caller.Agency}') only.";
            await access.RecordDenialAsync(request, caller.Name, caller.Role, reason, cancellationToken);
            return ApiProblems.Forbidden(reason);
        }

        var result = await placeHold.HandleAsync(command, cancellationToken);
        return Results.Created($"/api/holds/{result.Hold.Id}", new PlacedHoldResponse(HoldView.From(result.Hold), result.CoveredMedia));
    }

    /// <summary>
    /// <c>POST /api/holds/preview</c>: the same body as placing a hold, fully validated, answered with what it
    /// would cover now; nothing is stored, marked or audited. Police, who may not list media, get the count only.
    /// </summary>
    public async Task<IResult> PreviewAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        var auth = await access.RequireAsync(request, Readers, cancellationToken);
        if (auth.Caller is not { } caller)
        {
            return auth.Denial!;
        }

        var (body, problem) = await JsonBody.ReadAsync<PlaceHoldRequest>(request, cancellationToken);
        if (body is null)
        {
            return problem!;
        }

        PlaceHoldCommand command;
        try
        {
            command = ToCommand(body, caller);
        }
        catch (RequestValidationException e)
        {
            return ApiProblems.BadRequest(e.Message);
        }

        if (caller.IsPolice && command.RequestedBy.Agency != caller.Agency)
        {
            return ApiProblems.Forbidden($"Police keys place holds for their own agency ('{caller.Agency}') only.");
        }

        var preview = await previewHold.HandleAsync(command.Scope, caller.IsPolice ? 0 : PreviewSampleSize, cancellationToken);
        return Results.Ok(new HoldPreviewResponse(
            preview.CoveredMedia,
            preview.CountIsLowerBound,
            caller.IsPolice ? null : preview.Sample.Select(MediaView.From).ToList(),
            HoldScopeView.Of(command.Scope)));
    }

    public async Task<IResult> ListAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        var auth = await access.RequireAsync(request, Readers, cancellationToken);
        if (auth.Caller is not { } caller)
        {
            return auth.Denial!;
        }

        try
        {
            var q = new QueryReader(request.Query);
            var status = q.OneOf("status", HoldStatus.Active, HoldStatus.Released, "all") ?? HoldStatus.Active;
            var agency = caller.IsPolice ? caller.Agency : null;
            var filters = PageTokens.Filters(("status", status), ("agency", agency));
            var token = PageTokens.Open(PageTokens.Holds, filters, q.Text("continuationToken", 4096));
            var page = await holds.ListAsync(status == "all" ? null : status, agency, token, q.Number("pageSize", 100, 1, 1000), cancellationToken);
            return Results.Ok(new HoldListResponse(
                page.Items.Select(HoldView.From).ToList(), PageTokens.Seal(PageTokens.Holds, filters, page.ContinuationToken))
            {
                Unreadable = page.Unreadable.Count == 0 ? null : page.Unreadable.Select(u => UnreadableHoldView.From(u)).ToList(),
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
        var auth = await access.RequireAsync(request, Readers, cancellationToken);
        if (auth.Caller is not { } caller)
        {
            return auth.Denial!;
        }

        var stored = await FindVisibleAsync(request, caller, id, cancellationToken);
        if (stored is null)
        {
            return HoldNotFound(id);
        }

        if (stored.Hold is not { } hold)
        {
            return Results.Ok(new UnreadableHoldDetailResponse(UnreadableHoldView.From(stored.Unreadable!), UnreadableDetail(stored.Unreadable!)));
        }

        try
        {
            var q = new QueryReader(request.Query);
            var filters = PageTokens.Filters(("hold", hold.Id));
            var token = PageTokens.Open(PageTokens.HoldMedia, filters, q.Text("continuationToken", 4096));
            var page = await coverage.PageAsync(hold.Scope, token, q.Number("pageSize", 100, 1, 1000), cancellationToken);
            var media = new MediaListResponse(
                page.Items.Select(MediaView.From).ToList(), PageTokens.Seal(PageTokens.HoldMedia, filters, page.ContinuationToken));
            return Results.Ok(new HoldDetailResponse(HoldView.From(hold), media));
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

    public async Task<IResult> ReleaseAsync(HttpRequest request, string id, CancellationToken cancellationToken)
    {
        var auth = await access.RequireAsync(request, Releasers, cancellationToken);
        if (auth.Caller is not { } caller)
        {
            return auth.Denial!;
        }

        if (!HoldIds.IsAddressable(id))
        {
            return HoldNotFound(id);
        }

        var (body, problem) = await JsonBody.ReadAsync<ReleaseHoldRequest>(request, cancellationToken);
        if (body is null)
        {
            return problem!;
        }

        string reason;
        try
        {
            reason = HoldRequestValidator.Reason(body.Reason);
        }
        catch (RequestValidationException e)
        {
            return ApiProblems.BadRequest(e.Message);
        }

        var result = await releaseHold.HandleAsync(new ReleaseHoldCommand(id, caller.Name, reason), cancellationToken);
        return result switch
        {
            { Outcome: ReleaseHoldOutcome.Released, Hold: { } released } => Results.Ok(HoldView.From(released)),
            { Outcome: ReleaseHoldOutcome.Released, Unreadable: { } unreadable } => Results.Ok(UnreadableHoldView.From(unreadable, result.Release)),
            { Outcome: ReleaseHoldOutcome.AlreadyReleased } => ApiProblems.Conflict(result.Release is { } done
                ? $"Hold '{Shown(id)}' was already released by {done.ReleasedBy} at {done.ReleasedAt:O}."
                : $"Hold '{Shown(id)}' was already released."),
            _ => HoldNotFound(id),
        };
    }

    /// <summary>
    /// Authenticates, checks the role, and finds the hold the caller may see: the caller and hold, or the
    /// 401/403/404 problem to return (409 when the row cannot be read: nothing can be done with what it covers).
    /// </summary>
    public async Task<(Caller? Caller, Hold? Hold, IResult? Problem)> RequireVisibleHoldAsync(
        HttpRequest request, string id, IReadOnlyCollection<string> roles, CancellationToken cancellationToken)
    {
        var auth = await access.RequireAsync(request, roles, cancellationToken);
        if (auth.Caller is not { } caller)
        {
            return (null, null, auth.Denial);
        }

        var stored = await FindVisibleAsync(request, caller, id, cancellationToken);
        return stored switch
        {
            null => (caller, null, HoldNotFound(id)),
            { Hold: { } hold } => (caller, hold, null),
            _ => (caller, null, ApiProblems.Conflict(UnreadableDetail(stored.Unreadable!))),
        };
    }

    /// <summary>
    /// The hold row if it exists and the caller may see it, readable or not; police see only their own agency's
    /// holds (an unreadable row whose agency cannot be read is not theirs).
    /// </summary>
    public async Task<StoredHold?> FindVisibleAsync(HttpRequest request, Caller caller, string id, CancellationToken cancellationToken)
    {
        if (!HoldIds.IsAddressable(id))
        {
            return null;
        }

        var stored = await holds.GetAsync(id, cancellationToken);
        if (stored is null)
        {
            return null;
        }

        var agency = stored.Hold?.Agency ?? stored.Unreadable?.Agency;
        if (caller.IsPolice && agency != caller.Agency)
        {
            await access.RecordDenialAsync(request, caller.Name, caller.Role, $"hold {Shown(id)} belongs to another agency", cancellationToken);
            return null;
        }

        return stored;
    }

    public static IResult HoldNotFound(string id) =>
        ApiProblems.NotFound($"No hold with id '{Shown(id)}'.");

    private static string UnreadableDetail(UnreadableHold hold) =>
        $"Hold '{Shown(hold.Id)}' is stored but cannot be read: {hold.Reason}. Nobody can tell what it covers, so while it is " +
        $"not released no retention sweep deletes anything. Release it (POST /api/holds/{Shown(hold.Id)}/release) and place it " +
        "again, or repair the row.";

    private static string Shown(string id) =>
        new((id.Length <= 64 ? id : id[..64] + "...").Select(c => char.IsControl(c) ? '?' : c).ToArray());

    private PlaceHoldCommand ToCommand(PlaceHoldRequest body, Caller caller)
    {
        var caseNumber = HoldRequestValidator.CaseNumber(body.CaseNumber);
        var reason = HoldRequestValidator.Reason(body.Reason);
        var agency = body.RequestedBy?.Agency ?? (caller.IsPolice ? caller.Agency : null);
        var requestedBy = new RequestedBy(
            HoldRequestValidator.Identifier("requestedBy.agency", agency),
            HoldRequestValidator.Officer(body.RequestedBy?.Officer));
        var reviewDate = HoldRequestValidator.Instant("reviewDate", body.ReviewDate);
        if (reviewDate is { } review && review <= time.GetUtcNow())
        {
            throw new RequestValidationException("'reviewDate' must be in the future.");
        }

        var scope = HoldRequestValidator.ValidateScope(body.Scope, options.Value.MaxWindow);
        return new PlaceHoldCommand(caseNumber, reason, requestedBy, requestedBy.Agency, caller.Name, reviewDate, scope);
    }
}
