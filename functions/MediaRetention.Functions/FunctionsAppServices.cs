using MediaRetention.Api;
using MediaRetention.Api.Auth;
using MediaRetention.Core.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace MediaRetention.Functions;

/// <summary>
/// Everything the Functions app registers, in one method that Program.cs and the wiring tests both call: the tests
/// build exactly this graph (Core Tools and the Functions host cannot run on the build machine) and invoke the
/// function classes from it.
/// </summary>
public static class FunctionsAppServices
{
    public static IServiceCollection AddMediaRetentionFunctions(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddProblemDetails();
        services.AddMediaRetentionCore(configuration);

        // A sweep must stop (and save its checkpoint) before the host's functionTimeout ends it.
        services.AddSingleton<Microsoft.Extensions.Options.IValidateOptions<MediaRetention.Core.Retention.RetentionOptions>>(
            new SweepFitsFunctionTimeout(FunctionTimeout.Read(configuration, AppContext.BaseDirectory)));

        // In Azure, callers are identified by App Service Authentication (Entra ID app roles) unless Auth:Mode says
        // otherwise. A default, applied before binding, so an explicit Auth:Mode setting still wins.
        services.AddOptions<AuthOptions>().Configure(options => options.Mode = AuthOptions.AppServiceMode);

        // Behind App Service's front end the connection's address is the front end's; it appends the client's to
        // X-Forwarded-For. Also a default applied before binding.
        services.AddOptions<AbuseOptions>().Configure(options => options.ClientAddressHeader = "X-Forwarded-For");
        services.AddMediaRetentionApi(configuration);

        // Operations run from the queue trigger (OperationFunctions), not inside the HTTP request that asked for them.
        services.AddSingleton(sp => QueueOperationDispatcher.CreateClient(configuration, sp.GetRequiredService<Microsoft.Extensions.Azure.AzureComponentFactory>(),
            sp.GetRequiredService<Microsoft.Extensions.Options.IOptions<MediaRetention.Core.Storage.MediaStorageOptions>>().Value.OperationsQueue));
        services.AddSingleton<MediaRetention.Core.Operations.IOperationDispatcher, QueueOperationDispatcher>();
        services.AddMediaRetentionFunctionsTelemetry(configuration);
        return services;
    }
}
