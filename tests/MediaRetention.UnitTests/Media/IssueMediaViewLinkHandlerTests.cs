using MediaRetention.Core.Audit;
using MediaRetention.Core.Evidence;
using MediaRetention.Core.Media;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace MediaRetention.UnitTests.Media;

public sealed class IssueMediaViewLinkHandlerTests
{
    private static readonly DateTimeOffset Now = new DateTimeOffset(2026, 11, 24, 12, 0, 0, TimeSpan.Zero).AddMilliseconds(400);
    private readonly IMediaIndex index = Substitute.For<IMediaIndex>();
    private readonly IEvidenceLinkIssuer issuer = Substitute.For<IEvidenceLinkIssuer>();
    private readonly IAuditLog audit = Substitute.For<IAuditLog>();
    private readonly List<string> calls = [];
    private readonly IssueMediaViewLinkHandler handler;

    public IssueMediaViewLinkHandlerTests()
    {
        issuer.IssueReadLinkAsync(default!, default!, default, default).ReturnsForAnyArgs(call =>
        {
            calls.Add("link");
            return new EvidenceLink(new Uri($"https://acct.blob.core.windows.net/{call.ArgAt<string>(0)}/{call.ArgAt<string>(1)}?sig=s"), call.ArgAt<DateTimeOffset>(2));
        });
        audit.AppendAsync(default!, default).ReturnsForAnyArgs(call =>
        {
            calls.Add("audit");
            var e = call.Arg<AuditEvent>();
            return new AuditEntry(1, Now, e.Actor, e.Action, e.Target, e.Details!, AuditHash.Genesis, AuditHash.Genesis);
        });
        handler = new IssueMediaViewLinkHandler(index, issuer, audit,
            Options.Create(new MediaViewOptions { ViewLinkLifetime = TimeSpan.FromMinutes(10) }), new FakeTimeProvider(Now));
    }

    [Fact]
    public async Task A_link_to_the_one_blob_expires_after_the_view_lifetime_and_is_audited_before_it_is_returned()
    {
        var call = Call();
        index.GetAsync(call.Id, default).ReturnsForAnyArgs(new StoredMedia(call, "etag"));

        var link = await handler.HandleAsync(new IssueMediaViewLinkCommand(call.Id, "guard-1"), CancellationToken.None);

        var expected = new DateTimeOffset(2026, 11, 24, 12, 10, 0, TimeSpan.Zero); // whole seconds, as a SAS carries
        Assert.Equal(expected, link!.ExpiresAt);
        await issuer.Received(1).IssueReadLinkAsync("calls", call.BlobName, expected, Arg.Any<CancellationToken>());
        Assert.Equal(["link", "audit"], calls);
        await audit.Received(1).AppendAsync(Arg.Is<AuditEvent>(e =>
            e.Actor == "guard-1" && e.Action == AuditActions.MediaViewed && e.Target == "media/" + call.Id
            && e.Details!["blobName"] == call.BlobName
            && !e.Details.Values.Any(v => v != null && (v.Contains("67", StringComparison.Ordinal) && v.Contains('*', StringComparison.Ordinal)))),
            Arg.Any<CancellationToken>());
    }

    [Fact]
    public async Task The_audited_name_has_its_long_digit_runs_masked_while_the_link_names_the_exact_blob()
    {
        var call = Call() with { BlobName = "pbx-1/20261120T100000Z_4791234567.wav", CallId = "4791234567" };
        index.GetAsync(call.Id, default).ReturnsForAnyArgs(new StoredMedia(call, "etag"));

        await handler.HandleAsync(new IssueMediaViewLinkCommand(call.Id, "guard-1"), CancellationToken.None);

        await issuer.Received(1).IssueReadLinkAsync("calls", "pbx-1/20261120T100000Z_4791234567.wav", Arg.Any<DateTimeOffset>(), Arg.Any<CancellationToken>());
        await audit.Received(1).AppendAsync(Arg.Is<AuditEvent>(e => e.Details!["blobName"] == "pbx-1/20261120T100000Z_********67.wav"),
            Arg.Any<CancellationToken>());
    }

    [Fact]
    public async Task An_unknown_medium_gets_no_link_and_no_audit_entry()
    {
        var link = await handler.HandleAsync(new IssueMediaViewLinkCommand(new string('a', 32), "guard-1"), CancellationToken.None);

        Assert.Null(link);
        Assert.Empty(calls);
    }

    private static MediaRecord Call() => new()
    {
        Id = MediaId.For("calls", "pbx-1/20261120T100000Z_c1.wav"),
        Kind = MediaKind.Call,
        Container = "calls",
        BlobName = "pbx-1/20261120T100000Z_c1.wav",
        Status = MediaStatus.Indexed,
        System = "pbx-1",
        CallId = "c1",
        RecordedAt = Now.AddDays(-4),
        UploadedAt = Now.AddDays(-4),
        IndexedAt = Now.AddDays(-4),
        Size = 10,
        Sha256 = new string('0', 64),
        ETag = "\"e\"",
        CallerMasked = "+********67",
        CallerHash = new string('c', 64),
    };
}
