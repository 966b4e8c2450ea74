using Azure;
using Azure.Storage.Blobs.Models;
using MediaRetention.Core.Holds;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace MediaRetention.Core.Storage;

/// <summary>Which conditions the retention sweep's delete can rely on, as measured on this storage.</summary>
public enum DeleteConditionMode
{
    /// <summary>Not measured yet, or the measurement failed: nothing may be deleted.</summary>
    Unverified,

    /// <summary>
    /// The backend ignores a tag condition whenever an access condition (If-Match) comes with it (Azurite 3.37), so the
    /// delete sends the tag condition alone. The version then rides in the <c>mrver</c> tag only.
    /// </summary>
    TagsOnly,

    /// <summary>Both are evaluated, as Azure documents: the tag condition and If-Match on the indexed ETag.</summary>
    TagsAndETag,
}

/// <summary>What the sweep and the blob store ask before a conditional delete.</summary>
public interface IDeleteConditionSupport
{
    /// <summary>The verdict so far; <see cref="DeleteConditionMode.Unverified"/> until a probe has answered.</summary>
    DeleteConditionMode Mode { get; }

    /// <summary>
    /// Probes the storage once per process (again on the next call if the probe failed) and returns the verdict.
    /// Never throws for a storage failure: the answer is then <see cref="DeleteConditionMode.Unverified"/>.
    /// </summary>
    Task<DeleteConditionMode> EnsureProbedAsync(CancellationToken cancellationToken);
}

/// <summary>
/// Measures, on a throwaway blob in the state container, whether the storage evaluates a blob-index tag condition when
/// an If-Match comes with it. Azure documents that both are evaluated; Azurite 3.37 ignores the tag condition then (and
/// would delete a held blob whose ETag is unchanged). So: tag the probe blob held, delete it with If-Match on its own
/// ETag plus the sweep's tag condition, which must fail:
/// <list type="bullet">
/// <item>412: both are evaluated → the sweep sends both (<see cref="DeleteConditionMode.TagsAndETag"/>).</item>
/// <item>deleted: combined conditions are not evaluated → check the tag condition alone on a second blob; if that
/// one fails as it must (412) → <see cref="DeleteConditionMode.TagsOnly"/>, with a warning; if that one is deleted too,
/// tag conditions do not work at all → <see cref="DeleteConditionMode.Unverified"/>, and the sweep deletes nothing.</item>
/// </list>
/// Leases are no alternative: Set Blob Tags on a leased blob needs the lease id, so a hold could not mark it.
/// </summary>
public sealed class DeleteConditionSupport(
    MediaBlobClients clients,
    IOptions<MediaStorageOptions> options,
    ILogger<DeleteConditionSupport> logger) : IDeleteConditionSupport, IDisposable
{
    public const string ProbePrefix = "delete-condition-probe/";

    private readonly SemaphoreSlim gate = new(1, 1);
    private volatile int mode = (int)DeleteConditionMode.Unverified;

    public DeleteConditionMode Mode => (DeleteConditionMode)mode;

    public void Dispose() => gate.Dispose();

    public async Task<DeleteConditionMode> EnsureProbedAsync(CancellationToken cancellationToken)
    {
        if (Mode != DeleteConditionMode.Unverified)
        {
            return Mode;
        }

        await gate.WaitAsync(cancellationToken);
        try
        {
            if (Mode != DeleteConditionMode.Unverified)
            {
                return Mode;
            }

            var verdict = await ProbeAsync(cancellationToken);
            mode = (int)verdict;
            return verdict;
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            logger.LogError(e, "Could not measure which delete conditions the storage evaluates; the retention sweep deletes nothing until it can");
            return DeleteConditionMode.Unverified;
        }
        finally
        {
            gate.Release();
        }
    }

    private async Task<DeleteConditionMode> ProbeAsync(CancellationToken cancellationToken)
    {
        if (await DeletesHeldBlobAsync(withIfMatch: true, cancellationToken) is false)
        {
            logger.LogInformation("The storage evaluates tag conditions together with If-Match: deletes send both");
            return DeleteConditionMode.TagsAndETag;
        }

        if (await DeletesHeldBlobAsync(withIfMatch: false, cancellationToken) is false)
        {
            logger.LogWarning(
                "The storage ignores a tag condition when If-Match is also sent (Azurite does; Azure does not): deletes send the tag condition " +
                "alone, with the indexed version in the mrver tag. On Azure this would mean the storage is not what it claims to be");
            return DeleteConditionMode.TagsOnly;
        }

        logger.LogError(
            "The storage ignores blob index tag conditions on delete altogether: the retention sweep cannot protect held media and deletes nothing");
        return DeleteConditionMode.Unverified;
    }

    /// <summary>Whether a blob tagged held is deleted by the sweep's delete (with or without If-Match on its own ETag).</summary>
    private async Task<bool> DeletesHeldBlobAsync(bool withIfMatch, CancellationToken cancellationToken)
    {
        var container = options.Value.StateContainer;
        var blob = clients.Get(container, ProbePrefix + Guid.NewGuid().ToString("N"));
        var uploaded = await blob.UploadAsync(BinaryData.FromString("probe"), new BlobUploadOptions
        {
            Conditions = new BlobRequestConditions { IfNoneMatch = ETag.All },
        }, cancellationToken);
        var etag = AzureMediaBlobStore.Quoted(uploaded.Value.ETag.ToString());
        try
        {
            await blob.SetTagsAsync(new Dictionary<string, string>
            {
                [IBlobHoldMarks.TagName] = IBlobHoldMarks.Held,
                [IBlobHoldMarks.VersionTagName] = IBlobHoldMarks.VersionTag(etag),
            }, cancellationToken: cancellationToken);
            try
            {
                await blob.DeleteAsync(DeleteSnapshotsOption.IncludeSnapshots, new BlobRequestConditions
                {
                    IfMatch = withIfMatch ? new ETag(etag) : null,
                    TagConditions = IBlobHoldMarks.DeleteCondition(etag),
                }, cancellationToken);
                return true;
            }
            catch (RequestFailedException e) when (e.Status == 412)
            {
                return false;
            }
        }
        finally
        {
            // The probe's own blob (never a medium, so unconditionally); a leftover one is harmless.
            try
            {
                await blob.DeleteIfExistsAsync(cancellationToken: CancellationToken.None);
            }
            catch (RequestFailedException e)
            {
                logger.LogWarning(e, "Could not remove the delete-condition probe blob {Container}/{Name}", container, blob.Name);
            }
        }
    }
}

/// <summary>A conditional delete was asked for before the storage's delete conditions were measured.</summary>
public sealed class DeleteConditionsUnverifiedException()
    : InvalidOperationException("The storage's delete conditions have not been measured (DeleteConditionSupport); nothing is deleted until they are.");
