using MediaRetention.Api.Auth;
using MediaRetention.Core.Audit;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace MediaRetention.UnitTests.Auth;

public sealed class ApiAccessTests : IDisposable
{
    private readonly IAuditLog audit = Substitute.For<IAuditLog>();
    private readonly FailedAuthenticationLimiter limiter;
    private readonly ApiAccess access;

    public ApiAccessTests()
    {
        var options = Options.Create(new AbuseOptions { FailedAuthLimit = 3, FailedAuthWindow = TimeSpan.FromMinutes(10) });
        limiter = new FailedAuthenticationLimiter(options);
        var keys = new ApiKeyAuthenticator(Options.Create(new AuthOptions
        {
            ApiKeys = [new ApiKeyEntry { Name = "admin-1", Role = Roles.Admin, KeyHash = ApiKeyAuthenticator.HashKey("good") }],
        }));
        var denials = new DenialAudit(audit, options, new FakeTimeProvider(), NullLogger<DenialAudit>.Instance);
        access = new ApiAccess(keys, limiter, denials, options);
    }

    [Fact]
    public async Task After_the_limit_every_request_of_that_client_is_a_429_without_a_storage_call()
    {
        for (var i = 0; i < 3; i++)
        {
            Assert.Equal(401, await StatusAsync(Request("10.0.0.9", "bad")));
        }

        audit.ClearReceivedCalls();
        for (var i = 0; i < 20; i++)
        {
            var request = Request("10.0.0.9", i % 2 == 0 ? "bad" : "good");
            Assert.Equal(429, await StatusAsync(request));
            Assert.True(int.Parse(request.HttpContext.Response.Headers.RetryAfter.ToString()) > 0);
        }

        Assert.Empty(audit.ReceivedCalls());
        Assert.Equal(200, await StatusAsync(Request("10.0.0.10", "good")));
    }

    [Fact]
    public async Task Only_failed_authentication_counts_towards_the_limit()
    {
        for (var i = 0; i < 10; i++)
        {
            Assert.Equal(200, await StatusAsync(Request("10.0.0.9", "good")));
            Assert.Equal(403, await StatusAsync(Request("10.0.0.9", "good"), [Roles.Security]));
        }

        Assert.Equal(401, await StatusAsync(Request("10.0.0.9", "bad")));
    }

    public void Dispose() => limiter.Dispose();

    private async Task<int> StatusAsync(HttpRequest request, string[]? roles = null)
    {
        var result = await access.RequireAsync(request, roles ?? [Roles.Admin], default);
        return result.Granted ? 200 : ((IStatusCodeHttpResult)result.Denial!).StatusCode ?? 0;
    }

    private static HttpRequest Request(string client, string key)
    {
        var context = new DefaultHttpContext();
        context.Connection.RemoteIpAddress = System.Net.IPAddress.Parse(client);
        context.Request.Method = "GET";
        context.Request.Path = "/api/audit";
        context.Request.Headers[ApiKeyAuthenticator.HeaderName] = key;
        return context.Request;
    }
}
