using System.Globalization;
using System.Text.Json;
using MediaRetention.Api.Auth;
using MediaRetention.Api.Http;
using MediaRetention.Core.Operations;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace MediaRetention.Api.Operations;

/// <summary>
/// <c>GET /api/operations/{id}</c>: how a long request (a sweep, an evidence re-check) is doing, and its result once done.
/// Only the roles that may start that kind of operation read it, police only their own agency's; anyone else gets a 404,
/// as if it did not exist, and the denial is audited.
/// </summary>
public sealed class OperationEndpoints(
    ApiAccess access,
    IOperationStore store,
    StartOperationHandler start,
    IOptions<OperationOptions> options,
    TimeProvider time,
    ILogger<OperationEndpoints> logger)
{
    /// <summary>How long a client should wait before asking again about an unfinished operation.</summary>
    public const int PollSeconds = 2;

    internal static readonly string[] Readers = [.. Roles.All];

    public async Task<IResult> GetAsync(HttpRequest request, string id, CancellationToken cancellationToken)
    {
        var auth = await access.RequireAsync(request, Readers, cancellationToken);
        if (auth.Caller is not { } caller)
        {
            return auth.Denial!;
        }

        var stored = await store.GetAsync(id, cancellationToken);
        var now = time.GetUtcNow();
        if (stored is null || stored.Operation.ExpiresAt <= now)
        {
            return NotFound(id);
        }

        var operation = stored.Operation;
        if (!operation.ReaderRoles.Contains(caller.Role) || (caller.IsPolice && operation.Agency != caller.Agency))
        {
            await access.RecordDenialAsync(request, caller.Name, caller.Role,
                $"operation {operation.Id} ({operation.Kind}) is not for role '{caller.Role}'{(caller.IsPolice ? $" of agency '{caller.Agency}'" : "")}", cancellationToken);
            return NotFound(id);
        }

        var view = OperationView.From(operation.AsOf(now, options.Value));
        if (!operation.IsFinished)
        {
            request.HttpContext.Response.Headers.RetryAfter = PollSeconds.ToString(CultureInfo.InvariantCulture);
        }

        return Results.Ok(view);
    }

    /// <summary>
    /// Starts an operation and answers <b>202 Accepted</b> with its address in <c>Location</c> (and <c>Retry-After</c>);
    /// 503 when it could not be handed to a worker.
    /// </summary>
    public async Task<IResult> StartAsync(HttpRequest request, StartOperationCommand command, CancellationToken cancellationToken)
    {
        Operation operation;
        try
        {
            // Not tied to the request: a client giving up must not leave an operation recorded but never handed over.
            operation = await start.HandleAsync(command, CancellationToken.None);
        }
        catch (OperationNotStartedException e)
        {
            logger.LogError(e, "Could not start a {Kind} operation", command.Kind);
            return ApiProblems.ServiceUnavailable("The work was accepted but could not be handed to a worker; try again.");
        }

        request.HttpContext.Response.Headers.RetryAfter = PollSeconds.ToString(CultureInfo.InvariantCulture);
        return Results.Accepted(Location(operation.Id), OperationView.From(operation));
    }

    public static string Location(string id) => "/" + ApiRoutes.Operation.Replace("{id}", id, StringComparison.Ordinal);

    private static IResult NotFound(string id) =>
        ApiProblems.NotFound($"No operation with id '{(BlobOperationStore.IsOperationId(id) ? id : "(not an operation id)")}'; operations are kept for a limited time.");
}

/// <summary>An operation as the API shows it. <c>result</c> is what the synchronous route used to answer.</summary>
/// <param name="Status">queued, running, succeeded or failed.</param>
/// <param name="Progress">What the work has done so far: a sweep's counts and phase, a verification's <c>checked</c>.</param>
/// <param name="Result">Once succeeded: the sweep summary (<c>retention.sweep</c>) or the verification (<c>evidence.verify</c>).</param>
/// <param name="Error">Once failed: the status, title and detail the synchronous route would have answered.</param>
public sealed record OperationView(
    string Id,
    string Kind,
    string Status,
    string Location,
    DateTimeOffset CreatedAt,
    string CreatedBy,
    string? HoldId,
    DateTimeOffset? StartedAt,
    DateTimeOffset? FinishedAt,
    DateTimeOffset ExpiresAt,
    int Attempts,
    JsonElement? Progress,
    JsonElement? Result,
    OperationError? Error)
{
    public static OperationView From(Operation o) => new(o.Id, o.Kind, o.Status, OperationEndpoints.Location(o.Id), o.CreatedAt, o.CreatedBy, o.HoldId,
        o.StartedAt, o.FinishedAt, o.ExpiresAt, o.Attempts, o.Progress, o.Result, o.Error);
}
