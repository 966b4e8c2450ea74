using MediaRetention.Api.Auth;
using MediaRetention.Api.Http;
using MediaRetention.Api.Media;
using MediaRetention.Api.Operations;
using MediaRetention.Core.Holds;
using MediaRetention.Core.Phones;
using MediaRetention.Core.Storage;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Options;

namespace MediaRetention.Api.Holds;

/// <summary>
/// <c>/api/holds</c>: security and admin place, read, review and release all holds; police request preservation for
/// their own agency and read only those (another agency's hold is a 404, as if it did not exist). A police request is
/// stored <c>requested</c>: it preserves at once, but the police see only its case data and status until security or an
/// admin approves it (possibly narrowed) or rejects it.
/// </summary>
public sealed class HoldEndpoints(
    ApiAccess access,
    PlaceHoldHandler placeHold,
    ReleaseHoldHandler releaseHold,
    IHoldStore holds,
    HoldCoverage coverage,
    IOptions<HoldOptions> options,
    PreviewHoldHandler previewHold,
    TimeProvider time,
    ReviewHoldHandler reviewHold,
    PhoneNumberParser phones,
    IPhoneHashing phoneHashing,
    IHoldIdempotencyStore idempotency,
    HoldMarkingViews markingViews)
{
    /// <summary>Optional request header of <c>POST /api/holds</c>: a retry with the same key and body gets the same hold.</summary>
    public const string IdempotencyKeyHeader = "Idempotency-Key";

    /// <summary>Longest accepted <see cref="IdempotencyKeyHeader"/>.</summary>
    public const int MaxIdempotencyKeyLength = 200;

    /// <summary>Media listed in a preview: enough to recognise the scope, not a listing.</summary>
    public const int PreviewSampleSize = 50;

    internal static readonly string[] Readers = [Roles.Security, Roles.Police, Roles.Admin];
    internal static readonly string[] Releasers = [Roles.Security, Roles.Admin];
    internal static readonly string[] Reviewers = [Roles.Security, Roles.Admin];

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
            command = await ToCommandAsync(body, caller, cancellationToken);
        }
        catch (RequestValidationException e)
        {
            return ApiProblems.BadRequest(e.Message);
        }
        catch (PhoneHashKeysUnavailableException e)
        {
            return ApiProblems.ServiceUnavailable($"Phone holds cannot be placed now: {e.Message}");
        }

        if (caller.IsPolice && command.RequestedBy.Agency != caller.Agency)
        {
            var reason = $"Police keys place holds for their own agency ('{caller.Agency}') only.";
            await access.RecordDenialAsync(request, caller.Name, caller.Role, reason, cancellationToken);
            return ApiProblems.Forbidden(reason);
        }

        // Checked after validation and the agency check (a retry is held to the same rules) but before the limits: a retry
        // of a request that was stored is answered with it, never refused as one request too many.
        var (key, keyProblem) = IdempotencyKey(request);
        if (keyProblem is not null)
        {
            return keyProblem;
        }

        var requestHash = key is null ? null : RequestHash(body);
        if (key is not null && await idempotency.GetAsync(caller.Name, key, cancellationToken) is { } earlier)
        {
            return await ReplayAsync(request, earlier, requestHash!, command, caller, cancellationToken);
        }

        if (caller.IsPolice)
        {
            if (PoliceLimitProblem(command.Scope) is { } tooWide)
            {
                return ApiProblems.BadRequest(tooWide);
            }

            var max = options.Value.PoliceMaxOpenRequests;
            if (await holds.CountAsync(HoldStatus.Requested, caller.Agency, max, cancellationToken) >= max)
            {
                // A concurrent retry with this key may have claimed it and placed the request we just counted: that
                // retry's hold is this request's answer, not a reason to refuse it.
                if (key is not null && await idempotency.GetAsync(caller.Name, key, cancellationToken) is { } claimedMeanwhile)
                {
                    return await ReplayAsync(request, claimedMeanwhile, requestHash!, command, caller, cancellationToken);
                }

                return ApiProblems.TooManyRequests(
                    $"Agency '{caller.Agency}' has {max} preservation requests waiting for review ({HoldOptions.SectionName}:{nameof(HoldOptions.PoliceMaxOpenRequests)}); " +
                    "ask security to review them before requesting more.");
            }

            command = command with { Status = HoldStatus.Requested };
        }

        if (key is not null)
        {
            // The key is claimed, with the id the hold will have, before the hold is placed: of two concurrent retries
            // exactly one places it; the other answers with it.
            var claim = new HoldIdempotencyClaim(Guid.CreateVersion7(time.GetUtcNow()).ToString("N"), requestHash!, null);
            if (!await idempotency.TryClaimAsync(caller.Name, key, claim, cancellationToken))
            {
                return await ReplayAsync(request, (await idempotency.GetAsync(caller.Name, key, cancellationToken))!, requestHash!, command, caller, cancellationToken);
            }

            command = command with { HoldId = claim.HoldId };
        }

        var result = await placeHold.HandleAsync(command with { MarkingReaders = Reviewers }, cancellationToken);
        if (key is not null && result.MarkingComplete)
        {
            // A hold marked in the background has its count in its marking row; a replay reads it there.
            await idempotency.RecordCoveredAsync(caller.Name, key, result.CoveredMedia, cancellationToken);
        }

        return Answer(request, result, caller);
    }

    /// <summary>
    /// 201 with the hold when every covered medium was marked in the request; 202 when the rest is marked in the
    /// background, with the marking operation in Location (the hold's own address is in the body; it is in force either
    /// way). Police always get the 201: a request shows them nothing of what it covers, its marking included.
    /// </summary>
    private static IResult Answer(HttpRequest request, PlaceHoldResult result, Caller caller)
    {
        if (result.Marking is { OperationId: { } operationId } marking && !caller.IsPolice)
        {
            request.HttpContext.Response.Headers.RetryAfter = OperationEndpoints.PollSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
            return Results.Accepted(OperationEndpoints.Location(operationId),
                Placed(result.Hold, null, caller, HoldMarkingView.Started(marking)));
        }

        return Results.Created($"/api/holds/{result.Hold.Id}", Placed(result.Hold, result.CoveredMedia, caller, HoldMarkingView.Complete));
    }

    /// <param name="coveredMedia">Null while marking goes on in the background (the total is not known yet).</param>
    private static PlacedHoldResponse Placed(Hold hold, int? coveredMedia, Caller caller, HoldMarkingView marking)
    {
        var view = HoldView.From(hold);

        // A request shows the police nothing of what it covers until it is approved; the reviewer sees the count.
        return caller.IsPolice
            ? new PlacedHoldResponse(view, null, [RequestedWarning])
            : new PlacedHoldResponse(view, coveredMedia, coveredMedia is { } covered ? CoverageWarnings(hold.Scope, covered) : []) { Marking = marking };
    }

    /// <summary>
    /// A key used before: the same body gets the hold it placed (200); another body is a 409. When the first request
    /// claimed the key but its hold row is not there (it failed, or is still under way), the hold is placed now, with
    /// the claimed id, so it exists once whichever request gets there first.
    /// </summary>
    private async Task<IResult> ReplayAsync(HttpRequest request, HoldIdempotencyClaim earlier, string requestHash, PlaceHoldCommand command, Caller caller, CancellationToken cancellationToken)
    {
        if (earlier.RequestHash != requestHash)
        {
            return ApiProblems.Conflict(
                $"Header '{IdempotencyKeyHeader}': this key was used for a different request body; send a new key for a new hold.");
        }

        if (await holds.GetAsync(earlier.HoldId, cancellationToken) is { Hold: { } existing })
        {
            return Results.Ok(await ReplayedAsync(existing, earlier.CoveredMedia, caller, cancellationToken));
        }

        if (caller.IsPolice)
        {
            command = command with { Status = HoldStatus.Requested };
        }

        try
        {
            var result = await placeHold.HandleAsync(command with { HoldId = earlier.HoldId, MarkingReaders = Reviewers }, cancellationToken);
            return Answer(request, result, caller);
        }
        catch (Azure.RequestFailedException e) when (e.Status == 409)
        {
            var placed = await holds.GetAsync(earlier.HoldId, cancellationToken);
            return Results.Ok(await ReplayedAsync(placed!.Hold!, null, caller, cancellationToken));
        }
    }

    /// <summary>A replay's answer: the same hold, and the same marking operation with its state now.</summary>
    private async Task<PlacedHoldResponse> ReplayedAsync(Hold hold, int? coveredMedia, Caller caller, CancellationToken cancellationToken)
    {
        if (caller.IsPolice)
        {
            return Placed(hold, null, caller, HoldMarkingView.Complete);
        }

        var marking = await markingViews.ForAsync(hold.Id, cancellationToken);
        if (marking.OperationId is not null)
        {
            // Marked in the background: the total is known once marking is complete.
            coveredMedia = marking.State == HoldMarkingStates.Complete ? marking.MarkedMedia : null;
        }

        return Placed(hold, coveredMedia, caller, marking);
    }

    private static (string? Key, IResult? Problem) IdempotencyKey(HttpRequest request)
    {
        var values = request.Headers[IdempotencyKeyHeader];
        if (values.Count == 0)
        {
            return (null, null);
        }

        var key = values.Count == 1 ? values[0] : null;
        return key is { Length: > 0 and <= MaxIdempotencyKeyLength } && key.All(c => c is >= '!' and <= '~')
            ? (key, null)
            : (null, ApiProblems.BadRequest(
                $"Header '{IdempotencyKeyHeader}' must be given once, 1 to {MaxIdempotencyKeyLength} visible ASCII characters (a UUID will do)."));
    }

    // The body as the API understood it (member order and whitespace do not matter; values do).
    private static string RequestHash(PlaceHoldRequest body) =>
        Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Json.JsonSerializer.SerializeToUtf8Bytes(body)));

    /// <summary>What a police liaison is told about a request just stored.</summary>
    public const string RequestedWarning =
        "Stored as a preservation request: nothing it covers is deleted from now on, but what it covers and its evidence are shown only once security approves it.";

    private static IReadOnlyList<string> CoverageWarnings(HoldScope scope, int covered) => covered > 0 ? []
        : scope.Type == HoldScope.PhoneType
            ? [$"This phone hold covers no call indexed now (number {scope.PhoneMasked}, {scope.From:O} to {scope.To:O}); calls uploaded later in the window are kept. Check the number and the window."]
            : ["This hold covers no recording indexed now; recordings uploaded later that it names are kept. Check the scope."];

    private string? PoliceLimitProblem(HoldScope scope)
    {
        var max = options.Value.PoliceMaxWindow;
        return scope.From is { } from && scope.To is { } to && to - from > max
            ? $"'scope.to' - 'scope.from': a police request may name at most {max.TotalDays:0.##} days ({HoldOptions.SectionName}:{nameof(HoldOptions.PoliceMaxWindow)}); ask security for a longer hold."
            : null;
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
            command = await ToCommandAsync(body, caller, cancellationToken);
        }
        catch (RequestValidationException e)
        {
            return ApiProblems.BadRequest(e.Message);
        }
        catch (PhoneHashKeysUnavailableException e)
        {
            return ApiProblems.ServiceUnavailable($"Phone holds cannot be placed now: {e.Message}");
        }

        if (caller.IsPolice && command.RequestedBy.Agency != caller.Agency)
        {
            return ApiProblems.Forbidden($"Police keys place holds for their own agency ('{caller.Agency}') only.");
        }

        if (caller.IsPolice)
        {
            // Validated only: what a scope covers is what the company decides to disclose, so police learn neither the
            // media nor their number before security approves a request.
            return PoliceLimitProblem(command.Scope) is { } tooWide
                ? ApiProblems.BadRequest(tooWide)
                : Results.Ok(new HoldPreviewResponse(null, false, null, HoldScopeView.Of(command.Scope)));
        }

        var preview = await previewHold.HandleAsync(command.Scope, PreviewSampleSize, cancellationToken);
        return Results.Ok(new HoldPreviewResponse(
            preview.CoveredMedia,
            preview.CountIsLowerBound,
            preview.Sample.Select(MediaView.From).ToList(),
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
            var status = q.OneOf("status", [.. HoldStatus.All, "all"]) ?? HoldStatus.Active;
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

        if (caller.IsPolice && hold.Status is HoldStatus.Requested or HoldStatus.Rejected)
        {
            return Results.Ok(new HoldDetailResponse(HoldView.From(hold), null));
        }

        var marking = caller.IsPolice ? null : await markingViews.ForAsync(hold.Id, cancellationToken);

        try
        {
            var q = new QueryReader(request.Query);
            var filters = PageTokens.Filters(("hold", hold.Id));
            var token = PageTokens.Open(PageTokens.HoldMedia, filters, q.Text("continuationToken", 4096));
            var page = await coverage.PageAsync(hold.Scope, token, q.Number("pageSize", 100, 1, 1000), cancellationToken);
            var media = new MediaListResponse(
                page.Items.Select(MediaView.From).ToList(), PageTokens.Seal(PageTokens.HoldMedia, filters, page.ContinuationToken));
            return Results.Ok(new HoldDetailResponse(HoldView.From(hold), media) { Marking = marking });
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
            { Outcome: ReleaseHoldOutcome.StillRequested } => ApiProblems.Conflict(
                $"Hold '{Shown(id)}' is a preservation request not yet reviewed: approve it (POST /api/holds/{Shown(id)}/approve) or reject it (POST /api/holds/{Shown(id)}/reject)."),
            { Outcome: ReleaseHoldOutcome.AlreadyReleased, Hold.Status: HoldStatus.Rejected } => ApiProblems.Conflict(
                $"Hold '{Shown(id)}' is a rejected request: it preserves nothing already."),
            { Outcome: ReleaseHoldOutcome.AlreadyReleased } => ApiProblems.Conflict(result.Release is { } done
                ? $"Hold '{Shown(id)}' was already released by {done.ReleasedBy} at {done.ReleasedAt:O}."
                : $"Hold '{Shown(id)}' was already released."),
            _ => HoldNotFound(id),
        };
    }

    /// <summary><c>POST /api/holds/{id}/approve</c>: a police request becomes an active hold, as requested or narrowed.</summary>
    public async Task<IResult> ApproveAsync(HttpRequest request, string id, CancellationToken cancellationToken)
    {
        var auth = await access.RequireAsync(request, Reviewers, cancellationToken);
        if (auth.Caller is not { } caller)
        {
            return auth.Denial!;
        }

        if (!HoldIds.IsAddressable(id))
        {
            return HoldNotFound(id);
        }

        var (body, problem) = await JsonBody.ReadAsync<ApproveHoldRequest>(request, cancellationToken);
        if (body is null)
        {
            return problem!;
        }

        ReviewHoldCommand command;
        try
        {
            var hasher = await HasherForAsync(body.Scope, cancellationToken);
            var scope = body.Scope is null ? null : HoldRequestValidator.ValidateScope(body.Scope, options.Value.MaxWindow, phones, hasher, phoneOptional: true);
            command = new ReviewHoldCommand(id, caller.Name, HoldReview.Approved, HoldRequestValidator.Reason(body.Reason), scope) { MarkingReaders = Reviewers };
        }
        catch (RequestValidationException e)
        {
            return ApiProblems.BadRequest(e.Message);
        }
        catch (PhoneHashKeysUnavailableException e)
        {
            return ApiProblems.ServiceUnavailable($"Phone holds cannot be reviewed now: {e.Message}");
        }

        return ReviewResult(id, await reviewHold.HandleAsync(command, cancellationToken));
    }

    /// <summary><c>POST /api/holds/{id}/reject</c>: a police request is refused; it preserves nothing from then on.</summary>
    public async Task<IResult> RejectAsync(HttpRequest request, string id, CancellationToken cancellationToken)
    {
        var auth = await access.RequireAsync(request, Reviewers, cancellationToken);
        if (auth.Caller is not { } caller)
        {
            return auth.Denial!;
        }

        if (!HoldIds.IsAddressable(id))
        {
            return HoldNotFound(id);
        }

        var (body, problem) = await JsonBody.ReadAsync<RejectHoldRequest>(request, cancellationToken);
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

        return ReviewResult(id, await reviewHold.HandleAsync(new ReviewHoldCommand(id, caller.Name, HoldReview.Rejected, reason), cancellationToken));
    }

    private static IResult ReviewResult(string id, ReviewHoldResult result) => result switch
    {
        { Outcome: ReviewHoldOutcome.Approved or ReviewHoldOutcome.Rejected, Hold: { } hold } =>
            Results.Ok(result.Marking is { } marking
                ? new ReviewedHoldResponse(HoldView.From(hold), null, []) { Marking = HoldMarkingView.Started(marking) }
                : new ReviewedHoldResponse(HoldView.From(hold), result.CoveredMedia,
                    result.CoveredMedia is { } covered ? CoverageWarnings(hold.Scope, covered) : [])
                {
                    Marking = result.Outcome == ReviewHoldOutcome.Approved ? HoldMarkingView.Complete : null,
                }),
        { Outcome: ReviewHoldOutcome.NotWithinRequest } => ApiProblems.BadRequest(result.Problem!),
        { Outcome: ReviewHoldOutcome.NotRequested, Hold: { } hold } => ApiProblems.Conflict(
            $"Hold '{Shown(id)}' is {hold.Status}, not a preservation request waiting for review" +
            (hold.Review is { } review ? $" ({review.Decision} by {review.ReviewedBy} at {review.ReviewedAt:O})." : ".")),
        { Outcome: ReviewHoldOutcome.NotRequested } => ApiProblems.Conflict($"Hold '{Shown(id)}' cannot be read, so it cannot be reviewed."),
        _ => HoldNotFound(id),
    };

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

    /// <summary>The key ring, read only for a phone scope (other holds need no key).</summary>
    /// <exception cref="PhoneHashKeysUnavailableException">The ring cannot be read.</exception>
    private async Task<PhoneHasher?> HasherForAsync(HoldScopeRequest? scope, CancellationToken cancellationToken) =>
        scope?.Type == HoldScope.PhoneType ? await phoneHashing.GetAsync(cancellationToken) : null;

    private async Task<PlaceHoldCommand> ToCommandAsync(PlaceHoldRequest body, Caller caller, CancellationToken cancellationToken)
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

        var scope = HoldRequestValidator.ValidateScope(body.Scope, options.Value.MaxWindow, phones, await HasherForAsync(body.Scope, cancellationToken));
        return new PlaceHoldCommand(caseNumber, reason, requestedBy, requestedBy.Agency, caller.Name, reviewDate, scope);
    }
}
