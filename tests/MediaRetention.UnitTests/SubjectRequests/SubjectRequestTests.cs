using System.Text;
using Azure.Data.Tables;
using MediaRetention.Api.Auth;
using MediaRetention.Api.Http;
using MediaRetention.Api.SubjectRequests;
using MediaRetention.Core.Holds;
using MediaRetention.Core.Media;
using MediaRetention.Core.Retention;
using MediaRetention.Core.Storage;
using MediaRetention.Core.SubjectRequests;
using MediaRetention.UnitTests.Holds;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace MediaRetention.UnitTests.SubjectRequests;

/// <summary>The queue and its overdue flag by a fake clock, what the subject is told, validation, the table row, and the role.</summary>
public sealed class SubjectRequestTests
{
    private static readonly MediaRetention.Core.Phones.PhoneHasher Hasher = new(MediaRetention.Core.Phones.PhoneHashKeyRing.Development);

    private static readonly SubjectPhoneNumbers Phones = new(
        new MediaRetention.Core.Phones.PhoneNumberParser(Microsoft.Extensions.Options.Options.Create(new MediaRetention.Core.Phones.PhoneOptions())),
        new MediaRetention.Core.Phones.FixedPhoneHashing(Hasher));

    private static readonly DateTimeOffset Now = new(2026, 11, 24, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task An_open_request_is_overdue_once_the_clock_passes_received_plus_30_days_and_then_comes_first()
    {
        var clock = new FakeTimeProvider(Now);
        var store = Substitute.For<ISubjectRequestStore>();
        var early = Open("early", Now.AddDays(-20));
        var late = Open("late", Now.AddDays(-5));
        var answered = Open("done", Now.AddDays(-40)) with
        {
            Status = SubjectRequestStatus.Answered,
            Resolution = new SubjectRequestResolution("dpo", Now.AddDays(-1), "sent"),
        };
        store.ListAsync(null, Arg.Any<CancellationToken>()).Returns(new SubjectRequestList([late, answered, early], []));
        var handler = new ListSubjectRequestsHandler(store, clock);

        var queue = await handler.HandleAsync(null, default);
        Assert.Equal(["early", "late", "done"], queue.Items.Select(r => r.Reference));
        Assert.DoesNotContain(queue.Items, r => r.IsOverdue(queue.Now));
        Assert.Equal(Now.AddDays(10), early.DueAt);

        clock.Advance(TimeSpan.FromDays(10));
        Assert.False((await handler.HandleAsync(null, default)).Items.Any(r => r.IsOverdue(clock.GetUtcNow())), "due at exactly now is not overdue yet");

        clock.Advance(TimeSpan.FromSeconds(1));
        queue = await handler.HandleAsync(null, default);
        Assert.Equal([("early", true), ("late", false), ("done", false)], queue.Items.Select(r => (r.Reference, r.IsOverdue(queue.Now))));
    }

    [Fact]
    public void The_subject_is_told_kinds_times_masked_numbers_retention_dates_and_that_holds_keep_something_but_never_which()
    {
        var policy = new RetentionPolicy(Options.Create(new RetentionOptions { CallDays = 30, CctvDays = 30 }));
        var call = ActiveHoldsTests.Call("pbx-1", "c-1", Now.AddDays(-2)) with { CallerMasked = "+********67", Direction = "inbound" };
        var clip = ActiveHoldsTests.Clip("oslo-1", "cam-2", Now.AddDays(-1));
        var hold = new Hold
        {
            Id = "0123456789abcdef0123456789abcdef",
            CaseNumber = "OPD-2026-4711",
            Reason = "Robbery",
            RequestedBy = new RequestedBy("oslo-pd", "Insp. Hansen"),
            Agency = "oslo-pd",
            PlacedBy = "guard",
            PlacedAt = Now,
            Status = HoldStatus.Active,
            Scope = new HoldScope { Type = HoldScope.MediaType, MediaIds = [clip.Id] },
        };

        var summary = new SubjectSummaryWriter(policy).DescribeKept([call, clip], new ActiveHolds([hold]));

        var text = string.Join('\n', summary.Lines);
        Assert.Contains("2 recordings", text, StringComparison.Ordinal);
        Assert.Contains("1 phone call and 1 CCTV clip", text, StringComparison.Ordinal);
        Assert.Contains("1 recording must be kept beyond that date because we are legally obliged", text, StringComparison.Ordinal);
        var everything = text + string.Join('\n', summary.Records.Select(r => r.ToString()));
        foreach (var withheld in new[] { hold.CaseNumber, hold.Id, hold.Agency, hold.RequestedBy.Officer, hold.Reason })
        {
            Assert.DoesNotContain(withheld, everything, StringComparison.Ordinal);
        }

        var callLine = summary.Records.Single(r => r.Kind == MediaKind.Call);
        Assert.Equal(("+********67", Now.AddDays(28), false), (callLine.Caller, callLine.ScheduledDeletion, callLine.KeptForLegalObligation));
        Assert.True(summary.Records.Single(r => r.Kind == MediaKind.Cctv).KeptForLegalObligation);
    }

    [Fact]
    public void Nothing_kept_is_said_plainly()
    {
        var summary = new SubjectSummaryWriter(new RetentionPolicy(Options.Create(new RetentionOptions()))).DescribeKept([], ActiveHolds.None);

        Assert.Equal(["We hold no recordings that match the details you gave us."], summary.Lines);
    }

    [Theory]
    [InlineData("""{"type":"copy","receivedAt":"2026-11-20T09:00:00Z","reference":"R-1","phone":{"number":"+4791234567"}}""", "'type'")]
    [InlineData("""{"type":"access","receivedAt":"2026-11-20T09:00:00","reference":"R-1","phone":{"number":"+4791234567"}}""", "'receivedAt'")]
    [InlineData("""{"type":"access","receivedAt":"2026-12-20T09:00:00Z","reference":"R-1","phone":{"number":"+4791234567"}}""", "'receivedAt' is in the future")]
    [InlineData("""{"type":"access","receivedAt":"2026-11-20T09:00:00Z","reference":" bad","phone":{"number":"+4791234567"}}""", "'reference'")]
    [InlineData("""{"type":"access","receivedAt":"2026-11-20T09:00:00Z","reference":"R-1"}""", "'phone' or 'cctv' is required")]
    [InlineData("""{"type":"access","receivedAt":"2026-11-20T09:00:00Z","reference":"R-1","phone":{"number":"12"}}""", "'phone.number'")]
    [InlineData("""{"type":"access","receivedAt":"2026-11-20T09:00:00Z","reference":"R-1","phone":{"number":"+4791234567","from":"2026-11-01T00:00:00Z"}}""", "'phone.from' and 'phone.to' go together")]
    [InlineData("""{"type":"access","receivedAt":"2026-11-20T09:00:00Z","reference":"R-1","cctv":[{"site":"s","from":"2026-11-01T00:00:00Z","to":"2026-12-15T00:00:00Z"}]}""", "'cctv[0].to' - 'cctv[0].from'")]
    [InlineData("""{"type":"access","receivedAt":"2026-11-20T09:00:00Z","reference":"R-1","cctv":[{"site":"s","cameras":["ok","b a d"],"from":"2026-11-01T00:00:00Z","to":"2026-11-02T00:00:00Z"}]}""", "'cctv[0].cameras[1]'")]
    [InlineData("""{"type":"access","receivedAt":"2026-11-20T09:00:00Z","reference":"R-1","cctv":[{"site":"s","to":"2026-11-02T00:00:00Z"}]}""", "'cctv[0].from' is required")]
    [InlineData("""{"type":"access","receivedAt":"2026-11-20T09:00:00Z","reference":"R-1","cctv":[null]}""", "'cctv[0]'")]
    public void Every_bad_field_of_a_new_request_is_named(string json, string expected)
    {
        var body = System.Text.Json.JsonSerializer.Deserialize<OpenSubjectRequestRequest>(json, System.Text.Json.JsonSerializerOptions.Web)!;

        var e = Assert.Throws<RequestValidationException>(() => Validator(body).ToCommand(body, "dpo"));

        Assert.Contains(expected, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_valid_request_keeps_the_number_only_hashed_and_masked()
    {
        var body = new OpenSubjectRequestRequest("erasure", "2026-11-20T09:00:00+01:00", "DSR/2026/1", new SubjectPhoneRequest("+47 912 34 567", null, null), null, "line one\nline two");

        var command = Validator(body).ToCommand(body, "dpo");

        var phone = command.Identifiers.Phone!.Number;
        Assert.Equal((Hasher.Hash("+4791234567"), "+********67"), (phone.Hash, phone.Masked));
        Assert.Contains(PhoneNumber.Hash("+4791234567"), phone.LookupHashes!); // legacy rows still match
        Assert.Equal(new DateTimeOffset(2026, 11, 20, 8, 0, 0, TimeSpan.Zero), command.ReceivedAt);
        Assert.Equal("line one\nline two", command.Note);
        Assert.DoesNotContain("91234567", System.Text.Json.JsonSerializer.Serialize(command), StringComparison.Ordinal);
    }

    [Fact]
    public void The_largest_request_the_api_accepts_fits_in_one_azure_table_row_and_reads_back()
    {
        var places = Enumerable.Range(0, SubjectRequestValidator.MaxPlaces).Select(i => new CctvPlace(
            new string('s', 64), Enumerable.Range(0, SubjectRequestValidator.MaxCameras).Select(c => new string('c', 62) + c.ToString("00")).ToList(),
            Now.AddDays(-2), Now.AddDays(-1), new string('d', SubjectRequestValidator.MaxDescriptionLength))).ToList();
        var request = Open("R", Now) with
        {
            Identifiers = new SubjectIdentifiers(new PhoneIdentifier(new SubjectPhone(new string('a', 64), "+********67") { KeyId = "k1" }, Now.AddDays(-9), Now), places),
            Note = new string('n', SubjectRequestValidator.MaxTextLength),
            Resolution = new SubjectRequestResolution("dpo", Now, new string('t', SubjectRequestValidator.MaxTextLength)),
            Status = SubjectRequestStatus.Answered,
            LastErasure = new SubjectErasureTotals(new string('e', 32), "dpo", Now, 1, 1, 0, 0, 0, false),
        };

        var entity = SubjectRequestEntityMapper.ToEntity(request);
        var (read, problem) = SubjectRequestEntityMapper.Read(entity);

        Assert.Null(problem);
        Assert.Equal(request.Identifiers.Cctv.Count, read!.Identifiers.Cctv.Count);
        Assert.Equal(request.Identifiers.Cctv[9].Cameras, read.Identifiers.Cctv[9].Cameras);
        Assert.Equal((request.DueAt, "k1", request.LastErasure), (read.DueAt, read.Identifiers.Phone!.Number.KeyId, read.LastErasure));
        // A kept medium may be kept by any number of holds: the list is cut to fit, never the write refused.
        var kept = Enumerable.Range(0, SubjectErasure.MaxKeptListed)
            .Select(i => new KeptMedium(MediaId.For("calls", "x" + i), MediaKind.Call, Now, [.. Enumerable.Range(0, i % 7).Select(h => new string('h', 31) + h)])).ToList();
        var erasure = SubjectRequestEntityMapper.ToEntity(request.Id, new SubjectErasure(request.LastErasure!, kept));
        Assert.Empty(AzureTableLimits.Violations(erasure));
        var listed = SubjectRequestEntityMapper.ReadErasure(erasure)!.Kept;
        Assert.InRange(listed.Count, 50, kept.Count - 1);
        Assert.Equal(kept.Take(listed.Count).Select(k => k.MediaId), listed.Select(k => k.MediaId));
        var ids = Enumerable.Range(0, ExportSubjectAccessHandler.MaxMedia).Select(i => MediaId.For("cctv", "x" + i)).ToList();
        Assert.Empty(AzureTableLimits.Violations(SubjectRequestEntityMapper.ToEntity(request.Id,
            new SubjectDisclosure(new string('x', 32), "dpo", Now, new string('r', SubjectRequestValidator.MaxTextLength), ids, new string('0', 64), "kid", Now))));
    }

    [Fact]
    public void A_row_edited_by_hand_reads_as_unreadable_with_the_reason()
    {
        var entity = SubjectRequestEntityMapper.ToEntity(Open("R", Now));
        entity["Status"] = "closed";
        entity["Cctv"] = "{not json";

        var (read, problem) = SubjectRequestEntityMapper.Read(entity);

        Assert.Null(read);
        Assert.Contains("status", problem!.Reason, StringComparison.Ordinal);
        Assert.Contains("'Cctv' is not valid JSON", problem.Reason, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(new[] { "privacy" }, "privacy")]
    [InlineData(new[] { "security", "privacy" }, "privacy")]
    [InlineData(new[] { "privacy", "admin" }, "admin")]
    [InlineData(new[] { "police.oslo-pd", "privacy" }, "privacy")]
    public void The_privacy_app_role_is_accepted_and_admin_still_wins(string[] roles, string expected)
    {
        var claims = string.Join(",", roles.Select(r => $$"""{"typ":"roles","val":"{{r}}"}"""));
        var context = new DefaultHttpContext();
        context.Request.Headers[AppServicePrincipalAuthenticator.PrincipalHeader] = Convert.ToBase64String(Encoding.UTF8.GetBytes(
            $$"""{"auth_typ":"aad","claims":[{"typ":"name","val":"Dora"},{{claims}}]}"""));

        var result = new AppServicePrincipalAuthenticator(platformAuthenticationEnabled: true).Authenticate(context.Request);

        Assert.Equal(expected, result.Caller?.Role);
    }

    [Fact]
    public void A_runner_key_may_have_the_privacy_role()
    {
        var options = new AuthOptions { ApiKeys = [new ApiKeyEntry { Name = "dpo", Role = Roles.Privacy, KeyHash = new string('a', 64) }] };

        Assert.True(new AuthOptionsValidator().Validate(null, options).Succeeded);
    }

    private static SubjectRequestValidator Validator(OpenSubjectRequestRequest body) =>
        new(body.Phone is null ? null : Phones.ReadAsync(body.Phone.Number, default).Result, new SubjectRequestOptions(), new FakeTimeProvider(Now));

    private static SubjectRequest Open(string reference, DateTimeOffset receivedAt) => new()
    {
        Id = Guid.CreateVersion7(receivedAt).ToString("N"),
        Type = SubjectRequestTypes.Access,
        Status = SubjectRequestStatus.Open,
        Reference = reference,
        ReceivedAt = receivedAt,
        OpenedBy = "dpo",
        OpenedAt = receivedAt,
        Identifiers = new SubjectIdentifiers(new PhoneIdentifier(new SubjectPhone(new string('a', 64), "+********67"), null, null), []),
    };
}
