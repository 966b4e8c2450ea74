using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text.Json;
using System.Text.Json.Nodes;
using MediaRetention.Core.Audit;
using MediaRetention.IntegrationTests.Infrastructure;

namespace MediaRetention.IntegrationTests.Auth;

/// <summary>
/// Nobody can grow the audit log, or keep storage busy, by sending bad keys: failures are rate-limited per client and
/// repeated denials are audited as one counted entry per window, with the chain intact.
/// </summary>
[Collection(AzuriteCollection.Name)]
public sealed class FailedAuthenticationTests(AzuriteFixture azurite)
{
    private const int Limit = 5;

    [Fact]
    public async Task A_hundred_bad_keys_are_a_few_audit_entries_then_429s_while_another_client_is_unaffected()
    {
        var storage = AzuriteFixture.UniqueStorageOptions();
        await using var runner = await RunnerHost.StartAsync(azurite.ConnectionString, storage, new Dictionary<string, string?>
        {
            ["Abuse:FailedAuthLimit"] = Limit.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Abuse:FailedAuthWindow"] = "00:10:00",
            ["Abuse:DenialAuditWindow"] = "00:00:05",
        });
        using var attacker = runner.ClientFor("guessed-key"); // from 127.0.0.1
        using var attackerWithGoodKey = runner.ClientFor(TestKeys.Admin);
        using var otherClient = ClientFrom(IPAddress.Parse("127.0.0.2"), runner.BaseAddress, TestKeys.Admin);

        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 100; i++)
        {
            using var response = await attacker.GetAsync("/api/holds");
            statuses.Add(response.StatusCode);
            if (response.StatusCode == HttpStatusCode.TooManyRequests)
            {
                Assert.True(response.Headers.RetryAfter?.Delta > TimeSpan.Zero, "a 429 says when to come back");
                Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
            }
        }

        Assert.Equal(Enumerable.Repeat(HttpStatusCode.Unauthorized, Limit).Concat(Enumerable.Repeat(HttpStatusCode.TooManyRequests, 100 - Limit)), statuses);
        // The blocked address is blocked whatever key it sends; another address is not.
        Assert.Equal(HttpStatusCode.TooManyRequests, (await attackerWithGoodKey.GetAsync("/api/audit/verify")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await otherClient.GetAsync("/api/audit/verify")).StatusCode);

        // Once the denial windows have closed: the first failure in full, the rest as counted entries.
        var denials = await WaitForAsync(async () =>
        {
            var page = (await otherClient.GetFromJsonAsync<AuditPage>("/api/audit?pageSize=1000", JsonSerializerOptions.Web))!;
            var entries = page.Items.Where(e => e.Action.StartsWith(AuditActions.AccessDenied, StringComparison.Ordinal)).ToList();
            return entries.Count(e => e.Action == AuditActions.AccessDenied) + entries.Sum(Count) == 101 ? entries : null;
        });

        // One window per kind of denial normally; a slow machine may see a window close mid-burst and write one more.
        Assert.True(denials.Count <= 5, $"{denials.Count} denial entries for 101 denied requests");
        var full = Assert.Single(denials, e => e.Action == AuditActions.AccessDenied);
        Assert.Equal(("anonymous", "127.0.0.1", "The API key is not valid."), (full.Actor, full.Details["client"], full.Details["reason"]));
        var counted = denials.Where(e => e.Action == AuditActions.AccessDeniedAggregated).GroupBy(e => e.Details["reason"]!).ToDictionary(g => g.Key, g => g.Sum(Count));
        Assert.Equal(Limit - 1, counted["The API key is not valid."]);
        Assert.Equal(100 - Limit + 1, counted[MediaRetention.Api.Auth.ApiAccess.RateLimitedReason]);
        Assert.All(denials, e => Assert.Equal("127.0.0.1", e.Details["client"]));

        var verification = await otherClient.GetFromJsonAsync<AuditVerification>("/api/audit/verify", JsonSerializerOptions.Web);
        Assert.True(verification!.Intact, string.Join("; ", verification.Breaks.Select(b => b.Problem)));
    }

    [Fact]
    public async Task A_malformed_limit_setting_stops_start_up_naming_it()
    {
        var storage = AzuriteFixture.UniqueStorageOptions();

        var e = await Assert.ThrowsAnyAsync<Exception>(() => RunnerHost.StartAsync(azurite.ConnectionString, storage,
            new Dictionary<string, string?> { ["Abuse:FailedAuthLimit"] = "0" }));

        Assert.Contains("FailedAuthLimit", e.Message, StringComparison.Ordinal);
    }

    private static int Count(AuditEntry entry) =>
        entry.Action == AuditActions.AccessDeniedAggregated ? int.Parse(entry.Details["count"]!, System.Globalization.CultureInfo.InvariantCulture) : 0;

    /// <summary>A client whose connections come from another loopback address: another client, as far as the runner can tell.</summary>
    private static HttpClient ClientFrom(IPAddress local, Uri baseAddress, string apiKey)
    {
        var handler = new SocketsHttpHandler
        {
            ConnectCallback = async (context, cancellationToken) =>
            {
                var socket = new Socket(SocketType.Stream, ProtocolType.Tcp);
                try
                {
                    socket.Bind(new IPEndPoint(local, 0));
                    await socket.ConnectAsync(context.DnsEndPoint, cancellationToken);
                    return new NetworkStream(socket, ownsSocket: true);
                }
                catch
                {
                    socket.Dispose();
                    throw;
                }
            },
        };
        var client = new HttpClient(handler) { BaseAddress = baseAddress };
        client.DefaultRequestHeaders.Add("X-Api-Key", apiKey);
        return client;
    }

    private static async Task<T> WaitForAsync<T>(Func<Task<T?>> probe)
        where T : class
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        while (true)
        {
            if (await probe() is { } found)
            {
                return found;
            }

            timeout.Token.ThrowIfCancellationRequested();
            await Task.Delay(200, timeout.Token);
        }
    }
}
