namespace MediaRetention.Core.Evidence;

/// <summary>A time-limited URL that reads one blob, and the instant it stops working.</summary>
public sealed record EvidenceLink(Uri Url, DateTimeOffset ExpiresOn);

/// <summary>Issues read-only links for handing preserved media to police liaisons.</summary>
public interface IEvidenceLinkIssuer
{
    /// <summary>
    /// A URL that can READ exactly this one blob until <paramref name="expiresOn"/>: not list, not write,
    /// not delete, not reach another blob.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">
    /// <paramref name="expiresOn"/> is not in the future, or is more than <see cref="EvidenceLinkPolicy.MaxLifetime"/> away.
    /// </exception>
    Task<EvidenceLink> IssueReadLinkAsync(string container, string blobName, DateTimeOffset expiresOn, CancellationToken cancellationToken);
}
