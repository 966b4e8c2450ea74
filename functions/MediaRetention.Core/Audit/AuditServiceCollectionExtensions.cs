using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace MediaRetention.Core.Audit;

public static class AuditServiceCollectionExtensions
{
    /// <summary>
    /// Registers <see cref="IAuditLog"/>. Relies on what <c>AddMediaRetentionCore</c> registers (the table client,
    /// <c>MediaStorageOptions</c>, <see cref="TimeProvider"/>). A singleton, because its group commit only
    /// batches appends that go through the same instance.
    /// </summary>
    public static IServiceCollection AddMediaRetentionAudit(this IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.TryAddSingleton<IAuditLog, TableAuditLog>();
        return services;
    }
}
