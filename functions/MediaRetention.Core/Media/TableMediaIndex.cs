using System.Runtime.CompilerServices;
using Azure;
using Azure.Data.Tables;
using MediaRetention.Core.Storage;
using Microsoft.Extensions.Options;

namespace MediaRetention.Core.Media;

/// <summary><see cref="IMediaIndex"/> over Azure Table Storage; see <see cref="MediaTableLayout"/> for the keys.</summary>
public sealed class TableMediaIndex(TableServiceClient service, IOptions<MediaStorageOptions> options) : IMediaIndex
{
    private const int MaxBatch = 100;
    private readonly TableClient table = service.GetTableClient(options.Value.MediaTable);

    public async Task<StoredMedia?> GetAsync(string id, CancellationToken cancellationToken)
    {
        var key = MediaTableLayout.RecordKey(id);
        var response = await table.GetEntityIfExistsAsync<TableEntity>(key.PartitionKey, key.RowKey, cancellationToken: cancellationToken);
        if (!response.HasValue)
        {
            return null;
        }

        var entity = response.Value!;
        var (record, unreadable) = MediaEntityMapper.Read(entity);
        return record is not null
            ? new StoredMedia(record, entity.ETag.ToString())
            : new StoredMedia(MediaEntityMapper.Salvage(entity, unreadable!), entity.ETag.ToString()) { Unreadable = unreadable };
    }

    public async Task<bool> TrySaveAsync(MediaRecord record, StoredMedia? previous, CancellationToken cancellationToken)
    {
        var lookupKeys = MediaTableLayout.LookupKeys(record);

        // Lookup rows first, the record row last: the record row is the commit point. A crash in between
        // leaves extra lookup rows that the next ingest or sweep of this blob rewrites or removes.
        await UpsertLookupRowsAsync(record, lookupKeys, cancellationToken);

        var key = MediaTableLayout.RecordKey(record.Id);
        var entity = MediaEntityMapper.ToEntity(record, key);
        try
        {
            if (MediaTableLayout.NameKey(record.Id, record.Container, record.BlobName) is { } nameKey)
            {
                // The name row rides in the record row's transaction (same partition): one request, and the two never
                // disagree.
                var write = previous is null
                    ? new TableTransactionAction(TableTransactionActionType.Add, entity)
                    : new TableTransactionAction(TableTransactionActionType.UpdateReplace, entity, new ETag(previous.StorageETag));
                await table.SubmitTransactionAsync([write, new TableTransactionAction(TableTransactionActionType.UpsertReplace, NameEntity(record, nameKey))],
                    cancellationToken);
            }
            else if (previous is null)
            {
                await table.AddEntityAsync(entity, cancellationToken);
            }
            else
            {
                await table.UpdateEntityAsync(entity, new ETag(previous.StorageETag), TableUpdateMode.Replace, cancellationToken);
            }
        }
        catch (RequestFailedException e) when (e.Status is 409 or 412 or 404)
        {
            return false;
        }

        if (previous is { Unreadable: null })
        {
            // The layout is a pure function of the record, so the previous rows are recomputed, not stored. (Not for
            // a row that could not be read: its keys cannot be trusted, and a lookup row left over is reported by
            // the sweep, never acted on.)
            var stale = MediaTableLayout.LookupKeys(previous.Record).Except(lookupKeys);
            foreach (var row in stale)
            {
                await table.DeleteEntityAsync(row.PartitionKey, row.RowKey, ETag.All, cancellationToken);
            }
        }

        return true;
    }

    public Task RepairLookupRowsAsync(StoredMedia stored, CancellationToken cancellationToken) =>
        UpsertLookupRowsAsync(stored.Record, MediaTableLayout.LookupKeys(stored.Record), cancellationToken);

    public async Task<MediaPage> QueryAsync(MediaQuery query, string? continuationToken, int pageSize, CancellationToken cancellationToken)
    {
        var filter = MediaQueryFilter.Build(query);
        var pages = table.QueryAsync<TableEntity>(filter, pageSize, cancellationToken: cancellationToken)
            .AsPages(ContinuationTokens.Decode(continuationToken), pageSize);
        await foreach (var page in pages.WithCancellation(cancellationToken))
        {
            var (records, unreadable) = ReadAll(page.Values);
            return new MediaPage(records, ContinuationTokens.Encode(page.ContinuationToken)) { Unreadable = unreadable };
        }

        return new MediaPage([], null);
    }

    public async IAsyncEnumerable<MediaScanPage> ScanRetainedBeforeAsync(
        string kind, DateTimeOffset before, int pageSize, RowKeyPair? after, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        // Every key of an earlier day sorts before the cut-off's time key, so one RowKey bound serves all days.
        var low = MediaTableLayout.TimePrefix + kind + "|";
        var high = MediaTableLayout.TimePartition(kind, before);
        var cutoff = MediaTableLayout.TimeKey(before);
        var filters = new List<string>();
        if (after is not { } resume)
        {
            filters.Add(TableClient.CreateQueryFilter($"PartitionKey ge {low} and PartitionKey le {high} and RowKey lt {cutoff}"));
        }
        else
        {
            // Two key ranges, in key order: the rest of the partition the scan stopped in, then the later partitions.
            filters.Add(TableClient.CreateQueryFilter(
                $"PartitionKey eq {resume.PartitionKey} and RowKey gt {resume.RowKey} and RowKey lt {cutoff}"));
            filters.Add(TableClient.CreateQueryFilter(
                $"PartitionKey gt {resume.PartitionKey} and PartitionKey ge {low} and PartitionKey le {high} and RowKey lt {cutoff}"));
        }

        foreach (var filter in filters)
        {
            await foreach (var page in table.QueryAsync<TableEntity>(filter, pageSize, cancellationToken: cancellationToken)
                               .AsPages(pageSizeHint: pageSize).WithCancellation(cancellationToken))
            {
                // The SDK follows continuation tokens through empty pages (Azure may send them); only pages with rows count.
                if (page.Values.Count > 0)
                {
                    var (records, unreadable) = ReadAll(page.Values);
                    var last = page.Values[^1];
                    yield return new MediaScanPage(records, unreadable) { Last = new RowKeyPair(last.PartitionKey, last.RowKey) };
                }
            }
        }
    }

    public async Task RemoveAsync(IReadOnlyList<MediaRecord> records, CancellationToken cancellationToken)
    {
        // Lookup rows before record rows: a crash in between leaves the record, so the next sweep finds the
        // medium again (its blob already gone) and finishes the job.
        var lookups = records.SelectMany(MediaTableLayout.LookupKeys);
        var recordRows = records.Select(r => MediaTableLayout.RecordKey(r.Id))
            .Concat(records.Select(r => MediaTableLayout.NameKey(r.Id, r.Container, r.BlobName)).OfType<RowKeyPair>());
        await DeleteRowsAsync(lookups, cancellationToken);
        await DeleteRowsAsync(recordRows, cancellationToken);
    }

    public async IAsyncEnumerable<(string Id, string ETag)> ListRecordVersionsAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var filter = TableClient.CreateQueryFilter(
            $"PartitionKey ge {MediaTableLayout.RecordPrefix} and PartitionKey lt {MediaTableLayout.RecordPrefix + "~"} and RowKey lt {MediaTableLayout.NameRowPrefix}");
        await foreach (var entity in table.QueryAsync<TableEntity>(filter, 1000, ["RowKey", nameof(MediaRecord.ETag)], cancellationToken))
        {
            // The RowKey is the id; an ETag that is missing or not text reads as "no version", so the blob is
            // indexed again and the row rewritten.
            yield return (entity.RowKey, entity.TryGetValue(nameof(MediaRecord.ETag), out var etag) && etag is string text ? text : "");
        }
    }

    public async IAsyncEnumerable<IndexedName> ListNamesAsync(
        string container, string? fromBlobName, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var prefix = MediaTableLayout.NameRowContainerPrefix(container);
        var low = fromBlobName is not null && MediaTableLayout.NameRowKey(container, fromBlobName) is { } from ? from : prefix;
        var high = prefix[..^1] + (char)(prefix[^1] + 1);

        // A k-way merge of the 16 record partitions, each already in RowKey order: a page per partition in memory.
        var streams = new List<IAsyncEnumerator<IndexedName>>();
        var heads = new PriorityQueue<IAsyncEnumerator<IndexedName>, string>(StringComparer.Ordinal);
        try
        {
            foreach (var digit in "0123456789abcdef")
            {
                var filter = TableClient.CreateQueryFilter(
                    $"PartitionKey eq {MediaTableLayout.RecordPrefix + digit} and RowKey ge {low} and RowKey lt {high}");
                var stream = NamesIn(filter, cancellationToken).GetAsyncEnumerator(cancellationToken);
                streams.Add(stream);
                if (await stream.MoveNextAsync())
                {
                    heads.Enqueue(stream, stream.Current.RowKey);
                }
            }

            while (heads.TryDequeue(out var stream, out _))
            {
                yield return stream.Current;
                if (await stream.MoveNextAsync())
                {
                    heads.Enqueue(stream, stream.Current.RowKey);
                }
            }
        }
        finally
        {
            foreach (var stream in streams)
            {
                await stream.DisposeAsync();
            }
        }
    }

    public Task RepairNameRowAsync(MediaRecord record, CancellationToken cancellationToken) =>
        MediaTableLayout.NameKey(record.Id, record.Container, record.BlobName) is { } key
            ? table.UpsertEntityAsync(NameEntity(record, key), TableUpdateMode.Replace, cancellationToken)
            : Task.CompletedTask;

    private async IAsyncEnumerable<IndexedName> NamesIn(string filter, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await foreach (var entity in table.QueryAsync<TableEntity>(filter, 1000, ["RowKey", NameId, nameof(MediaRecord.ETag)], cancellationToken))
        {
            // A row missing its values reads as "no version": the merge then looks at the blob's record row itself.
            yield return new IndexedName(entity.RowKey,
                entity.TryGetValue(NameId, out var id) && id is string text ? text : "",
                entity.TryGetValue(nameof(MediaRecord.ETag), out var etag) && etag is string version ? version : "");
        }
    }

    private const string NameId = "MediaId";

    private static TableEntity NameEntity(MediaRecord record, RowKeyPair key) => new(key.PartitionKey, key.RowKey)
    {
        [NameId] = record.Id,
        [nameof(MediaRecord.ETag)] = record.ETag,
    };

    public async Task<(IReadOnlyList<StoredMedia> Rows, string? ContinuationToken)> ListCallRecordsAsync(
        string? continuationToken, int pageSize, CancellationToken cancellationToken)
    {
        var filter = TableClient.CreateQueryFilter(
            $"PartitionKey ge {MediaTableLayout.RecordPrefix} and PartitionKey lt {MediaTableLayout.RecordPrefix + "~"} and Kind eq {MediaKind.Call}");
        await foreach (var page in table.QueryAsync<TableEntity>(filter, pageSize, cancellationToken: cancellationToken)
                           .AsPages(ContinuationTokens.Decode(continuationToken), pageSize).WithCancellation(cancellationToken))
        {
            var rows = page.Values
                .Select(e => (Entity: e, Read: MediaEntityMapper.Read(e)))
                .Where(r => r.Read.Record is not null)
                .Select(r => new StoredMedia(r.Read.Record!, r.Entity.ETag.ToString()))
                .ToList();
            return (rows, ContinuationTokens.Encode(page.ContinuationToken));
        }

        return ([], null);
    }

    private static (List<MediaRecord> Records, List<UnreadableMediaRow> Unreadable) ReadAll(IEnumerable<TableEntity> entities)
    {
        var records = new List<MediaRecord>();
        var unreadable = new List<UnreadableMediaRow>();
        foreach (var entity in entities)
        {
            var (record, problem) = MediaEntityMapper.Read(entity);
            if (record is not null)
            {
                records.Add(record);
            }
            else
            {
                unreadable.Add(problem!);
            }
        }

        return (records, unreadable);
    }

    private async Task DeleteRowsAsync(IEnumerable<RowKeyPair> rows, CancellationToken cancellationToken)
    {
        var batches = rows.Distinct().GroupBy(r => r.PartitionKey).SelectMany(g => g.Chunk(MaxBatch)).ToList();
        await Parallel.ForEachAsync(batches, new ParallelOptions { MaxDegreeOfParallelism = 8, CancellationToken = cancellationToken },
            async (batch, ct) =>
            {
                try
                {
                    await table.SubmitTransactionAsync(
                        batch.Select(r => new TableTransactionAction(TableTransactionActionType.Delete, new TableEntity(r.PartitionKey, r.RowKey), ETag.All)),
                        ct);
                }
                catch (TableTransactionFailedException)
                {
                    // A row of the batch is already gone (an earlier sweep was interrupted): one by one, where
                    // deleting a missing row is not an error.
                    foreach (var row in batch)
                    {
                        await table.DeleteEntityAsync(row.PartitionKey, row.RowKey, ETag.All, ct);
                    }
                }
            });
    }

    private async Task UpsertLookupRowsAsync(MediaRecord record, IReadOnlyList<RowKeyPair> keys, CancellationToken cancellationToken)
    {
        await Task.WhenAll(keys.Select(k =>
            table.UpsertEntityAsync(MediaEntityMapper.ToEntity(record, k), TableUpdateMode.Replace, cancellationToken)));
    }
}
