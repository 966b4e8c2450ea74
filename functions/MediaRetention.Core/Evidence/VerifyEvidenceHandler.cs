using System.Collections.Concurrent;
using System.Globalization;
using MediaRetention.Core.Audit;
using MediaRetention.Core.Holds;
using MediaRetention.Core.Media;
using MediaRetention.Core.Storage;
using MediaRetention.Core.Telemetry;

namespace MediaRetention.Core.Evidence;

public sealed record VerifyEvidenceCommand(Hold Hold, string Actor);

/// <summary>A medium whose current content no longer hashes to what was recorded at ingest.</summary>
public sealed record AlteredMedium(string MediaId, string BlobName, string ExpectedSha256, string ActualSha256);

/// <summary>A medium the index lists but whose blob is gone.</summary>
public sealed record MissingMedium(string MediaId, string BlobName);

public sealed record EvidenceVerification(
    string HoldId,
    int Checked,
    IReadOnlyList<AlteredMedium> Altered,
    IReadOnlyList<MissingMedium> Missing)
{
    public bool Intact => Altered.Count == 0 && Missing.Count == 0;
}

/// <summary>
/// Re-reads the current content of every medium a hold covers, hashes it and compares with the SHA-256 taken at
/// ingest. Streams each blob through <see cref="ContentHasher"/> (one pooled buffer per worker) with bounded
/// parallelism, so memory stays flat however many and however large the media; only problems are kept.
/// </summary>
/// <remarks>
/// The comparison is with the evidence hash in the index: the hash taken when the medium was first indexed.
/// When a held blob is overwritten, ingest keeps that hash and records the new one as
/// <see cref="MediaRecord.AlteredSha256"/>, so an overwrite stays reported; deletions are always reported (ingest
/// never removes index rows). Handed-over manifests carry the same hashes, which scripts/fetch-evidence.mjs checks.
/// </remarks>
public sealed class VerifyEvidenceHandler(HoldCoverage coverage, IMediaBlobStore blobs, IAuditLog audit, MediaRetentionTelemetry telemetry)
{
    // Downloads are network-bound and each worker holds a 1 MiB buffer: a few at a time keep the link busy
    // without competing hard with ingest on a small host.
    private const int Parallelism = 4;

    // A blob being overwritten while we read it is re-read from its new version; this bounds the chase.
    private const int MaxReadAttempts = 3;

    /// <param name="progress">Hears the number of media checked so far, from parallel workers (so not always rising).</param>
    public async Task<EvidenceVerification> HandleAsync(VerifyEvidenceCommand command, CancellationToken cancellationToken, IProgress<int>? progress = null)
    {
        using var activity = telemetry.StartActivity("evidence.verify");
        activity?.SetTag(MediaRetentionTelemetry.Tags.HoldId, command.Hold.Id);
        var altered = new ConcurrentBag<AlteredMedium>();
        var missing = new ConcurrentBag<MissingMedium>();
        var checkedCount = 0;

        await Parallel.ForEachAsync(coverage.FindCoveredAsync(command.Hold.Scope, cancellationToken),
            new ParallelOptions { MaxDegreeOfParallelism = Parallelism, CancellationToken = cancellationToken },
            async (media, ct) =>
            {
                var actual = await CurrentSha256Async(media, ct);
                if (actual is null)
                {
                    missing.Add(new MissingMedium(media.Id, media.BlobName));
                }
                else if (!string.Equals(actual, media.Sha256, StringComparison.OrdinalIgnoreCase))
                {
                    altered.Add(new AlteredMedium(media.Id, media.BlobName, media.Sha256, actual));
                }

                // Counted apart from the report: '?.' would skip evaluating the argument when nobody listens.
                var done = Interlocked.Increment(ref checkedCount);
                progress?.Report(done);
            });

        var result = new EvidenceVerification(
            command.Hold.Id,
            checkedCount,
            altered.OrderBy(a => a.MediaId, StringComparer.Ordinal).ToList(),
            missing.OrderBy(m => m.MediaId, StringComparer.Ordinal).ToList());

        var details = EvidenceAuditDetails.For(command.Hold);
        details["checked"] = result.Checked.ToString(CultureInfo.InvariantCulture);
        details["altered"] = result.Altered.Count.ToString(CultureInfo.InvariantCulture);
        details["missing"] = result.Missing.Count.ToString(CultureInfo.InvariantCulture);
        details["intact"] = result.Intact ? "true" : "false";
        await audit.AppendAsync(
            new AuditEvent(command.Actor, AuditActions.EvidenceVerified, "hold/" + command.Hold.Id, details), cancellationToken);

        activity?.SetTag("evidence.checked", result.Checked);
        activity?.SetTag("evidence.intact", result.Intact);
        return result;
    }

    /// <summary>The SHA-256 of the blob's current content, or null when the blob does not exist.</summary>
    private async Task<string?> CurrentSha256Async(MediaRecord media, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            var blob = await blobs.GetPropertiesAsync(media.Container, media.BlobName, cancellationToken);
            if (blob is null)
            {
                return null;
            }

            if (blob.Size == 0)
            {
                return ContentHasher.EmptySha256;
            }

            try
            {
                // Pinned to the ETag just read, so the hash is of one whole version, never a mix of two.
                await using var content = await blobs.OpenReadAsync(media.Container, media.BlobName, blob.ETag, cancellationToken);
                return (await ContentHasher.ComputeSha256Async(content, cancellationToken)).Sha256;
            }
            catch (BlobChangedException) when (attempt < MaxReadAttempts)
            {
                // Overwritten or deleted since the properties were read: look again.
            }
        }
    }
}
