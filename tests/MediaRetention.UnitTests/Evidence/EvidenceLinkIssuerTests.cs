using System.ComponentModel.DataAnnotations;
using System.Collections.Specialized;
using System.Web;
using Azure;
using Azure.Core;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using MediaRetention.Core.Evidence;
using MediaRetention.Core.Storage;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace MediaRetention.UnitTests.Evidence;

public sealed class EvidenceLinkIssuerTests
{
    private const string AzuriteKey =
        "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";
    private static readonly DateTimeOffset Now = new(2026, 11, 24, 12, 0, 0, TimeSpan.Zero);

    private readonly FakeTimeProvider time = new(Now);
    private readonly BlobServiceClient managedIdentityClient = Substitute.For<BlobServiceClient>();
    private readonly List<BlobGetUserDelegationKeyOptions> keyRequests = [];

    public EvidenceLinkIssuerTests()
    {
        managedIdentityClient.Uri.Returns(new Uri("https://acct.blob.core.windows.net/"));
        managedIdentityClient.AccountName.Returns("acct");
        managedIdentityClient.CanGenerateAccountSasUri.Returns(false);
        managedIdentityClient.GetUserDelegationKeyAsync(Arg.Any<BlobGetUserDelegationKeyOptions>(), Arg.Any<CancellationToken>())
            .Returns(call =>
            {
                var options = call.Arg<BlobGetUserDelegationKeyOptions>();
                keyRequests.Add(options);
                // Positional: the factory's overloads share parameter names, so named arguments are ambiguous.
                var key = BlobsModelFactory.UserDelegationKey(
                    "11111111-1111-1111-1111-111111111111", // signed object id
                    "22222222-2222-2222-2222-222222222222", // signed tenant id
                    options.StartsOn ?? time.GetUtcNow(),
                    options.ExpiresOn,
                    "b",
                    "2025-01-05",
                    null, // delegated user tenant id
                    Convert.ToBase64String(new byte[32]));
                return Response.FromValue(key, Substitute.For<Response>());
            });
    }

    [Fact]
    public async Task User_delegation_link_reads_one_blob_over_https_and_reuses_the_key()
    {
        using var issuer = new UserDelegationSasLinkIssuer(managedIdentityClient, time);
        var expiresOn = Now.AddHours(1);

        var first = await issuer.IssueReadLinkAsync("cctv", "oslo-1/cam-2/20261120T081500Z.mp4", expiresOn, default);
        var second = await issuer.IssueReadLinkAsync("calls", "pbx/1234/20261120T081500Z.wav", expiresOn.AddMinutes(30), default);

        Assert.Equal("https://acct.blob.core.windows.net/cctv/oslo-1/cam-2/20261120T081500Z.mp4", first.Url.GetLeftPart(UriPartial.Path));
        Assert.Equal(expiresOn, first.ExpiresOn);
        var sas = Query(first.Url);
        Assert.Equal("r", sas["sp"]);
        Assert.Equal("b", sas["sr"]);
        Assert.Equal("https", sas["spr"]);
        Assert.Equal("2026-11-24T13:00:00Z", sas["se"]);
        Assert.Equal("2026-11-24T11:55:00Z", sas["st"]);
        Assert.Equal("11111111-1111-1111-1111-111111111111", sas["skoid"]);
        Assert.False(string.IsNullOrEmpty(sas["sig"]));
        Assert.Equal("https://acct.blob.core.windows.net/calls/pbx/1234/20261120T081500Z.wav", second.Url.GetLeftPart(UriPartial.Path));

        var request = Assert.Single(keyRequests);
        Assert.Equal(Now.AddDays(7) - EvidenceLinkPolicy.KeyExpiryMargin, request.ExpiresOn);
        Assert.True(request.StartsOn < Now);
        await managedIdentityClient.Received(1).GetUserDelegationKeyAsync(Arg.Any<BlobGetUserDelegationKeyOptions>(), Arg.Any<CancellationToken>());
    }

    [Fact]
    public async Task Key_is_renewed_once_it_would_expire_before_the_link()
    {
        using var issuer = new UserDelegationSasLinkIssuer(managedIdentityClient, time);
        await issuer.IssueReadLinkAsync("cctv", "a.mp4", Now.AddHours(1), default);

        time.Advance(TimeSpan.FromDays(6) + TimeSpan.FromHours(22));
        await issuer.IssueReadLinkAsync("cctv", "a.mp4", time.GetUtcNow().AddHours(1), default);
        Assert.Single(keyRequests); // the first key still covers this link by an hour

        time.Advance(TimeSpan.FromMinutes(90));
        var link = await issuer.IssueReadLinkAsync("cctv", "a.mp4", time.GetUtcNow().AddHours(1), default);

        Assert.Equal(2, keyRequests.Count);
        Assert.Equal(time.GetUtcNow().AddDays(7) - EvidenceLinkPolicy.KeyExpiryMargin, keyRequests[1].ExpiresOn);
        Assert.Equal(time.GetUtcNow().AddHours(1), link.ExpiresOn);
    }

    [Fact]
    public async Task A_link_of_the_longest_lifetime_is_covered_by_the_key_and_never_outlives_it()
    {
        using var issuer = new UserDelegationSasLinkIssuer(managedIdentityClient, time);
        await issuer.IssueReadLinkAsync("cctv", "a.mp4", Now.AddHours(1), default);
        time.Advance(TimeSpan.FromMinutes(50));

        // 50 minutes on, the cached key (7 days less 15 minutes from the start) no longer covers a link of the
        // longest lifetime (7 days less an hour from now), so a fresh key is fetched for it.
        var link = await issuer.IssueReadLinkAsync("cctv", "a.mp4", time.GetUtcNow() + EvidenceLinkPolicy.MaxLifetime, default);

        Assert.Equal(2, keyRequests.Count);
        Assert.True(link.ExpiresOn <= keyRequests[1].ExpiresOn, $"link {link.ExpiresOn:O} outlives its key {keyRequests[1].ExpiresOn:O}");
    }

    [Theory]
    [InlineData(-10)] // our clock is 10 minutes ahead of the storage service's
    [InlineData(0)]
    [InlineData(10)]
    public async Task Key_requests_stay_within_seven_days_of_a_service_clock_that_differs_by_minutes(int serviceClockOffsetMinutes)
    {
        // The documented rule: Get User Delegation Key refuses (400) an expiry more than 7 days after the service's time.
        var strict = Substitute.For<BlobServiceClient>();
        strict.Uri.Returns(new Uri("https://acct.blob.core.windows.net/"));
        strict.AccountName.Returns("acct");
        strict.GetUserDelegationKeyAsync(Arg.Any<BlobGetUserDelegationKeyOptions>(), Arg.Any<CancellationToken>()).Returns(call =>
        {
            var options = call.Arg<BlobGetUserDelegationKeyOptions>();
            var serviceNow = time.GetUtcNow().AddMinutes(serviceClockOffsetMinutes);
            if (options.ExpiresOn > serviceNow.AddDays(7))
            {
                throw new RequestFailedException(400, "The value for one of the XML nodes is not in the correct format.", "InvalidXmlNodeValue", null);
            }

            return Response.FromValue(
                BlobsModelFactory.UserDelegationKey("o", "t", options.StartsOn ?? serviceNow, options.ExpiresOn, "b", "2025-01-05", null, Convert.ToBase64String(new byte[32])),
                Substitute.For<Response>());
        });
        using var issuer = new UserDelegationSasLinkIssuer(strict, time);

        var link = await issuer.IssueReadLinkAsync("cctv", "a.mp4", Now + EvidenceLinkPolicy.MaxLifetime, default);

        Assert.Equal(Now + EvidenceLinkPolicy.MaxLifetime, link.ExpiresOn);
    }

    [Theory]
    [InlineData((7 * 24 - 1) * 60 + 1)]
    [InlineData(7 * 24 * 60)]
    [InlineData(0)]
    [InlineData(-5)]
    public async Task Expiry_beyond_the_longest_lifetime_or_not_in_the_future_is_refused_before_any_key_request(int minutes)
    {
        using var issuer = new UserDelegationSasLinkIssuer(managedIdentityClient, time);
        var keyIssuer = new AccountKeySasLinkIssuer(MediaBlobClients.FromConnectionString(Connection("https"), time), time);

        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() =>
            issuer.IssueReadLinkAsync("cctv", "a.mp4", Now.AddMinutes(minutes), default));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() =>
            keyIssuer.IssueReadLinkAsync("cctv", "a.mp4", Now.AddMinutes(minutes), default));
        Assert.Empty(keyRequests);
    }

    [Theory]
    [InlineData("https", "https")]
    [InlineData("http", "https,http")]
    public async Task Account_key_link_is_read_only_for_one_blob_and_allows_http_only_for_an_http_endpoint(string scheme, string protocol)
    {
        var issuer = new AccountKeySasLinkIssuer(MediaBlobClients.FromConnectionString(Connection(scheme), time), time);

        var link = await issuer.IssueReadLinkAsync("cctv", "oslo-1/cam-2/x.mp4", Now + EvidenceLinkPolicy.MaxLifetime, default);

        Assert.Equal($"{scheme}://127.0.0.1:10000/devstoreaccount1/cctv/oslo-1/cam-2/x.mp4", link.Url.GetLeftPart(UriPartial.Path));
        var sas = Query(link.Url);
        Assert.Equal("r", sas["sp"]);
        Assert.Equal("b", sas["sr"]);
        Assert.Equal(protocol, sas["spr"]);
        Assert.Equal("2026-12-01T11:00:00Z", sas["se"]);
        Assert.Equal("2026-11-24T11:55:00Z", sas["st"]);
        Assert.Null(sas["skoid"]);
    }

    [Fact]
    public void Selector_signs_with_the_account_key_when_there_is_one_else_with_user_delegation()
    {
        var withKey = MediaBlobClients.FromConnectionString(Connection("http"), time);
        var token = Substitute.For<TokenCredential>();
        var withIdentity = new MediaBlobClients(
            new BlobServiceClient(new Uri("https://acct.blob.core.windows.net"), token), ExactBlobCredential.FromToken(token), time);

        Assert.IsType<AccountKeySasLinkIssuer>(EvidenceLinkIssuerSelector.Select(withKey, time));
        Assert.IsType<UserDelegationSasLinkIssuer>(EvidenceLinkIssuerSelector.Select(withIdentity, time));
        Assert.IsType<UserDelegationSasLinkIssuer>(EvidenceLinkIssuerSelector.Select(
            new MediaBlobClients(managedIdentityClient, ExactBlobCredential.FromToken(token), time), time));
        Assert.Throws<ArgumentException>(() => new AccountKeySasLinkIssuer(withIdentity, time));
    }

    [Theory]
    [InlineData("00:00:30", false)]
    [InlineData("00:01:00", true)]
    [InlineData("01:00:00", true)]
    [InlineData("6.23:00:00", true)]
    [InlineData("6.23:00:01", false)]
    [InlineData("7.00:00:00", false)]
    public void Link_lifetime_is_validated_between_a_minute_and_seven_days_less_an_hour(string lifetime, bool valid)
    {
        var options = new EvidenceOptions { LinkLifetime = TimeSpan.Parse(lifetime, System.Globalization.CultureInfo.InvariantCulture) };

        Assert.Equal(valid, Validator.TryValidateObject(options, new ValidationContext(options), [], validateAllProperties: true));
        Assert.Equal(TimeSpan.FromHours(1), new EvidenceOptions().LinkLifetime);
    }

    [Fact]
    public void Registration_binds_the_evidence_section_and_picks_the_issuer_for_the_registered_client()
    {
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?> { ["Evidence:LinkLifetime"] = "00:20:00" })
            .Build();
        var services = new ServiceCollection()
            .AddSingleton<IConfiguration>(configuration)
            .AddSingleton(MediaBlobClients.FromConnectionString(Connection("http"), time))
            .AddMediaRetentionEvidenceLinks();
        using var provider = services.BuildServiceProvider();

        Assert.Equal(TimeSpan.FromMinutes(20), provider.GetRequiredService<IOptions<EvidenceOptions>>().Value.LinkLifetime);
        Assert.IsType<AccountKeySasLinkIssuer>(provider.GetRequiredService<IEvidenceLinkIssuer>());
    }

    [Fact]
    public void Registration_refuses_a_link_lifetime_out_of_range()
    {
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?> { ["Evidence:LinkLifetime"] = "8.00:00:00" })
            .Build();
        using var provider = new ServiceCollection()
            .AddSingleton<IConfiguration>(configuration)
            .AddMediaRetentionEvidenceLinks()
            .BuildServiceProvider();

        Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IOptions<EvidenceOptions>>().Value);
    }

    private static string Connection(string scheme) =>
        $"DefaultEndpointsProtocol={scheme};AccountName=devstoreaccount1;AccountKey={AzuriteKey};" +
        $"BlobEndpoint={scheme}://127.0.0.1:10000/devstoreaccount1;";

    private static NameValueCollection Query(Uri url) => HttpUtility.ParseQueryString(url.Query);
}
