using MediaRetention.Core.Storage;

namespace MediaRetention.Core.Evidence;

/// <summary>Picks the link issuer that can work with how the storage connection authenticates.</summary>
public static class EvidenceLinkIssuerSelector
{
    /// <summary>Account-key signing when the connection holds the key (connection string: Azurite, on-prem);
    /// otherwise user-delegation signing through the client's Entra identity (Azure, managed identity).</summary>
    public static IEvidenceLinkIssuer Select(MediaBlobClients clients, TimeProvider time) =>
        clients.AccountKey is not null
            ? new AccountKeySasLinkIssuer(clients, time)
            : new UserDelegationSasLinkIssuer(clients.Service, time);
}
