using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using MediaRetention.Core.Hosting;
using MediaRetention.Core.Ingest;
using MediaRetention.Core.Storage;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;

namespace MediaRetention.IntegrationTests.Infrastructure;

/// <summary>The real core services (handlers and storage adapters) on Azurite, with a clock the test moves.</summary>
public sealed class CoreHarness : IAsyncDisposable
{
    private readonly ServiceProvider services;

    private CoreHarness(ServiceProvider services, FakeTimeProvider time, MediaStorageOptions storage)
    {
        this.services = services;
        Time = time;
        Storage = storage;
    }

    public FakeTimeProvider Time { get; }

    public MediaStorageOptions Storage { get; }

    public BlobServiceClient Blobs => Get<BlobServiceClient>();

    public T Get<T>() where T : notnull => services.GetRequiredService<T>();

    public static async Task<CoreHarness> CreateAsync(
        string connectionString, MediaStorageOptions storage, FakeTimeProvider? time = null, IDictionary<string, string?>? settings = null,
        bool failFast = false, Action<IServiceCollection>? configure = null, MediaRetention.Testing.StorageRequestCounter? requests = null)
    {
        var values = new Dictionary<string, string?>
        {
            ["MediaStorage"] = connectionString,
            [nameof(storage.CctvContainer)] = storage.CctvContainer,
            [nameof(storage.CallsContainer)] = storage.CallsContainer,
            [nameof(storage.StateContainer)] = storage.StateContainer,
            [nameof(storage.MediaTable)] = storage.MediaTable,
            [nameof(storage.HoldsTable)] = storage.HoldsTable,
            [nameof(storage.AuditTable)] = storage.AuditTable,
            [nameof(storage.SubjectRequestsTable)] = storage.SubjectRequestsTable,
            // Tests upload clips that are expired already; the product rejects those by default (Ingest:PastTolerance).
            ["Ingest:PastTolerance"] = "3650.00:00:00",
            ["PhoneHash:Keys:0"] = TestKeys.PhoneHashKey,
        };
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
        {
            values[key] = value;
        }

        var configuration = new ConfigurationBuilder().AddInMemoryCollection(values).Build();
        var clock = time ?? new FakeTimeProvider(TruncateToSeconds(DateTimeOffset.UtcNow));
        var collection = new ServiceCollection();
        collection.AddLogging(b => b.SetMinimumLevel(LogLevel.Warning));
        collection.AddSingleton<TimeProvider>(clock);
        if (requests is not null)
        {
            // Every request the core's clients send is counted at the client.
            collection.AddSingleton(new BlobServiceClient(connectionString, requests.BlobOptions()));
            collection.AddSingleton(new Azure.Data.Tables.TableServiceClient(connectionString, requests.TableOptions()));
        }
        else if (failFast)
        {
            // For outage tests: one quick retry instead of the SDK's default back-off of several seconds.
            var blobOptions = new BlobClientOptions();
            blobOptions.Retry.MaxRetries = 1;
            blobOptions.Retry.Delay = TimeSpan.FromMilliseconds(50);
            var tableOptions = new Azure.Data.Tables.TableClientOptions();
            tableOptions.Retry.MaxRetries = 1;
            tableOptions.Retry.Delay = TimeSpan.FromMilliseconds(50);
            collection.AddSingleton(new BlobServiceClient(connectionString, blobOptions));
            collection.AddSingleton(new Azure.Data.Tables.TableServiceClient(connectionString, tableOptions));
        }

        // Before the core's registrations, which only add what is not there yet: a test's replacement wins.
        configure?.Invoke(collection);
        collection.TryAddSingleton<RecordingOperationDispatcher>();
        collection.TryAddSingleton<MediaRetention.Core.Operations.IOperationDispatcher>(sp => sp.GetRequiredService<RecordingOperationDispatcher>());
        collection.AddMediaRetentionCore(configuration);
        var provider = collection.BuildServiceProvider();
        await provider.GetRequiredService<StorageProvisioner>().EnsureCreatedAsync(default);
        return new CoreHarness(provider, clock, storage);
    }

    public static DateTimeOffset TruncateToSeconds(DateTimeOffset t) => new(t.Ticks - (t.Ticks % TimeSpan.TicksPerSecond), TimeSpan.Zero);

    public async Task<BlobClient> UploadAsync(string container, string name, byte[] content, IDictionary<string, string>? metadata = null)
    {
        var blob = Blobs.GetBlobContainerClient(container).GetBlobClient(name);
        await blob.UploadAsync(new BinaryData(content), new BlobUploadOptions { Metadata = metadata });
        return blob;
    }

    /// <summary>Uploads and indexes, as a blob trigger would.</summary>
    public async Task<IngestResult> UploadAndIngestAsync(string container, string name, byte[] content, IDictionary<string, string>? metadata = null)
    {
        await UploadAsync(container, name, content, metadata);
        return await Get<IngestBlobHandler>().HandleAsync(new IngestBlobCommand(container, name), default);
    }

    public async Task<bool> ExistsAsync(string container, string name) =>
        (await Blobs.GetBlobContainerClient(container).GetBlobClient(name).ExistsAsync()).Value;

    public ValueTask DisposeAsync() => services.DisposeAsync();
}
