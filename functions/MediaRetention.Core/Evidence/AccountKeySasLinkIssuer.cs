using Azure.Storage.Blobs;

namespace MediaRetention.Core.Evidence;

/// <summary>
/// Signs links with the storage account key the client was built with (a connection string): Azurite and
/// on-prem deployments. Needs no network call.
/// </summary>
public sealed class AccountKeySasLinkIssuer : IEvidenceLinkIssuer
{
    private readonly BlobServiceClient service;
    private readonly TimeProvider time;

    public AccountKeySasLinkIssuer(BlobServiceClient service, TimeProvider time)
    {
        if (!service.CanGenerateAccountSasUri)
        {
            throw new ArgumentException(
                "The blob service client has no account key, so it cannot sign links itself; use the user-delegation issuer.",
                nameof(service));
        }

        this.service = service;
        this.time = time;
    }

    public Task<EvidenceLink> IssueReadLinkAsync(string container, string blobName, DateTimeOffset expiresOn, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        EvidenceLinkPolicy.ValidateRequest(container, blobName, expiresOn, now);
        var blob = service.GetBlobContainerClient(container).GetBlobClient(blobName);
        var url = blob.GenerateSasUri(EvidenceLinkPolicy.ReadOneBlob(service.Uri, container, blobName, expiresOn, now));
        return Task.FromResult(new EvidenceLink(url, expiresOn));
    }
}
