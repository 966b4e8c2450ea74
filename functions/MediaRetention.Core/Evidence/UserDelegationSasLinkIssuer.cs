using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using MediaRetention.Core.Storage;

namespace MediaRetention.Core.Evidence;

/// <summary>
/// Signs links with a user-delegation key obtained through the app's Entra identity (managed identity on
/// Azure), so no account key is needed. The key is cached and fetched again only when it would not cover the
/// requested expiry: one key request per week instead of one per link.
/// </summary>
/// <remarks>Azurite refuses user-delegation SAS over plain http, so this issuer is for Azure only.</remarks>
public sealed class UserDelegationSasLinkIssuer(BlobServiceClient service, TimeProvider time) : IEvidenceLinkIssuer, IDisposable
{
    // The service accepts key expiries at most 7 days after its own clock. Asking for nearly that lets one key serve
    // the links of the next days; the margin keeps a slightly fast host clock from asking for too much (a 400).
    internal static readonly TimeSpan KeyLifetime = TimeSpan.FromDays(7) - EvidenceLinkPolicy.KeyExpiryMargin;

    private readonly SemaphoreSlim keyLock = new(1, 1);
    private UserDelegationKey? cachedKey;

    public async Task<EvidenceLink> IssueReadLinkAsync(string container, string blobName, DateTimeOffset expiresOn, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        EvidenceLinkPolicy.ValidateRequest(container, blobName, expiresOn, now);
        var key = await KeyCoveringAsync(expiresOn, cancellationToken);

        var sas = EvidenceLinkPolicy.ReadOneBlob(service.Uri, container, blobName, expiresOn, now)
            .ToSasQueryParameters(key, service.AccountName);
        var url = MediaBlobClients.WithQuery(MediaBlobClients.ExactUri(service.Uri, container, blobName), sas.ToString());
        return new EvidenceLink(url, expiresOn);
    }

    public void Dispose() => keyLock.Dispose();

    private async Task<UserDelegationKey> KeyCoveringAsync(DateTimeOffset expiresOn, CancellationToken cancellationToken)
    {
        // A SAS stops working when its key expires, whatever its own expiry says.
        if (Volatile.Read(ref cachedKey) is { } key && key.SignedExpiresOn >= expiresOn)
        {
            return key;
        }

        await keyLock.WaitAsync(cancellationToken);
        try
        {
            if (cachedKey is { } renewedMeanwhile && renewedMeanwhile.SignedExpiresOn >= expiresOn)
            {
                return renewedMeanwhile;
            }

            var now = time.GetUtcNow();
            var options = new BlobGetUserDelegationKeyOptions(now + KeyLifetime)
            {
                StartsOn = now - EvidenceLinkPolicy.ClockSkewAllowance,
            };
            var fresh = (await service.GetUserDelegationKeyAsync(options, cancellationToken)).Value;
            if (fresh.SignedExpiresOn < expiresOn)
            {
                throw new InvalidOperationException(
                    $"The user-delegation key expires at {fresh.SignedExpiresOn:O}, before the requested link expiry {expiresOn:O}.");
            }

            Volatile.Write(ref cachedKey, fresh);
            return fresh;
        }
        finally
        {
            keyLock.Release();
        }
    }
}
