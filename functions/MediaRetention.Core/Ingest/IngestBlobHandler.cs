using MediaRetention.Core.Audit;
using MediaRetention.Core.Media;
using MediaRetention.Core.Phones;
using MediaRetention.Core.Retention;
using MediaRetention.Core.Storage;
using MediaRetention.Core.Telemetry;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace MediaRetention.Core.Ingest;

/// <summary>A blob to index, as a trigger or the runner's scan reports it.</summary>
/// <param name="ETag">
/// The version a listing or event saw, when known: ingest then starts from it instead of reading the properties first
/// (a stale one only costs a retry).
/// </param>
public sealed record IngestBlobCommand(string Container, string BlobName, string? ETag = null)
{
    /// <summary>
    /// The listing saw no hold mark on <see cref="ETag"/>: this version was never marked, so it cannot be indexed yet
    /// (ingest marks before it indexes), and the index is not read first; a conditional insert finds out otherwise.
    /// </summary>
    public bool Unmarked { get; init; }

    /// <summary>A command for a listed blob, with what the listing knows.</summary>
    public static IngestBlobCommand Listed(BlobSnapshot blob) =>
        new(blob.Container, blob.Name, blob.ETag) { Unmarked = blob.HoldMarked == false };
}

/// <summary>Indexes one blob; what the runner's scan hands each listed blob to (<see cref="IngestBlobHandler"/>).</summary>
public interface IBlobIngestor
{
    Task<IngestResult> HandleAsync(IngestBlobCommand command, CancellationToken cancellationToken);
}

public enum IngestOutcome
{
    /// <summary>Indexed (or re-indexed) as following the contract.</summary>
    Indexed,

    /// <summary>Indexed as Rejected: kept in place, retention from upload time.</summary>
    Rejected,

    /// <summary>The index already has this exact version; nothing was written.</summary>
    Unchanged,

    /// <summary>Not one of the media containers.</summary>
    NotMedia,

    /// <summary>The blob no longer exists; nothing to index.</summary>
    BlobMissing,
}

public sealed record IngestResult(IngestOutcome Outcome, MediaRecord? Record = null);

/// <summary>
/// Indexes one blob. Idempotent and safe under at-least-once, duplicated or out-of-order delivery and
/// several concurrent hosts: the blob's ETag decides whether anything changed, the hash is taken of exactly
/// that version, and the index write is conditional on what was read. It never deletes or moves media.
/// </summary>
public sealed class IngestBlobHandler(
    IMediaBlobStore blobs,
    IMediaIndex index,
    IIngestHoldMarker holdMarker,
    IAuditLog audit,
    IOptions<MediaStorageOptions> storageOptions,
    IOptions<IngestOptions> ingestOptions,
    TimeProvider time,
    ILogger<IngestBlobHandler> logger,
    MediaRetentionTelemetry telemetry,
    RetentionPolicy? retention = null,
    PhoneNumberParser? phoneParser = null,
    IPhoneHashing? phoneHashing = null) : IBlobIngestor
{
    private readonly PhoneNumberParser phones = phoneParser ?? new PhoneNumberParser(Microsoft.Extensions.Options.Options.Create(new PhoneOptions()));
    private readonly IPhoneHashing hashing = phoneHashing ?? new FixedPhoneHashing(new PhoneHasher(PhoneHashKeyRing.Development));

    // Enough to ride out a burst of overwrites racing other hosts; the next trigger or scan retries anyway.
    private const int MaxAttempts = 5;

    public async Task<IngestResult> HandleAsync(IngestBlobCommand command, CancellationToken cancellationToken)
    {
        using var activity = telemetry.StartActivity("ingest");
        activity?.SetTag(MediaRetentionTelemetry.Tags.Container, command.Container);
        try
        {
            var result = await IngestAsync(command, cancellationToken);
            activity?.SetTag(MediaRetentionTelemetry.Tags.Outcome, result.Outcome.ToString());
            activity?.SetTag(MediaRetentionTelemetry.Tags.MediaId, result.Record?.Id);
            if (result.Outcome is IngestOutcome.Indexed or IngestOutcome.Rejected && result.Record is { } record)
            {
                telemetry.MediaRecorded(record);
            }

            return result;
        }
        catch (Exception e)
        {
            activity.MarkFailed(e);
            throw;
        }
    }

    private async Task<IngestResult> IngestAsync(IngestBlobCommand command, CancellationToken cancellationToken)
    {
        var kind = storageOptions.Value.KindOfContainer(command.Container);
        if (kind is null)
        {
            return new IngestResult(IngestOutcome.NotMedia);
        }

        var id = MediaId.For(command.Container, command.BlobName);
        var marked = false;
        for (var attempt = 1; ; attempt++)
        {
            // The version to index: the one the listing or event named (first attempt), else the current properties.
            var properties = attempt == 1 && command.ETag is not null ? null : await blobs.GetPropertiesAsync(command.Container, command.BlobName, cancellationToken);
            var etag = attempt == 1 && command.ETag is not null ? command.ETag : properties?.ETag;
            if (etag is null)
            {
                return new IngestResult(IngestOutcome.BlobMissing);
            }

            // A version the listing saw unmarked was never indexed: the insert below is conditional, so no read first.
            var stored = attempt == 1 && command is { ETag: not null, Unmarked: true } ? null : await index.GetAsync(id, cancellationToken);
            if (stored is { Unreadable: null } && stored.Record.ETag == etag)
            {
                if (attempt > 1)
                {
                    // We lost a race to a host that indexed this same version: its lookup rows may have been
                    // overwritten by our stale ones in between, so rewrite them from the winner.
                    await index.RepairLookupRowsAsync(stored, cancellationToken);
                }

                if (marked)
                {
                    // Our "not held" of an earlier attempt may sit on this version now: mark it as the holds say.
                    await holdMarker.PrepareAsync(command.Container, command.BlobName, etag, cancellationToken);
                    await holdMarker.MarkAsync(stored.Record, cancellationToken);
                }

                return new IngestResult(IngestOutcome.Unchanged, stored.Record);
            }

            // A row that could not be read carries no evidence hash (nor phone hashes) to keep; it is simply rewritten.
            var previous = stored is { Unreadable: null } ? stored.Record : null;

            // "Not held" at this version before its content is read: the read is conditional on the same ETag, so once
            // it succeeds the mark is known to sit on the version that is hashed and indexed (no second properties read).
            await holdMarker.PrepareAsync(command.Container, command.BlobName, etag, cancellationToken);
            marked = true;
            MediaRecord record;
            try
            {
                // Hash, then minimise the metadata (a new ETag, the same content): the hold marks' version tag and the
                // sweep's delete condition name the version that stays.
                var (blob, sha256, length) = await ReadAndHashAsync(command, properties, etag, cancellationToken);
                record = await BuildRecordAsync(id, kind, blob, sha256, length, previous, cancellationToken);
                record = await MinimiseMetadataAsync(record, blob, cancellationToken);
            }
            catch (BlobChangedException) when (attempt < MaxAttempts)
            {
                continue;
            }

            if (record.ETag != etag)
            {
                // Metadata minimised: a new version, marked anew, and checked to be still that version after the mark.
                await holdMarker.PrepareAsync(command.Container, command.BlobName, record.ETag, cancellationToken);
                if ((await blobs.GetPropertiesAsync(command.Container, command.BlobName, cancellationToken))?.ETag != record.ETag)
                {
                    if (attempt >= MaxAttempts)
                    {
                        throw new InvalidOperationException(
                            $"Medium {id} kept changing while being indexed; giving up after {MaxAttempts} attempts (it will be retried).");
                    }

                    continue;
                }
            }

            if (previous is not null && await holdMarker.IsHeldAsync(record, cancellationToken))
            {
                record = KeepEvidenceHash(record, previous);
            }

            // Stamped right before the write: the sweep leaves alone records indexed just before it started, which
            // covers ingests still in flight.
            record = record with { IndexedAt = time.GetUtcNow() };
            if (await index.TrySaveAsync(record, stored, cancellationToken))
            {
                // After the row: a hold placed meanwhile either is in the holds read now or finds the row itself.
                await holdMarker.MarkAsync(record, cancellationToken);
                if (record.AlteredSha256 is not null && record.AlteredSha256 != previous?.AlteredSha256)
                {
                    await AuditAlterationAsync(record, cancellationToken);
                }

                LogIndexed(record);
                return new IngestResult(
                    record.Status == MediaStatus.Indexed ? IngestOutcome.Indexed : IngestOutcome.Rejected, record);
            }

            if (attempt >= MaxAttempts)
            {
                throw new InvalidOperationException(
                    $"Medium {id} kept changing while being indexed; giving up after {MaxAttempts} attempts (it will be retried).");
            }
        }
    }

    /// <summary>
    /// The blob's properties and the hash of exactly version <paramref name="etag"/>: from one download when the
    /// properties are not known yet.
    /// </summary>
    private async Task<(BlobSnapshot Blob, string Sha256, long Length)> ReadAndHashAsync(
        IngestBlobCommand command, BlobSnapshot? properties, string etag, CancellationToken cancellationToken)
    {
        if (properties is not null)
        {
            if (properties.Size == 0)
            {
                // Nothing to download: the properties read again stand in for the conditional read, proving the
                // "not held" mark written since sits on this version.
                if ((await blobs.GetPropertiesAsync(command.Container, command.BlobName, cancellationToken))?.ETag != etag)
                {
                    throw new BlobChangedException(command.Container, command.BlobName);
                }

                return (properties, ContentHasher.EmptySha256, 0L);
            }

            await using var content = await blobs.OpenReadAsync(command.Container, command.BlobName, etag, cancellationToken);
            var (sha, length) = await ContentHasher.ComputeSha256Async(content, cancellationToken);
            return (properties, sha, length);
        }

        var (blob, stream) = await blobs.OpenReadWithPropertiesAsync(command.Container, command.BlobName, etag, cancellationToken);
        await using (stream)
        {
            var (sha, length) = await ContentHasher.ComputeSha256Async(stream, cancellationToken);
            return (blob, sha, length);
        }
    }

    /// <summary>
    /// A held medium was overwritten: evidence was altered in storage. The index keeps the hash and size first
    /// indexed as the evidence reference and notes the hash of what is there now.
    /// </summary>
    private static MediaRecord KeepEvidenceHash(MediaRecord current, MediaRecord previous) => current with
    {
        Sha256 = previous.Sha256,
        Size = previous.Size,
        AlteredSha256 = current.Sha256 == previous.Sha256 ? null : current.Sha256,
    };

    private Task AuditAlterationAsync(MediaRecord record, CancellationToken cancellationToken)
    {
        logger.LogWarning("Held medium {MediaId} ({Container}/{BlobName}) was overwritten: content no longer matches its evidence hash",
            record.Id, record.Container, NameMasking.BlobName(record.BlobName));
        return audit.AppendAsync(new AuditEvent("ingest", AuditActions.MediaAlteredUnderHold, "media/" + record.Id,
            new Dictionary<string, string?>
            {
                ["container"] = record.Container,
                ["blobName"] = NameMasking.BlobName(record.BlobName),
                ["evidenceSha256"] = record.Sha256,
                ["currentSha256"] = record.AlteredSha256,
            }), cancellationToken);
    }

    private async Task<MediaRecord> BuildRecordAsync(
        string id, string kind, BlobSnapshot blob, string sha256, long length, MediaRecord? previous, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();

        var parsed = UploadContract.Parse(kind, blob.Name);
        var isCall = kind == MediaKind.Call;
        var hasher = isCall ? await hashing.GetAsync(cancellationToken) : null;
        var caller = isCall ? ReadPhone("caller", blob.Metadata, previous?.CallerMasked, previous?.CallerHash, hasher!) : PhoneField.None;
        var callee = isCall ? ReadPhone("callee", blob.Metadata, previous?.CalleeMasked, previous?.CalleeHash, hasher!) : PhoneField.None;
        var rejection = parsed.Error ?? CheckContent(parsed.Name!, length, now, blob.LastModified) ?? CheckMetadata(kind, blob.Metadata)
            ?? caller.Problem ?? callee.Problem;
        var name = parsed.Name;

        // A time before the floor is no recording time at all, and may be one Table Storage cannot keep (before
        // 1601): the record keeps none, and its retention counts from the upload time like any rejected medium's.
        var recordedAt = name?.RecordedAt >= ingestOptions.Value.EarliestRecordingTime ? name.RecordedAt : (DateTimeOffset?)null;

        blob.Metadata.TryGetValue("direction", out var direction);
        blob.Metadata.TryGetValue("agent", out var agent);

        return new MediaRecord
        {
            Id = id,
            Kind = kind,
            Container = blob.Container,
            BlobName = blob.Name,
            Status = rejection is null ? MediaStatus.Indexed : MediaStatus.Rejected,
            RejectionReason = rejection,
            Site = name?.Site,
            Camera = name?.Camera,
            System = name?.System,
            CallId = name?.CallId,
            RecordedAt = recordedAt,
            UploadedAt = blob.LastModified,
            IndexedAt = now,
            Size = length,
            ContentType = blob.ContentType,
            Sha256 = sha256,
            ETag = blob.ETag,
            Direction = isCall ? direction?.ToLowerInvariant() : null,
            Agent = isCall ? agent : null,
            CallerMasked = caller.Masked,
            CalleeMasked = callee.Masked,
            CallerHash = caller.Hash,
            CalleeHash = callee.Hash,
        };
    }

    /// <summary>What ingest makes of one phone-number metadata value.</summary>
    /// <param name="Masked">For people and for the blob's rewritten metadata.</param>
    /// <param name="Hash">Keyed hash of the E.164 number, for holds.</param>
    /// <param name="Problem">Why the upload is Rejected; null when the value is fine or absent.</param>
    /// <param name="NeedsRewrite">The blob's metadata still holds the number in full.</param>
    private sealed record PhoneField(string? Masked, string? Hash, string? Problem, bool NeedsRewrite)
    {
        public static PhoneField None { get; } = new(null, null, null, false);
    }

    private PhoneField ReadPhone(string name, IReadOnlyDictionary<string, string> metadata, string? previousMasked, string? previousHash, PhoneHasher hasher)
    {
        if (!metadata.TryGetValue(name, out var raw) || string.IsNullOrWhiteSpace(raw))
        {
            return PhoneField.None;
        }

        // "anonymous", "withheld", "unknown": no number was presented; nothing personal to keep or mask.
        if (!raw.Any(char.IsAsciiDigit))
        {
            return PhoneField.None;
        }

        // Minimised by an earlier ingest of this blob (the index row is being rewritten): the number is gone from the
        // blob, so the hash of the row before is kept when it is that same masked number.
        if (PhoneNumberParser.IsMasked(raw))
        {
            return new PhoneField(raw, previousMasked == raw ? previousHash : null, null, false);
        }

        var parsed = phones.Parse(raw);
        return parsed.Ok
            ? new PhoneField(parsed.Masked, hasher.Hash(parsed.E164!), null, true)
            : new PhoneField(PhoneNumber.Mask(raw), null, $"metadata '{name}' is not a valid phone number: {parsed.Problem}", true);
    }

    /// <summary>
    /// Rewrites a call's metadata so caller and callee hold only their masked form, on the condition that the blob is
    /// still the version just hashed (If-Match); the record then names the new ETag. No link, listing or export of
    /// the blob carries a full number from here on.
    /// </summary>
    /// <exception cref="BlobChangedException">The blob changed since it was hashed: start over.</exception>
    private async Task<MediaRecord> MinimiseMetadataAsync(MediaRecord record, BlobSnapshot blob, CancellationToken cancellationToken)
    {
        if (record.Kind != MediaKind.Call)
        {
            return record;
        }

        var rewritten = new Dictionary<string, string>(blob.Metadata.Count, StringComparer.OrdinalIgnoreCase);
        var changed = false;
        foreach (var (key, value) in blob.Metadata)
        {
            var masked = key.Equals("caller", StringComparison.OrdinalIgnoreCase) ? record.CallerMasked
                : key.Equals("callee", StringComparison.OrdinalIgnoreCase) ? record.CalleeMasked
                : value;
            masked ??= value;
            changed |= masked != value;
            rewritten[key] = masked;
        }

        if (!changed)
        {
            return record;
        }

        var etag = await blobs.ReplaceMetadataAsync(blob.Container, blob.Name, rewritten, blob.ETag, cancellationToken);
        return record with { ETag = etag };
    }

    private string? CheckContent(ParsedMediaName name, long length, DateTimeOffset now, DateTimeOffset uploadedAt)
    {
        if (length == 0)
        {
            return "blob is empty";
        }

        var options = ingestOptions.Value;
        if (name.RecordedAt < options.EarliestRecordingTime)
        {
            return $"recording time {UploadContract.FormatTimestamp(name.RecordedAt)} is before {UploadContract.FormatTimestamp(options.EarliestRecordingTime)} " +
                $"({IngestOptions.SectionName}:{nameof(IngestOptions.EarliestRecordingTime)}), so it cannot be a real recording time";
        }

        var latestAllowed = now + options.FutureTolerance;
        if (name.RecordedAt > latestAllowed)
        {
            return $"recording time {UploadContract.FormatTimestamp(name.RecordedAt)} is more than {options.FutureTolerance.TotalHours:0.#} h in the future";
        }

        // Against the upload time, not now: a later re-index (reconcile, an index row repaired) decides the same way.
        var tolerance = options.PastTolerance ?? retention?.For(name.Kind, name.Site, name.System);
        return tolerance is { } past && name.RecordedAt < uploadedAt - past
            ? $"recording time {UploadContract.FormatTimestamp(name.RecordedAt)} is more than {past.TotalDays:0.##} days before its upload at " +
              $"{UploadContract.FormatTimestamp(uploadedAt)} ({IngestOptions.SectionName}:{nameof(IngestOptions.PastTolerance)}; default: the retention period), " +
              "so the recorder's clock is probably wrong; kept, with retention counted from the upload time"
            : null;
    }

    private static string? CheckMetadata(string kind, IReadOnlyDictionary<string, string> metadata)
    {
        if (kind != MediaKind.Call || !metadata.TryGetValue("direction", out var direction))
        {
            return null;
        }

        return direction.Equals("inbound", StringComparison.OrdinalIgnoreCase)
            || direction.Equals("outbound", StringComparison.OrdinalIgnoreCase)
            ? null
            : "metadata 'direction' must be inbound or outbound";
    }

    private void LogIndexed(MediaRecord record)
    {
        // caller/callee are never logged; names go through the one masking rule (long digit runs may be numbers).
        if (record.Status == MediaStatus.Rejected)
        {
            logger.LogWarning("Rejected {Container}/{BlobName} ({MediaId}): {Reason}",
                record.Container, NameMasking.BlobName(record.BlobName), record.Id, record.RejectionReason);
        }
        else
        {
            logger.LogInformation("Indexed {Container}/{BlobName} ({MediaId}, {Size} bytes, sha256 {Sha256})",
                record.Container, NameMasking.BlobName(record.BlobName), record.Id, record.Size, record.Sha256);
        }
    }
}
