using MediaRetention.Api.Auth;
using Microsoft.Extensions.Options;

namespace MediaRetention.UnitTests.Auth;

public sealed class FailedAuthenticationLimiterTests
{
    [Fact]
    public void A_client_is_blocked_after_the_limit_of_failures_and_others_are_not()
    {
        using var limiter = new FailedAuthenticationLimiter(Options.Create(new AbuseOptions { FailedAuthLimit = 3, FailedAuthWindow = TimeSpan.FromMinutes(5) }));

        for (var i = 0; i < 3; i++)
        {
            Assert.False(limiter.IsBlocked("10.0.0.1", out _), $"blocked after {i} failures");
            limiter.RecordFailure("10.0.0.1");
        }

        Assert.True(limiter.IsBlocked("10.0.0.1", out var retryAfter));
        Assert.InRange(retryAfter, TimeSpan.FromSeconds(1), TimeSpan.FromMinutes(5));
        Assert.False(limiter.IsBlocked("10.0.0.2", out _));
    }

    [Fact]
    public void Checking_takes_no_permit()
    {
        using var limiter = new FailedAuthenticationLimiter(Options.Create(new AbuseOptions { FailedAuthLimit = 1 }));

        for (var i = 0; i < 10; i++)
        {
            Assert.False(limiter.IsBlocked("10.0.0.1", out _));
        }

        limiter.RecordFailure("10.0.0.1");
        Assert.True(limiter.IsBlocked("10.0.0.1", out _));
    }
}
