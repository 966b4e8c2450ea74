using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace MediaRetention.Core.Audit;

public static class AuditServiceCollectionExtensions
{
    /// <summary>
    /// Registers <see cref="IAuditLog"/>, the anchoring of its chain and the verification against the anchors.
    /// Relies on what <c>AddMediaRetentionCore</c> registers (the table and blob clients, <c>MediaStorageOptions</c>,
    /// <see cref="TimeProvider"/>). The log is a singleton, because its group commit only batches appends that go
    /// through the same instance.
    /// </summary>
    public static IServiceCollection AddMediaRetentionAudit(this IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.TryAddSingleton<TableAuditLog>();
        services.TryAddSingleton<IAuditLog>(provider => provider.GetRequiredService<TableAuditLog>());
        services.TryAddSingleton<IAuditChain>(provider => provider.GetRequiredService<TableAuditLog>());
        services.TryAddSingleton<IAuditAnchorStore, AppendBlobAuditAnchorStore>();
        services.TryAddSingleton<AnchorAuditChainHandler>();
        services.TryAddSingleton<VerifyAuditChainHandler>();
        return services;
    }

    /// <summary>As above, with <see cref="AuditOptions"/> (section <c>Audit</c>) and the top-level
    /// <c>AuditAnchorSchedule</c> bound and validated at start.</summary>
    public static IServiceCollection AddMediaRetentionAudit(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        services.AddOptions<AuditOptions>().Bind(configuration.GetSection(AuditOptions.SectionName))
            .ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<AuditAnchorScheduleOptions>().Bind(configuration).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<AuditAnchorScheduleOptions>, AuditAnchorScheduleOptionsValidator>());
        return services.AddMediaRetentionAudit();
    }
}
