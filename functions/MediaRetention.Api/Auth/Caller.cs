namespace MediaRetention.Api.Auth;

public static class Roles
{
    public const string Security = "security";
    public const string Police = "police";
    public const string Admin = "admin";

    /// <summary>The data protection officer: answers data-subject requests (access and erasure).</summary>
    public const string Privacy = "privacy";

    public static readonly IReadOnlyList<string> All = [Security, Police, Admin, Privacy];
}

/// <summary>Who is calling: a name for the audit log, one role, and for police the agency they act for.</summary>
public sealed record Caller(string Name, string Role, string? Agency)
{
    public bool IsPolice => Role == Roles.Police;
}

public enum AuthenticationStatus
{
    /// <summary>No credentials were presented.</summary>
    None,

    /// <summary>Credentials were presented but are not valid.</summary>
    Invalid,

    Authenticated,
}

public sealed record AuthenticationResult(AuthenticationStatus Status, Caller? Caller = null, string? Problem = null);

/// <summary>The auth seam: each host plugs in how callers prove who they are.</summary>
public interface ICallerAuthenticator
{
    AuthenticationResult Authenticate(Microsoft.AspNetCore.Http.HttpRequest request);
}
