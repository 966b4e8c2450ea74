using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace MediaRetention.Core.SubjectRequests;

public static class SubjectRequestsServiceCollectionExtensions
{
    /// <summary>Registers the data-subject request handlers, their table store, the phone-number seam and options.</summary>
    public static IServiceCollection AddMediaRetentionSubjectRequests(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<SubjectRequestOptions>().Bind(configuration.GetSection(SubjectRequestOptions.SectionName))
            .ValidateDataAnnotations().ValidateOnStart();
        services.TryAddSingleton<ISubjectPhoneNumbers, SubjectPhoneNumbers>();
        services.TryAddSingleton<ISubjectRequestStore, TableSubjectRequestStore>();
        services.TryAddSingleton<SubjectMediaMatcher>();
        services.TryAddSingleton<SubjectSummaryWriter>();
        services.TryAddSingleton<OpenSubjectRequestHandler>();
        services.TryAddSingleton<ListSubjectRequestsHandler>();
        services.TryAddSingleton<GetSubjectRequestHandler>();
        services.TryAddSingleton<ExportSubjectAccessHandler>();
        services.TryAddSingleton<EraseSubjectDataHandler>();
        services.TryAddSingleton<ResolveSubjectRequestHandler>();
        services.TryAddSingleton<ViewSubjectMediumHandler>();
        return services;
    }
}
