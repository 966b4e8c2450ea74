using MediaRetention.Api.WebConsole;
using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Functions.Worker;

namespace MediaRetention.Functions;

/// <summary>
/// The web console at <c>/</c>, from the same embedded files the runner serves (<see cref="ConsoleEndpoints"/>).
/// A catch-all: the host routes every more specific template (all of them below <c>api/</c>) to its own function
/// first, and <see cref="ConsoleEndpoints.Serve"/> answers any other <c>api/...</c> path with a 404 problem.
/// </summary>
/// <remarks>
/// Anonymous: the console's files are public (they hold no data); every API call they make is authenticated by
/// App Service Authentication and authorised by the API itself.
/// </remarks>
public sealed class ConsoleFunctions(ConsoleEndpoints endpoints)
{
    [Function(nameof(WebConsole))]
    public IResult WebConsole(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", "head", Route = "{*path}")] HttpRequest request,
        string? path) =>
        endpoints.Serve(request, path);
}
