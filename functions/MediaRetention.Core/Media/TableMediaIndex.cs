using Azure;
using Azure.Data.Tables;
using MediaRetention.Core.Storage;
using Microsoft.Extensions.Options;

namespace MediaRetention.Core.Media;

/// <summary><see cref="IMediaIndex"/> over Azure Table Storage; see <see cref="MediaTableLayout"/> for the keys.</summary>
public sealed class TableMediaIndex(TableServiceClient service, IOptions<MediaStorageOptions> options) : IMediaIndex
{
    private readonly TableClient table = service.GetTableClient(options.Value.MediaTable);

    public async Task<StoredMedia?> GetAsync(string id, CancellationToken cancellationToken)
    {
        var key = MediaTableLayout.RecordKey(id);
        var response = await table.GetEntityIfExistsAsync<TableEntity>(key.PartitionKey, key.RowKey, cancellationToken: cancellationToken);
        return response.HasValue ? new StoredMedia(MediaEntityMapper.ToRecord(response.Value!), response.Value!.ETag.ToString()) : null;
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
            if (previous is null)
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

        if (previous is not null)
        {
            // The layout is a pure function of the record, so the previous rows are recomputed, not stored.
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
            return new MediaPage(page.Values.Select(MediaEntityMapper.ToRecord).ToList(), ContinuationTokens.Encode(page.ContinuationToken));
        }

        return new MediaPage([], null);
    }

    private async Task UpsertLookupRowsAsync(MediaRecord record, IReadOnlyList<RowKeyPair> keys, CancellationToken cancellationToken)
    {
        await Task.WhenAll(keys.Select(k =>
            table.UpsertEntityAsync(MediaEntityMapper.ToEntity(record, k), TableUpdateMode.Replace, cancellationToken)));
    }
}
