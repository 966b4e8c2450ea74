using System.Globalization;
using MediaRetention.Core.Audit;
using MediaRetention.Core.Holds;
using Microsoft.Extensions.Options;

namespace MediaRetention.Core.Evidence;

/// <summary>A page of a hold's media with links; <see cref="Hold"/> is one the caller has been allowed to see.</summary>
public sealed record IssueEvidenceLinksCommand(Hold Hold, string Actor, string? ContinuationToken, int PageSize, TimeSpan? LinkLifetime);

public sealed record EvidencePage(
    Hold Hold,
    DateTimeOffset GeneratedAt,
    string GeneratedBy,
    IReadOnlyList<EvidenceItem> Items,
    string? ContinuationToken,
    DateTimeOffset LinksExpireAt);

/// <summary>
/// Issues read-only links for one page of the media a hold covers. Every call is one audit entry (who, which
/// hold, how many links, until when), written before the links are returned: a link nobody can account for
/// is never handed out.
/// </summary>
public sealed class IssueEvidenceLinksHandler(
    HoldCoverage coverage,
    IEvidenceLinkIssuer links,
    IAuditLog audit,
    IOptions<EvidenceOptions> options,
    TimeProvider time)
{
    /// <exception cref="ArgumentOutOfRangeException">The requested link lifetime is outside 1 minute to 7 days less an hour.</exception>
    /// <exception cref="Storage.InvalidContinuationTokenException">The token is not one this API issued.</exception>
    public async Task<EvidencePage> HandleAsync(IssueEvidenceLinksCommand command, CancellationToken cancellationToken)
    {
        var lifetime = EvidenceLinkLifetime.Resolve(command.LinkLifetime, options.Value);
        var page = await coverage.PageAsync(command.Hold.Scope, command.ContinuationToken, command.PageSize, cancellationToken);

        var now = time.GetUtcNow();
        var expiresAt = EvidenceLinkLifetime.ExpiryFrom(now, lifetime);
        var items = new List<EvidenceItem>(page.Items.Count);
        foreach (var media in page.Items)
        {
            var link = await links.IssueReadLinkAsync(media.Container, media.BlobName, expiresAt, cancellationToken);
            items.Add(EvidenceItem.For(media, link));
        }

        var details = EvidenceAuditDetails.For(command.Hold);
        details["links"] = items.Count.ToString(CultureInfo.InvariantCulture);
        details["expiresAt"] = EvidenceDocument.Time(expiresAt);
        details["page"] = command.ContinuationToken is null ? "first" : "next";
        await audit.AppendAsync(
            new AuditEvent(command.Actor, AuditActions.EvidenceLinksIssued, "hold/" + command.Hold.Id, details), cancellationToken);

        return new EvidencePage(command.Hold, now, command.Actor, items, page.ContinuationToken, expiresAt);
    }
}

/// <summary>
/// What an evidence audit entry says about the hold: the case and agency, never the scope's phone number (not
/// even masked: the entry is about the handover, and the hold's own entry already describes its scope).
/// </summary>
internal static class EvidenceAuditDetails
{
    public static Dictionary<string, string?> For(Hold hold) => new()
    {
        ["caseNumber"] = hold.CaseNumber,
        ["agency"] = hold.Agency,
        ["scope"] = hold.Scope.Type,
    };
}
