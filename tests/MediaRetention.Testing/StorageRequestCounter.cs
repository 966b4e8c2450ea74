using System.Collections.Concurrent;
using System.Globalization;
using Azure.Core;
using Azure.Core.Pipeline;
using Azure.Data.Tables;
using Azure.Storage.Blobs;

namespace MediaRetention.Testing;

/// <summary>
/// Counts the requests the storage clients send, at the client (an Azure.Core pipeline policy, per attempt, so retries
/// count), by service and operation: what Azure bills and what an emulator's log would show.
/// </summary>
public sealed class StorageRequestCounter
{
    private readonly ConcurrentDictionary<string, long> counts = new(StringComparer.Ordinal);

    public long Total => counts.Values.Sum();

    public BlobClientOptions BlobOptions(BlobClientOptions? options = null)
    {
        options ??= new BlobClientOptions();
        options.AddPolicy(new Policy(this, "blob"), HttpPipelinePosition.PerRetry);
        return options;
    }

    public TableClientOptions TableOptions(TableClientOptions? options = null)
    {
        options ??= new TableClientOptions();
        options.AddPolicy(new Policy(this, "table"), HttpPipelinePosition.PerRetry);
        return options;
    }

    public void Reset() => counts.Clear();

    /// <summary>The counts so far, e.g. "blob GET 1, blob PUT tags 2, table GET entity 1".</summary>
    public IReadOnlyDictionary<string, long> Snapshot() => counts.OrderBy(c => c.Key, StringComparer.Ordinal).ToDictionary();

    /// <summary>Each operation's count divided by <paramref name="per"/>, for "requests per medium" lines.</summary>
    public string Describe(double per = 1) => string.Join(", ",
        Snapshot().Select(c => $"{c.Key} {(c.Value / per).ToString("0.##", CultureInfo.InvariantCulture)}"));

    private static string Operation(string service, Request request)
    {
        var method = request.Method.ToString();
        var query = request.Uri.Query;
        var comp = query.Split('&', '?').FirstOrDefault(p => p.StartsWith("comp=", StringComparison.Ordinal))?[5..];
        if (service == "blob")
        {
            return comp is null ? $"blob {method}" : $"blob {method} {comp}";
        }

        var path = request.Uri.Path;
        var kind = path.Contains("$batch", StringComparison.Ordinal) ? "batch"
            : path.Contains("(PartitionKey=", StringComparison.Ordinal) ? "entity"
            : method == "GET" ? "query" : "table";
        return $"table {method} {kind}";
    }

    private sealed class Policy(StorageRequestCounter counter, string service) : HttpPipelineSynchronousPolicy
    {
        public override void OnSendingRequest(HttpMessage message) =>
            counter.counts.AddOrUpdate(Operation(service, message.Request), 1, (_, n) => n + 1);
    }
}
