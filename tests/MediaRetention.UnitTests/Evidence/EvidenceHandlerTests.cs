using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using MediaRetention.Core.Audit;
using MediaRetention.Core.Evidence;
using MediaRetention.Core.Evidence.Signing;
using MediaRetention.Core.Holds;
using MediaRetention.Core.Media;
using MediaRetention.Core.Storage;
using Microsoft.Extensions.Options;
using MediaRetention.UnitTests.Telemetry;
using Microsoft.Extensions.Time.Testing;

namespace MediaRetention.UnitTests.Evidence;

public sealed class EvidenceHandlerTests : IDisposable
{
    // Sub-second on purpose: link expiries must come out in whole seconds, as a SAS carries them.
    private static readonly DateTimeOffset Now = new DateTimeOffset(2026, 11, 24, 12, 0, 0, TimeSpan.Zero).AddMilliseconds(750);
    private const string PhoneHash = "c0ffee00c0ffee00c0ffee00c0ffee00c0ffee00c0ffee00c0ffee00c0ffee00";
    private const string PhoneMasked = "+********67";

    private readonly IMediaIndex index = Substitute.For<IMediaIndex>();
    private readonly IEvidenceLinkIssuer issuer = Substitute.For<IEvidenceLinkIssuer>();
    private readonly IAuditLog audit = Substitute.For<IAuditLog>();
    private readonly IMediaBlobStore blobs = Substitute.For<IMediaBlobStore>();
    private readonly FakeTimeProvider time = new(Now);
    private readonly TelemetryProbe probe = new();
    private readonly List<AuditEvent> audited = [];
    private readonly EphemeralSigningKeyStore signingKeys = new();
    private readonly HoldCoverage coverage;

    public EvidenceHandlerTests()
    {
        coverage = new HoldCoverage(index);
        issuer.IssueReadLinkAsync(default!, default!, default, default).ReturnsForAnyArgs(call => new EvidenceLink(
            new Uri($"https://acct.blob.core.windows.net/{call.ArgAt<string>(0)}/{call.ArgAt<string>(1)}?sig=secret"),
            call.ArgAt<DateTimeOffset>(2)));
        audit.AppendAsync(Arg.Do<AuditEvent>(audited.Add), Arg.Any<CancellationToken>()).Returns(call => Entry(call.Arg<AuditEvent>()));
    }

    [Fact]
    public async Task Each_item_gets_a_link_to_its_own_blob_expiring_after_the_configured_lifetime()
    {
        var media = new[] { Call("pbx-1/20261120T100000Z_c1.wav"), Call("pbx-1/20261120T100500Z_c2.wav") };
        index.QueryAsync(default!, default, default, default).ReturnsForAnyArgs(new MediaPage(media, "next-token"));

        var page = await LinksHandler().HandleAsync(new IssueEvidenceLinksCommand(PhoneHold(), "liaison-oslo", null, 50, null), default);

        var expected = new DateTimeOffset(2026, 11, 24, 13, 0, 0, TimeSpan.Zero);
        Assert.Equal(expected, page.LinksExpireAt);
        Assert.Equal(media.Select(m => m.Id), page.Items.Select(i => i.MediaId));
        Assert.All(page.Items, item =>
        {
            Assert.Equal(expected, item.UrlExpiresAt);
            Assert.Equal($"https://acct.blob.core.windows.net/calls/{item.BlobName}", item.DownloadUrl.GetLeftPart(UriPartial.Path));
            Assert.Equal(media.Single(m => m.Id == item.MediaId).Sha256, item.Sha256);
        });
        Assert.Equal("next-token", page.ContinuationToken);
        Assert.Equal("liaison-oslo", page.GeneratedBy);
        Assert.Equal(Now, page.GeneratedAt);
        await index.Received(1).QueryAsync(Arg.Any<MediaQuery>(), null, 50, Arg.Any<CancellationToken>());
    }

    [Fact]
    public async Task A_requested_lifetime_replaces_the_default()
    {
        index.QueryAsync(default!, default, default, default).ReturnsForAnyArgs(new MediaPage([Call("pbx-1/20261120T100000Z_c1.wav")], null));

        var page = await LinksHandler().HandleAsync(
            new IssueEvidenceLinksCommand(PhoneHold(), "guard-1", "tok", 10, TimeSpan.FromHours(2)), default);

        var expected = new DateTimeOffset(2026, 11, 24, 14, 0, 0, TimeSpan.Zero);
        Assert.Equal(expected, Assert.Single(page.Items).UrlExpiresAt);
        await issuer.Received(1).IssueReadLinkAsync("calls", "pbx-1/20261120T100000Z_c1.wav", expected, Arg.Any<CancellationToken>());
        Assert.Equal("next", Assert.Single(audited).Details!["page"]);
    }

    [Theory]
    [InlineData(0, 0, 30)]
    [InlineData(7, 0, 1)]
    public async Task Lifetime_outside_one_minute_to_seven_days_is_refused_before_anything_is_issued(int days, int hours, int seconds)
    {
        var lifetime = new TimeSpan(days, hours, 0, seconds);

        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => LinksHandler().HandleAsync(
            new IssueEvidenceLinksCommand(PhoneHold(), "guard-1", null, 10, lifetime), default));

        await issuer.DidNotReceiveWithAnyArgs().IssueReadLinkAsync(default!, default!, default, default);
        Assert.Empty(audited);
    }

    [Fact]
    public async Task Issuing_links_is_one_audit_entry_with_actor_hold_count_and_expiry_and_no_phone_number()
    {
        index.QueryAsync(default!, default, default, default).ReturnsForAnyArgs(
            new MediaPage([Call("pbx-1/20261120T100000Z_c1.wav"), Call("pbx-1/20261120T100500Z_c2.wav")], null));

        await LinksHandler().HandleAsync(new IssueEvidenceLinksCommand(PhoneHold(), "liaison-oslo", null, 100, null), default);

        var entry = Assert.Single(audited);
        Assert.Equal(("liaison-oslo", AuditActions.EvidenceLinksIssued, "hold/hold-1"), (entry.Actor, entry.Action, entry.Target));
        Assert.Equal("2", entry.Details!["links"]);
        Assert.Equal("2026-11-24T13:00:00.000Z", entry.Details["expiresAt"]);
        Assert.Equal("OPD-2026-9", entry.Details["caseNumber"]);
        Assert.Equal("oslo-pd", entry.Details["agency"]);
        AssertNoPhoneNumber(string.Join("|", entry.Details.Select(d => d.Key + "=" + d.Value)));
        AssertNoPhoneNumber(entry.Target);
        Assert.DoesNotContain("sig=", string.Join("|", entry.Details.Values), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Manifest_lists_every_page_is_sealed_and_its_seal_is_audited()
    {
        index.QueryAsync(Arg.Any<MediaQuery>(), null, Arg.Any<int>(), Arg.Any<CancellationToken>())
            .Returns(new MediaPage([Call("pbx-1/20261120T100000Z_c1.wav"), Call("pbx-1/20261120T100500Z_c2.wav")], "page-2"));
        index.QueryAsync(Arg.Any<MediaQuery>(), "page-2", Arg.Any<int>(), Arg.Any<CancellationToken>())
            .Returns(new MediaPage([Call("pbx-1/20261120T101000Z_c3.wav")], null));

        var (manifest, document, _) = await WriteManifestAsync(ManifestHandler(), new BuildEvidenceManifestCommand(PhoneHold(), "liaison-oslo", null));

        Assert.True(CanonicalJson.IsIntact(document));
        Assert.Equal(3, manifest.ItemCount);
        Assert.Equal(2, manifest.Pages);
        var items = document["items"]!.AsArray();
        Assert.Equal(3, items.Count);
        Assert.All(items, item => Assert.Equal("2026-11-24T13:00:00.000Z", item!["urlExpiresAt"]!.GetValue<string>()));
        Assert.Equal(
            ["blobName", "callId", "camera", "container", "downloadUrl", "kind", "mediaId", "recordedAt", "sha256", "site", "size", "system", "urlExpiresAt"],
            items[0]!.AsObject().Select(p => p.Key).Order(StringComparer.Ordinal));
        Assert.Equal("liaison-oslo", document["generatedBy"]!.GetValue<string>());
        Assert.Equal("2026-11-24T12:00:00.750Z", document["generatedAt"]!.GetValue<string>());
        Assert.Equal(PhoneMasked, document["hold"]!["scope"]!["phoneNumber"]!.GetValue<string>());
        Assert.DoesNotContain(PhoneHash, document.ToJsonString(), StringComparison.Ordinal);

        // Each page's links are audited before they are written, the seal once at the end.
        Assert.Equal(
            [AuditActions.EvidenceLinksIssued, AuditActions.EvidenceLinksIssued, AuditActions.EvidenceManifestIssued],
            audited.Select(e => e.Action));
        Assert.Equal([("manifest", "1", "2"), ("manifest", "2", "1")],
            audited.Take(2).Select(e => (e.Details!["page"], e.Details["pageNumber"], e.Details["links"])));
        Assert.All(audited.Take(2), e => Assert.Equal("2026-11-24T13:00:00.000Z", e.Details!["expiresAt"]));
        var entry = audited[^1];
        Assert.Equal(("liaison-oslo", AuditActions.EvidenceManifestIssued, "hold/hold-1"), (entry.Actor, entry.Action, entry.Target));
        Assert.Equal(manifest.DocumentSha256, entry.Details!["documentSha256"]);
        Assert.Equal(document["documentSha256"]!.GetValue<string>(), manifest.DocumentSha256);
        Assert.Equal("3", entry.Details["items"]);
        Assert.Equal("2", entry.Details["pages"]);
        Assert.All(audited, e => AssertNoPhoneNumber(string.Join("|", e.Details!.Values)));
        Assert.All(audited, e => Assert.DoesNotContain("sig=", string.Join("|", e.Details!.Values), StringComparison.Ordinal));

        var key = (await signingKeys.GetKeysAsync(default)).Current.PublicKey;
        Assert.Equal(key.KeyId, manifest.SignatureKeyId);
        Assert.Equal(key.KeyId, entry.Details["signatureKeyId"]);
        var check = ManifestSignature.Verify(document, [key]);
        Assert.True(check.Valid, check.Problem);
    }

    [Fact]
    public async Task Links_of_a_page_are_issued_only_after_the_page_before_was_written()
    {
        var written = new List<long>();
        var output = new MemoryStream();
        index.QueryAsync(Arg.Any<MediaQuery>(), null, Arg.Any<int>(), Arg.Any<CancellationToken>())
            .Returns(new MediaPage([Call("pbx-1/20261120T100000Z_c1.wav")], "page-2"));
        index.QueryAsync(Arg.Any<MediaQuery>(), "page-2", Arg.Any<int>(), Arg.Any<CancellationToken>())
            .Returns(_ =>
            {
                written.Add(output.Length);
                return new MediaPage([Call("pbx-1/20261120T101000Z_c3.wav")], null);
            });
        var handler = ManifestHandler();

        var prepared = await handler.PrepareAsync(new BuildEvidenceManifestCommand(PhoneHold(), "liaison-oslo", null), default);
        await handler.WriteAsync(prepared, output, default);

        // When the second page is read, the first page's item is already out (and audited), not held back.
        var sentBefore = Encoding.UTF8.GetString(output.ToArray(), 0, (int)Assert.Single(written));
        Assert.Contains("20261120T100000Z_c1.wav", sentBefore, StringComparison.Ordinal);
        Assert.DoesNotContain("20261120T101000Z_c3.wav", sentBefore, StringComparison.Ordinal);
        await index.Received(1).QueryAsync(Arg.Any<MediaQuery>(), null, EvidenceOptions.MaxManifestPageSize, Arg.Any<CancellationToken>());
    }

    [Fact]
    public async Task A_stream_that_breaks_midway_leaves_what_it_sent_audited_and_no_manifest_entry()
    {
        index.QueryAsync(Arg.Any<MediaQuery>(), null, Arg.Any<int>(), Arg.Any<CancellationToken>())
            .Returns(new MediaPage([Call("pbx-1/20261120T100000Z_c1.wav")], "page-2"));
        index.QueryAsync(Arg.Any<MediaQuery>(), "page-2", Arg.Any<int>(), Arg.Any<CancellationToken>())
            .ThrowsAsync(new IOException("table unreachable"));
        var handler = ManifestHandler();
        var output = new MemoryStream();

        var prepared = await handler.PrepareAsync(new BuildEvidenceManifestCommand(PhoneHold(), "liaison-oslo", null), default);
        await Assert.ThrowsAsync<IOException>(() => handler.WriteAsync(prepared, output, default));

        var entry = Assert.Single(audited);
        Assert.Equal((AuditActions.EvidenceLinksIssued, "manifest", "1"), (entry.Action, entry.Details!["page"], entry.Details["links"]));
        var sent = Encoding.UTF8.GetString(output.ToArray());
        Assert.Contains("20261120T100000Z_c1.wav", sent, StringComparison.Ordinal);
        Assert.DoesNotContain("documentSha256", sent, StringComparison.Ordinal);
        Assert.ThrowsAny<System.Text.Json.JsonException>(() => JsonNode.Parse(sent));
    }

    [Fact]
    public async Task A_manifest_of_no_media_is_sealed_signed_and_audited_once()
    {
        index.QueryAsync(Arg.Any<MediaQuery>(), null, Arg.Any<int>(), Arg.Any<CancellationToken>()).Returns(new MediaPage([], "empty-but-more"));
        index.QueryAsync(Arg.Any<MediaQuery>(), "empty-but-more", Arg.Any<int>(), Arg.Any<CancellationToken>()).Returns(new MediaPage([], null));

        var (manifest, document, _) = await WriteManifestAsync(ManifestHandler(), new BuildEvidenceManifestCommand(PhoneHold(), "liaison-oslo", null));

        Assert.Equal((0, 0), (manifest.ItemCount, manifest.Pages));
        Assert.Empty(document["items"]!.AsArray());
        Assert.True(CanonicalJson.IsIntact(document));
        Assert.True(ManifestSignature.Verify(document, [(await signingKeys.GetKeysAsync(default)).Current.PublicKey]).Valid);
        Assert.Equal(AuditActions.EvidenceManifestIssued, Assert.Single(audited).Action);
    }

    [Fact]
    public async Task No_manifest_is_issued_or_audited_when_no_key_can_sign()
    {
        index.QueryAsync(default!, default, default, default).ReturnsForAnyArgs(new MediaPage([Call("pbx-1/20261120T100000Z_c1.wav")], null));
        var keys = Substitute.For<ISigningKeyStore>();
        keys.GetKeysAsync(default).ThrowsAsyncForAnyArgs(new SigningKeyUnavailableException("vault unreachable"));
        var handler = new BuildEvidenceManifestHandler(
            coverage, issuer, audit, Options.Create(new EvidenceOptions()), time, probe.Telemetry, new EcdsaManifestSigner(keys));

        await Assert.ThrowsAsync<SigningKeyUnavailableException>(() =>
            handler.PrepareAsync(new BuildEvidenceManifestCommand(PhoneHold(), "liaison-oslo", null), default));

        Assert.Empty(audited);
        await index.DidNotReceiveWithAnyArgs().QueryAsync(default!, default, default, default);
        await issuer.DidNotReceiveWithAnyArgs().IssueReadLinkAsync(default!, default!, default, default);
    }

    [Fact]
    public async Task Verify_classifies_each_medium_as_intact_altered_or_missing_and_audits_the_counts()
    {
        var ok = Call("pbx-1/20261120T100000Z_c1.wav");
        var altered = Call("pbx-1/20261120T100500Z_c2.wav");
        var missing = Call("pbx-1/20261120T101000Z_c3.wav");
        index.QueryAsync(default!, default, default, default).ReturnsForAnyArgs(new MediaPage([ok, altered, missing], null));
        GivenBlob(ok, Content(ok));
        GivenBlob(altered, "edited afterwards"u8.ToArray());
        blobs.GetPropertiesAsync("calls", missing.BlobName, Arg.Any<CancellationToken>()).Returns((BlobSnapshot?)null);

        var result = await VerifyHandler().HandleAsync(new VerifyEvidenceCommand(PhoneHold(), "guard-1"), default);

        Assert.Equal(3, result.Checked);
        Assert.False(result.Intact);
        var a = Assert.Single(result.Altered);
        Assert.Equal((altered.Id, altered.BlobName, altered.Sha256, Sha256("edited afterwards"u8.ToArray())),
            (a.MediaId, a.BlobName, a.ExpectedSha256, a.ActualSha256));
        Assert.Equal(new MissingMedium(missing.Id, missing.BlobName), Assert.Single(result.Missing));

        var entry = Assert.Single(audited);
        Assert.Equal(("guard-1", AuditActions.EvidenceVerified, "hold/hold-1"), (entry.Actor, entry.Action, entry.Target));
        Assert.Equal(("3", "1", "1", "false"), (entry.Details!["checked"], entry.Details["altered"], entry.Details["missing"], entry.Details["intact"]));
        AssertNoPhoneNumber(string.Join("|", entry.Details.Values));
    }

    [Fact]
    public async Task Verify_reads_a_blob_overwritten_mid_read_again_from_its_new_version()
    {
        var medium = Call("pbx-1/20261120T100000Z_c1.wav");
        index.QueryAsync(default!, default, default, default).ReturnsForAnyArgs(new MediaPage([medium], null));
        blobs.GetPropertiesAsync("calls", medium.BlobName, Arg.Any<CancellationToken>())
            .Returns(Snapshot(medium, "\"v1\"", 5), Snapshot(medium, "\"v2\"", Content(medium).Length));
        blobs.OpenReadAsync("calls", medium.BlobName, "\"v1\"", Arg.Any<CancellationToken>())
            .Returns<Stream>(_ => throw new BlobChangedException("calls", medium.BlobName));
        blobs.OpenReadAsync("calls", medium.BlobName, "\"v2\"", Arg.Any<CancellationToken>())
            .Returns(_ => new MemoryStream(Content(medium)));

        var result = await VerifyHandler().HandleAsync(new VerifyEvidenceCommand(PhoneHold(), "guard-1"), default);

        Assert.True(result.Intact);
        Assert.Equal(1, result.Checked);
    }

    private IssueEvidenceLinksHandler LinksHandler() =>
        new(coverage, issuer, audit, Options.Create(new EvidenceOptions { LinkLifetime = TimeSpan.FromHours(1) }), time, probe.Telemetry);

    private BuildEvidenceManifestHandler ManifestHandler() =>
        new(coverage, issuer, audit, Options.Create(new EvidenceOptions { LinkLifetime = TimeSpan.FromHours(1) }), time,
            probe.Telemetry, new EcdsaManifestSigner(signingKeys));

    private static async Task<(EvidenceManifest Manifest, JsonObject Document, byte[] Bytes)> WriteManifestAsync(
        BuildEvidenceManifestHandler handler, BuildEvidenceManifestCommand command)
    {
        var prepared = await handler.PrepareAsync(command, default);
        using var output = new MemoryStream();
        var manifest = await handler.WriteAsync(prepared, output, default);
        var bytes = output.ToArray();
        Assert.Equal(bytes.Length, manifest.Bytes);
        return (manifest, JsonNode.Parse(bytes)!.AsObject(), bytes);
    }

    private VerifyEvidenceHandler VerifyHandler() => new(coverage, blobs, audit, probe.Telemetry);

    private static Hold PhoneHold() => new()
    {
        Id = "hold-1",
        CaseNumber = "OPD-2026-9",
        Reason = "Threatening call",
        RequestedBy = new RequestedBy("oslo-pd", "Sgt. Berg"),
        Agency = "oslo-pd",
        PlacedBy = "liaison-oslo",
        PlacedAt = Now.AddDays(-1),
        Status = HoldStatus.Active,
        Scope = new HoldScope
        {
            Type = HoldScope.PhoneType,
            PhoneHash = PhoneHash,
            PhoneMasked = PhoneMasked,
            From = new DateTimeOffset(2026, 11, 20, 0, 0, 0, TimeSpan.Zero),
            To = new DateTimeOffset(2026, 11, 21, 0, 0, 0, TimeSpan.Zero),
        },
    };

    private static MediaRecord Call(string blobName) => new()
    {
        Id = MediaId.For("calls", blobName),
        Kind = MediaKind.Call,
        Container = "calls",
        BlobName = blobName,
        Status = MediaStatus.Indexed,
        System = "pbx-1",
        CallId = blobName[^6..^4],
        RecordedAt = new DateTimeOffset(2026, 11, 20, 10, 0, 0, TimeSpan.Zero),
        UploadedAt = Now.AddDays(-4),
        IndexedAt = Now.AddDays(-4),
        Size = Content(blobName).Length,
        Sha256 = Sha256(Content(blobName)),
        ETag = "\"e-" + blobName + "\"",
        CallerMasked = PhoneMasked,
        CallerHash = PhoneHash,
    };

    private static byte[] Content(MediaRecord medium) => Content(medium.BlobName);

    private static byte[] Content(string blobName) => Encoding.UTF8.GetBytes("recording of " + blobName);

    private static string Sha256(byte[] content) => Convert.ToHexStringLower(SHA256.HashData(content));

    private void GivenBlob(MediaRecord medium, byte[] content)
    {
        blobs.GetPropertiesAsync(medium.Container, medium.BlobName, Arg.Any<CancellationToken>())
            .Returns(Snapshot(medium, "\"now\"", content.Length));
        blobs.OpenReadAsync(medium.Container, medium.BlobName, "\"now\"", Arg.Any<CancellationToken>())
            .Returns(_ => new MemoryStream(content));
    }

    private static BlobSnapshot Snapshot(MediaRecord medium, string etag, long size) =>
        new(medium.Container, medium.BlobName, etag, size, Now, "audio/wav", new Dictionary<string, string>());

    private static void AssertNoPhoneNumber(string text)
    {
        Assert.DoesNotContain(PhoneHash, text, StringComparison.Ordinal);
        Assert.DoesNotContain(PhoneMasked, text, StringComparison.Ordinal);
    }

    private static AuditEntry Entry(AuditEvent e) =>
        new(1, Now, e.Actor, e.Action, e.Target, e.Details ?? new Dictionary<string, string?>(), AuditHash.Genesis, AuditHash.Genesis);

    public void Dispose() => probe.Dispose();
}
