using System.ComponentModel.DataAnnotations;

namespace MediaRetention.Api.Auth;

/// <summary>
/// Section <c>Abuse</c>: how failed authentication is rate-limited per client and how repeated denials are written to
/// the audit log, so nobody can grow the log (or keep storage busy) by sending bad keys.
/// </summary>
public sealed class AbuseOptions
{
    public const string SectionName = "Abuse";

    /// <summary>Failed authentications a client may have per window; after that every request from it is a 429 until the window ends.</summary>
    [Range(1, 100_000)]
    public int FailedAuthLimit { get; set; } = 10;

    [Range(typeof(TimeSpan), "00:00:01", "1.00:00:00")]
    public TimeSpan FailedAuthWindow { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>
    /// Per client, caller and reason, the first denial of a window is audited in full; the rest of the window is one
    /// <c>access.denied.aggregated</c> entry with a count, written when the window has closed.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:01", "1.00:00:00")]
    public TimeSpan DenialAuditWindow { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>
    /// A header whose last entry is the client's address, set by a trusted front end (App Service: X-Forwarded-For);
    /// empty: the connection's remote address. Only the last entry is used because a client can send earlier ones.
    /// </summary>
    [MaxLength(64)]
    public string? ClientAddressHeader { get; set; }

    /// <summary>Bounds the memory of denial windows: beyond this many at once, further clients are counted together.</summary>
    [Range(100, 1_000_000)]
    public int MaxTrackedClients { get; set; } = 10_000;
}
