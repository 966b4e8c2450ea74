using MediaRetention.Api.Http;
using MediaRetention.Core.Audit;
using Microsoft.AspNetCore.Http;

namespace MediaRetention.Api.Auth;

/// <summary>Either the authorised caller or the 401/403 problem to return.</summary>
public sealed record AccessResult(Caller? Caller, IResult? Denial)
{
    public bool Granted => Caller is not null;
}

/// <summary>Authenticates a request, checks its role, and records every denial in the audit log.</summary>
public sealed class ApiAccess(ICallerAuthenticator authenticator, IAuditLog audit)
{
    public async Task<AccessResult> RequireAsync(HttpRequest request, IReadOnlyCollection<string> roles, CancellationToken cancellationToken)
    {
        var result = authenticator.Authenticate(request);
        if (result.Status != AuthenticationStatus.Authenticated || result.Caller is null)
        {
            await RecordDenialAsync(request, "anonymous", null, result.Problem ?? "not authenticated", cancellationToken);
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
        audit.AppendAsync(new AuditEvent(actor, AuditActions.AccessDenied, $"{request.Method} {request.Path}",
            new Dictionary<string, string?> { ["role"] = role, ["reason"] = reason }), cancellationToken);
}
