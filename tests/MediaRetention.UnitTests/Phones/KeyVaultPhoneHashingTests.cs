using Azure;
using Azure.Security.KeyVault.Secrets;
using MediaRetention.Core.Phones;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace MediaRetention.UnitTests.Phones;

public sealed class KeyVaultPhoneHashingTests
{
    private const string Name = "phone-hash-keys";
    private static readonly string K1 = "k1:" + Convert.ToBase64String(Enumerable.Repeat((byte)1, 32).ToArray());
    private static readonly string K2 = "k2:" + Convert.ToBase64String(Enumerable.Repeat((byte)2, 32).ToArray());
    private readonly SecretClient secrets = Substitute.For<SecretClient>();
    private readonly FakeTimeProvider time = new(new DateTimeOffset(2026, 11, 27, 12, 0, 0, TimeSpan.Zero));

    [Fact]
    public async Task The_ring_is_read_from_the_secret_and_a_rotation_shows_after_the_refresh_interval()
    {
        Given(K1);
        using var hashing = new KeyVaultPhoneHashing(secrets, Name, TimeSpan.FromMinutes(15), time, NullLogger<KeyVaultPhoneHashing>.Instance);

        Assert.Equal("k1", (await hashing.GetAsync(default)).CurrentKeyId);
        Given(K1 + ";" + K2);
        Assert.Equal("k1", (await hashing.GetAsync(default)).CurrentKeyId);
        time.Advance(TimeSpan.FromMinutes(16));
        Assert.Equal("k2", (await hashing.GetAsync(default)).CurrentKeyId);
    }

    [Fact]
    public async Task A_failed_refresh_keeps_the_ring_and_no_ring_at_all_is_an_error_never_a_guess()
    {
        using var hashing = new KeyVaultPhoneHashing(secrets, Name, TimeSpan.FromMinutes(15), time, NullLogger<KeyVaultPhoneHashing>.Instance);
        secrets.GetSecretAsync(Name, null, Arg.Any<CancellationToken>()).Returns<Response<KeyVaultSecret>>(_ => throw new RequestFailedException(404, "SecretNotFound"));
        await Assert.ThrowsAsync<PhoneHashKeysUnavailableException>(() => hashing.GetAsync(default));

        Given(K1);
        var ring = await hashing.GetAsync(default);
        time.Advance(TimeSpan.FromMinutes(16));
        secrets.GetSecretAsync(Name, null, Arg.Any<CancellationToken>()).Returns<Response<KeyVaultSecret>>(_ => throw new RequestFailedException(503, "down"));
        Assert.Same(ring, await hashing.GetAsync(default));
    }

    private void Given(string value) =>
        secrets.GetSecretAsync(Name, null, Arg.Any<CancellationToken>())
            .Returns(Response.FromValue(SecretModelFactory.KeyVaultSecret(SecretModelFactory.SecretProperties(name: Name), value), Substitute.For<Response>()));
}
