using System.Globalization;
using System.Text;
using System.Text.Json;
using Azure;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using Azure.Storage.Blobs.Specialized;
using MediaRetention.Core.Storage;
using Microsoft.Extensions.Options;

namespace MediaRetention.Core.Audit;

/// <summary>
/// Anchors as JSON lines in append blobs, one blob per month (<c>audit-anchors/2026-11.jsonl</c>).
/// </summary>
/// <remarks>
/// <para>An append blob takes at most 50,000 appends: a month at one anchor per 5 minutes plus one per sweep is
/// about 12,000. Only Append Block is used after Create, which is what a container with a time-based
/// immutability policy and <c>allowProtectedAppendWrites</c> still permits; nothing here needs the immutability
/// APIs themselves (Azurite answers 501 to them), so the same code runs on both.</para>
/// <para>Each Append Block is atomic, so concurrent hosts interleave whole lines.</para>
/// </remarks>
public sealed class AppendBlobAuditAnchorStore(BlobServiceClient service, IOptions<MediaStorageOptions> storage, IOptions<AuditOptions> options)
    : IAuditAnchorStore
{
    public const string Prefix = "audit-anchors/";

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    private BlobContainerClient Container => service.GetBlobContainerClient(
        string.IsNullOrEmpty(options.Value.AnchorContainer) ? storage.Value.StateContainer : options.Value.AnchorContainer);

    public static string BlobNameFor(DateTimeOffset anchoredAt) =>
        Prefix + anchoredAt.UtcDateTime.ToString("yyyy-MM", CultureInfo.InvariantCulture) + ".jsonl";

    public async Task AppendAsync(AuditAnchor anchor, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(anchor);
        var container = Container;
        var blob = container.GetAppendBlobClient(BlobNameFor(anchor.AnchoredAt));
        try
        {
            await blob.CreateIfNotExistsAsync(cancellationToken: cancellationToken);
        }
        catch (RequestFailedException e) when (e.ErrorCode == BlobErrorCode.ContainerNotFound)
        {
            await container.CreateIfNotExistsAsync(cancellationToken: cancellationToken);
            await blob.CreateIfNotExistsAsync(cancellationToken: cancellationToken);
        }

        var line = JsonSerializer.Serialize(Record.From(anchor), Json) + "\n";
        using var content = new MemoryStream(Encoding.UTF8.GetBytes(line));
        await blob.AppendBlockAsync(content, cancellationToken: cancellationToken);
    }

    public async Task<AuditAnchorLog> ReadAllAsync(CancellationToken cancellationToken)
    {
        var anchors = new List<AuditAnchor>();
        var unreadable = new List<string>();
        foreach (var name in await ListAsync(cancellationToken))
        {
            await ReadBlobAsync(name, anchors, unreadable, cancellationToken);
        }

        return new AuditAnchorLog(anchors, unreadable);
    }

    public async Task<AuditAnchor?> ReadLatestAsync(CancellationToken cancellationToken)
    {
        // Newest month first; a month whose blob holds nothing readable falls back to the one before.
        foreach (var name in (await ListAsync(cancellationToken)).AsEnumerable().Reverse())
        {
            var anchors = new List<AuditAnchor>();
            await ReadBlobAsync(name, anchors, [], cancellationToken);
            if (anchors.Count > 0)
            {
                return anchors[^1];
            }
        }

        return null;
    }

    /// <summary>The anchor blobs in name order, which is month order.</summary>
    private async Task<List<string>> ListAsync(CancellationToken cancellationToken)
    {
        var names = new List<string>();
        try
        {
            await foreach (var item in Container.GetBlobsAsync(new GetBlobsOptions { Prefix = Prefix }, cancellationToken))
            {
                names.Add(item.Name);
            }
        }
        catch (RequestFailedException e) when (e.ErrorCode == BlobErrorCode.ContainerNotFound)
        {
            return [];
        }

        names.Sort(StringComparer.Ordinal);
        return names;
    }

    private async Task ReadBlobAsync(string name, List<AuditAnchor> anchors, List<string> unreadable, CancellationToken cancellationToken)
    {
        var content = (await Container.GetBlobClient(name).DownloadContentAsync(cancellationToken)).Value.Content.ToString();
        var lines = content.Split('\n');
        for (var i = 0; i < lines.Length; i++)
        {
            if (lines[i].Length == 0)
            {
                continue;
            }

            if (Record.TryParse(lines[i], out var anchor))
            {
                anchors.Add(anchor);
            }
            else
            {
                unreadable.Add($"{name} line {i + 1}");
            }
        }
    }

    private sealed record Record(long Sequence, string Hash, DateTimeOffset EntryTime, DateTimeOffset AnchoredAt, string Reason)
    {
        public static Record From(AuditAnchor a) => new(a.Sequence, a.Hash, a.EntryTime, a.AnchoredAt, a.Reason);

        public static bool TryParse(string line, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out AuditAnchor? anchor)
        {
            anchor = null;
            try
            {
                var r = JsonSerializer.Deserialize<Record>(line, Json);
                if (r is not null && r.Sequence >= 1 && r.Hash is { Length: 64 } && r.Reason is not null)
                {
                    anchor = new AuditAnchor(r.Sequence, r.Hash, r.EntryTime, r.AnchoredAt, r.Reason);
                }
            }
            catch (JsonException)
            {
                anchor = null;
            }

            return anchor is not null;
        }
    }
}
