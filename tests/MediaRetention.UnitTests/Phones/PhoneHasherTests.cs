using System.Security.Cryptography;
using System.Text;
using MediaRetention.Core.Holds;
using MediaRetention.Core.Media;
using MediaRetention.Core.Phones;
using MediaRetention.UnitTests.Holds;
using Microsoft.Extensions.Options;

namespace MediaRetention.UnitTests.Phones;

public sealed class PhoneHasherTests
{
    private static readonly PhoneHashKey K1 = new("k1", Enumerable.Repeat((byte)1, 32).ToArray());
    private static readonly PhoneHashKey K2 = new("k2", Enumerable.Repeat((byte)2, 32).ToArray());
    private static readonly PhoneNumberParser Parser = new(Options.Create(new PhoneOptions()));

    [Theory]
    [InlineData("912 34 567")]
    [InlineData("004791234567")]
    [InlineData("+47 912 34 567")]
    [InlineData("+4791234567")]
    public void The_four_ways_of_writing_one_norwegian_number_are_one_e164_number(string written) =>
        Assert.Equal("+4791234567", Parser.Parse(written).E164);

    [Theory]
    [InlineData("12345")]
    [InlineData("+47 123")]
    [InlineData("not a number")]
    [InlineData("+4791234567 ext. 999999999999999999999999999999")]
    public void Numbers_that_are_not_valid_are_refused_with_a_reason(string written)
    {
        var parsed = Parser.Parse(written);

        Assert.False(parsed.Ok);
        Assert.False(string.IsNullOrEmpty(parsed.Problem));
    }

    [Fact]
    public void The_default_region_is_validated()
    {
        Assert.True(new PhoneOptionsValidator().Validate(null, new PhoneOptions()).Succeeded);
        Assert.False(new PhoneOptionsValidator().Validate(null, new PhoneOptions { DefaultRegion = "XX" }).Succeeded);
        Assert.False(new PhoneOptionsValidator().Validate(null, new PhoneOptions { DefaultRegion = "no" }).Succeeded);
        Assert.Equal("+46701234567", new PhoneNumberParser(Options.Create(new PhoneOptions { DefaultRegion = "SE" })).Parse("070-123 45 67").E164);
    }

    [Fact]
    public void A_hash_is_an_hmac_chain_under_the_current_key_and_holds_no_digits_of_the_number()
    {
        var hash = new PhoneHasher([K1]).Hash("+4791234567");

        var expected = HMACSHA256.HashData(K1.Secret, SHA256.HashData(Encoding.UTF8.GetBytes("+4791234567")));
        Assert.Equal("k1:" + Convert.ToHexStringLower(expected), hash);
        Assert.NotEqual(new PhoneHasher([new PhoneHashKey("k1", K2.Secret)]).Hash("+4791234567"), hash); // the key matters
        Assert.DoesNotContain(Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes("+4791234567"))), hash);
    }

    [Fact]
    public void A_hash_under_an_older_key_or_a_legacy_one_re_keys_to_the_current_form_without_the_number()
    {
        var old = new PhoneHasher([K1]).Hash("+4791234567");
        var rotated = new PhoneHasher([K1, K2]);
        var legacy = PhoneNumber.Hash("+4791234567");

        Assert.Equal(rotated.Hash("+4791234567"), rotated.Canonical(old));
        Assert.Equal(rotated.Hash("+4791234567"), rotated.Canonical(legacy));
        Assert.Equal(rotated.Hash("+4791234567"), rotated.Canonical(rotated.Hash("+4791234567")));
        Assert.StartsWith("k2:", rotated.Hash("+4791234567"), StringComparison.Ordinal);
        Assert.Null(rotated.Canonical("k9:" + new string('a', 64)));
        Assert.False(rotated.IsKnown("k9:" + new string('a', 64)));
        Assert.True(rotated.IsCurrent(rotated.Hash("+4791234567")));
        Assert.False(rotated.IsCurrent(old));
        Assert.Contains(old, rotated.LookupValues("+4791234567"));
        Assert.Contains(legacy, rotated.LookupValues("+4791234567"));
    }

    [Fact]
    public void The_ring_text_is_validated()
    {
        var line = "k1:" + Convert.ToBase64String(K1.Secret);
        Assert.Equal(["k1", "k2"], PhoneHashKeyRing.Parse(["# comment", line, "", "k2:" + Convert.ToBase64String(K2.Secret)], "test").Select(k => k.Id));
        Assert.Throws<FormatException>(() => PhoneHashKeyRing.Parse(["k1:" + Convert.ToBase64String(new byte[16])], "test"));
        Assert.Throws<FormatException>(() => PhoneHashKeyRing.Parse([line, line], "test"));
        Assert.Throws<FormatException>(() => PhoneHashKeyRing.Parse(["bad id:" + Convert.ToBase64String(K1.Secret)], "test"));
        Assert.Throws<FormatException>(() => PhoneHashKeyRing.Parse([], "test"));
        Assert.False(new PhoneHashOptionsValidator().Validate(null, new PhoneHashOptions { Keys = ["k1:short"] }).Succeeded);
        Assert.False(new PhoneHashOptionsValidator().Validate(null, new PhoneHashOptions { Keys = [line], KeyVaultUri = new Uri("https://v.vault.azure.net/") }).Succeeded);
    }

    [Fact]
    public void Holds_and_calls_hashed_under_different_keys_of_the_ring_still_match()
    {
        var t = new DateTimeOffset(2026, 11, 20, 10, 0, 0, TimeSpan.Zero);
        var before = new PhoneHasher([K1]);
        var after = new PhoneHasher([K1, K2]);
        var call = ActiveHoldsTests.Call("pbx", "c-1", t) with { CallerHash = before.Hash("+4791234567") };
        var hold = new Hold
        {
            Id = "h", CaseNumber = "C", Reason = "r", RequestedBy = new RequestedBy("pd", "o"), Agency = "pd", PlacedBy = "p", PlacedAt = t,
            Status = HoldStatus.Active,
            Scope = new HoldScope { Type = HoldScope.PhoneType, PhoneHash = after.Hash("+4791234567"), From = t, To = t },
        };

        Assert.True(new ActiveHolds([hold], null, after).IsHeld(call));
        Assert.False(new ActiveHolds([hold]).IsHeld(call)); // compared as stored, they differ
        Assert.True(new ActiveHolds([hold with { Scope = hold.Scope with { PhoneHash = PhoneNumber.Hash("+4791234567") } }], null, after)
            .IsHeld(call with { CallerHash = after.Hash("+4791234567") }));
    }

    [Fact]
    public void A_call_hashed_under_a_key_this_host_does_not_know_yet_is_kept_by_every_phone_hold_of_its_window()
    {
        var t = new DateTimeOffset(2026, 11, 20, 10, 0, 0, TimeSpan.Zero);
        var ring = new PhoneHasher([K1]);
        var call = ActiveHoldsTests.Call("pbx", "c-1", t) with { CallerHash = "k3:" + new string('a', 64) };
        Hold Phone(DateTimeOffset from) => new()
        {
            Id = "h" + from.Ticks, CaseNumber = "C", Reason = "r", RequestedBy = new RequestedBy("pd", "o"), Agency = "pd", PlacedBy = "p", PlacedAt = t,
            Status = HoldStatus.Active,
            Scope = new HoldScope { Type = HoldScope.PhoneType, PhoneHash = ring.Hash("+4722334455"), From = from, To = from.AddHours(1) },
        };

        Assert.True(new ActiveHolds([Phone(t.AddMinutes(-30))], null, ring).IsHeld(call));
        Assert.False(new ActiveHolds([Phone(t.AddHours(1))], null, ring).IsHeld(call));
    }
}
