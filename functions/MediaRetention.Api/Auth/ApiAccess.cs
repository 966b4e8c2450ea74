using System.Globalization;
using MediaRetention.Api.Http;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Options;

namespace MediaRetention.Api.Auth;

/// <summary>Either the authorised caller or the 401/403/429 problem to return.</summary>
public sealed record AccessResult(Caller? Caller, IResult? Denial)
{
    public bool Granted => Caller is not null;
}

/// <summary>
/// Authenticates a request, checks its role, and records every denial in the audit log (through
/// <see cref="DenialAudit"/>, which writes repeats as one entry per window). A client that failed authentication too
/// often is refused with 429 before its credentials are looked at, without any storage request.
/// </summary>
public sealed class ApiAccess(
    ICallerAuthenticator authenticator,
    FailedAuthenticationLimiter limiter,
    DenialAudit denials,
    IOptions<AbuseOptions> options)
{
    public const string RateLimitedReason = "too many failed authentications";

    public async Task<AccessResult> RequireAsync(HttpRequest request, IReadOnlyCollection<string> roles, CancellationToken cancellationToken)
    {
        var client = ClientAddress.Of(request, options.Value.ClientAddressHeader);
        if (limiter.IsBlocked(client, out var retryAfter))
        {
            denials.Count(new Denial(client, "anonymous", null, RateLimitedReason, Target(request)));
            var seconds = Math.Max(1, (int)Math.Ceiling(retryAfter.TotalSeconds));
            request.HttpContext.Response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
            return new AccessResult(null, ApiProblems.TooManyRequests(
                $"Too many failed authentications from this client; try again in {seconds} s."));
        }

        var result = authenticator.Authenticate(request);
        if (result.Status != AuthenticationStatus.Authenticated || result.Caller is null)
        {
            limiter.RecordFailure(client);
            await denials.RecordAsync(new Denial(client, "anonymous", null, result.Problem ?? "not authenticated", Target(request)), cancellationToken);
            request.HttpContext.Response.Headers.WWWAuthenticate = "ApiKey";
            return new AccessResult(null, ApiProblems.Unauthorized(result.Problem ?? "Authentication is required."));
        }

        var caller = result.Caller;
        if (!roles.Contains(caller.Role))
        {
            var problem = $"Role '{caller.Role}' may not do this; it needs one of: {string.Join(", ", roles)}.";
            await RecordDenialAsync(request, caller.Name, caller.Role, problem, cancellationToken);
            return new AccessResult(null, ApiProblems.Forbidden(problem));
        }

        return new AccessResult(caller, null);
    }

    /// <summary>For denials decided after authorisation, e.g. a police caller asking for another agency's hold.</summary>
    public Task RecordDenialAsync(HttpRequest request, string actor, string? role, string reason, CancellationToken cancellationToken) =>
        denials.RecordAsync(new Denial(ClientAddress.Of(request, options.Value.ClientAddressHeader), actor, role, reason, Target(request)), cancellationToken);

    private static string Target(HttpRequest request) => $"{request.Method} {request.Path}";
}
