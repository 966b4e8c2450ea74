using MediaRetention.Core.Storage;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace MediaRetention.Core.Evidence;

public static class EvidenceServiceCollectionExtensions
{
    /// <summary>
    /// Registers <see cref="EvidenceOptions"/> (section <c>Evidence</c>, validated at start) and the
    /// <see cref="IEvidenceLinkIssuer"/> that matches the registered <see cref="MediaBlobClients"/>.
    /// </summary>
    public static IServiceCollection AddMediaRetentionEvidenceLinks(this IServiceCollection services)
    {
        services.AddOptions<EvidenceOptions>().BindConfiguration(EvidenceOptions.SectionName)
            .ValidateDataAnnotations().ValidateOnStart();
        services.TryAddSingleton(TimeProvider.System);
        // Singleton: the user-delegation issuer caches its key for the life of the process.
        services.TryAddSingleton<IEvidenceLinkIssuer>(provider => EvidenceLinkIssuerSelector.Select(
            provider.GetRequiredService<MediaBlobClients>(), provider.GetRequiredService<TimeProvider>()));
        return services;
    }
}
