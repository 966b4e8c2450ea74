using Azure.Storage.Sas;

namespace MediaRetention.Core.Evidence;

/// <summary>The rules both link issuers share, so an account-key link and a user-delegation link look alike.</summary>
public static class EvidenceLinkPolicy
{
    /// <summary>
    /// Azure refuses a user-delegation key that expires more than 7 days after ITS clock, so a key is asked for
    /// this much less: a host clock up to this far ahead of the service still gets its key.
    /// </summary>
    public static readonly TimeSpan KeyExpiryMargin = TimeSpan.FromMinutes(15);

    /// <summary>
    /// Longest link lifetime: 7 days less an hour. A user-delegation SAS dies with its key (at most 7 days, less
    /// <see cref="KeyExpiryMargin"/>), and a key fetched up to 45 minutes earlier still covers a link of this length.
    /// Account-key links get the same cap so behaviour does not change between Azurite and Azure.
    /// </summary>
    public static readonly TimeSpan MaxLifetime = TimeSpan.FromDays(7) - TimeSpan.FromHours(1);

    /// <summary>The longest lifetime as the API writes it (ISO 8601 duration).</summary>
    public const string MaxLifetimeText = "P6DT23H";

    /// <summary>The SAS start is back-dated by this much: a storage front end whose clock runs slightly
    /// behind ours would otherwise refuse a brand-new link.</summary>
    public static readonly TimeSpan ClockSkewAllowance = TimeSpan.FromMinutes(5);

    internal static void ValidateRequest(string container, string blobName, DateTimeOffset expiresOn, DateTimeOffset now)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(container);
        ArgumentException.ThrowIfNullOrWhiteSpace(blobName);
        if (expiresOn <= now)
        {
            throw new ArgumentOutOfRangeException(nameof(expiresOn), expiresOn, $"A link must expire in the future (now {now:O}).");
        }

        if (expiresOn - now > MaxLifetime)
        {
            throw new ArgumentOutOfRangeException(nameof(expiresOn), expiresOn,
                $"A link may live at most {MaxLifetimeText} (now {now:O}).");
        }
    }

    /// <summary>A read-only SAS for one blob ("b"): the signature covers the blob's path, so it cannot be
    /// reused for a sibling, and with Read alone the service refuses write, delete and list.</summary>
    internal static BlobSasBuilder ReadOneBlob(Uri serviceUri, string container, string blobName, DateTimeOffset expiresOn, DateTimeOffset now)
    {
        var builder = new BlobSasBuilder
        {
            BlobContainerName = container,
            BlobName = blobName,
            Resource = "b",
            StartsOn = now - ClockSkewAllowance,
            ExpiresOn = expiresOn,
            // Azurite and on-prem endpoints are plain http; a link that insisted on https would be dead there.
            Protocol = string.Equals(serviceUri.Scheme, Uri.UriSchemeHttps, StringComparison.OrdinalIgnoreCase)
                ? SasProtocol.Https
                : SasProtocol.HttpsAndHttp,
        };
        builder.SetPermissions(BlobSasPermissions.Read);
        return builder;
    }
}
