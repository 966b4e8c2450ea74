using System.Security.Cryptography;
using MediaRetention.Core.Ingest;
using MediaRetention.Core.Media;
using MediaRetention.Core.Storage;
using MediaRetention.Core.Telemetry;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using MediaRetention.UnitTests.Telemetry;
using Microsoft.Extensions.Time.Testing;

namespace MediaRetention.UnitTests.Ingest;

public sealed class IngestBlobHandlerTests : IDisposable
{
    private const string CctvName = "oslo-1/cam-2/20261120T081500Z.mp4";
    private static readonly DateTimeOffset Now = new(2026, 11, 24, 12, 0, 0, TimeSpan.Zero);
    private static readonly MediaStorageOptions Storage = new();

    private readonly IMediaBlobStore blobs = Substitute.For<IMediaBlobStore>();
    private readonly IMediaIndex index = Substitute.For<IMediaIndex>();
    private readonly IIngestHoldMarker holdMarker = Substitute.For<IIngestHoldMarker>();
    private readonly MediaRetention.Core.Audit.IAuditLog audit = Substitute.For<MediaRetention.Core.Audit.IAuditLog>();
    private readonly CapturingLogger<IngestBlobHandler> logger = new();
    private readonly TelemetryProbe probe = new();
    private readonly IngestBlobHandler handler;

    public IngestBlobHandlerTests()
    {
        index.TrySaveAsync(default!, default, default).ReturnsForAnyArgs(true);
        handler = new IngestBlobHandler(blobs, index, holdMarker, audit, Options.Create(Storage),
            Options.Create(new IngestOptions()), new FakeTimeProvider(Now), logger, probe.Telemetry, Retention());
    }

    private static MediaRetention.Core.Retention.RetentionPolicy Retention(Action<MediaRetention.Core.Retention.RetentionOptions>? configure = null)
    {
        var options = new MediaRetention.Core.Retention.RetentionOptions();
        configure?.Invoke(options);
        return new MediaRetention.Core.Retention.RetentionPolicy(Options.Create(options));
    }

    [Fact]
    public async Task A_clock_reset_to_2000_is_rejected_and_kept_from_its_upload_time()
    {
        const string name = "oslo-1/cam-2/20000101T000000Z.mp4";
        GivenBlob("cctv", name, "clip"u8.ToArray(), "\"e1\"");

        var result = await handler.HandleAsync(new IngestBlobCommand("cctv", name), default);

        Assert.Equal(IngestOutcome.Rejected, result.Outcome);
        var saved = SavedRecord();
        Assert.Contains("more than 30 days before its upload", saved.RejectionReason);
        Assert.Contains("Ingest:PastTolerance", saved.RejectionReason);
        Assert.Equal(new DateTimeOffset(2000, 1, 1, 0, 0, 0, TimeSpan.Zero), saved.RecordedAt);
        Assert.Equal(saved.UploadedAt, saved.RetentionFrom);
        Assert.Equal(Now.AddMinutes(-1), saved.RetentionFrom);
    }

    [Theory]
    [InlineData("oslo-1/cam-2/20261025T120000Z.mp4", IngestOutcome.Indexed)]  // 30 days less a few minutes before upload
    [InlineData("oslo-1/cam-2/20261025T115000Z.mp4", IngestOutcome.Rejected)] // just over 30 days
    [InlineData("long/cam-2/20260901T000000Z.mp4", IngestOutcome.Indexed)]    // a site kept 90 days
    public async Task The_default_past_tolerance_is_the_retention_of_that_kind_or_site(string name, IngestOutcome expected)
    {
        GivenBlob("cctv", name, "clip"u8.ToArray(), "\"e1\"");
        var withSite = new IngestBlobHandler(blobs, index, holdMarker, audit, Options.Create(Storage), Options.Create(new IngestOptions()),
            new FakeTimeProvider(Now), logger, probe.Telemetry, Retention(o => o.SiteDays["long"] = 90));

        Assert.Equal(expected, (await withSite.HandleAsync(new IngestBlobCommand("cctv", name), default)).Outcome);
    }

    [Fact]
    public async Task The_past_tolerance_is_a_setting()
    {
        const string name = "oslo-1/cam-2/20261121T120000Z.mp4"; // three days before upload
        GivenBlob("cctv", name, "clip"u8.ToArray(), "\"e1\"");
        var strict = new IngestBlobHandler(blobs, index, holdMarker, audit, Options.Create(Storage),
            Options.Create(new IngestOptions { PastTolerance = TimeSpan.FromDays(2) }), new FakeTimeProvider(Now), logger, probe.Telemetry, Retention());

        Assert.Equal(IngestOutcome.Rejected, (await strict.HandleAsync(new IngestBlobCommand("cctv", name), default)).Outcome);
        Assert.Contains("more than 2 days before its upload", SavedRecord().RejectionReason);
    }

    [Fact]
    public async Task New_clip_is_indexed_with_hash_recording_time_and_etag()
    {
        var content = "clip bytes"u8.ToArray();
        GivenBlob("cctv", CctvName, content, "\"e1\"");

        var result = await handler.HandleAsync(new IngestBlobCommand("cctv", CctvName), default);

        Assert.Equal(IngestOutcome.Indexed, result.Outcome);
        var saved = SavedRecord();
        Assert.Equal(MediaId.For("cctv", CctvName), saved.Id);
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(content)), saved.Sha256);
        Assert.Equal(new DateTimeOffset(2026, 11, 20, 8, 15, 0, TimeSpan.Zero), saved.RecordedAt);
        Assert.Equal(saved.RecordedAt, saved.RetentionFrom);
        Assert.Equal(("oslo-1", "cam-2"), (saved.Site, saved.Camera));
        Assert.Equal("\"e1\"", saved.ETag);
        Assert.Equal(content.Length, saved.Size);
        await index.Received(1).TrySaveAsync(Arg.Any<MediaRecord>(), null, Arg.Any<CancellationToken>());
        await holdMarker.Received(1).MarkAsync(Arg.Is<MediaRecord>(r => r.Id == saved.Id && r.ETag == saved.ETag), Arg.Any<CancellationToken>());
        Assert.Equal(Now, saved.IndexedAt);
    }

    [Fact]
    public async Task Indexing_counts_the_medium_by_kind_and_records_its_upload_to_index_lag()
    {
        GivenBlob("cctv", CctvName, "clip"u8.ToArray(), "\"e1\"");
        GivenBlob("cctv", "bad-name.mp4", "clip"u8.ToArray(), "\"e2\"");

        await handler.HandleAsync(new IngestBlobCommand("cctv", CctvName), default);
        await handler.HandleAsync(new IngestBlobCommand("cctv", "bad-name.mp4"), default);

        Assert.Equal([1.0], probe.Values(MediaRetentionTelemetry.Metrics.MediaIndexed, MediaRetentionTelemetry.Tags.Kind, MediaKind.Cctv));
        Assert.Equal([1.0], probe.Values(MediaRetentionTelemetry.Metrics.MediaRejected, MediaRetentionTelemetry.Tags.Kind, MediaKind.Cctv));
        // Uploaded a minute before the clock's now, indexed at now.
        Assert.Equal([60.0, 60.0], probe.Values(MediaRetentionTelemetry.Metrics.IngestLag));
    }

    [Fact]
    public async Task An_unchanged_version_is_not_counted_again()
    {
        GivenBlob("cctv", CctvName, "x"u8.ToArray(), "\"e1\"");
        index.GetAsync(MediaId.For("cctv", CctvName), default).ReturnsForAnyArgs(
            new StoredMedia(SampleRecord() with { ETag = "\"e1\"" }, "t1"));

        await handler.HandleAsync(new IngestBlobCommand("cctv", CctvName), default);

        Assert.Empty(probe.Values(MediaRetentionTelemetry.Metrics.MediaIndexed));
        Assert.Empty(probe.Values(MediaRetentionTelemetry.Metrics.IngestLag));
    }

    [Fact]
    public async Task Same_version_again_changes_nothing_and_is_not_rehashed()
    {
        GivenBlob("cctv", CctvName, "x"u8.ToArray(), "\"e1\"");
        index.GetAsync(MediaId.For("cctv", CctvName), default).ReturnsForAnyArgs(
            new StoredMedia(SampleRecord() with { ETag = "\"e1\"" }, "t1"));

        var result = await handler.HandleAsync(new IngestBlobCommand("cctv", CctvName), default);

        Assert.Equal(IngestOutcome.Unchanged, result.Outcome);
        await blobs.DidNotReceiveWithAnyArgs().OpenReadAsync(default!, default!, default!, default);
        await index.DidNotReceiveWithAnyArgs().TrySaveAsync(default!, default, default);
        await holdMarker.DidNotReceiveWithAnyArgs().MarkAsync(default!, default);
    }

    [Fact]
    public async Task New_upload_over_the_same_name_is_reindexed_against_what_was_read()
    {
        GivenBlob("cctv", CctvName, "new"u8.ToArray(), "\"e2\"");
        var previous = new StoredMedia(SampleRecord() with { ETag = "\"e1\"" }, "t1");
        index.GetAsync(default!, default).ReturnsForAnyArgs(previous);

        var result = await handler.HandleAsync(new IngestBlobCommand("cctv", CctvName), default);

        Assert.Equal(IngestOutcome.Indexed, result.Outcome);
        await index.Received(1).TrySaveAsync(Arg.Is<MediaRecord>(r => r.ETag == "\"e2\""), previous, Arg.Any<CancellationToken>());
    }

    [Fact]
    public async Task With_the_listed_etag_a_new_medium_is_marked_then_read_in_one_download_then_indexed_then_checked_against_the_holds()
    {
        GivenBlob("cctv", CctvName, "clip"u8.ToArray(), "\"e1\"");

        var result = await handler.HandleAsync(new IngestBlobCommand("cctv", CctvName, "\"e1\""), default);

        Assert.Equal(IngestOutcome.Indexed, result.Outcome);
        await blobs.DidNotReceiveWithAnyArgs().GetPropertiesAsync(default!, default!, default);
        await blobs.DidNotReceiveWithAnyArgs().OpenReadAsync(default!, default!, default!, default);
        Received.InOrder(() =>
        {
            index.GetAsync(MediaId.For("cctv", CctvName), Arg.Any<CancellationToken>());
            holdMarker.PrepareAsync("cctv", CctvName, "\"e1\"", Arg.Any<CancellationToken>());
            blobs.OpenReadWithPropertiesAsync("cctv", CctvName, "\"e1\"", Arg.Any<CancellationToken>());
            index.TrySaveAsync(Arg.Any<MediaRecord>(), null, Arg.Any<CancellationToken>());
            holdMarker.MarkAsync(Arg.Any<MediaRecord>(), Arg.Any<CancellationToken>());
        });
        await holdMarker.DidNotReceiveWithAnyArgs().IsHeldAsync(default!, default);
    }

    [Fact]
    public async Task A_duplicate_event_of_an_indexed_version_touches_neither_the_blob_nor_its_marks()
    {
        GivenBlob("cctv", CctvName, "clip"u8.ToArray(), "\"e1\"");
        index.GetAsync(default!, default).ReturnsForAnyArgs(new StoredMedia(SampleRecord() with { ETag = "\"e1\"" }, "t1"));

        var result = await handler.HandleAsync(new IngestBlobCommand("cctv", CctvName, "\"e1\""), default);

        Assert.Equal(IngestOutcome.Unchanged, result.Outcome);
        await holdMarker.DidNotReceiveWithAnyArgs().PrepareAsync(default!, default!, default!, default);
        await blobs.DidNotReceiveWithAnyArgs().OpenReadWithPropertiesAsync(default!, default!, default!, default);
        await index.DidNotReceiveWithAnyArgs().TrySaveAsync(default!, default, default);
    }

    [Fact]
    public async Task A_blob_listed_unmarked_is_not_looked_up_first_and_a_conflicting_insert_falls_back_to_the_read()
    {
        GivenBlob("cctv", CctvName, "clip"u8.ToArray(), "\"e1\"");
        var winner = new StoredMedia(SampleRecord() with { ETag = "\"e1\"" }, "t1");
        index.TrySaveAsync(default!, default, default).ReturnsForAnyArgs(false); // another host indexed it first
        index.GetAsync(default!, default).ReturnsForAnyArgs(winner);

        var result = await handler.HandleAsync(new IngestBlobCommand("cctv", CctvName, "\"e1\"") { Unmarked = true }, default);

        Assert.Equal(IngestOutcome.Unchanged, result.Outcome);
        Received.InOrder(() =>
        {
            holdMarker.PrepareAsync("cctv", CctvName, "\"e1\"", Arg.Any<CancellationToken>());
            index.TrySaveAsync(Arg.Any<MediaRecord>(), null, Arg.Any<CancellationToken>());
            index.GetAsync(MediaId.For("cctv", CctvName), Arg.Any<CancellationToken>());
            index.RepairLookupRowsAsync(winner, Arg.Any<CancellationToken>());
            // our "not held" may have landed on the winner's version: marked again as the holds say
            holdMarker.PrepareAsync("cctv", CctvName, "\"e1\"", Arg.Any<CancellationToken>());
            holdMarker.MarkAsync(winner.Record, Arg.Any<CancellationToken>());
        });
    }

    [Fact]
    public async Task A_stale_listed_etag_retries_from_the_current_version()
    {
        GivenBlob("cctv", CctvName, "clip"u8.ToArray(), "\"e2\"");
        blobs.OpenReadWithPropertiesAsync("cctv", CctvName, "\"e1\"", Arg.Any<CancellationToken>())
            .Returns<(BlobSnapshot, Stream)>(_ => throw new BlobChangedException("cctv", CctvName));

        var result = await handler.HandleAsync(new IngestBlobCommand("cctv", CctvName, "\"e1\""), default);

        Assert.Equal(IngestOutcome.Indexed, result.Outcome);
        Assert.Equal("\"e2\"", SavedRecord().ETag);
        await holdMarker.Received(1).PrepareAsync("cctv", CctvName, "\"e2\"", Arg.Any<CancellationToken>());
    }

    [Fact]
    public async Task Overwrite_of_a_held_medium_keeps_the_evidence_hash_and_is_audited()
    {
        GivenBlob("cctv", CctvName, "tampered"u8.ToArray(), "\"e2\"");
        var original = SampleRecord() with { ETag = "\"e1\"", Sha256 = new string('a', 64), Size = 5 };
        index.GetAsync(default!, default).ReturnsForAnyArgs(new StoredMedia(original, "t1"));
        holdMarker.IsHeldAsync(default!, default).ReturnsForAnyArgs(true);

        await handler.HandleAsync(new IngestBlobCommand("cctv", CctvName), default);

        var saved = SavedRecord();
        Assert.Equal(new string('a', 64), saved.Sha256);
        Assert.Equal(5, saved.Size);
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData("tampered"u8)), saved.AlteredSha256);
        Assert.Equal("\"e2\"", saved.ETag);
        await audit.Received(1).AppendAsync(
            Arg.Is<MediaRetention.Core.Audit.AuditEvent>(e => e.Action == MediaRetention.Core.Audit.AuditActions.MediaAlteredUnderHold),
            Arg.Any<CancellationToken>());
    }

    [Fact]
    public async Task Overwrite_of_an_unheld_medium_takes_the_new_hash()
    {
        GivenBlob("cctv", CctvName, "new"u8.ToArray(), "\"e2\"");
        index.GetAsync(default!, default).ReturnsForAnyArgs(new StoredMedia(SampleRecord() with { ETag = "\"e1\"" }, "t1"));

        await handler.HandleAsync(new IngestBlobCommand("cctv", CctvName), default);

        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData("new"u8)), SavedRecord().Sha256);
        Assert.Null(SavedRecord().AlteredSha256);
        await audit.DidNotReceiveWithAnyArgs().AppendAsync(default!, default);
    }

    [Theory]
    [InlineData("oslo-1/cam-2/garbage.mp4", "recording start")]
    [InlineData("oslo-1/cam-2/20261120T081500Z.exe", "not supported")]
    [InlineData("loose-file.mp4", "three path segments")]
    public async Task Name_breaking_the_contract_is_rejected_with_reason_and_retention_from_upload(string name, string reason)
    {
        GivenBlob("cctv", name, "x"u8.ToArray(), "\"e1\"");

        var result = await handler.HandleAsync(new IngestBlobCommand("cctv", name), default);

        Assert.Equal(IngestOutcome.Rejected, result.Outcome);
        var saved = SavedRecord();
        Assert.Equal(MediaStatus.Rejected, saved.Status);
        Assert.Contains(reason, saved.RejectionReason);
        Assert.Equal(saved.UploadedAt, saved.RetentionFrom);
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData("x"u8)), saved.Sha256);
    }

    [Fact]
    public async Task Empty_blob_is_rejected_without_downloading_it()
    {
        GivenBlob("cctv", CctvName, [], "\"e1\"");

        var result = await handler.HandleAsync(new IngestBlobCommand("cctv", CctvName), default);

        Assert.Equal(IngestOutcome.Rejected, result.Outcome);
        Assert.Equal("blob is empty", SavedRecord().RejectionReason);
        Assert.Equal(ContentHasher.EmptySha256, SavedRecord().Sha256);
        await blobs.DidNotReceiveWithAnyArgs().OpenReadAsync(default!, default!, default!, default);
    }

    [Fact]
    public async Task An_empty_blob_overwritten_after_its_mark_is_not_indexed_at_the_old_version()
    {
        var empty = Snapshot("cctv", CctvName, 0, "\"e1\"", null);
        var full = Snapshot("cctv", CctvName, 4, "\"e2\"", null);
        var reads = 0;
        // First read: empty at e1; every later read (the check after the mark, the next attempt): overwritten, e2.
        blobs.GetPropertiesAsync("cctv", CctvName, Arg.Any<CancellationToken>()).Returns(_ => ++reads == 1 ? empty : full);
        blobs.OpenReadAsync("cctv", CctvName, "\"e2\"", Arg.Any<CancellationToken>()).Returns(_ => new MemoryStream("clip"u8.ToArray()));

        await handler.HandleAsync(new IngestBlobCommand("cctv", CctvName), default);

        await index.DidNotReceive().TrySaveAsync(Arg.Is<MediaRecord>(r => r.ETag == "\"e1\""), Arg.Any<StoredMedia?>(), Arg.Any<CancellationToken>());
        Assert.Equal("\"e2\"", SavedRecord().ETag);
    }

    [Theory]
    [InlineData("20261125T120000Z", IngestOutcome.Indexed)]
    [InlineData("20261125T120001Z", IngestOutcome.Rejected)]
    public async Task Recording_time_more_than_24_hours_ahead_is_rejected(string stamp, IngestOutcome expected)
    {
        var name = $"s/c/{stamp}.mp4";
        GivenBlob("cctv", name, "x"u8.ToArray(), "\"e1\"");

        var result = await handler.HandleAsync(new IngestBlobCommand("cctv", name), default);

        Assert.Equal(expected, result.Outcome);
        if (expected == IngestOutcome.Rejected)
        {
            Assert.Contains("in the future", SavedRecord().RejectionReason);
        }
    }

    [Fact]
    public async Task Call_phone_numbers_are_masked_and_hashed_and_never_logged()
    {
        const string name = "pbx-1/20261120T081500Z_c-9.wav";
        GivenBlob("calls", name, "audio"u8.ToArray(), "\"e1\"", new Dictionary<string, string>
        {
            ["caller"] = "+47 912 34 567",
            ["callee"] = "22 33 44 55",
            ["direction"] = "Inbound",
            ["agent"] = "agent-7",
        });

        var result = await handler.HandleAsync(new IngestBlobCommand("calls", name), default);

        Assert.Equal(IngestOutcome.Indexed, result.Outcome);
        var saved = SavedRecord();
        Assert.Equal(MediaKind.Call, saved.Kind);
        Assert.Equal(("pbx-1", "c-9"), (saved.System, saved.CallId));
        Assert.Equal("+********67", saved.CallerMasked);
        Assert.Equal("+********55", saved.CalleeMasked); // E.164: the default region's country code is added
        Assert.Equal(Hasher.Hash("+4791234567"), saved.CallerHash);
        Assert.StartsWith("dev:", saved.CallerHash, StringComparison.Ordinal);
        Assert.Equal("inbound", saved.Direction);
        Assert.DoesNotContain(logger.Messages, m => m.Contains("912") || m.Contains("34 567") || m.Contains("22 33"));
    }

    private static readonly MediaRetention.Core.Phones.PhoneHasher Hasher = new(MediaRetention.Core.Phones.PhoneHashKeyRing.Development);

    [Theory]
    [InlineData("912 34 567")]
    [InlineData("004791234567")]
    [InlineData("+47 912 34 567")]
    [InlineData("+4791234567")]
    public async Task One_number_written_four_ways_gets_one_hash(string written)
    {
        const string name = "pbx-1/20261120T081500Z_c-9.wav";
        GivenBlob("calls", name, "audio"u8.ToArray(), "\"e1\"", new Dictionary<string, string> { ["caller"] = written });

        await handler.HandleAsync(new IngestBlobCommand("calls", name), default);

        Assert.Equal(Hasher.Hash("+4791234567"), SavedRecord().CallerHash);
        Assert.Equal("+********67", SavedRecord().CallerMasked);
    }

    [Theory]
    [InlineData("12345", "metadata 'caller' is not a valid phone number")]
    [InlineData("+47 123", "metadata 'caller' is not a valid phone number")]
    [InlineData("+999 1234 5678", "metadata 'caller' is not a valid phone number")]
    public async Task An_invalid_number_rejects_the_upload_with_a_reason_and_is_masked_in_the_blob(string written, string reason)
    {
        const string name = "pbx-1/20261120T081500Z_c-9.wav";
        GivenBlob("calls", name, "audio"u8.ToArray(), "\"e1\"", new Dictionary<string, string> { ["caller"] = written });

        var result = await handler.HandleAsync(new IngestBlobCommand("calls", name), default);

        Assert.Equal(IngestOutcome.Rejected, result.Outcome);
        Assert.Contains(reason, SavedRecord().RejectionReason);
        Assert.Null(SavedRecord().CallerHash);
        Assert.DoesNotContain(written, rewrites.Single().Metadata["caller"]);
    }

    [Theory]
    [InlineData("anonymous")]
    [InlineData("withheld")]
    public async Task A_caller_without_digits_is_no_number_and_no_rejection(string written)
    {
        const string name = "pbx-1/20261120T081500Z_c-9.wav";
        GivenBlob("calls", name, "audio"u8.ToArray(), "\"e1\"", new Dictionary<string, string> { ["caller"] = written });

        Assert.Equal(IngestOutcome.Indexed, (await handler.HandleAsync(new IngestBlobCommand("calls", name), default)).Outcome);
        Assert.Null(SavedRecord().CallerHash);
        Assert.Empty(rewrites);
    }

    [Fact]
    public async Task The_metadata_is_rewritten_masked_after_hashing_and_the_new_etag_is_marked_and_indexed()
    {
        const string name = "pbx-1/20261120T081500Z_c-9.wav";
        GivenBlob("calls", name, "audio"u8.ToArray(), "\"e1\"", new Dictionary<string, string>
        {
            ["Caller"] = "+4791234567",
            ["callee"] = "22334455",
            ["agent"] = "agent-7",
        });

        await handler.HandleAsync(new IngestBlobCommand("calls", name), default);

        var (ifMatch, written) = Assert.Single(rewrites);
        Assert.Equal("\"e1\"", ifMatch); // conditional on the version that was hashed
        Assert.Equal("+********67", written["caller"]);
        Assert.Equal("+********55", written["callee"]);
        Assert.Equal("agent-7", written["agent"]);
        Assert.Contains("Caller", written.Keys); // the uploader's own key names stay
        var saved = SavedRecord();
        Assert.Equal("\"e1m\"", saved.ETag);
        await holdMarker.Received(1).MarkAsync(Arg.Is<MediaRecord>(r => r.ETag == "\"e1m\""), Arg.Any<CancellationToken>());
        await blobs.Received(1).OpenReadAsync("calls", name, "\"e1\"", Arg.Any<CancellationToken>());
    }

    [Fact]
    public async Task Reindexing_a_minimised_blob_keeps_the_hash_of_the_row_before_and_rewrites_nothing()
    {
        const string name = "pbx-1/20261120T081500Z_c-9.wav";
        GivenBlob("calls", name, "audio"u8.ToArray(), "\"e2\"", new Dictionary<string, string> { ["caller"] = "+********67" });
        var before = SampleRecord() with
        {
            Id = MediaId.For("calls", name), Kind = MediaKind.Call, Container = "calls", BlobName = name, ETag = "\"e1\"",
            CallerMasked = "+********67", CallerHash = Hasher.Hash("+4791234567"),
        };
        index.GetAsync(default!, default).ReturnsForAnyArgs(new StoredMedia(before, "t1"));

        await handler.HandleAsync(new IngestBlobCommand("calls", name), default);

        Assert.Empty(rewrites);
        Assert.Equal((Hasher.Hash("+4791234567"), "+********67", "\"e2\""), (SavedRecord().CallerHash, SavedRecord().CallerMasked, SavedRecord().ETag));
    }

    [Fact]
    public async Task Call_with_an_unknown_direction_is_rejected()
    {
        const string name = "pbx-1/20261120T081500Z_c-9.wav";
        GivenBlob("calls", name, "audio"u8.ToArray(), "\"e1\"", new Dictionary<string, string> { ["direction"] = "sideways" });

        var result = await handler.HandleAsync(new IngestBlobCommand("calls", name), default);

        Assert.Equal(IngestOutcome.Rejected, result.Outcome);
        Assert.Contains("direction", SavedRecord().RejectionReason);
    }

    [Fact]
    public async Task Blob_outside_the_media_containers_is_ignored()
    {
        var result = await handler.HandleAsync(new IngestBlobCommand("other", CctvName), default);

        Assert.Equal(IngestOutcome.NotMedia, result.Outcome);
        await blobs.DidNotReceiveWithAnyArgs().GetPropertiesAsync(default!, default!, default);
    }

    [Fact]
    public async Task Blob_gone_before_ingest_is_reported_and_nothing_written()
    {
        var result = await handler.HandleAsync(new IngestBlobCommand("cctv", CctvName), default);

        Assert.Equal(IngestOutcome.BlobMissing, result.Outcome);
        await index.DidNotReceiveWithAnyArgs().TrySaveAsync(default!, default, default);
    }

    [Fact]
    public async Task Blob_overwritten_while_hashing_is_hashed_again_at_its_new_version()
    {
        blobs.GetPropertiesAsync("cctv", CctvName, default).ReturnsForAnyArgs(
            Snapshot("cctv", CctvName, 3, "\"e1\""), Snapshot("cctv", CctvName, 3, "\"e2\""));
        blobs.OpenReadAsync("cctv", CctvName, "\"e1\"", default).ReturnsForAnyArgs(
            _ => throw new BlobChangedException("cctv", CctvName), _ => new MemoryStream("new"u8.ToArray()));

        var result = await handler.HandleAsync(new IngestBlobCommand("cctv", CctvName), default);

        Assert.Equal(IngestOutcome.Indexed, result.Outcome);
        Assert.Equal("\"e2\"", SavedRecord().ETag);
    }

    [Fact]
    public async Task Losing_a_race_to_another_host_with_the_same_version_repairs_lookup_rows()
    {
        GivenBlob("cctv", CctvName, "x"u8.ToArray(), "\"e1\"");
        var winner = new StoredMedia(SampleRecord() with { ETag = "\"e1\"" }, "t9");
        index.GetAsync(default!, default).ReturnsForAnyArgs(null, winner);
        index.TrySaveAsync(default!, default, default).ReturnsForAnyArgs(false);

        var result = await handler.HandleAsync(new IngestBlobCommand("cctv", CctvName), default);

        Assert.Equal(IngestOutcome.Unchanged, result.Outcome);
        await index.Received(1).RepairLookupRowsAsync(winner, Arg.Any<CancellationToken>());
    }

    [Theory]
    [InlineData("oslo-1/cam-2/15000101T000000Z.mp4", "before 20000101T000000Z")]
    [InlineData("oslo-1/cam-2/19991231T235959Z.mp4", "before 20000101T000000Z")]
    public async Task Implausible_recording_time_is_rejected_and_stored_without_it(string name, string reason)
    {
        GivenBlob("cctv", name, "clip"u8.ToArray(), "\"e1\"");

        var result = await handler.HandleAsync(new IngestBlobCommand("cctv", name), default);

        Assert.Equal(IngestOutcome.Rejected, result.Outcome);
        var saved = SavedRecord();
        Assert.Contains(reason, saved.RejectionReason);
        Assert.Contains("EarliestRecordingTime", saved.RejectionReason);
        Assert.Null(saved.RecordedAt);
        Assert.Equal(saved.UploadedAt, saved.RetentionFrom);
    }

    [Fact]
    public async Task The_earliest_recording_time_is_a_setting()
    {
        const string name = "oslo-1/cam-2/19991231T235959Z.mp4";
        GivenBlob("cctv", name, "clip"u8.ToArray(), "\"e1\"");
        var lenient = new IngestBlobHandler(blobs, index, holdMarker, audit, Options.Create(Storage),
            Options.Create(new IngestOptions { EarliestRecordingTime = new DateTimeOffset(1990, 1, 1, 0, 0, 0, TimeSpan.Zero) }),
            new FakeTimeProvider(Now), logger, probe.Telemetry);

        Assert.Equal(IngestOutcome.Indexed, (await lenient.HandleAsync(new IngestBlobCommand("cctv", name), default)).Outcome);
        Assert.False(new IngestOptionsValidator().Validate(null, new IngestOptions { EarliestRecordingTime = new DateTimeOffset(1600, 1, 1, 0, 0, 0, TimeSpan.Zero) }).Succeeded);
        Assert.True(new IngestOptionsValidator().Validate(null, new IngestOptions()).Succeeded);
    }

    [Fact]
    public async Task A_dot_segment_name_is_indexed_under_its_exact_name_as_rejected()
    {
        const string name = "site-1/cam-1/../20261127T102529Z.mp4";
        GivenBlob("cctv", name, "clip"u8.ToArray(), "\"e1\"");

        var result = await handler.HandleAsync(new IngestBlobCommand("cctv", name), default);

        Assert.Equal(IngestOutcome.Rejected, result.Outcome);
        var saved = SavedRecord();
        Assert.Equal((name, MediaId.For("cctv", name)), (saved.BlobName, saved.Id));
        Assert.Contains("'.' or '..' path segment", saved.RejectionReason);
    }

    [Fact]
    public async Task An_unreadable_index_row_is_rewritten_over_its_storage_etag_and_lends_no_evidence_hash()
    {
        GivenBlob("cctv", CctvName, "clip"u8.ToArray(), "\"e1\"");
        var unreadable = new StoredMedia(SampleRecord() with { Status = MediaStatus.Unreadable, ETag = "", Sha256 = "" }, "t7")
        {
            Unreadable = new UnreadableMediaRow("m|x", MediaId.For("cctv", CctvName), MediaId.For("cctv", CctvName), "'Size' is not a whole number"),
        };
        index.GetAsync(default!, default).ReturnsForAnyArgs(unreadable);
        holdMarker.MarkAsync(default!, default).ReturnsForAnyArgs(true);

        var result = await handler.HandleAsync(new IngestBlobCommand("cctv", CctvName), default);

        Assert.Equal(IngestOutcome.Indexed, result.Outcome);
        await index.Received(1).TrySaveAsync(Arg.Any<MediaRecord>(), unreadable, Arg.Any<CancellationToken>());
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData("clip"u8.ToArray())), SavedRecord().Sha256);
        Assert.Null(SavedRecord().AlteredSha256);
    }

    [Fact]
    public async Task A_rejected_name_is_logged_with_its_digit_runs_masked()
    {
        const string name = "pbx-1/+4791234567.wav";
        GivenBlob("calls", name, "audio"u8.ToArray(), "\"e1\"");

        await handler.HandleAsync(new IngestBlobCommand("calls", name), default);

        Assert.Contains(logger.Messages, m => m.Contains("+********67"));
        Assert.DoesNotContain(logger.Messages, m => m.Contains("91234567"));
    }

    /// <summary>Metadata rewrites seen, in order: (etag it was conditional on, the metadata written).</summary>
    private readonly List<(string IfMatch, IDictionary<string, string> Metadata)> rewrites = [];

    private void GivenBlob(string container, string name, byte[] content, string etag, Dictionary<string, string>? metadata = null)
    {
        // A metadata rewrite gives the blob a new ETag (same content), as the service does.
        var current = Snapshot(container, name, content.Length, etag, metadata);
        blobs.GetPropertiesAsync(container, name, Arg.Any<CancellationToken>()).Returns(_ => current);
        blobs.OpenReadAsync(container, name, etag, Arg.Any<CancellationToken>())
            .Returns(_ => new MemoryStream(content));
        blobs.OpenReadWithPropertiesAsync(container, name, etag, Arg.Any<CancellationToken>())
            .Returns(_ => (current, (Stream)new MemoryStream(content)));
        blobs.ReplaceMetadataAsync(container, name, Arg.Any<IDictionary<string, string>>(), Arg.Any<string>(), Arg.Any<CancellationToken>())
            .Returns(call =>
            {
                if (call.ArgAt<string>(3) != current.ETag)
                {
                    throw new BlobChangedException(container, name);
                }

                var written = new Dictionary<string, string>(call.ArgAt<IDictionary<string, string>>(2), StringComparer.OrdinalIgnoreCase);
                rewrites.Add((current.ETag, written));
                current = current with { ETag = current.ETag.TrimEnd('"') + "m\"", Metadata = written };
                return current.ETag;
            });
    }

    private static BlobSnapshot Snapshot(string container, string name, long size, string etag, Dictionary<string, string>? metadata = null) =>
        new(container, name, etag, size, Now.AddMinutes(-1), "application/octet-stream",
            new Dictionary<string, string>(metadata ?? [], StringComparer.OrdinalIgnoreCase));

    private MediaRecord SavedRecord() =>
        (MediaRecord)index.ReceivedCalls().Last(c => c.GetMethodInfo().Name == nameof(IMediaIndex.TrySaveAsync)).GetArguments()[0]!;

    private static MediaRecord SampleRecord() => new()
    {
        Id = MediaId.For("cctv", CctvName),
        Kind = MediaKind.Cctv,
        Container = "cctv",
        BlobName = CctvName,
        Status = MediaStatus.Indexed,
        UploadedAt = Now,
        IndexedAt = Now,
        Size = 1,
        Sha256 = ContentHasher.EmptySha256,
        ETag = "\"e0\"",
    };

    public void Dispose() => probe.Dispose();
}

internal sealed class CapturingLogger<T> : ILogger<T>
{
    private readonly List<string> messages = [];

    public IReadOnlyList<string> Messages
    {
        get
        {
            lock (messages)
            {
                return [.. messages];
            }
        }
    }

    public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => true;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        lock (messages)
        {
            messages.Add(formatter(state, exception));
        }
    }
}
