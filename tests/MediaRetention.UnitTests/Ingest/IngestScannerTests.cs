using System.ComponentModel.DataAnnotations;
using MediaRetention.Core.Ingest;
using MediaRetention.Core.Storage;
using MediaRetention.Testing;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace MediaRetention.UnitTests.Ingest;

public sealed class IngestScannerTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 27, 12, 0, 0, TimeSpan.Zero);
    private readonly InMemoryBlobListing listing = new();
    private readonly InMemoryIngestScanStateStore store = new();
    private readonly RecordingBlobIngestor ingest = new();
    private readonly FakeTimeProvider time = new(Now);
    private readonly MediaStorageOptions storage = new();

    // A 10-minute overlap (the default is an hour) keeps the windows these tests count small.
    private IngestScanner Scanner(IngestOptions? options = null) =>
        new(ingest, listing, store, Options.Create(storage), Options.Create(options ?? new IngestOptions { ScanOverlap = TimeSpan.FromMinutes(10) }),
            time, NullLogger<IngestScanner>.Instance);

    private static string Clip(string site, string camera, DateTimeOffset at) => $"{site}/{camera}/{UploadContract.FormatTimestamp(at)}.mp4";

    private void Upload(string name, string? container = null) => listing.Put(container ?? storage.CctvContainer, name, time.GetUtcNow());

    /// <summary>One clip a minute for the last <paramref name="minutes"/> minutes on each camera.</summary>
    private void Store(int minutes, params (string Site, string Camera)[] cameras)
    {
        foreach (var (site, camera) in cameras)
        {
            for (var m = minutes; m >= 1; m--)
            {
                Upload(Clip(site, camera, Now.AddMinutes(-m)));
            }
        }
    }

    private List<string> HandledNames() => ingest.Handled.Select(c => c.BlobName).Order(StringComparer.Ordinal).ToList();

    [Fact]
    public async Task The_first_scan_sees_everything_and_the_next_one_only_the_new_clip()
    {
        Store(60, ("s1", "c1"), ("s1", "c2"), ("s2", "c1"));
        var scanner = Scanner();

        var first = await scanner.ScanNewAsync(default);
        Assert.Equal(180, ingest.Count);
        Assert.True(first.SawEverything);
        Assert.Equal(3, scanner.CheckpointedPrefixes);

        ingest.Clear();
        time.Advance(TimeSpan.FromSeconds(30));
        var clip = Clip("s1", "c2", Now.AddSeconds(10));
        Upload(clip);
        listing.ResetCounts();
        var second = await scanner.ScanNewAsync(default);

        Assert.Equal([clip], HandledNames());
        Assert.False(second.SawEverything);

        // Discovery (the CCTV root, each site, the calls root) and one listing per camera, each returning the overlap
        // window (10 minutes: 10 clips) and the new clip, not the 60 minutes stored.
        Assert.Equal(1 + 2 + 1 + 3, second.ListRequests);
        Assert.Equal(listing.Requests, second.ListRequests);
        Assert.True(second.Listed <= 3 + 3 * 11, $"listed {second.Listed}");
    }

    [Fact]
    public async Task A_late_clip_within_the_overlap_is_found_by_the_next_scan()
    {
        Store(30, ("s1", "c1"));
        var scanner = Scanner();
        await scanner.ScanNewAsync(default);
        ingest.Clear();

        // Uploaded now, recorded 8 minutes before the camera's newest clip (a slow upload overtaken by later ones).
        var late = Clip("s1", "c1", Now.AddMinutes(-9).AddSeconds(30));
        Upload(late);
        await scanner.ScanNewAsync(default);

        Assert.Equal([late], HandledNames());
    }

    [Fact]
    public async Task A_clip_named_long_before_its_cameras_newest_is_found_by_the_full_scan_only()
    {
        Store(30, ("s1", "c1"));
        var scanner = Scanner();
        await scanner.ScanNewAsync(default);
        ingest.Clear();

        time.Advance(TimeSpan.FromMinutes(1));
        var late = Clip("s1", "c1", Now.AddHours(-3)); // a buffer uploaded newest first, or a clock set back
        Upload(late);
        await scanner.ScanNewAsync(default);
        Assert.Empty(ingest.Handled);

        Assert.False(scanner.FullScanDue);
        time.Advance(TimeSpan.FromHours(1));
        Assert.True(scanner.FullScanDue);
        var full = await scanner.ScanAllAsync(default);

        // Only what was modified since the previous full scan and not seen indexed is handed to ingest.
        Assert.Equal([late], HandledNames());
        Assert.Equal(31, full.Listed);
        Assert.False(scanner.FullScanDue);
    }

    [Fact]
    public async Task A_new_camera_and_a_new_phone_system_are_discovered_and_listed_whole()
    {
        Store(5, ("s1", "c1"));
        var scanner = Scanner();
        await scanner.ScanNewAsync(default);
        ingest.Clear();

        var newCamera = new[] { Clip("s1", "c9", Now.AddDays(-2)), Clip("s1", "c9", Now) };
        var newSite = Clip("s7", "c1", Now.AddDays(-1));
        var call = $"pbx/{UploadContract.FormatTimestamp(Now.AddDays(-3))}_4791234567.wav";
        foreach (var name in newCamera.Append(newSite))
        {
            Upload(name);
        }

        Upload(call, storage.CallsContainer);
        var result = await scanner.ScanNewAsync(default);

        Assert.Equal(newCamera.Append(newSite).Append(call).Order(StringComparer.Ordinal), HandledNames());
        Assert.Equal(4, result.Prefixes);
    }

    [Fact]
    public async Task Names_with_long_digit_runs_are_remembered_under_their_exact_name()
    {
        var call = $"pbx/{UploadContract.FormatTimestamp(Now.AddMinutes(-1))}_4791234567.wav";
        Upload(call, storage.CallsContainer);
        var scanner = Scanner();
        await scanner.ScanNewAsync(default);
        await scanner.ScanNewAsync(default);
        await scanner.ScanAllAsync(default);

        Assert.Equal([call], HandledNames());
    }

    [Fact]
    public async Task Blobs_outside_the_contract_are_found_at_every_level()
    {
        var odd = new[] { "loose.mp4", "s1/not-a-camera.mp4", "s1/c1/deeper/20261127T115900Z.mp4", "s1/c1/zz-not-a-time.mp4" };
        foreach (var name in odd)
        {
            Upload(name);
        }

        Store(3, ("s1", "c1"));
        var scanner = Scanner();
        await scanner.ScanNewAsync(default);
        Assert.Equal(odd.Length + 3, ingest.Count);

        ingest.Clear();
        Upload("loose-2.mp4");
        Upload("s1/c1/zz-later.mp4");
        await scanner.ScanNewAsync(default);
        Assert.Equal(["loose-2.mp4", "s1/c1/zz-later.mp4"], HandledNames());
    }

    [Fact]
    public async Task A_restart_resumes_from_the_saved_checkpoints()
    {
        Store(120, ("s1", "c1"), ("s1", "c2"));
        var before = Scanner();
        await before.ScanNewAsync(default);
        Assert.True(await before.SaveAsync(default));
        Assert.False(await before.SaveAsync(default)); // nothing moved since
        Assert.Equal(2, store.State!.Prefixes![storage.CctvContainer].Count);

        // Restarted: each camera is listed from its checkpoint, not from its first clip. Without a full scan since, the
        // overlap windows are handed to ingest again (a new process has seen nothing; ingest finds them indexed).
        time.Advance(TimeSpan.FromMinutes(1));
        ingest.Clear();
        var clip = Clip("s1", "c1", Now.AddSeconds(30));
        Upload(clip);
        var after = Scanner();
        var result = await after.ScanNewAsync(default);

        Assert.Contains(clip, HandledNames());
        Assert.True(ingest.Count <= 2 * 11 + 1, $"handled {ingest.Count}");
        Assert.True(result.Listed <= 2 * 11 + 1, $"listed {result.Listed} of 241 stored: the restart listed from the checkpoints");
        Assert.Equal(2, after.CheckpointedPrefixes);
        Assert.False(result.SawEverything);

        // After a full scan, what it covered is not handed to ingest again by a restarted process.
        time.Advance(TimeSpan.FromMinutes(10));
        await after.ScanAllAsync(default);
        await after.SaveAsync(default);
        ingest.Clear();
        var last = Clip("s1", "c2", Now.AddMinutes(11));
        Upload(last);
        await Scanner().ScanNewAsync(default);
        Assert.Equal([last], HandledNames());
    }

    [Fact]
    public async Task A_blob_ingest_failed_on_is_retried_by_the_next_scan()
    {
        Store(20, ("s1", "c1"));
        var broken = Clip("s1", "c1", Now.AddMinutes(-15));
        ingest.FailOn = name => name == broken;
        var scanner = Scanner(new IngestOptions { ScanOverlap = TimeSpan.Zero });
        var first = await scanner.ScanNewAsync(default);
        Assert.Equal(1, first.Failed);
        Assert.True(scanner.FullScanDue); // a scan that failed on a blob does not count as a full scan

        ingest.Clear();
        ingest.FailOn = _ => false;
        await scanner.ScanNewAsync(default);

        Assert.Contains(broken, HandledNames());
    }

    [Fact]
    public async Task A_clip_named_in_the_future_does_not_hide_the_cameras_next_clips()
    {
        Store(5, ("s1", "c1"));
        Upload(Clip("s1", "c1", Now.AddHours(20))); // a clock running ahead for one clip
        var scanner = Scanner();
        await scanner.ScanNewAsync(default);
        ingest.Clear();

        time.Advance(TimeSpan.FromMinutes(1));
        var next = Clip("s1", "c1", Now.AddSeconds(30));
        Upload(next);
        await scanner.ScanNewAsync(default);

        Assert.Equal([next], HandledNames());
    }

    [Fact]
    public async Task Memory_is_bounded_however_many_blobs_are_stored()
    {
        Store(300, ("s1", "c1"), ("s1", "c2"), ("s2", "c1"), ("s3", "c1"));
        var scanner = Scanner(new IngestOptions { ScanCacheSize = 100, ScanOverlap = TimeSpan.FromMinutes(10) });
        await scanner.ScanNewAsync(default);
        await scanner.ScanNewAsync(default);

        // The second scan lists each camera's overlap window; what the cache forgot is handed to ingest again.
        Assert.InRange(ingest.Count, 1200, 1200 + 4 * 11);
        Assert.Equal(100, scanner.Seen.Count);
        Assert.Equal(4, scanner.CheckpointedPrefixes);
    }

    [Fact]
    public async Task A_camera_whose_blobs_are_all_gone_loses_its_checkpoint()
    {
        var listingOfOne = new InMemoryBlobListing();
        listingOfOne.Put(storage.CctvContainer, Clip("s1", "c1", Now), Now);
        var scanner = new IngestScanner(ingest, listingOfOne, store, Options.Create(storage), Options.Create(new IngestOptions()), time, NullLogger<IngestScanner>.Instance);
        await scanner.ScanNewAsync(default);
        Assert.Equal(1, scanner.CheckpointedPrefixes);

        var empty = new IngestScanner(ingest, new InMemoryBlobListing(), store, Options.Create(storage), Options.Create(new IngestOptions()), time, NullLogger<IngestScanner>.Instance);
        await scanner.SaveAsync(default);
        await empty.ScanNewAsync(default);
        Assert.Equal(0, empty.CheckpointedPrefixes);
    }

    [Theory]
    [InlineData(nameof(IngestOptions.ScanOverlap), "2.00:00:00")]
    [InlineData(nameof(IngestOptions.FullScanInterval), "8.00:00:00")]
    [InlineData(nameof(IngestOptions.ScanCacheSize), "-1")]
    public void Scan_settings_out_of_range_are_refused(string setting, string value)
    {
        var options = new IngestOptions();
        var property = typeof(IngestOptions).GetProperty(setting)!;
        property.SetValue(options, property.PropertyType == typeof(int) ? int.Parse(value) : TimeSpan.Parse(value));

        var results = new List<ValidationResult>();
        Assert.False(Validator.TryValidateObject(options, new ValidationContext(options), results, validateAllProperties: true));
        Assert.Contains(results, r => r.MemberNames.Contains(setting));
    }

    [Fact]
    public void The_seen_cache_forgets_the_least_recently_seen_first()
    {
        var cache = new SeenBlobCache(2);
        cache.Add("c", "a", "1");
        cache.Add("c", "b", "1");
        Assert.True(cache.Contains("c", "a", "1")); // a is now the most recent
        cache.Add("c", "d", "1");

        Assert.True(cache.Contains("c", "a", "1"));
        Assert.False(cache.Contains("c", "b", "1"));
        Assert.True(cache.Contains("c", "d", "1"));
        Assert.False(cache.Contains("c", "a", "2")); // another version is not seen
        Assert.Equal(2, cache.Count);
    }
}
