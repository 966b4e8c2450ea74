using MediaRetention.Api.Auth;
using MediaRetention.Api.Http;
using MediaRetention.Core.Phones;
using MediaRetention.Core.Storage;
using Microsoft.AspNetCore.Http;

namespace MediaRetention.Api.Maintenance;

/// <summary><c>{ continuationToken?, maxRows? }</c>: where the previous run stopped, and how many call records to visit now.</summary>
public sealed record RekeyPhoneHashesRequest(string? ContinuationToken, int? MaxRows);

/// <summary>
/// <c>POST /api/maintenance/phone-hashes/rekey</c>, admin only: one run of the phone-hash re-key migration
/// (<see cref="RekeyPhoneHashesHandler"/>). Run it after upgrading to keyed hashes and after every key rotation, until
/// <c>continuationToken</c> is null.
/// </summary>
public sealed class PhoneHashEndpoints(ApiAccess access, RekeyPhoneHashesHandler rekey)
{
    public const int DefaultMaxRows = 5_000;
    public const int MaxMaxRows = 50_000;
    internal static readonly string[] Admins = [Roles.Admin];
    private const string Listing = "phone-hash-rekey";

    public async Task<IResult> RekeyAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        var auth = await access.RequireAsync(request, Admins, cancellationToken);
        if (auth.Caller is not { } caller)
        {
            return auth.Denial!;
        }

        var (body, problem) = await JsonBody.ReadAsync<RekeyPhoneHashesRequest>(request, cancellationToken);
        if (body is null)
        {
            return problem!;
        }

        if (body.MaxRows is < 1 or > MaxMaxRows)
        {
            return ApiProblems.BadRequest($"'maxRows' must be from 1 to {MaxMaxRows}.");
        }

        try
        {
            var token = PageTokens.Open(Listing, "", body.ContinuationToken);
            var report = await rekey.HandleAsync(new RekeyPhoneHashesCommand(caller.Name, token, body.MaxRows ?? DefaultMaxRows), cancellationToken);
            return Results.Ok(report with { ContinuationToken = PageTokens.Seal(Listing, "", report.ContinuationToken) });
        }
        catch (InvalidContinuationTokenException e)
        {
            return ApiProblems.BadRequest(e.Message);
        }
    }
}
