using MediaRetention.Api.Audit;
using MediaRetention.Api.Auth;
using MediaRetention.Api.Evidence;
using MediaRetention.Api.Holds;
using MediaRetention.Api.Media;
using MediaRetention.Api.Retention;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace MediaRetention.Api;

/// <summary>
/// The HTTP API's routes, below <c>/api</c>. The Functions app declares the same templates on its
/// HttpTriggers (its route prefix is <c>api</c> in host.json); the runner maps them here.
/// </summary>
public static class ApiRoutes
{
    public const string Media = "media";
    public const string MediaById = "media/{id}";
    public const string Holds = "holds";
    public const string HoldById = "holds/{id}";
    public const string HoldRelease = "holds/{id}/release";
    public const string HoldEvidence = "holds/{id}/evidence";
    public const string HoldEvidenceManifest = "holds/{id}/evidence/manifest";
    public const string HoldEvidenceVerify = "holds/{id}/evidence/verify";
    public const string EvidenceSigningKeys = "evidence/signing-keys";
    public const string Audit = "audit";
    public const string AuditVerify = "audit/verify";
    public const string RetentionPreview = "retention/preview";
    public const string RetentionSweep = "retention/sweep";

    public static IServiceCollection AddMediaRetentionApi(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<AuthOptions>().Bind(configuration.GetSection(AuthOptions.SectionName)).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<AuthOptions>, AuthOptionsValidator>());
        services.TryAddSingleton<ICallerAuthenticator>(sp =>
            sp.GetRequiredService<IOptions<AuthOptions>>().Value.Mode == AuthOptions.AppServiceMode
                ? new AppServicePrincipalAuthenticator(AppServicePlatform.IsAuthenticationEnabled(configuration))
                : ActivatorUtilities.CreateInstance<ApiKeyAuthenticator>(sp));
        services.AddHostedService<AuthStartupCheck>();
        services.TryAddSingleton<ApiAccess>();
        services.TryAddSingleton<MediaEndpoints>();
        services.TryAddSingleton<HoldEndpoints>();
        services.TryAddSingleton<AuditEndpoints>();
        services.TryAddSingleton<RetentionEndpoints>();
        services.TryAddSingleton<EvidenceEndpoints>();
        services.TryAddSingleton<SigningKeyEndpoints>();
        return services;
    }

    public static IEndpointRouteBuilder MapMediaRetentionApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api");
        api.MapGet(Media, (HttpRequest r, MediaEndpoints e, CancellationToken ct) => e.ListAsync(r, ct));
        api.MapGet(MediaById, (HttpRequest r, string id, MediaEndpoints e, CancellationToken ct) => e.GetAsync(r, id, ct));
        api.MapPost(Holds, (HttpRequest r, HoldEndpoints e, CancellationToken ct) => e.PlaceAsync(r, ct));
        api.MapGet(Holds, (HttpRequest r, HoldEndpoints e, CancellationToken ct) => e.ListAsync(r, ct));
        api.MapGet(HoldById, (HttpRequest r, string id, HoldEndpoints e, CancellationToken ct) => e.GetAsync(r, id, ct));
        api.MapPost(HoldRelease, (HttpRequest r, string id, HoldEndpoints e, CancellationToken ct) => e.ReleaseAsync(r, id, ct));
        api.MapGet(HoldEvidence, (HttpRequest r, string id, EvidenceEndpoints e, CancellationToken ct) => e.PageAsync(r, id, ct));
        api.MapGet(HoldEvidenceManifest, (HttpRequest r, string id, EvidenceEndpoints e, CancellationToken ct) => e.ManifestAsync(r, id, ct));
        api.MapPost(HoldEvidenceVerify, (HttpRequest r, string id, EvidenceEndpoints e, CancellationToken ct) => e.VerifyAsync(r, id, ct));
        api.MapGet(EvidenceSigningKeys, (HttpRequest r, SigningKeyEndpoints e, CancellationToken ct) => e.GetAsync(r, ct));
        api.MapGet(Audit, (HttpRequest r, AuditEndpoints e, CancellationToken ct) => e.ListAsync(r, ct));
        api.MapGet(AuditVerify, (HttpRequest r, AuditEndpoints e, CancellationToken ct) => e.VerifyAsync(r, ct));
        api.MapGet(RetentionPreview, (HttpRequest r, RetentionEndpoints e, CancellationToken ct) => e.PreviewAsync(r, ct));
        api.MapPost(RetentionSweep, (HttpRequest r, RetentionEndpoints e, CancellationToken ct) => e.SweepAsync(r, ct));
        return app;
    }
}
