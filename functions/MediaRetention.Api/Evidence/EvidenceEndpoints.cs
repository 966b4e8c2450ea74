using System.Xml;
using MediaRetention.Api.Auth;
using MediaRetention.Api.Holds;
using MediaRetention.Api.Http;
using MediaRetention.Api.Operations;
using MediaRetention.Core.Operations;
using MediaRetention.Core.Evidence;
using MediaRetention.Core.Evidence.Signing;
using MediaRetention.Core.Holds;
using MediaRetention.Core.Storage;
using Microsoft.AspNetCore.Http;

namespace MediaRetention.Api.Evidence;

/// <summary>
/// <c>/api/holds/{id}/evidence</c>: handing a hold's media to a police liaison. Security, admin, and police of
/// the hold's agency; another agency's hold is a 404 (and an audited denial), exactly as <c>GET /api/holds/{id}</c>.
/// </summary>
/// <remarks>
/// <c>linkLifetime</c> (page and manifest) is an ISO 8601 duration from PT1M to P6DT23H, e.g. <c>PT2H</c>; without it
/// links live <see cref="EvidenceOptions.LinkLifetime"/>.
/// </remarks>
public sealed class EvidenceEndpoints(
    HoldEndpoints holds,
    IssueEvidenceLinksHandler issueLinks,
    BuildEvidenceManifestHandler buildManifest,
    OperationEndpoints operations)
{
    public const int DefaultPageSize = 100;
    public const int MaxPageSize = 1000;
    internal static readonly string[] Readers = [Roles.Security, Roles.Police, Roles.Admin];

    public async Task<IResult> PageAsync(HttpRequest request, string id, CancellationToken cancellationToken)
    {
        var (caller, hold, problem) = await holds.RequireVisibleHoldAsync(request, id, Readers, cancellationToken);
        if (caller is null || hold is null)
        {
            return problem!;
        }

        if (NotActive(hold) is { } notActive)
        {
            return notActive;
        }

        try
        {
            var q = new QueryReader(request.Query);
            var filters = PageTokens.Filters(("hold", hold.Id));
            var token = PageTokens.Open(PageTokens.Evidence, filters, q.Text("continuationToken", 4096));
            var command = new IssueEvidenceLinksCommand(hold, caller.Name, token,
                q.Number("pageSize", DefaultPageSize, 1, MaxPageSize), LinkLifetime(q));
            var page = await issueLinks.HandleAsync(command, cancellationToken);
            var body = EvidenceDocument.Body(page.Hold, page.GeneratedAt, page.GeneratedBy, page.Items);
            body["continuationToken"] = PageTokens.Seal(PageTokens.Evidence, filters, page.ContinuationToken);
            return Results.Json(body, statusCode: StatusCodes.Status200OK);
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

    public async Task<IResult> ManifestAsync(HttpRequest request, string id, CancellationToken cancellationToken)
    {
        var (caller, hold, problem) = await holds.RequireVisibleHoldAsync(request, id, Readers, cancellationToken);
        if (caller is null || hold is null)
        {
            return problem!;
        }

        if (NotActive(hold) is { } notActive)
        {
            return notActive;
        }

        TimeSpan? lifetime;
        try
        {
            lifetime = LinkLifetime(new QueryReader(request.Query));
        }
        catch (RequestValidationException e)
        {
            return ApiProblems.BadRequest(e.Message);
        }

        PreparedEvidenceManifest manifest;
        try
        {
            manifest = await buildManifest.PrepareAsync(new BuildEvidenceManifestCommand(hold, caller.Name, lifetime), cancellationToken);
        }
        catch (SigningKeyUnavailableException e)
        {
            // Fail closed: an unsigned manifest would be evidence nobody outside can attribute.
            return ApiProblems.ServiceUnavailable($"The manifest cannot be signed now, so none was issued: {e.Message}");
        }

        return new EvidenceManifestResult(buildManifest, manifest);
    }

    public async Task<IResult> VerifyAsync(HttpRequest request, string id, CancellationToken cancellationToken)
    {
        var (caller, hold, problem) = await holds.RequireVisibleHoldAsync(request, id, Readers, cancellationToken);
        if (caller is null || hold is null)
        {
            return problem!;
        }

        if (NotActive(hold) is { } notActive)
        {
            return notActive;
        }

        if (JsonBody.RequireJsonContentType(request) is { } unsupported)
        {
            return unsupported;
        }

        // Re-hashing every medium grows with the hold: 202 and an operation that police of the hold's agency may read.
        return await operations.StartAsync(request,
            new StartOperationCommand(OperationKinds.EvidenceVerify, caller.Name, Readers, hold.Agency, hold.Id), cancellationToken);
    }

    /// <summary>
    /// Evidence is handed over for active holds only: a request is not yet approved (the company has not decided what it
    /// discloses), a rejected request and a released hold no longer preserve anything.
    /// </summary>
    private static IResult? NotActive(Hold hold) => hold.Status switch
    {
        HoldStatus.Active => null,
        HoldStatus.Requested => ApiProblems.Conflict(
            $"Hold '{hold.Id}' is a preservation request waiting for review: its evidence is available once security approves it."),
        HoldStatus.Rejected => ApiProblems.Conflict($"Hold '{hold.Id}' is a rejected request: it has no evidence to hand over."),
        _ => ApiProblems.Conflict($"Hold '{hold.Id}' is {hold.Status}: evidence is handed over for active holds only."),
    };

    /// <summary>The requested link lifetime, checked here so a bad value is a 400 that says what is allowed.</summary>
    private static TimeSpan? LinkLifetime(QueryReader q)
    {
        if (q.Text("linkLifetime", 32) is not { } text)
        {
            return null;
        }

        TimeSpan lifetime;
        try
        {
            lifetime = XmlConvert.ToTimeSpan(text);
        }
        catch (FormatException)
        {
            throw new RequestValidationException("'linkLifetime' must be an ISO 8601 duration such as PT2H, PT90M or P1D.");
        }

        return lifetime >= EvidenceLinkLifetime.Min && lifetime <= EvidenceLinkPolicy.MaxLifetime
            ? lifetime
            : throw new RequestValidationException($"'linkLifetime' must be from PT1M to {EvidenceLinkPolicy.MaxLifetimeText}.");
    }
}

/// <summary>The result of a <c>POST /api/holds/{id}/evidence/verify</c> operation once it has succeeded.</summary>
public sealed record EvidenceVerificationResponse(
    string HoldId,
    int Checked,
    bool Intact,
    IReadOnlyList<AlteredMedium> Altered,
    IReadOnlyList<MissingMedium> Missing)
{
    public static EvidenceVerificationResponse From(EvidenceVerification v) =>
        new(v.HoldId, v.Checked, v.Intact, v.Altered, v.Missing);
}
