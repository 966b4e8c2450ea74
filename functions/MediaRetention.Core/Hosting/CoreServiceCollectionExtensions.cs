using Azure.Storage.Blobs;
using MediaRetention.Core.Audit;
using MediaRetention.Core.Evidence;
using MediaRetention.Core.Evidence.Signing;
using MediaRetention.Core.Holds;
using MediaRetention.Core.Ingest;
using MediaRetention.Core.Media;
using MediaRetention.Core.Operations;
using MediaRetention.Core.Phones;
using MediaRetention.Core.Retention;
using MediaRetention.Core.Storage;
using MediaRetention.Core.SubjectRequests;
using Microsoft.Extensions.Azure;
using MediaRetention.Core.Telemetry;
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
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<IngestOptions>, IngestOptionsValidator>());

        services.TryAddSingleton(TimeProvider.System);
        services.AddMetrics();
        services.TryAddSingleton<MediaRetentionTelemetry>();
        // AzureComponentFactory turns MediaStorage__credential / __clientId into a credential exactly as the blob
        // trigger reads them, so the app's own clients and the bindings use the same identity.
        services.AddAzureClientsCore();
        services.TryAddSingleton(sp => MediaStorageClients.CreateBlobServiceClient(configuration, sp.GetRequiredService<AzureComponentFactory>()));
        services.TryAddSingleton(sp => MediaStorageClients.CreateTableServiceClient(configuration, sp.GetRequiredService<AzureComponentFactory>()));
        services.TryAddSingleton(sp => new MediaBlobClients(sp.GetRequiredService<BlobServiceClient>(),
            MediaStorageClients.CreateExactBlobCredential(configuration, sp.GetRequiredService<AzureComponentFactory>()),
            sp.GetRequiredService<TimeProvider>()));

        services.TryAddSingleton<IDeleteConditionSupport, DeleteConditionSupport>();
        services.TryAddSingleton<IMediaBlobStore, AzureMediaBlobStore>();
        services.TryAddSingleton<TableMediaIndex>();
        services.TryAddSingleton<IMediaIndex>(sp => sp.GetRequiredService<TableMediaIndex>());
        services.TryAddSingleton<IMediaLookupRows>(sp => sp.GetRequiredService<TableMediaIndex>());
        services.TryAddSingleton<BackfillLookupRowsHandler>();
        services.TryAddSingleton<StorageProvisioner>();
        services.TryAddSingleton<BlobCorsRules>();
        services.AddMediaRetentionPhones(configuration);
        services.TryAddSingleton<IngestBlobHandler>();
        services.TryAddSingleton<IBlobIngestor>(sp => sp.GetRequiredService<IngestBlobHandler>());
        services.TryAddSingleton<IMediaBlobListing, AzureMediaBlobStore>();
        services.AddMediaRetentionAudit(configuration);

        services.AddOptions<HoldOptions>().Bind(configuration.GetSection(HoldOptions.SectionName))
            .ValidateDataAnnotations().ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<HoldOptions>, HoldOptionsValidator>());
        services.TryAddSingleton<IHoldStore, TableHoldStore>();
        services.TryAddSingleton<IBlobHoldMarks, AzureBlobHoldMarks>();
        services.TryAddSingleton<HoldCoverage>();
        services.TryAddSingleton<IHoldMarkingStore, TableHoldMarkingStore>();
        services.TryAddSingleton<HoldMarker>();
        services.TryAddSingleton<PlaceHoldHandler>();
        services.TryAddSingleton<ReleaseHoldHandler>();
        services.TryAddSingleton<ReviewHoldHandler>();
        services.TryAddSingleton<RekeyPhoneHashesHandler>();
        services.TryAddSingleton<HoldCache>();
        services.TryAddSingleton<IHoldIdempotencyStore, TableHoldIdempotencyStore>();
        services.TryAddSingleton<IIngestHoldMarker, HoldIngestMarker>();

        services.AddOptions<RetentionOptions>().Bind(configuration.GetSection(RetentionOptions.SectionName))
            .ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<RetentionScheduleOptions>().Bind(configuration).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<RetentionOptions>, RetentionOptionsValidator>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<RetentionScheduleOptions>, RetentionOptionsValidator>());
        services.TryAddSingleton<RetentionPolicy>();
        services.TryAddSingleton<ISweepCheckpointStore, BlobSweepCheckpointStore>();
        services.TryAddSingleton<HoldSafeDeleter>();
        services.TryAddSingleton<RetentionSweepHandler>();
        services.TryAddSingleton<RetentionSweepLock>();
        services.TryAddSingleton<RunRetentionSweepHandler>();

        services.AddOptions<OperationOptions>().Bind(configuration.GetSection(OperationOptions.SectionName))
            .ValidateDataAnnotations().ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<OperationOptions>, OperationOptionsValidator>());
        services.TryAddSingleton<IOperationStore, BlobOperationStore>();
        services.TryAddSingleton<StartOperationHandler>();
        services.TryAddSingleton<RunOperationHandler>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IOperationWork, SweepOperationWork>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IOperationWork, VerifyEvidenceOperationWork>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IOperationWork, VerifyAuditOperationWork>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IOperationWork, MarkHoldMediaOperationWork>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IOperationWork, BackfillLookupRowsOperationWork>());

        services.AddMediaRetentionEvidenceLinks();
        services.AddMediaRetentionEvidenceSigning(configuration);
        services.TryAddSingleton<IssueEvidenceLinksHandler>();
        services.TryAddSingleton<BuildEvidenceManifestHandler>();
        services.TryAddSingleton<VerifyEvidenceHandler>();

        services.AddOptions<MediaViewOptions>().Bind(configuration.GetSection(MediaViewOptions.SectionName))
            .ValidateDataAnnotations().ValidateOnStart();
        services.TryAddSingleton<IssueMediaViewLinkHandler>();
        services.TryAddSingleton<PreviewHoldHandler>();
        services.AddMediaRetentionSubjectRequests(configuration);
        return services;
    }
}
