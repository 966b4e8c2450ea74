using MediaRetention.Api;
using MediaRetention.Api.Operations;
using MediaRetention.Core.Operations;
using MediaRetention.Core.Storage;
using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Functions.Worker;

namespace MediaRetention.Functions;

/// <summary>
/// Operations: the queue trigger that runs them (<see cref="QueueOperationDispatcher"/> enqueues their ids) and
/// <c>GET /api/operations/{id}</c>, a one-liner into <see cref="OperationEndpoints"/>.
/// </summary>
public sealed class OperationFunctions(RunOperationHandler operations, OperationEndpoints endpoints)
{
    // A host that is stopping leaves the operation running in storage; failing the invocation makes the queue deliver
    // the message again, and the next worker takes over. Every other outcome is final for this message.
    [Function(nameof(RunOperation))]
    public async Task RunOperation(
        [QueueTrigger("%" + nameof(MediaStorageOptions.OperationsQueue) + "%", Connection = MediaStorageOptions.ConnectionName)] string operationId,
        CancellationToken cancellationToken)
    {
        if (await operations.RunAsync(operationId.Trim(), cancellationToken) == OperationRunOutcome.Interrupted)
        {
            throw new OperationCanceledException($"Operation {operationId.Trim()} was interrupted; the queue delivers it again.", cancellationToken);
        }
    }

    [Function(nameof(GetOperation))]
    public Task<IResult> GetOperation(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = ApiRoutes.Operation)] HttpRequest request,
        string id,
        CancellationToken cancellationToken) =>
        endpoints.GetAsync(request, id, cancellationToken);
}
