using Azure.Data.Tables;
using Azure.Identity;
using Azure.Storage.Blobs;
using MediaRetention.Core.Audit;
using MediaRetention.Core.Evidence;
using MediaRetention.Core.Holds;
using MediaRetention.Core.Ingest;
using MediaRetention.Core.Media;
using MediaRetention.Core.Retention;
using MediaRetention.Core.Storage;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace MediaRetention.Core.Hosting;

/// <summary>Registers the handlers and storage adapters; both hosts call this with their configuration.</summary>
public static class CoreServiceCollectionExtensions
{
    public static IServiceCollection AddMediaRetentionCore(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<MediaStorageOptions>().Bind(configuration).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<IngestOptions>().Bind(configuration.GetSection(IngestOptions.SectionName))
            .ValidateDataAnnotations().ValidateOnStart();

        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton(_ => MediaStorageClients.CreateBlobServiceClient(configuration));
        services.TryAddSingleton(_ => MediaStorageClients.CreateTableServiceClient(configuration));

        services.TryAddSingleton<IMediaBlobStore, AzureMediaBlobStore>();
        services.TryAddSingleton<IMediaIndex, TableMediaIndex>();
        services.TryAddSingleton<StorageProvisioner>();
        services.TryAddSingleton<BlobCorsRules>();
        services.TryAddSingleton<IngestBlobHandler>();
        services.AddMediaRetentionAudit();

        services.AddOptions<HoldOptions>().Bind(configuration.GetSection(HoldOptions.SectionName))
            .ValidateDataAnnotations().ValidateOnStart();
        services.TryAddSingleton<IHoldStore, TableHoldStore>();
        services.TryAddSingleton<IBlobHoldMarks, AzureBlobHoldMarks>();
        services.TryAddSingleton<HoldCoverage>();
        services.TryAddSingleton<PlaceHoldHandler>();
        services.TryAddSingleton<ReleaseHoldHandler>();
        services.TryAddSingleton<IIngestHoldMarker, HoldIngestMarker>();

        services.AddOptions<RetentionOptions>().Bind(configuration.GetSection(RetentionOptions.SectionName))
            .ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<RetentionScheduleOptions>().Bind(configuration).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<RetentionOptions>, RetentionOptionsValidator>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<RetentionScheduleOptions>, RetentionOptionsValidator>());
        services.TryAddSingleton<RetentionPolicy>();
        services.TryAddSingleton<RetentionSweepHandler>();
        services.TryAddSingleton<RetentionSweepLock>();
        services.TryAddSingleton<RunRetentionSweepHandler>();

        services.AddMediaRetentionEvidenceLinks();
        services.TryAddSingleton<IssueEvidenceLinksHandler>();
        services.TryAddSingleton<BuildEvidenceManifestHandler>();
        services.TryAddSingleton<VerifyEvidenceHandler>();

        services.AddOptions<MediaViewOptions>().Bind(configuration.GetSection(MediaViewOptions.SectionName))
            .ValidateDataAnnotations().ValidateOnStart();
        services.TryAddSingleton<IssueMediaViewLinkHandler>();
        services.TryAddSingleton<PreviewHoldHandler>();
        return services;
    }
}

/// <summary>
/// Builds storage clients from the <c>MediaStorage</c> setting: a connection string (Azurite, or an account
/// key), or the identity-based form the Functions runtime also understands
/// (<c>MediaStorage__blobServiceUri</c>, <c>MediaStorage__tableServiceUri</c>) with a managed identity.
/// </summary>
public static class MediaStorageClients
{
    public static BlobServiceClient CreateBlobServiceClient(IConfiguration configuration)
    {
        if (ConnectionString(configuration) is { } connectionString)
        {
            return new BlobServiceClient(connectionString);
        }

        var uri = configuration[$"{MediaStorageOptions.ConnectionName}:blobServiceUri"]
            ?? throw MissingSetting();
        return new BlobServiceClient(new Uri(uri), new DefaultAzureCredential());
    }

    public static TableServiceClient CreateTableServiceClient(IConfiguration configuration)
    {
        if (ConnectionString(configuration) is { } connectionString)
        {
            return new TableServiceClient(connectionString);
        }

        var uri = configuration[$"{MediaStorageOptions.ConnectionName}:tableServiceUri"]
            ?? throw MissingSetting();
        return new TableServiceClient(new Uri(uri), new DefaultAzureCredential());
    }

    private static string? ConnectionString(IConfiguration configuration) =>
        configuration.GetConnectionString(MediaStorageOptions.ConnectionName) is { Length: > 0 } fromSection
            ? fromSection
            : configuration[MediaStorageOptions.ConnectionName] is { Length: > 0 } plain ? plain : null;

    private static InvalidOperationException MissingSetting() => new(
        $"Setting '{MediaStorageOptions.ConnectionName}' is missing: give a storage connection string, " +
        $"or '{MediaStorageOptions.ConnectionName}__blobServiceUri' and '{MediaStorageOptions.ConnectionName}__tableServiceUri' for a managed identity.");
}
