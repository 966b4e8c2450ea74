using MediaRetention.Api.Audit;
using MediaRetention.Api.Auth;
using MediaRetention.Api.Evidence;
using MediaRetention.Api.Holds;
using MediaRetention.Api.Media;
using MediaRetention.Api.Retention;
using MediaRetention.Api.WebConsole;
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
/// HttpTriggers (host.json sets an empty route prefix, so the web console can be served at <c>/</c> from the same
/// origin); the runner maps them here.
/// </summary>
public static class ApiRoutes
{
    public const string Me = "api/me";
    public const string Media = "api/media";
    public const string MediaById = "api/media/{id}";
    public const string MediaLink = "api/media/{id}/link";
    public const string Holds = "api/holds";
    public const string HoldPreview = "api/holds/preview";
    public const string HoldById = "api/holds/{id}";
    public const string HoldRelease = "api/holds/{id}/release";
    public const string HoldEvidence = "api/holds/{id}/evidence";
    public const string HoldEvidenceManifest = "api/holds/{id}/evidence/manifest";
    public const string HoldEvidenceVerify = "api/holds/{id}/evidence/verify";
    public const string EvidenceSigningKeys = "api/evidence/signing-keys";
    public const string Audit = "api/audit";
    public const string AuditVerify = "api/audit/verify";
    public const string RetentionPreview = "api/retention/preview";
    public const string RetentionSweep = "api/retention/sweep";

    /// <summary>The web console: every other GET path. Routing prefers any API route over this catch-all.</summary>
    public const string ConsoleFiles = "{**path}";

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
        services.TryAddSingleton<MeEndpoints>();
        services.TryAddSingleton<ConsoleAssets>();
        services.TryAddSingleton<ConsoleEndpoints>();
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
        app.MapGet(Me, (HttpRequest r, MeEndpoints e, CancellationToken ct) => e.GetAsync(r, ct));
        app.MapGet(Media, (HttpRequest r, MediaEndpoints e, CancellationToken ct) => e.ListAsync(r, ct));
        app.MapGet(MediaById, (HttpRequest r, string id, MediaEndpoints e, CancellationToken ct) => e.GetAsync(r, id, ct));
        app.MapGet(MediaLink, (HttpRequest r, string id, MediaEndpoints e, CancellationToken ct) => e.LinkAsync(r, id, ct));
        app.MapPost(Holds, (HttpRequest r, HoldEndpoints e, CancellationToken ct) => e.PlaceAsync(r, ct));
        app.MapPost(HoldPreview, (HttpRequest r, HoldEndpoints e, CancellationToken ct) => e.PreviewAsync(r, ct));
        app.MapGet(Holds, (HttpRequest r, HoldEndpoints e, CancellationToken ct) => e.ListAsync(r, ct));
        app.MapGet(HoldById, (HttpRequest r, string id, HoldEndpoints e, CancellationToken ct) => e.GetAsync(r, id, ct));
        app.MapPost(HoldRelease, (HttpRequest r, string id, HoldEndpoints e, CancellationToken ct) => e.ReleaseAsync(r, id, ct));
        app.MapGet(HoldEvidence, (HttpRequest r, string id, EvidenceEndpoints e, CancellationToken ct) => e.PageAsync(r, id, ct));
        app.MapGet(HoldEvidenceManifest, (HttpRequest r, string id, EvidenceEndpoints e, CancellationToken ct) => e.ManifestAsync(r, id, ct));
        app.MapPost(HoldEvidenceVerify, (HttpRequest r, string id, EvidenceEndpoints e, CancellationToken ct) => e.VerifyAsync(r, id, ct));
        app.MapGet(EvidenceSigningKeys, (HttpRequest r, SigningKeyEndpoints e, CancellationToken ct) => e.GetAsync(r, ct));
        app.MapGet(Audit, (HttpRequest r, AuditEndpoints e, CancellationToken ct) => e.ListAsync(r, ct));
        app.MapGet(AuditVerify, (HttpRequest r, AuditEndpoints e, CancellationToken ct) => e.VerifyAsync(r, ct));
        app.MapGet(RetentionPreview, (HttpRequest r, RetentionEndpoints e, CancellationToken ct) => e.PreviewAsync(r, ct));
        app.MapPost(RetentionSweep, (HttpRequest r, RetentionEndpoints e, CancellationToken ct) => e.SweepAsync(r, ct));
        return app;
    }

    /// <summary>The web console at <c>/</c>; map it after <see cref="MapMediaRetentionApi"/>.</summary>
    public static IEndpointRouteBuilder MapMediaRetentionConsole(this IEndpointRouteBuilder app)
    {
        app.MapMethods(ConsoleFiles, [HttpMethods.Get, HttpMethods.Head], (HttpRequest r, string? path, ConsoleEndpoints e) => e.Serve(r, path));
        return app;
    }
}
