using System.Security.Cryptography;
using System.Text;
using Azure;
using Azure.Data.Tables;
using MediaRetention.Core.Phones;
using MediaRetention.Core.Storage;
using Microsoft.Extensions.Options;

namespace MediaRetention.Core.Holds;

/// <summary>
/// <see cref="IHoldStore"/> over Table Storage: one partition (holds number in the thousands, and loading all
/// active holds is one ranged read), RowKey = hold id (time-ordered, so lists come oldest first). See
/// <see cref="HoldEntityMapper"/> for the row format. Nothing read here throws on a bad row: unreadable rows are
/// returned as such, so one bad row cannot stop ingest, the API or the sweep's reporting.
/// </summary>
public sealed class TableHoldStore(TableServiceClient service, IOptions<MediaStorageOptions> options, IPhoneHashing? phoneHashing = null) : IHoldStore
{
    // Markers that an unreadable row was audited; a partition apart from the holds, so no hold query sees them.
    private const string ReportedPartition = "unreadable-reported";

    // The holds version row (see GetVersionAsync): a partition of its own, so no hold query reads it.
    private const string VersionPartition = "holds-version";
    private const string VersionRow = "current";
    private readonly TableClient table = service.GetTableClient(options.Value.HoldsTable);

    public async Task CreateAsync(Hold hold, CancellationToken cancellationToken)
    {
        await table.AddEntityAsync(AzureTableLimits.EnsureWithin(HoldEntityMapper.ToEntity(hold)), cancellationToken);
        await BumpVersionAsync(cancellationToken);
    }

    public async Task<string?> GetVersionAsync(CancellationToken cancellationToken)
    {
        var row = await table.GetEntityIfExistsAsync<TableEntity>(VersionPartition, VersionRow, ["RowKey"], cancellationToken);
        return row.HasValue ? row.Value!.ETag.ToString() : null;
    }

    // After the hold row, never before: whoever reads the new version and then loads the holds sees the row. The row's
    // ETag is the version (a table ETag never repeats). A crash between the two leaves caches up to
    // Holds:CacheMaxAge behind; the sweep reads the holds themselves, never the cache.
    private Task BumpVersionAsync(CancellationToken cancellationToken) =>
        table.UpsertEntityAsync(new TableEntity(VersionPartition, VersionRow) { ["Stamp"] = Guid.NewGuid().ToString("N") },
            TableUpdateMode.Replace, cancellationToken);

    public async Task<StoredHold?> GetAsync(string id, CancellationToken cancellationToken)
    {
        var response = await table.GetEntityIfExistsAsync<TableEntity>(HoldEntityMapper.Partition, id, cancellationToken: cancellationToken);
        return response.HasValue ? HoldEntityMapper.Read(response.Value!) : null;
    }

    public async Task<bool> TryUpdateAsync(Hold hold, string storageETag, CancellationToken cancellationToken)
    {
        try
        {
            // Replace, not merge: scope parts of an earlier, longer version must not survive.
            await table.UpdateEntityAsync(AzureTableLimits.EnsureWithin(HoldEntityMapper.ToEntity(hold)), new ETag(storageETag),
                TableUpdateMode.Replace, cancellationToken);
            await BumpVersionAsync(cancellationToken);
            return true;
        }
        catch (RequestFailedException e) when (e.Status is 412 or 404)
        {
            return false;
        }
    }

    public async Task<bool> TryReleaseUnreadableAsync(UnreadableHold hold, HoldRelease release, CancellationToken cancellationToken)
    {
        var entity = new TableEntity(HoldEntityMapper.Partition, hold.Id)
        {
            [nameof(Hold.Status)] = HoldStatus.Released,
            ["ReleasedBy"] = release.ReleasedBy,
            ["ReleasedAt"] = release.ReleasedAt,
            ["ReleaseReason"] = release.Reason,
        };
        try
        {
            // Merge: whatever else the row holds stays as it was found, as a record of what was released.
            await table.UpdateEntityAsync(AzureTableLimits.EnsureWithin(entity), new ETag(hold.StorageETag), TableUpdateMode.Merge, cancellationToken);
            await BumpVersionAsync(cancellationToken);
            return true;
        }
        catch (RequestFailedException e) when (e.Status is 412 or 404)
        {
            return false;
        }
    }

    public async Task<HoldPage> ListAsync(string? status, string? agency, string? continuationToken, int pageSize, CancellationToken cancellationToken)
    {
        var filter = Filter(status, agency);
        await foreach (var page in table.QueryAsync<TableEntity>(filter, pageSize, cancellationToken: cancellationToken)
                           .AsPages(ContinuationTokens.Decode(continuationToken), pageSize).WithCancellation(cancellationToken))
        {
            var rows = page.Values.Select(HoldEntityMapper.Read).ToList();
            return new HoldPage(rows.Where(r => r.Hold is not null).Select(r => r.Hold!).ToList(), ContinuationTokens.Encode(page.ContinuationToken))
            {
                Unreadable = rows.Where(r => r.Unreadable is not null).Select(r => r.Unreadable!).ToList(),
            };
        }

        return new HoldPage([], null);
    }

    public async Task<ActiveHolds> LoadActiveAsync(CancellationToken cancellationToken)
    {
        var (holds, unreadable) = await LoadRowsAsync(PreservingFilter, cancellationToken);
        return new ActiveHolds(holds, unreadable, await HasherAsync(holds, cancellationToken));
    }

    public async Task<int> CountAsync(string status, string? agency, int stopAt, CancellationToken cancellationToken)
    {
        var count = 0;
        await foreach (var _ in table.QueryAsync<TableEntity>(Filter(status, agency), 1000, ["RowKey"], cancellationToken))
        {
            if (++count >= stopAt)
            {
                break;
            }
        }

        return count;
    }

    public async Task<ActiveHolds> LoadActiveThoroughAsync(CancellationToken cancellationToken)
    {
        var (holds, unreadable) = await LoadRowsAsync(PreservingFilter, cancellationToken);

        // A row whose status is missing, not text or unknown matches no status filter: find those by reading every
        // row's status alone (a few bytes each), then read them whole.
        var statusOnly = table.QueryAsync<TableEntity>(Filter(null, null), 1000, ["RowKey", nameof(Hold.Status)], cancellationToken);
        await foreach (var row in statusOnly)
        {
            var status = row.TryGetValue(nameof(Hold.Status), out var value) ? value : null;
            if (status is string text && HoldStatus.All.Contains(text))
            {
                continue;
            }

            var full = await table.GetEntityIfExistsAsync<TableEntity>(HoldEntityMapper.Partition, row.RowKey, cancellationToken: cancellationToken);
            if (full.HasValue)
            {
                var read = HoldEntityMapper.Read(full.Value!);
                unreadable.Add(read.Unreadable ?? HoldEntityMapper.Salvage(full.Value!, "its status is missing or unknown"));
            }
        }

        return new ActiveHolds(holds, unreadable, await HasherAsync(holds, cancellationToken));
    }

    // Requested holds preserve exactly like active ones: the sweep, ingest marking and the API see both.
    private static string PreservingFilter =>
        TableClient.CreateQueryFilter($"PartitionKey eq {HoldEntityMapper.Partition} and (Status eq {HoldStatus.Active} or Status eq {HoldStatus.Requested})");

    // Only phone holds compare hashes: without one, nothing here needs the key ring (so CCTV keeps working while it is
    // unavailable).
    private async Task<PhoneHasher?> HasherAsync(List<Hold> holds, CancellationToken cancellationToken) =>
        phoneHashing is null || !holds.Any(h => h.Scope.Type == HoldScope.PhoneType) ? null : await phoneHashing.GetAsync(cancellationToken);

    public async Task<bool> IsUnreadableReportedAsync(UnreadableHold hold, CancellationToken cancellationToken) =>
        (await table.GetEntityIfExistsAsync<TableEntity>(ReportedPartition, ReportedKey(hold), cancellationToken: cancellationToken)).HasValue;

    public async Task MarkUnreadableReportedAsync(UnreadableHold hold, CancellationToken cancellationToken)
    {
        var marker = new TableEntity(ReportedPartition, ReportedKey(hold))
        {
            ["HoldId"] = hold.Id.Length <= 1000 ? hold.Id : hold.Id[..1000],
            ["HoldETag"] = hold.StorageETag,
        };
        try
        {
            await table.AddEntityAsync(AzureTableLimits.EnsureWithin(marker), cancellationToken);
        }
        catch (RequestFailedException e) when (e.Status == 409)
        {
            // reported already
        }
    }

    private async Task<(List<Hold> Holds, List<UnreadableHold> Unreadable)> LoadRowsAsync(string filter, CancellationToken cancellationToken)
    {
        var holds = new List<Hold>();
        var unreadable = new List<UnreadableHold>();
        await foreach (var entity in table.QueryAsync<TableEntity>(filter, 1000, cancellationToken: cancellationToken))
        {
            var read = HoldEntityMapper.Read(entity);
            if (read.Hold is { } hold)
            {
                holds.Add(hold);
            }
            else
            {
                unreadable.Add(read.Unreadable!);
            }
        }

        return (holds, unreadable);
    }

    // One marker per row version: a row edited again is a new event, worth its own audit entry. Hashed, because an
    // ETag holds characters a key may not.
    private static string ReportedKey(UnreadableHold hold) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(hold.Id + "\n" + hold.StorageETag)));

    private static string Filter(string? status, string? agency)
    {
        var filter = TableClient.CreateQueryFilter($"PartitionKey eq {HoldEntityMapper.Partition}");
        if (status is not null)
        {
            filter += " and " + TableClient.CreateQueryFilter($"Status eq {status}");
        }

        if (agency is not null)
        {
            filter += " and " + TableClient.CreateQueryFilter($"Agency eq {agency}");
        }

        return filter;
    }
}
