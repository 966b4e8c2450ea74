using System.Collections.Concurrent;
using MediaRetention.Core.Operations;

namespace MediaRetention.IntegrationTests.Infrastructure;

/// <summary>
/// The core harness's <see cref="IOperationDispatcher"/>: it only remembers the operations handed over, so a test runs
/// them (with <see cref="RunOperationHandler"/>) when it chooses — or never, to look at the state before they run.
/// </summary>
public sealed class RecordingOperationDispatcher : IOperationDispatcher
{
    private readonly ConcurrentQueue<string> dispatched = new();

    public IReadOnlyList<string> Dispatched => [.. dispatched];

    public Task DispatchAsync(string operationId, CancellationToken cancellationToken)
    {
        dispatched.Enqueue(operationId);
        return Task.CompletedTask;
    }
}
