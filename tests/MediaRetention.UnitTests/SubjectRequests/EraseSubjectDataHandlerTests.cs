using MediaRetention.Core.Audit;
using MediaRetention.Core.Holds;
using MediaRetention.Core.Ingest;
using MediaRetention.Core.Media;
using MediaRetention.Core.Retention;
using MediaRetention.Core.Storage;
using MediaRetention.Core.SubjectRequests;
using MediaRetention.UnitTests.Holds;
using MediaRetention.UnitTests.Telemetry;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace MediaRetention.UnitTests.SubjectRequests;

/// <summary>Erasure over NSubstitute storage: the sweep's conditional delete, holds that win, the guard, the audit.</summary>
public sealed class EraseSubjectDataHandlerTests : IDisposable
{
    private static readonly DateTimeOffset Now = new(2026, 11, 24, 12, 0, 0, TimeSpan.Zero);
    private const string PhoneHash = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
    private readonly IMediaBlobStore blobs = Substitute.For<IMediaBlobStore>();
    private readonly IMediaIndex index = Substitute.For<IMediaIndex>();
    private readonly IHoldStore holds = Substitute.For<IHoldStore>();
    private readonly IBlobHoldMarks marks = Substitute.For<IBlobHoldMarks>();
    private readonly IAuditLog audit = Substitute.For<IAuditLog>();
    private readonly ISubjectRequestStore store = Substitute.For<ISubjectRequestStore>();
    private readonly SubjectRequestOptions options = new() { ErasureConfirmationThreshold = 2 };
    private readonly TelemetryProbe probe = new();
    private readonly SubjectRequest request = Request(SubjectRequestTypes.Erasure);

    public EraseSubjectDataHandlerTests()
    {
        holds.LoadActiveAsync(default).ReturnsForAnyArgs(ActiveHolds.None);
        holds.LoadActiveThoroughAsync(default).ReturnsForAnyArgs(ActiveHolds.None);
        blobs.DeleteIfUnchangedAndNotHeldAsync(default!, default!, default!, default).ReturnsForAnyArgs(BlobDeleteOutcome.Deleted);
        store.GetAsync(request.Id, Arg.Any<CancellationToken>()).Returns(new StoredSubjectRequest(request, "etag"));
        store.TryUpdateAsync(default!, default!, default).ReturnsForAnyArgs(true);
    }

    [Fact]
    public async Task Deletes_the_unheld_matches_on_the_hold_mark_condition_audits_each_with_the_request_id_then_unindexes()
    {
        var (free, held) = (Call("c-1"), Call("c-2"));
        GivenMatches(free, held);
        var hold = HoldOn(held);
        holds.LoadActiveThoroughAsync(default).ReturnsForAnyArgs(new ActiveHolds([hold]));

        var result = await Handler().ExecuteAsync(new EraseSubjectDataCommand(request, "dpo", null), default);

        Assert.Equal(ErasureOutcome.Done, result.Outcome);
        await blobs.Received(1).DeleteIfUnchangedAndNotHeldAsync(free.Container, free.BlobName, free.ETag, Arg.Any<CancellationToken>());
        await blobs.ReceivedWithAnyArgs(1).DeleteIfUnchangedAndNotHeldAsync(default!, default!, default!, default);
        Assert.Equal((1, 1, 0), (result.Erasure!.Totals.Deleted, result.Erasure.Totals.KeptByHolds, result.Erasure.Totals.NotDeleted));
        Assert.Equal([hold.Id], Assert.Single(result.Kept).HoldIds);
        Received.InOrder(() =>
        {
            audit.AppendManyAsync(Arg.Is<IReadOnlyList<AuditEvent>>(e => e.Single().Action == AuditActions.MediaDeleted
                && e.Single().Target == "media/" + free.Id && e.Single().Actor == "dpo"
                && e.Single().Details!["subjectRequestId"] == request.Id
                && !e.Single().Details!.Keys.Any(k => k.Contains("caller") || k.Contains("callee"))), Arg.Any<CancellationToken>());
            index.RemoveAsync(Arg.Is<IReadOnlyList<MediaRecord>>(r => r.Single().Id == free.Id), Arg.Any<CancellationToken>());
            store.AddErasureAsync(request.Id, Arg.Any<SubjectErasure>(), Arg.Any<CancellationToken>());
            audit.AppendAsync(Arg.Is<AuditEvent>(e => e.Action == AuditActions.SubjectRequestErased && e.Details!["keptHoldIds"] == hold.Id), Arg.Any<CancellationToken>());
        });
        Assert.DoesNotContain(result.SubjectSummary!.Lines, l => l.Contains(hold.CaseNumber, StringComparison.Ordinal) || l.Contains(hold.Id, StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_hold_placed_after_the_plan_wins_through_the_sweeps_re_check()
    {
        var call = Call("c-1");
        GivenMatches(call);
        blobs.DeleteIfUnchangedAndNotHeldAsync(default!, default!, default!, default).ReturnsForAnyArgs(BlobDeleteOutcome.ConditionFailed);
        blobs.GetPropertiesAsync(call.Container, call.BlobName, Arg.Any<CancellationToken>())
            .Returns(new BlobSnapshot(call.Container, call.BlobName, call.ETag, 1, Now, null, new Dictionary<string, string>()));
        var late = HoldOn(call);
        holds.LoadActiveAsync(default).ReturnsForAnyArgs(new ActiveHolds([late]));

        var result = await Handler().ExecuteAsync(new EraseSubjectDataCommand(request, "dpo", null), default);

        Assert.Equal((0, 1), (result.Erasure!.Totals.Deleted, result.Erasure.Totals.KeptByHolds));
        Assert.Equal([late.Id], Assert.Single(result.Kept).HoldIds);
        await marks.Received(1).MarkHeldAsync(call.Container, call.BlobName, Arg.Any<CancellationToken>());
        await index.DidNotReceiveWithAnyArgs().RemoveAsync(default!, default);
        await audit.DidNotReceiveWithAnyArgs().AppendManyAsync(default!, default);
    }

    [Fact]
    public async Task An_unreadable_hold_row_blocks_every_deletion()
    {
        GivenMatches(Call("c-1"));
        holds.LoadActiveThoroughAsync(default).ReturnsForAnyArgs(new ActiveHolds([], [new UnreadableHold("bad", "its scope is not JSON", "e")]));

        var result = await Handler().ExecuteAsync(new EraseSubjectDataCommand(request, "dpo", null), default);

        Assert.Equal(ErasureOutcome.DeletionBlocked, result.Outcome);
        await blobs.DidNotReceiveWithAnyArgs().DeleteIfUnchangedAndNotHeldAsync(default!, default!, default!, default);
        await audit.DidNotReceiveWithAnyArgs().AppendAsync(default!, default);
    }

    [Fact]
    public async Task Unverified_delete_conditions_keep_every_match()
    {
        GivenMatches(Call("c-1"));
        deleteConditions.EnsureProbedAsync(default).ReturnsForAnyArgs(DeleteConditionMode.Unverified);

        var result = await Handler().ExecuteAsync(new EraseSubjectDataCommand(request, "dpo", null), default);

        Assert.Equal((0, 1), (result.Erasure!.Totals.Deleted, result.Erasure.Totals.NotDeleted));
        await blobs.DidNotReceiveWithAnyArgs().DeleteIfUnchangedAndNotHeldAsync(default!, default!, default!, default);
        await index.DidNotReceiveWithAnyArgs().RemoveAsync(default!, default);
    }

    [Theory]
    [InlineData(null, ErasureOutcome.ConfirmationRequired)]
    [InlineData(2, ErasureOutcome.ConfirmationRequired)]
    [InlineData(3, ErasureOutcome.Done)]
    public async Task More_than_the_threshold_is_erased_only_with_the_exact_count_confirmed(int? confirm, ErasureOutcome expected)
    {
        GivenMatches(Call("c-1"), Call("c-2"), Call("c-3"));

        var result = await Handler().ExecuteAsync(new EraseSubjectDataCommand(request, "dpo", confirm), default);

        Assert.Equal(expected, result.Outcome);
        await blobs.ReceivedWithAnyArgs(expected == ErasureOutcome.Done ? 3 : 0).DeleteIfUnchangedAndNotHeldAsync(default!, default!, default!, default);
    }

    [Fact]
    public async Task The_dry_run_deletes_marks_and_audits_nothing()
    {
        var (free, held) = (Call("c-1"), Call("c-2"));
        GivenMatches(free, held);
        holds.LoadActiveThoroughAsync(default).ReturnsForAnyArgs(new ActiveHolds([HoldOn(held)]));

        var result = await Handler().PreviewAsync(request, default);

        Assert.Equal([free.Id], result.Plan!.ToDelete.Select(m => m.Id));
        Assert.Equal([held.Id], result.Plan.Kept.Select(k => k.MediaId));
        await blobs.DidNotReceiveWithAnyArgs().DeleteIfUnchangedAndNotHeldAsync(default!, default!, default!, default);
        await marks.DidNotReceiveWithAnyArgs().MarkNotHeldAsync(default!, default!, default!, default);
        await audit.DidNotReceiveWithAnyArgs().AppendAsync(default!, default);
        await index.DidNotReceiveWithAnyArgs().RemoveAsync(default!, default);
    }

    [Theory]
    [InlineData(SubjectRequestTypes.Access, SubjectRequestStatus.Open)]
    [InlineData(SubjectRequestTypes.Erasure, SubjectRequestStatus.Answered)]
    public async Task Only_open_erasure_requests_erase(string type, string status)
    {
        GivenMatches(Call("c-1"));

        var result = await Handler().ExecuteAsync(new EraseSubjectDataCommand(Request(type) with { Status = status }, "dpo", null), default);

        Assert.Equal(ErasureOutcome.NotAnOpenErasureRequest, result.Outcome);
        await blobs.DidNotReceiveWithAnyArgs().DeleteIfUnchangedAndNotHeldAsync(default!, default!, default!, default);
    }

    public void Dispose() => probe.Dispose();

    internal static SubjectRequest Request(string type) => new()
    {
        Id = new string('5', 32),
        Type = type,
        Status = SubjectRequestStatus.Open,
        Reference = "DSR-1",
        ReceivedAt = Now.AddDays(-3),
        OpenedBy = "dpo",
        OpenedAt = Now.AddDays(-3),
        Identifiers = new SubjectIdentifiers(new PhoneIdentifier(new SubjectPhone(PhoneHash, "+********67"), null, null), []),
    };

    private static MediaRecord Call(string callId) =>
        ActiveHoldsTests.Call("pbx", callId, Now.AddDays(-1)) with { CallerHash = PhoneHash, CallerMasked = "+********67", ETag = "\"0x8D" + callId + "\"" };

    private static Hold HoldOn(MediaRecord media) => new()
    {
        Id = "hold-" + media.CallId,
        CaseNumber = "OPD-SECRET-1",
        Reason = "r",
        RequestedBy = new RequestedBy("pd", "o"),
        Agency = "pd",
        PlacedBy = "t",
        PlacedAt = Now,
        Status = HoldStatus.Active,
        Scope = new HoldScope { Type = HoldScope.MediaType, MediaIds = [media.Id] },
    };

    private readonly IDeleteConditionSupport deleteConditions = DeleteConditionsVerified();

    private static IDeleteConditionSupport DeleteConditionsVerified()
    {
        var support = Substitute.For<IDeleteConditionSupport>();
        support.EnsureProbedAsync(default).ReturnsForAnyArgs(DeleteConditionMode.TagsAndETag);
        support.Mode.Returns(DeleteConditionMode.TagsAndETag);
        return support;
    }

    private void GivenMatches(params MediaRecord[] media) =>
        index.QueryAsync(default!, default, default, default).ReturnsForAnyArgs(new MediaPage(media, null));

    private EraseSubjectDataHandler Handler()
    {
        var time = new FakeTimeProvider(Now);
        var retention = Options.Create(new RetentionOptions());
        var storage = Options.Create(new MediaStorageOptions());
        var ingest = new IngestBlobHandler(blobs, index, Substitute.For<IIngestHoldMarker>(), audit, storage,
            Options.Create(new IngestOptions()), time, NullLogger<IngestBlobHandler>.Instance, probe.Telemetry);
        var deleter = new HoldSafeDeleter(blobs, holds, marks, ingest, retention, deleteConditions, NullLogger<HoldSafeDeleter>.Instance);
        var policy = new RetentionPolicy(retention);
        return new EraseSubjectDataHandler(store, new SubjectMediaMatcher(index, new SubjectPhoneNumbers(new MediaRetention.Core.Phones.PhoneNumberParser(Options.Create(new MediaRetention.Core.Phones.PhoneOptions())), new MediaRetention.Core.Phones.FixedPhoneHashing(new MediaRetention.Core.Phones.PhoneHasher(MediaRetention.Core.Phones.PhoneHashKeyRing.Development))), Options.Create(options)), holds, deleter, index, audit,
            new SubjectSummaryWriter(policy), Options.Create(options), retention, time, NullLogger<EraseSubjectDataHandler>.Instance, probe.Telemetry);
    }
}
