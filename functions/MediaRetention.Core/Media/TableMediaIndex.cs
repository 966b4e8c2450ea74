using System.Runtime.CompilerServices;
using Azure;
using Azure.Data.Tables;
using MediaRetention.Core.Storage;
using Microsoft.Extensions.Options;

namespace MediaRetention.Core.Media;

/// <summary><see cref="IMediaIndex"/> over Azure Table Storage; see <see cref="MediaTableLayout"/> for the keys.</summary>
public sealed class TableMediaIndex(TableServiceClient service, IOptions<MediaStorageOptions> options) : IMediaIndex, IMediaLookupRows
{
    private const int MaxBatch = 100;
    private const string RangeTokenPrefix = "r:";
    private readonly TableClient table = service.GetTableClient(options.Value.MediaTable);
    private volatile bool lookupRowsComplete;

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
        if (previous is null)
        {
            // An insert may be a caller's guess (a listing saw no hold mark, but an overwrite clears tags): its rows must
            // not replace those of a medium already indexed, whose evidence hash only an update keeps. So insert-only;
            // a row in the way is a record's (the caller reads it and updates) or left by an insert that crashed before
            // its record row (overwritten, as before).
            if (!await TryInsertLookupRowsAsync(record, lookupKeys, cancellationToken))
            {
                if (await GetAsync(record.Id, cancellationToken) is not null)
                {
                    return false;
                }

                await UpsertLookupRowsAsync(record, lookupKeys, cancellationToken);
            }
        }
        else
        {
            await UpsertLookupRowsAsync(record, lookupKeys, cancellationToken);
        }

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
        var token = ContinuationTokens.Decode(continuationToken);
        if (token is not null && token.StartsWith(RangeTokenPrefix, StringComparison.Ordinal))
        {
            var (start, inner) = ParseRangeToken(token);
            var resumed = MediaQueryFilter.Ranges(query) ?? throw new InvalidContinuationTokenException();
            return start < resumed.Count ? await QueryRangesAsync(resumed, start, inner, pageSize, cancellationToken) : throw new InvalidContinuationTokenException();
        }

        // A listing begun on the fallback stays on it (its token is the SDK's); a new one reads the phone or camera rows
        // once the marker says every medium has them.
        if (token is null && MediaQueryFilter.Ranges(query) is { } ranges && await AreCompleteAsync(cancellationToken))
        {
            return ranges.Count == 0 ? new MediaPage([], null) : await QueryRangesAsync(ranges, 0, null, pageSize, cancellationToken);
        }

        var filter = MediaQueryFilter.Build(query);
        var pages = table.QueryAsync<TableEntity>(filter, pageSize, cancellationToken: cancellationToken)
            .AsPages(token, pageSize);
        await foreach (var page in pages.WithCancellation(cancellationToken))
        {
            var (records, unreadable) = ReadAll(page.Values);
            return new MediaPage(records, ContinuationTokens.Encode(page.ContinuationToken)) { Unreadable = unreadable };
        }

        return new MediaPage([], null);
    }

    /// <summary>
    /// The key ranges one after the other, filling the page across them. A call whose two parties are both searched
    /// for has a row in both ranges: it is listed from the first range that holds it only.
    /// </summary>
    private async Task<MediaPage> QueryRangesAsync(IReadOnlyList<KeyRange> ranges, int start, string? inner, int pageSize, CancellationToken cancellationToken)
    {
        var items = new List<MediaRecord>();
        var unreadable = new List<UnreadableMediaRow>();
        for (var i = start; i < ranges.Count; i++, inner = null)
        {
            var budget = pageSize - items.Count;
            string? next = null;
            await foreach (var page in table.QueryAsync<TableEntity>(ranges[i].Filter, budget, cancellationToken: cancellationToken)
                               .AsPages(inner, budget).WithCancellation(cancellationToken))
            {
                var (records, bad) = ReadAll(page.Values);
                var earlier = ranges.Take(i).Select(r => r.PhoneHash).OfType<string>().ToHashSet(StringComparer.Ordinal);
                items.AddRange(records.Where(r => !earlier.Contains(r.CallerHash ?? "") && !earlier.Contains(r.CalleeHash ?? "")));
                unreadable.AddRange(bad);
                next = page.ContinuationToken;
                break;
            }

            if (next is not null)
            {
                return new MediaPage(items, ContinuationTokens.Encode($"{RangeTokenPrefix}{i}:{next}")) { Unreadable = unreadable };
            }

            if (items.Count >= pageSize && i + 1 < ranges.Count)
            {
                return new MediaPage(items, ContinuationTokens.Encode($"{RangeTokenPrefix}{i + 1}:")) { Unreadable = unreadable };
            }
        }

        return new MediaPage(items, null) { Unreadable = unreadable };
    }

    private static (int Range, string? Inner) ParseRangeToken(string token)
    {
        var colon = token.IndexOf(':', RangeTokenPrefix.Length);
        return colon > RangeTokenPrefix.Length
               && int.TryParse(token.AsSpan(RangeTokenPrefix.Length, colon - RangeTokenPrefix.Length), System.Globalization.NumberStyles.None,
                   System.Globalization.CultureInfo.InvariantCulture, out var range)
            ? (range, colon + 1 < token.Length ? token[(colon + 1)..] : null)
            : throw new InvalidContinuationTokenException();
    }

    public async Task<bool> AreCompleteAsync(CancellationToken cancellationToken)
    {
        if (lookupRowsComplete)
        {
            return true;
        }

        var key = MediaTableLayout.LookupMarkerKey;
        var marker = await table.GetEntityIfExistsAsync<TableEntity>(key.PartitionKey, key.RowKey, ["PartitionKey"], cancellationToken);
        lookupRowsComplete = marker.HasValue;
        return lookupRowsComplete;
    }

    public async Task MarkCompleteAsync(string completedBy, DateTimeOffset completedAt, CancellationToken cancellationToken)
    {
        await WriteMarkerAsync(table, completedBy, completedAt, cancellationToken);
        lookupRowsComplete = true;
    }

    /// <summary>
    /// Provisioning: a media table with no row at all starts with the marker set (every medium it will hold gets its
    /// rows at ingest). Returns whether it wrote it.
    /// </summary>
    public static async Task<bool> MarkCompleteIfEmptyAsync(TableClient media, DateTimeOffset now, CancellationToken cancellationToken)
    {
        await foreach (var page in media.QueryAsync<TableEntity>((string?)null, 1, ["PartitionKey"], cancellationToken).AsPages(pageSizeHint: 1)
                           .WithCancellation(cancellationToken))
        {
            if (page.Values.Count > 0)
            {
                return false;
            }
        }

        await WriteMarkerAsync(media, "provisioning (empty table)", now, cancellationToken);
        return true;
    }

    private static Task WriteMarkerAsync(TableClient media, string completedBy, DateTimeOffset completedAt, CancellationToken cancellationToken)
    {
        var key = MediaTableLayout.LookupMarkerKey;
        return media.UpsertEntityAsync(AzureTableLimits.EnsureWithin(new TableEntity(key.PartitionKey, key.RowKey)
        {
            ["LayoutVersion"] = MediaTableLayout.LookupLayoutVersion,
            ["CompletedBy"] = completedBy,
            ["CompletedAt"] = completedAt,
        }), TableUpdateMode.Replace, cancellationToken);
    }

    public async Task<(IReadOnlyList<StoredMedia> Rows, string? ContinuationToken)> ListRecordsAsync(
        string? continuationToken, int pageSize, CancellationToken cancellationToken)
    {
        var filter = TableClient.CreateQueryFilter(
            $"PartitionKey ge {MediaTableLayout.RecordPrefix} and PartitionKey lt {MediaTableLayout.RecordPrefix + "~"} and RowKey lt {MediaTableLayout.NameRowPrefix}");
        return await ListStoredAsync(filter, continuationToken, pageSize, cancellationToken);
    }

    public async Task<int> AddMissingRowsAsync(StoredMedia stored, CancellationToken cancellationToken)
    {
        var added = 0;
        var current = stored;
        // Bounded: a record rewritten this often is being ingested, and every ingest writes these rows itself.
        for (var attempt = 0; attempt < 5; attempt++)
        {
            var keys = MediaTableLayout.PhoneAndCameraKeys(current.Record);
            foreach (var key in keys)
            {
                try
                {
                    // Insert, never overwrite: a row that exists was written by an ingest or re-key of this version or a newer one.
                    await table.AddEntityAsync(MediaEntityMapper.ToEntity(current.Record, key), cancellationToken);
                    added++;
                }
                catch (RequestFailedException e) when (e.Status == 409)
                {
                }
            }

            var now = await GetAsync(current.Record.Id, cancellationToken);
            if (now?.StorageETag == current.StorageETag)
            {
                return added;
            }

            // Rewritten or removed since it was read: its writer may have deleted the old version's rows before they
            // were inserted here, so the rows only the old version has go again.
            var keep = now is { Unreadable: null } ? MediaTableLayout.PhoneAndCameraKeys(now.Record) : [];
            foreach (var stale in keys.Except(keep))
            {
                await table.DeleteEntityAsync(stale.PartitionKey, stale.RowKey, ETag.All, cancellationToken);
            }

            if (now is not { Unreadable: null })
            {
                return added;
            }

            current = now;
        }

        return added;
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

    public Task<(IReadOnlyList<StoredMedia> Rows, string? ContinuationToken)> ListCallRecordsAsync(
        string? continuationToken, int pageSize, CancellationToken cancellationToken) =>
        ListStoredAsync(TableClient.CreateQueryFilter(
            $"PartitionKey ge {MediaTableLayout.RecordPrefix} and PartitionKey lt {MediaTableLayout.RecordPrefix + "~"} and Kind eq {MediaKind.Call}"),
            continuationToken, pageSize, cancellationToken);

    private async Task<(IReadOnlyList<StoredMedia> Rows, string? ContinuationToken)> ListStoredAsync(
        string filter, string? continuationToken, int pageSize, CancellationToken cancellationToken)
    {
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

    /// <summary>Inserts the rows, one request per partition; false when any of them exists already.</summary>
    private async Task<bool> TryInsertLookupRowsAsync(MediaRecord record, IReadOnlyList<RowKeyPair> keys, CancellationToken cancellationToken)
    {
        var inserted = await Task.WhenAll(keys.Distinct().GroupBy(k => k.PartitionKey).Select(async partition =>
        {
            try
            {
                if (partition.Count() == 1)
                {
                    await table.AddEntityAsync(MediaEntityMapper.ToEntity(record, partition.First()), cancellationToken);
                }
                else
                {
                    await table.SubmitTransactionAsync(
                        partition.Select(k => new TableTransactionAction(TableTransactionActionType.Add, MediaEntityMapper.ToEntity(record, k))),
                        cancellationToken);
                }

                return true;
            }
            catch (RequestFailedException e) when (e.Status == 409)
            {
                return false;
            }
        }));
        return inserted.All(ok => ok);
    }

    /// <summary>One request per partition: a clip's site and camera rows share one transaction.</summary>
    private async Task UpsertLookupRowsAsync(MediaRecord record, IReadOnlyList<RowKeyPair> keys, CancellationToken cancellationToken)
    {
        await Task.WhenAll(keys.Distinct().GroupBy(k => k.PartitionKey).Select(async partition =>
        {
            if (partition.Count() == 1)
            {
                await table.UpsertEntityAsync(MediaEntityMapper.ToEntity(record, partition.First()), TableUpdateMode.Replace, cancellationToken);
            }
            else
            {
                await table.SubmitTransactionAsync(
                    partition.Select(k => new TableTransactionAction(TableTransactionActionType.UpsertReplace, MediaEntityMapper.ToEntity(record, k))),
                    cancellationToken);
            }
        }));
    }
}
