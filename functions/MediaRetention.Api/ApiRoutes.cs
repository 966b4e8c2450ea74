using MediaRetention.Api.Media;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace MediaRetention.Api;

/// <summary>
/// The HTTP API's routes, below <c>/api</c>. The Functions app declares the same templates on its
/// HttpTriggers (its route prefix is <c>api</c> in host.json); the runner maps them here.
/// </summary>
public static class ApiRoutes
{
    public const string Media = "media";
    public const string MediaById = "media/{id}";

    public static IServiceCollection AddMediaRetentionApi(this IServiceCollection services)
    {
        services.TryAddSingleton<MediaEndpoints>();
        return services;
    }

    public static IEndpointRouteBuilder MapMediaRetentionApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api");
        api.MapGet(Media, (HttpRequest request, MediaEndpoints e, CancellationToken ct) => e.ListAsync(request, ct));
        api.MapGet(MediaById, (string id, MediaEndpoints e, CancellationToken ct) => e.GetAsync(id, ct));
        return app;
    }
}
