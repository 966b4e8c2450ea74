using MediaRetention.Core.Holds;
using MediaRetention.Core.Storage;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace MediaRetention.UnitTests.Storage;

/// <summary>
/// The sweep's delete against a storage that behaves as Azure documents (<see cref="DocumentedBlobService"/>): the probe
/// finds both conditions evaluated, and an overwritten blob whose tags survived the overwrite is kept because the delete
/// also carries If-Match on the indexed ETag.
/// </summary>
public sealed class ConditionalDeleteTests : IDisposable
{
    private const string Container = "cctv";
    private const string Name = "oslo-1/cam-1/20261101T080000Z.mp4";
    private readonly DocumentedBlobService service = new();
    private readonly MediaStorageOptions storage = new();

    [Fact]
    public async Task Probe_finds_that_Azure_evaluates_the_tag_condition_next_to_If_Match_and_cleans_up()
    {
        var support = Support();

        Assert.Equal(DeleteConditionMode.Unverified, support.Mode);
        Assert.Equal(DeleteConditionMode.TagsAndETag, await support.EnsureProbedAsync(default));
        Assert.Equal(DeleteConditionMode.TagsAndETag, support.Mode);

        // One probe blob, tagged held, refused; then removed.
        Assert.Contains(service.Requests, r => r.StartsWith($"DELETE {storage.StateContainer}/{DeleteConditionSupport.ProbePrefix}", StringComparison.Ordinal));
        Assert.Equal(0, service.CountIn(storage.StateContainer));

        // Asked again: no new probe.
        var requests = service.Requests.Count;
        Assert.Equal(DeleteConditionMode.TagsAndETag, await support.EnsureProbedAsync(default));
        Assert.Equal(requests, service.Requests.Count);
    }

    [Fact]
    public async Task An_overwritten_blob_whose_tags_survived_is_not_deleted_because_the_delete_carries_If_Match()
    {
        // Ingest marked version 1 not held; then a writer overwrote the blob and (legally) sent the same tags again.
        var indexed = service.Put(Container, Name);
        service.SetTags(Container, Name, NotHeldAt(indexed));
        var overwritten = service.Put(Container, Name, NotHeldAt(indexed));
        Assert.NotEqual(indexed, overwritten);

        var support = Support();
        await support.EnsureProbedAsync(default);
        var store = new AzureMediaBlobStore(service.CreateMediaBlobClients(), support);

        Assert.Equal(BlobDeleteOutcome.ConditionFailed, await store.DeleteIfUnchangedAndNotHeldAsync(Container, Name, indexed, default));
        Assert.True(service.Exists(Container, Name));
        Assert.Equal(indexed, service.DeleteIfMatch.Last());

        // The version the index knows now, marked not held: deleted.
        service.SetTags(Container, Name, NotHeldAt(overwritten));
        Assert.Equal(BlobDeleteOutcome.Deleted, await store.DeleteIfUnchangedAndNotHeldAsync(Container, Name, overwritten, default));
        Assert.False(service.Exists(Container, Name));
    }

    [Fact]
    public async Task With_the_tag_condition_alone_the_same_overwrite_would_be_deleted()
    {
        // Why If-Match matters: the tags-only delete Azurite forces relies on an overwrite clearing the tags.
        var indexed = service.Put(Container, Name);
        service.Put(Container, Name, NotHeldAt(indexed));
        var tagsOnly = Substitute.For<IDeleteConditionSupport>();
        tagsOnly.Mode.Returns(DeleteConditionMode.TagsOnly);
        var store = new AzureMediaBlobStore(service.CreateMediaBlobClients(), tagsOnly);

        Assert.Equal(BlobDeleteOutcome.Deleted, await store.DeleteIfUnchangedAndNotHeldAsync(Container, Name, indexed, default));
        Assert.Null(service.DeleteIfMatch.Last());
    }

    [Fact]
    public async Task A_held_blob_is_kept_whatever_its_ETag()
    {
        var etag = service.Put(Container, Name);
        service.SetTags(Container, Name, new Dictionary<string, string> { [IBlobHoldMarks.TagName] = IBlobHoldMarks.Held });
        var support = Support();
        await support.EnsureProbedAsync(default);
        var store = new AzureMediaBlobStore(service.CreateMediaBlobClients(), support);

        Assert.Equal(BlobDeleteOutcome.ConditionFailed, await store.DeleteIfUnchangedAndNotHeldAsync(Container, Name, etag, default));
        Assert.True(service.Exists(Container, Name));
    }

    [Fact]
    public async Task Before_the_probe_has_answered_the_store_sends_no_delete_at_all()
    {
        var etag = service.Put(Container, Name);
        service.SetTags(Container, Name, NotHeldAt(etag));
        var store = new AzureMediaBlobStore(service.CreateMediaBlobClients(), Support());

        await Assert.ThrowsAsync<DeleteConditionsUnverifiedException>(() => store.DeleteIfUnchangedAndNotHeldAsync(Container, Name, etag, default));
        Assert.DoesNotContain(service.Requests, r => r.StartsWith("DELETE", StringComparison.Ordinal));
        Assert.True(service.Exists(Container, Name));
    }

    private DeleteConditionSupport Support() =>
        new(service.CreateMediaBlobClients(), Options.Create(storage), NullLogger<DeleteConditionSupport>.Instance);

    private static Dictionary<string, string> NotHeldAt(string etag) => new()
    {
        [IBlobHoldMarks.TagName] = IBlobHoldMarks.NotHeld,
        [IBlobHoldMarks.VersionTagName] = IBlobHoldMarks.VersionTag(etag),
    };

    public void Dispose() => service.Dispose();
}
