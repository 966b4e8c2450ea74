using Azure.Data.Tables;
using Azure.Storage.Blobs;
using MediaRetention.Core.Storage;
using MediaRetention.Testing;

namespace MediaRetention.IntegrationTests.Infrastructure;

/// <summary>One in-memory Azurite shared by the integration tests; each test uses its own container and table names.</summary>
public sealed class AzuriteFixture : IAsyncLifetime
{
    private AzuriteInstance? azurite;

    public AzuriteInstance Azurite => azurite ?? throw new InvalidOperationException("Azurite is not started.");

    public string ConnectionString => Azurite.ConnectionString;

    public BlobServiceClient BlobService => new(ConnectionString);

    public TableServiceClient TableService => new(ConnectionString);

    public async Task InitializeAsync() => azurite = await AzuriteInstance.StartAsync();

    public async Task DisposeAsync()
    {
        if (azurite is not null)
        {
            await azurite.DisposeAsync();
        }
    }

    /// <summary>Fresh, unique names so tests sharing this Azurite never see each other's data.</summary>
    public static MediaStorageOptions UniqueStorageOptions()
    {
        var suffix = Guid.NewGuid().ToString("N")[..10];
        return new MediaStorageOptions
        {
            CctvContainer = "cctv-" + suffix,
            CallsContainer = "calls-" + suffix,
            StateContainer = "state-" + suffix,
            MediaTable = "media" + suffix,
            HoldsTable = "holds" + suffix,
            AuditTable = "audit" + suffix,
            SubjectRequestsTable = "subjectrequests" + suffix,
        };
    }
}

[CollectionDefinition(Name)]
public sealed class AzuriteCollection : ICollectionFixture<AzuriteFixture>
{
    public const string Name = "Azurite";
}
