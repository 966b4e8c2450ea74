using Azure.Storage;
using MediaRetention.Core.Storage;

namespace MediaRetention.Core.Evidence;

/// <summary>
/// Signs links with the storage account key (a connection string): Azurite and on-prem deployments. Needs no network
/// call. The link addresses the blob by its exact name (<see cref="MediaBlobClients.ExactUri"/>), so it reads exactly
/// that blob even when its name has segments a URL parser would resolve away.
/// </summary>
public sealed class AccountKeySasLinkIssuer(Uri serviceUri, StorageSharedKeyCredential key, TimeProvider time) : IEvidenceLinkIssuer
{
    public AccountKeySasLinkIssuer(MediaBlobClients clients, TimeProvider time)
        : this(clients.Service.Uri, clients.AccountKey ?? throw new ArgumentException(
            "The storage connection has no account key, so links cannot be signed here; use the user-delegation issuer.", nameof(clients)), time)
    {
    }

    public Task<EvidenceLink> IssueReadLinkAsync(string container, string blobName, DateTimeOffset expiresOn, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        EvidenceLinkPolicy.ValidateRequest(container, blobName, expiresOn, now);
        var sas = EvidenceLinkPolicy.ReadOneBlob(serviceUri, container, blobName, expiresOn, now).ToSasQueryParameters(key);
        var url = MediaBlobClients.WithQuery(MediaBlobClients.ExactUri(serviceUri, container, blobName), sas.ToString());
        return Task.FromResult(new EvidenceLink(url, expiresOn));
    }
}
