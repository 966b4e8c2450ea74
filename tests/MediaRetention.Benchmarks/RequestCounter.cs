using System.Collections.Concurrent;
using Azure.Core;
using Azure.Core.Pipeline;
using Azure.Data.Tables;
using Azure.Storage.Blobs;

namespace MediaRetention.Benchmarks;

/// <summary>
/// Counts the requests the storage clients send, at the client (a pipeline policy per attempt, so retries count), by
/// service, method and kind: what Azure bills and what an emulator's log shows.
/// </summary>
internal sealed class RequestCounter
{
    private readonly ConcurrentDictionary<string, long> counts = new(StringComparer.Ordinal);

    public long Total => counts.Values.Sum();

    public BlobClientOptions BlobOptions()
    {
        var options = new BlobClientOptions();
        options.AddPolicy(new Policy(this, "blob"), HttpPipelinePosition.PerRetry);
        return options;
    }

    public TableClientOptions TableOptions()
    {
        var options = new TableClientOptions();
        options.AddPolicy(new Policy(this, "table"), HttpPipelinePosition.PerRetry);
        return options;
    }

    public void Reset() => counts.Clear();

    /// <summary>e.g. "blob GET list 1, table GET query 3".</summary>
    public string Describe(double per = 1) => string.Join(", ",
        counts.OrderBy(c => c.Key, StringComparer.Ordinal).Select(c => $"{c.Key} {c.Value / per:0.##}"));

    private static string Operation(string service, Request request)
    {
        var method = request.Method.ToString();
        var comp = request.Uri.Query.Split('&', '?').FirstOrDefault(p => p.StartsWith("comp=", StringComparison.Ordinal))?[5..];
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

    private sealed class Policy(RequestCounter counter, string service) : HttpPipelineSynchronousPolicy
    {
        public override void OnSendingRequest(HttpMessage message) =>
            counter.counts.AddOrUpdate(Operation(service, message.Request), 1, (_, n) => n + 1);
    }
}
