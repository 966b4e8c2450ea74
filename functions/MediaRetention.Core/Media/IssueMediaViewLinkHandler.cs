using MediaRetention.Core.Audit;
using MediaRetention.Core.Evidence;
using Microsoft.Extensions.Options;

namespace MediaRetention.Core.Media;

/// <param name="Context">Why it is viewed, recorded with the view (e.g. the subject request it is looked at for).</param>
public sealed record IssueMediaViewLinkCommand(string MediaId, string Actor, IReadOnlyDictionary<string, string?>? Context = null);

/// <summary>A short-lived read link to one medium, for playing it.</summary>
public sealed record MediaViewLink(MediaRecord Media, Uri Url, DateTimeOffset ExpiresAt);

/// <summary>
/// Issues a read link for playing one medium. Watching footage or listening to a call is access to personal
/// data, so every link is one <c>media.viewed</c> audit entry, written before the link is returned. Links follow
/// the evidence rules (<see cref="EvidenceLinkPolicy"/>: one blob, read only, expiring) through the same issuer.
/// </summary>
public sealed class IssueMediaViewLinkHandler(
    IMediaIndex index,
    IEvidenceLinkIssuer links,
    IAuditLog audit,
    IOptions<MediaViewOptions> options,
    TimeProvider time)
{
    /// <returns>The link, or null when no medium has that id (or its index row cannot be read: which blob it names is
    /// then not known for sure).</returns>
    public async Task<MediaViewLink?> HandleAsync(IssueMediaViewLinkCommand command, CancellationToken cancellationToken)
    {
        var stored = await index.GetAsync(command.MediaId, cancellationToken);
        if (stored is null || stored.Unreadable is not null)
        {
            return null;
        }

        var media = stored.Record;
        var expiresAt = EvidenceLinkLifetime.ExpiryFrom(time.GetUtcNow(), options.Value.ViewLinkLifetime);
        var link = await links.IssueReadLinkAsync(media.Container, media.BlobName, expiresAt, cancellationToken);

        // What was viewed, by whom, until when; no phone numbers (the record's masked numbers stay out too, and the name's
        // long digit runs are masked: the media id in the target identifies it exactly).
        var details = new Dictionary<string, string?>
        {
            ["kind"] = media.Kind,
            ["container"] = media.Container,
            ["blobName"] = NameMasking.BlobName(media.BlobName),
            ["expiresAt"] = EvidenceDocument.Time(expiresAt),
        };
        foreach (var (key, value) in command.Context ?? new Dictionary<string, string?>())
        {
            details[key] = value;
        }

        await audit.AppendAsync(new AuditEvent(command.Actor, AuditActions.MediaViewed, "media/" + media.Id, details), cancellationToken);
        return new MediaViewLink(media, link.Url, expiresAt);
    }
}
