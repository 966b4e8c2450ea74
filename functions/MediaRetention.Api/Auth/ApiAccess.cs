using System.Globalization;
using System.Text;
using MediaRetention.Api.Http;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
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
    IOptions<AbuseOptions> options,
    ILogger<ApiAccess>? logger = null)
{
    public const string RateLimitedReason = "too many failed authentications";

    /// <summary>The longest request path kept in an audit entry (escaped); longer ones are cut and say how long they were.</summary>
    public const int MaxAuditedPathLength = 200;

    private readonly ILogger log = logger ?? NullLogger<ApiAccess>.Instance;

    public async Task<AccessResult> RequireAsync(HttpRequest request, IReadOnlyCollection<string> roles, CancellationToken cancellationToken)
    {
        var client = ClientAddress.Of(request, options.Value.ClientAddressHeader);
        if (limiter.IsBlocked(client, out var retryAfter))
        {
            denials.Count(Denial(client, "anonymous", null, RateLimitedReason, request));
            var seconds = Math.Max(1, (int)Math.Ceiling(retryAfter.TotalSeconds));
            request.HttpContext.Response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
            return new AccessResult(null, ApiProblems.TooManyRequests(
                $"Too many failed authentications from this client; try again in {seconds} s."));
        }

        AuthenticationResult result;
        try
        {
            result = authenticator.Authenticate(request);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // Whatever a client sends, a failed authentication is a 401, never a 500.
            log.LogWarning(e, "Authentication threw; answered as a failed authentication");
            result = new AuthenticationResult(AuthenticationStatus.Invalid, Problem: "The credentials could not be read.");
        }

        if (result.Status != AuthenticationStatus.Authenticated || result.Caller is null)
        {
            limiter.RecordFailure(client);
            await RecordSafelyAsync(Denial(client, "anonymous", null, result.Problem ?? "not authenticated", request), cancellationToken);
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
        RecordSafelyAsync(Denial(ClientAddress.Of(request, options.Value.ClientAddressHeader), actor, role, reason, request), cancellationToken);

    /// <summary>
    /// What a denial entry names: the route TEMPLATE (<c>GET api/holds/{id}</c>), which is bounded and free of whatever the
    /// client put in the path, and the path itself escaped and cut to <see cref="MaxAuditedPathLength"/> characters. A
    /// request the router did not match (no template) is named by its bounded path.
    /// </summary>
    public static (string Target, string Path) DescribeRequest(HttpRequest request)
    {
        var path = BoundedPath(request.Path.Value ?? "");
        var method = Escape(request.Method.Length <= 16 ? request.Method : request.Method[..16]);
        var template = (request.HttpContext.GetEndpoint() as RouteEndpoint)?.RoutePattern.RawText;
        return ($"{method} {(template is null ? path : Escape(template.Length <= MaxAuditedPathLength ? template : template[..MaxAuditedPathLength]))}", path);
    }

    /// <summary>The path with everything but unreserved characters and '/' percent-encoded, at most about 200 characters.</summary>
    public static string BoundedPath(string path)
    {
        var cut = path.Length > MaxAuditedPathLength;
        var escaped = Escape(cut ? path[..MaxAuditedPathLength] : path);
        return cut ? $"{escaped}...({path.Length.ToString(CultureInfo.InvariantCulture)} characters)" : escaped;
    }

    private static string Escape(string text)
    {
        var builder = new StringBuilder(text.Length);
        Span<byte> bytes = stackalloc byte[4];
        foreach (var rune in text.EnumerateRunes())
        {
            if (rune.IsAscii && (char.IsAsciiLetterOrDigit((char)rune.Value) || "/-._~{}".Contains((char)rune.Value)))
            {
                builder.Append((char)rune.Value);
                continue;
            }

            var length = rune.EncodeToUtf8(bytes);
            foreach (var b in bytes[..length])
            {
                builder.Append('%').Append(b.ToString("X2", CultureInfo.InvariantCulture));
            }
        }

        return builder.ToString();
    }

    private static Denial Denial(string client, string actor, string? role, string reason, HttpRequest request)
    {
        var (target, path) = DescribeRequest(request);
        return new Denial(client, actor, role, reason, target) { Path = path };
    }

    /// <summary>
    /// The denial is answered whatever happens to its audit entry: a storage failure is logged (with the route template,
    /// never the raw path) and the client still gets its 401/403/404.
    /// </summary>
    private async Task RecordSafelyAsync(Denial denial, CancellationToken cancellationToken)
    {
        try
        {
            await denials.RecordAsync(denial, cancellationToken);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            log.LogError(e, "Could not audit a denial of {Target}", denial.Target);
        }
    }
}
