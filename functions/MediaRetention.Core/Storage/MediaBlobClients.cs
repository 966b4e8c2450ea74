using Azure;
using Azure.Core;
using Azure.Core.Pipeline;
using Azure.Storage;
using Azure.Storage.Blobs;
using Azure.Storage.Sas;

namespace MediaRetention.Core.Storage;

/// <summary>
/// The one place a media blob is addressed: by its exact stored name, whatever that name is. Indexing, hashing,
/// hold marks, evidence links and deletion all get their clients and URLs here.
/// </summary>
/// <remarks>
/// <para>
/// The .NET SDK builds a blob's URL with <see cref="Uri"/>, which resolves <c>.</c> and <c>..</c> segments (even
/// written <c>%2E</c>) and the SDK trims leading and trailing slashes: for <c>site-1/cam-1/../x.mp4</c> it would read,
/// mark and delete <c>site-1/x.mp4</c>, a different blob or none. Yet such names exist: a raw REST client, or an SDK
/// that does not resolve dot segments, stores them as written (Azurite keeps and lists them). A blob the pipeline
/// cannot address can never be indexed, hence never deleted: it would escape retention.
/// </para>
/// <para>
/// For every name the SDK addresses faithfully (every name that follows the upload contract) the SDK's own client
/// is used, unchanged. For the others, the client is built on a URL whose path is escaped segment by segment (dots
/// as <c>%2E</c>) and never canonicalised, sent through a transport that keeps that path on the wire
/// (<see cref="ExactPathHandler"/>). Such a request cannot be signed with Shared Key, because the SDK signs the
/// canonicalised path, so it carries an account SAS made from the key (or the Entra token, or the connection
/// string's SAS) instead.
/// </para>
/// </remarks>
public sealed class MediaBlobClients(BlobServiceClient service, ExactBlobCredential credential, TimeProvider time)
{
    private static readonly TimeSpan SasLifetime = TimeSpan.FromHours(2);
    private static readonly TimeSpan SasRenewBefore = TimeSpan.FromHours(1);
    private static readonly UriCreationOptions NotCanonical = new() { DangerousDisablePathAndQueryCanonicalization = true };

    // Shared by every exact client: stateless apart from its connection pool.
    private static readonly HttpClientTransport ExactTransport = new(new HttpClient(
        new ExactPathHandler { InnerHandler = new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(5) } }));

    private readonly BlobClientOptions exactOptions = new() { TrimBlobNameSlashes = false, Transport = ExactTransport };
    private readonly Lock sasLock = new();
    private AzureSasCredential? accountSas;
    private DateTimeOffset accountSasExpiresOn;

    public BlobServiceClient Service { get; } = service;

    /// <summary>The account key, when the connection has one: evidence links for any name are signed with it.</summary>
    public StorageSharedKeyCredential? AccountKey => credential.AccountKey;

    /// <summary>Clients for a connection string, as the hosts build them (tests and benchmarks).</summary>
    public static MediaBlobClients FromConnectionString(string connectionString, TimeProvider? time = null, BlobClientOptions? options = null) =>
        new(new BlobServiceClient(connectionString, options), StorageConnectionStrings.ExactCredential(connectionString), time ?? TimeProvider.System);

    /// <summary>A client for exactly the blob stored as <paramref name="blobName"/>.</summary>
    public BlobClient Get(string container, string blobName)
    {
        var client = Service.GetBlobContainerClient(container).GetBlobClient(blobName);
        return client.Name == blobName && client.BlobContainerName == container ? client : Exact(container, blobName);
    }

    /// <summary>Whether the SDK's own client addresses this name faithfully (false: the name is one the SDK rewrites).</summary>
    public bool SdkAddressesExactly(string container, string blobName)
    {
        var client = Service.GetBlobContainerClient(container).GetBlobClient(blobName);
        return client.Name == blobName && client.BlobContainerName == container;
    }

    /// <summary>The blob's URL, its path escaped segment by segment (dot segments as %2E) and never canonicalised.</summary>
    public static Uri ExactUri(Uri serviceUri, string container, string blobName) =>
        new(serviceUri.AbsoluteUri.TrimEnd('/') + "/" + Uri.EscapeDataString(container) + "/" + EscapeName(blobName), NotCanonical);

    /// <summary>An exact URL with a query (a SAS) appended, still never canonicalised.</summary>
    public static Uri WithQuery(Uri exactUri, string query) =>
        new(exactUri.OriginalString + "?" + query.TrimStart('?'), NotCanonical);

    /// <summary>Each segment percent-encoded; "." and ".." as %2E and %2E%2E, which the service decodes back.</summary>
    public static string EscapeName(string blobName) =>
        string.Join('/', blobName.Split('/').Select(segment => segment switch
        {
            "." => "%2E",
            ".." => "%2E%2E",
            _ => Uri.EscapeDataString(segment),
        }));

    private BlobClient Exact(string container, string blobName)
    {
        var uri = ExactUri(Service.Uri, container, blobName);
        return credential switch
        {
            { AccountKey: not null } => new BlobClient(uri, AccountSas(), exactOptions),
            { Token: { } token } => new BlobClient(uri, token, exactOptions),
            { Sas: { } sas } => new BlobClient(uri, new AzureSasCredential(sas), exactOptions),
            _ => throw new InvalidOperationException(
                $"Blob '{container}/{EscapeName(blobName)}' has a name the storage SDK rewrites, and the storage connection offers no " +
                "key, token or SAS to address it exactly."),
        };
    }

    /// <summary>An account SAS for blob objects, renewed well before it expires; the key itself never leaves here.</summary>
    private AzureSasCredential AccountSas()
    {
        var now = time.GetUtcNow();
        lock (sasLock)
        {
            if (accountSas is null || accountSasExpiresOn - now < SasRenewBefore)
            {
                // No start time: the service's clock decides validity from the moment of signing.
                var expiresOn = now + SasLifetime;
                var builder = new AccountSasBuilder(
                    AccountSasPermissions.Read | AccountSasPermissions.Tag | AccountSasPermissions.Delete | AccountSasPermissions.SetImmutabilityPolicy,
                    expiresOn, AccountSasServices.Blobs, AccountSasResourceTypes.Object)
                {
                    Protocol = string.Equals(Service.Uri.Scheme, Uri.UriSchemeHttps, StringComparison.OrdinalIgnoreCase)
                        ? SasProtocol.Https
                        : SasProtocol.HttpsAndHttp,
                };
                var sas = builder.ToSasQueryParameters(credential.AccountKey!).ToString();
                if (accountSas is null)
                {
                    accountSas = new AzureSasCredential(sas);
                }
                else
                {
                    accountSas.Update(sas);
                }

                accountSasExpiresOn = expiresOn;
            }

            return accountSas;
        }
    }
}

/// <summary>How requests for names the SDK would rewrite authenticate: an account key, an Entra token, or a SAS.</summary>
public sealed class ExactBlobCredential
{
    private ExactBlobCredential(StorageSharedKeyCredential? accountKey, TokenCredential? token, string? sas)
    {
        AccountKey = accountKey;
        Token = token;
        Sas = sas;
    }

    /// <summary>No way to address such names: requests for them fail with a message saying so.</summary>
    public static ExactBlobCredential None { get; } = new(null, null, null);

    public StorageSharedKeyCredential? AccountKey { get; }

    public TokenCredential? Token { get; }

    public string? Sas { get; }

    public static ExactBlobCredential FromAccountKey(StorageSharedKeyCredential key) => new(key, null, null);

    public static ExactBlobCredential FromToken(TokenCredential token) => new(null, token, null);

    public static ExactBlobCredential FromSas(string sas) => new(null, null, sas.TrimStart('?'));
}

/// <summary>
/// Puts the path the SDK was given back on the wire. The SDK turns its request URL string into a <see cref="Uri"/>,
/// which resolves dot segments; the string it started from (<see cref="Uri.OriginalString"/>) still has them, so the
/// request goes out with a URI made from it without canonicalisation. Used only by <see cref="MediaBlobClients"/>'
/// exact clients, whose URLs are escaped segment by segment.
/// </summary>
internal sealed class ExactPathHandler : DelegatingHandler
{
    private static readonly UriCreationOptions NotCanonical = new() { DangerousDisablePathAndQueryCanonicalization = true };

    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        if (request.RequestUri is { IsAbsoluteUri: true } uri && !string.Equals(uri.OriginalString, uri.AbsoluteUri, StringComparison.Ordinal))
        {
            request.RequestUri = new Uri(uri.OriginalString, NotCanonical);
        }

        return base.SendAsync(request, cancellationToken);
    }
}

/// <summary>Reads what <see cref="MediaBlobClients"/> needs from a storage connection string.</summary>
public static class StorageConnectionStrings
{
    /// <summary>Azurite's published development account (not a secret: it is in Microsoft's documentation).</summary>
    public const string DevelopmentAccountName = "devstoreaccount1";

    public const string DevelopmentAccountKey =
        "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";

    /// <summary>The account key (or SAS) in the connection string; <see cref="ExactBlobCredential.None"/> when there is neither.</summary>
    public static ExactBlobCredential ExactCredential(string connectionString)
    {
        var settings = Parse(connectionString);
        if (settings.TryGetValue("UseDevelopmentStorage", out var development) && development.Equals("true", StringComparison.OrdinalIgnoreCase))
        {
            return ExactBlobCredential.FromAccountKey(new StorageSharedKeyCredential(DevelopmentAccountName, DevelopmentAccountKey));
        }

        if (settings.TryGetValue("AccountName", out var name) && settings.TryGetValue("AccountKey", out var key))
        {
            return ExactBlobCredential.FromAccountKey(new StorageSharedKeyCredential(name, key));
        }

        return settings.TryGetValue("SharedAccessSignature", out var sas)
            ? ExactBlobCredential.FromSas(sas)
            : ExactBlobCredential.None;
    }

    private static Dictionary<string, string> Parse(string connectionString)
    {
        var settings = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var part in connectionString.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            // Values (keys, signatures) contain '=': split at the first one only.
            var equals = part.IndexOf('=');
            if (equals > 0)
            {
                settings[part[..equals]] = part[(equals + 1)..];
            }
        }

        return settings;
    }
}
