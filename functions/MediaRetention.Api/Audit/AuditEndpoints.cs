using System.Globalization;
using MediaRetention.Api.Auth;
using MediaRetention.Api.Http;
using MediaRetention.Api.Operations;
using MediaRetention.Core.Operations;
using MediaRetention.Core.Audit;
using MediaRetention.Core.Storage;
using Microsoft.AspNetCore.Http;

namespace MediaRetention.Api.Audit;

/// <summary>
/// <c>GET /api/audit</c> and <c>GET /api/audit/verify</c> (the chain against itself and against every anchor):
/// admin only.
/// </summary>
public sealed class AuditEndpoints(ApiAccess access, IAuditLog audit, VerifyAuditChainHandler verify, OperationEndpoints operations)
{
    /// <summary>Listing name of a paged verification's sealed continuation tokens.</summary>
    public const string VerifyListing = "audit-verify";

    internal static readonly string[] Admins = [Roles.Admin];

    public async Task<IResult> ListAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        var auth = await access.RequireAsync(request, Admins, cancellationToken);
        if (!auth.Granted)
        {
            return auth.Denial!;
        }

        try
        {
            var q = new QueryReader(request.Query);
            var from = q.Instant("from");
            var to = q.Instant("to");
            if (from > to)
            {
                return ApiProblems.BadRequest("'from' must not be after 'to'.");
            }

            var filters = PageTokens.Filters(("from", from), ("to", to));
            var token = PageTokens.Open(PageTokens.Audit, filters, q.Text("continuationToken", 4096));
            var page = await audit.QueryAsync(from, to, token, q.Number("pageSize", 100, 1, 1000), cancellationToken);
            return Results.Ok(page with { ContinuationToken = PageTokens.Seal(PageTokens.Audit, filters, page.ContinuationToken) });
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

    /// <summary>
    /// Without parameters the whole chain in this request (as before; for long chains use the operation). With
    /// <c>from</c> (a sequence, or <c>anchor</c>: the last anchored entry), <c>pageSize</c> or <c>continuationToken</c>:
    /// one page, whose cost does not depend on the length of the chain.
    /// </summary>
    public async Task<IResult> VerifyAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        var auth = await access.RequireAsync(request, Admins, cancellationToken);
        if (!auth.Granted)
        {
            return auth.Denial!;
        }

        if (!request.Query.ContainsKey("from") && !request.Query.ContainsKey("pageSize") && !request.Query.ContainsKey("continuationToken"))
        {
            return Results.Ok(await verify.HandleAsync(cancellationToken));
        }

        try
        {
            var q = new QueryReader(request.Query);
            var fromText = q.Text("from", 32);
            long? from = null;
            if (fromText is not null && fromText != "anchor")
            {
                from = long.TryParse(fromText, NumberStyles.None, CultureInfo.InvariantCulture, out var sequence) && sequence >= 1
                    ? sequence
                    : throw new RequestValidationException("'from' must be a sequence number (1 or more) or 'anchor'.");
            }

            var pageSize = q.Number("pageSize", 1000, 1, 10_000);
            var filters = PageTokens.Filters(("from", fromText), ("pageSize", pageSize));
            var resume = ParsePosition(PageTokens.Open(VerifyListing, filters, q.Text("continuationToken", 4096)));
            var page = await verify.HandlePageAsync(from, resume, pageSize, cancellationToken);
            var token = page.Next is { } next
                ? PageTokens.Seal(VerifyListing, filters, next.NextSequence.ToString(CultureInfo.InvariantCulture) + ":" + next.PreviousHash)
                : null;
            return Results.Ok(AuditVerificationPageResponse.From(page, token));
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

    /// <summary><c>POST /api/audit/verify</c>: the whole chain as an operation (202), with progress.</summary>
    public async Task<IResult> StartVerifyAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        var auth = await access.RequireAsync(request, Admins, cancellationToken);
        if (auth.Caller is not { } caller)
        {
            return auth.Denial!;
        }

        if (JsonBody.RequireJsonContentType(request) is { } unsupported)
        {
            return unsupported;
        }

        return await operations.StartAsync(request, new StartOperationCommand(OperationKinds.AuditVerify, caller.Name, Admins), cancellationToken);
    }

    private static AuditChainPosition? ParsePosition(string? token)
    {
        if (token is null)
        {
            return null;
        }

        var colon = token.IndexOf(':', StringComparison.Ordinal);
        return colon > 0 && long.TryParse(token[..colon], NumberStyles.None, CultureInfo.InvariantCulture, out var next) && next >= 1
            ? new AuditChainPosition(next, token[(colon + 1)..])
            : throw new InvalidContinuationTokenException();
    }
}

/// <summary>One page of a verification: its findings, the range it covered, and the token for the next page.</summary>
public sealed record AuditVerificationPageResponse(
    bool Intact,
    long EntriesChecked,
    long FromSequence,
    IReadOnlyList<AuditBreak> Breaks,
    long? HeadSequence,
    string? HeadHash,
    int AnchorsChecked,
    AuditAnchor? LastAnchor,
    string? ContinuationToken)
{
    public static AuditVerificationPageResponse From(AuditVerificationPage page, string? token) => new(
        page.Verification.Intact, page.Verification.EntriesChecked, page.From, page.Verification.Breaks, page.Verification.HeadSequence,
        page.Verification.HeadHash, page.Verification.AnchorsChecked, page.Verification.LastAnchor, token);
}
