using System.Threading.RateLimiting;
using Microsoft.Extensions.Options;

namespace MediaRetention.Api.Auth;

/// <summary>
/// Limits failed authentication per client: a partitioned fixed-window limiter (System.Threading.RateLimiting, as
/// ASP.NET Core rate limiting uses) keyed by client address, where each failure takes a permit. A client with no
/// permit left is refused before its credentials are even looked at, so guessing keys is slow and costs no storage.
/// </summary>
/// <remarks>
/// Failures take permits after the fact, which the ASP.NET Core middleware cannot do (it admits a request before the
/// endpoint knows whether authentication fails), and the same check runs in both hosts through <see cref="ApiAccess"/>.
/// </remarks>
public sealed class FailedAuthenticationLimiter : IDisposable
{
    private readonly PartitionedRateLimiter<string> limiter;
    private readonly TimeSpan window;

    public FailedAuthenticationLimiter(IOptions<AbuseOptions> options)
    {
        var o = options.Value;
        window = o.FailedAuthWindow;
        limiter = PartitionedRateLimiter.Create<string, string>(client => RateLimitPartition.GetFixedWindowLimiter(client, _ =>
            new FixedWindowRateLimiterOptions
            {
                PermitLimit = o.FailedAuthLimit,
                Window = o.FailedAuthWindow,
                QueueLimit = 0,
                // The partitioned limiter replenishes its partitions itself (and drops idle ones).
                AutoReplenishment = false,
            }));
    }

    /// <summary>Whether the client has used up its failures for this window, and when to come back.</summary>
    public bool IsBlocked(string client, out TimeSpan retryAfter)
    {
        // Zero permits: "is there any left?", taking none.
        using var lease = limiter.AttemptAcquire(client, 0);
        if (lease.IsAcquired)
        {
            retryAfter = TimeSpan.Zero;
            return false;
        }

        retryAfter = lease.TryGetMetadata(MetadataName.RetryAfter, out var after) ? after : window;
        return true;
    }

    public void RecordFailure(string client)
    {
        using var _ = limiter.AttemptAcquire(client, 1);
    }

    public void Dispose() => limiter.Dispose();
}
