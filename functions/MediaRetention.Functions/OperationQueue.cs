using Azure;
using Azure.Storage.Queues;
using MediaRetention.Core.Operations;
using MediaRetention.Core.Storage;
using Microsoft.Extensions.Azure;
using Microsoft.Extensions.Configuration;

namespace MediaRetention.Functions;

/// <summary>
/// The Functions app hands an accepted operation to <see cref="OperationFunctions.RunOperation"/> through a storage
/// queue (<c>OperationsQueue</c> on the media storage account): the work starts at once on any instance, survives the
/// HTTP request and the instance that accepted it (a message whose function dies becomes visible again and is
/// redelivered; the operation's heartbeat tells the next worker to take over), and costs nothing while idle.
/// </summary>
public sealed class QueueOperationDispatcher(QueueClient queue) : IOperationDispatcher
{
    public async Task DispatchAsync(string operationId, CancellationToken cancellationToken)
    {
        try
        {
            await queue.SendMessageAsync(operationId, cancellationToken);
        }
        catch (RequestFailedException e) when (e.Status == 404)
        {
            // infra creates the queue; a local or new account may not have it yet.
            await queue.CreateIfNotExistsAsync(cancellationToken: cancellationToken);
            await queue.SendMessageAsync(operationId, cancellationToken);
        }
    }

    /// <summary>
    /// The queue client, from the same <c>MediaStorage</c> setting the trigger reads: a connection string, or
    /// <c>MediaStorage__queueServiceUri</c> with the section's identity. Base64 messages, the Functions queue trigger's default.
    /// </summary>
    public static QueueClient CreateClient(IConfiguration configuration, AzureComponentFactory factory, string queueName)
    {
        var options = new QueueClientOptions { MessageEncoding = QueueMessageEncoding.Base64 };
        if (MediaStorageClients.ConnectionString(configuration) is { } connectionString)
        {
            return new QueueClient(connectionString, queueName, options);
        }

        var section = MediaStorageClients.Section(configuration);
        return new QueueServiceClient(MediaStorageClients.ServiceUri(section, "queueServiceUri"), MediaStorageClients.CreateCredential(configuration, factory), options)
            .GetQueueClient(queueName);
    }
}
