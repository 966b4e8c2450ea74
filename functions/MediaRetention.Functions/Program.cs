using MediaRetention.Functions;
using Microsoft.Azure.Functions.Worker.Builder;
using Microsoft.Extensions.Hosting;

// The Functions host: the same handlers and endpoints as the self-hosted runner, wired to triggers.
// Settings are plain app settings (local.settings.json "Values" locally), with the same names as the runner's.
var builder = FunctionsApplication.CreateBuilder(args);

// ASP.NET Core integration: HttpTriggers take HttpRequest and may return IResult, as the endpoints do.
builder.ConfigureFunctionsWebApplication();
builder.Services.AddMediaRetentionFunctions(builder.Configuration);

await builder.Build().RunAsync();
