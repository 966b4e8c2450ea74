using MediaRetention.Api;
using MediaRetention.Api.Auth;
using MediaRetention.Core.Hosting;
using Microsoft.Azure.Functions.Worker.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

// The Functions host: the same handlers and endpoints as the self-hosted runner, wired to triggers.
// Settings are plain app settings (local.settings.json "Values" locally), with the same names as the runner's.
var builder = FunctionsApplication.CreateBuilder(args);

// ASP.NET Core integration: HttpTriggers take HttpRequest and may return IResult, as MediaEndpoints does.
builder.ConfigureFunctionsWebApplication();

builder.Services.AddProblemDetails();
builder.Services.AddMediaRetentionCore(builder.Configuration);
// In Azure, callers are identified by App Service Authentication (Entra ID app roles), unless Auth:Mode says otherwise.
builder.Services.Configure<AuthOptions>(options => options.Mode = AuthOptions.AppServiceMode);
builder.Services.AddMediaRetentionApi(builder.Configuration);

await builder.Build().RunAsync();
