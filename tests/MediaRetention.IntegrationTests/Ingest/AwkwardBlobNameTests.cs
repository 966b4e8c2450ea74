using System.Net;
using System.Security.Cryptography;
using System.Text;
using MediaRetention.Api.Media;
using MediaRetention.Core.Evidence;
using MediaRetention.Core.Holds;
using MediaRetention.Core.Ingest;
using MediaRetention.Core.Media;
using MediaRetention.Core.Retention;
using MediaRetention.Core.Storage;
using MediaRetention.IntegrationTests.Infrastructure;
using Xunit.Abstractions;

namespace MediaRetention.IntegrationTests.Ingest;

/// <summary>
/// Names the .NET SDK rewrites (dot segments, leading slashes), stored through raw REST calls as a non-.NET client
/// would: each is indexed under its exact stored name, Rejected with its reason, marked, linked and deleted exactly,
/// never mixed up with the blob its name would resolve to. Before addressing by exact name, none of them was ever
/// indexed (the SDK looked at a different, missing blob), so none was ever deleted.
/// </summary>
[Collection(AzuriteCollection.Name)]
public sealed class AwkwardBlobNameTests(AzuriteFixture azurite, ITestOutputHelper output)
{
    [Fact]
    public async Task Every_stored_name_is_indexed_exactly_by_the_reconcile_held_linked_and_deleted_when_expired()
    {
        var storage = AzuriteFixture.UniqueStorageOptions();
        await using var harness = await CoreHarness.CreateAsync(azurite.ConnectionString, storage);
        using var rest = new RawBlobRest(azurite.BlobService);
        var now = harness.Time.GetUtcNow();
        string Ts(int minutesAgo) => UploadContract.FormatTimestamp(now.AddMinutes(-minutesAgo));

        // (raw path as sent, name the service stores, container, reason it is rejected or null)
        var uploads = new (string Path, string Stored, string Container, string? Reason)[]
        {
            ($"site-1/cam-1/../{Ts(60)}.mp4", $"site-1/cam-1/../{Ts(60)}.mp4", storage.CctvContainer, "'.' or '..' path segment"),
            ($"./site-1/cam-1/{Ts(61)}.mp4", $"./site-1/cam-1/{Ts(61)}.mp4", storage.CctvContainer, "'.' or '..' path segment"),
            // The name the dot segment above resolves to: a different blob, with different content.
            ($"site-1/cam-1/{Ts(61)}.mp4", $"site-1/cam-1/{Ts(61)}.mp4", storage.CctvContainer, null),
            ($"site-1/cam-1/./{Ts(62)}.mp4", $"site-1/cam-1/./{Ts(62)}.mp4", storage.CctvContainer, "'.' or '..' path segment"),
            ("site-1/cam-1/..", "site-1/cam-1/..", storage.CctvContainer, "'.' or '..' path segment"),
            ("site-1/cam-1/15000101T000000Z.mp4", "site-1/cam-1/15000101T000000Z.mp4", storage.CctvContainer, "before 20000101T000000Z"),
            ($"/site-1/cam-1/{Ts(63)}.mp4", $"/site-1/cam-1/{Ts(63)}.mp4", storage.CctvContainer, "empty path segment"),
            // Azurite, like Azure, stores a backslash as '/': the blob that exists is the slash name, indexed as stored.
            ($"cam-9\\{Ts(64)}.mp4", $"cam-9/{Ts(64)}.mp4", storage.CctvContainer, "three path segments"),
            ($"pbx-1/../{Ts(65)}_c-1.wav", $"pbx-1/../{Ts(65)}_c-1.wav", storage.CallsContainer, "'.' or '..' path segment"),
        };
        foreach (var upload in uploads)
        {
            await rest.PutAsync(upload.Container, upload.Path, Content(upload.Stored));
        }

        var stored = await ListAsync(harness, storage);
        Assert.Equal(uploads.Select(u => (u.Container, u.Stored)).Order(), stored.Order());

        // 1. Nothing went through the event path: the sweep's reconcile indexes every blob, under its exact name, from
        //    exactly its content, and says that it had to.
        var sweeper = harness.Get<RetentionSweepHandler>();
        var first = await sweeper.SweepAsync("test", default);
        Assert.Equal(uploads.Length, first.Reconciled);
        Assert.Equal(uploads.Length, first.ReconciledMedia.Count);
        var index = harness.Get<IMediaIndex>();
        var clients = harness.Get<MediaBlobClients>();
        foreach (var upload in uploads)
        {
            var record = (await index.GetAsync(MediaId.For(upload.Container, upload.Stored), default))?.Record;
            Assert.True(record is not null, $"{upload.Stored} is not indexed");
            output.WriteLine($"{upload.Stored}: {record.Status} {record.RejectionReason}");
            Assert.Equal(upload.Stored, record.BlobName);
            Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(Content(upload.Stored))), record.Sha256);
            Assert.Equal(upload.Reason is null ? MediaStatus.Indexed : MediaStatus.Rejected, record.Status);
            if (upload.Reason is not null)
            {
                Assert.Contains(upload.Reason, record.RejectionReason);
                Assert.Null(record.RecordedAt);
            }

            var tags = (await clients.Get(upload.Container, upload.Stored).GetTagsAsync()).Value.Tags;
            Assert.Equal(("no", IBlobHoldMarks.VersionTag(record.ETag)), (tags["mrhold"], tags["mrver"]));
        }

        // 2. A hold on a dot-segment blob marks exactly that blob, and its evidence link reads exactly that blob.
        var dotted = uploads[0];
        var dottedId = MediaId.For(dotted.Container, dotted.Stored);
        var placed = await harness.Get<PlaceHoldHandler>().HandleAsync(new PlaceHoldCommand("OPD-1", "evidence", new RequestedBy("oslo-pd", "Insp. Hansen"),
            "oslo-pd", "test", null, new HoldScope { Type = HoldScope.MediaType, MediaIds = [dottedId] }), default);
        Assert.Equal([dottedId], placed.CoveredMediaIds);
        Assert.Equal("yes", (await clients.Get(dotted.Container, dotted.Stored).GetTagsAsync()).Value.Tags["mrhold"]);
        var link = await harness.Get<IEvidenceLinkIssuer>().IssueReadLinkAsync(dotted.Container, dotted.Stored, now.AddHours(1), default);
        Assert.Contains("/%2E%2E/", link.Url.OriginalString);
        var (status, content) = await rest.GetAsync(link.Url);
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(Content(dotted.Stored), content);

        // 3. Retention ends (counted from the upload time for the rejected ones): everything but the held blob goes.
        harness.Time.Advance(TimeSpan.FromDays(31));
        var second = await sweeper.SweepAsync("test", default);
        Assert.Equal((uploads.Length - 1, 1, 0, 0), (second.Deleted, second.HeldKept, second.Failures, second.Reconciled));
        Assert.Equal([(dotted.Container, dotted.Stored)], await ListAsync(harness, storage));

        // 4. Released, it goes too; the index is empty.
        await harness.Get<ReleaseHoldHandler>().HandleAsync(new ReleaseHoldCommand(placed.Hold.Id, "test", "case closed"), default);
        var third = await sweeper.SweepAsync("test", default);
        Assert.Equal(1, third.Deleted);
        Assert.Empty(await ListAsync(harness, storage));
        Assert.Empty(await index.ListRecordVersionsAsync(default).ToListAsync());
    }

    [Fact]
    public async Task The_runner_indexes_a_dot_segment_upload_as_rejected_under_its_exact_name()
    {
        var storage = AzuriteFixture.UniqueStorageOptions();
        await using var runner = await RunnerHost.StartAsync(azurite.ConnectionString, storage);
        using var rest = new RawBlobRest(azurite.BlobService);
        await azurite.BlobService.GetBlobContainerClient(storage.CctvContainer).CreateIfNotExistsAsync();
        var name = "site-1/cam-1/../" + UploadContract.FormatTimestamp(DateTimeOffset.UtcNow.AddMinutes(-5)) + ".mp4";

        await rest.PutAsync(storage.CctvContainer, name, Content(name));

        var media = await runner.WaitForAsync<MediaListResponse>("/api/media?status=Rejected", r => r.Items.Count == 1, TimeSpan.FromSeconds(15));
        var item = Assert.Single(media.Items);
        Assert.Equal((name, MediaId.For(storage.CctvContainer, name)), (item.BlobName, item.Id));
        Assert.Contains("'.' or '..' path segment", item.RejectionReason);
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(Content(name))), item.Sha256);
        Assert.Equal(HttpStatusCode.OK, (await runner.Client.GetAsync($"/api/media/{item.Id}")).StatusCode);
    }

    private static byte[] Content(string storedName) => Encoding.UTF8.GetBytes("content of " + storedName);

    private static async Task<List<(string Container, string Name)>> ListAsync(CoreHarness harness, MediaStorageOptions storage)
    {
        var names = new List<(string, string)>();
        foreach (var container in storage.MediaContainers)
        {
            await foreach (var item in harness.Blobs.GetBlobContainerClient(container).GetBlobsAsync())
            {
                names.Add((container, item.Name));
            }
        }

        return names;
    }
}
