using Azure.Storage.Blobs;

namespace MediaRetention.Core.Evidence;

/// <summary>Picks the link issuer that can work with how the blob client authenticates.</summary>
public static class EvidenceLinkIssuerSelector
{
    /// <summary>Account-key signing when the client holds the key (connection string: Azurite, on-prem);
    /// otherwise user-delegation signing through the client's Entra identity (Azure, managed identity).</summary>
    public static IEvidenceLinkIssuer Select(BlobServiceClient service, TimeProvider time) =>
        service.CanGenerateAccountSasUri
            ? new AccountKeySasLinkIssuer(service, time)
            : new UserDelegationSasLinkIssuer(service, time);
}
