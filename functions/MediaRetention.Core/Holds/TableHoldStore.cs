using System.Text;
using System.Text.Json;
using Azure;
using Azure.Data.Tables;
using MediaRetention.Core.Storage;
using Microsoft.Extensions.Options;

namespace MediaRetention.Core.Holds;

/// <summary>
/// <see cref="IHoldStore"/> over Table Storage: one partition (holds number in the thousands, and loading all
/// active holds is one ranged read), RowKey = hold id (time-ordered, so lists come oldest first).
/// </summary>
public sealed class TableHoldStore(TableServiceClient service, IOptions<MediaStorageOptions> options) : IHoldStore
{
    private const string Partition = "hold";
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);
    private readonly TableClient table = service.GetTableClient(options.Value.HoldsTable);

    public Task CreateAsync(Hold hold, CancellationToken cancellationToken) =>
        table.AddEntityAsync(ToEntity(hold), cancellationToken);

    public async Task<StoredHold?> GetAsync(string id, CancellationToken cancellationToken)
    {
        var response = await table.GetEntityIfExistsAsync<TableEntity>(Partition, id, cancellationToken: cancellationToken);
        return response.HasValue ? new StoredHold(ToHold(response.Value!), response.Value!.ETag.ToString()) : null;
    }

    public async Task<bool> TryUpdateAsync(Hold hold, string storageETag, CancellationToken cancellationToken)
    {
        try
        {
            await table.UpdateEntityAsync(ToEntity(hold), new ETag(storageETag), TableUpdateMode.Replace, cancellationToken);
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
            return new HoldPage(page.Values.Select(ToHold).ToList(), ContinuationTokens.Encode(page.ContinuationToken));
        }

        return new HoldPage([], null);
    }

    public async Task<ActiveHolds> LoadActiveAsync(CancellationToken cancellationToken)
    {
        var holds = new List<Hold>();
        await foreach (var entity in table.QueryAsync<TableEntity>(Filter(HoldStatus.Active, null), 1000, cancellationToken: cancellationToken))
        {
            holds.Add(ToHold(entity));
        }

        return new ActiveHolds(holds);
    }

    private static string Filter(string? status, string? agency)
    {
        var filter = TableClient.CreateQueryFilter($"PartitionKey eq {Partition}");
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

    private static TableEntity ToEntity(Hold hold) => new(Partition, hold.Id)
    {
        [nameof(Hold.CaseNumber)] = hold.CaseNumber,
        [nameof(Hold.Reason)] = hold.Reason,
        ["RequestedByAgency"] = hold.RequestedBy.Agency,
        ["RequestedByOfficer"] = hold.RequestedBy.Officer,
        [nameof(Hold.Agency)] = hold.Agency,
        [nameof(Hold.PlacedBy)] = hold.PlacedBy,
        [nameof(Hold.PlacedAt)] = hold.PlacedAt,
        [nameof(Hold.ReviewDate)] = hold.ReviewDate,
        [nameof(Hold.Status)] = hold.Status,
        ["ReleasedBy"] = hold.Release?.ReleasedBy,
        ["ReleasedAt"] = hold.Release?.ReleasedAt,
        ["ReleaseReason"] = hold.Release?.Reason,
        [nameof(Hold.Scope)] = JsonSerializer.Serialize(hold.Scope, Json),
    };

    private static Hold ToHold(TableEntity e) => new()
    {
        Id = e.RowKey,
        CaseNumber = e.GetString(nameof(Hold.CaseNumber)),
        Reason = e.GetString(nameof(Hold.Reason)),
        RequestedBy = new RequestedBy(e.GetString("RequestedByAgency"), e.GetString("RequestedByOfficer")),
        Agency = e.GetString(nameof(Hold.Agency)),
        PlacedBy = e.GetString(nameof(Hold.PlacedBy)),
        PlacedAt = e.GetDateTimeOffset(nameof(Hold.PlacedAt)) ?? DateTimeOffset.MinValue,
        ReviewDate = e.GetDateTimeOffset(nameof(Hold.ReviewDate)),
        Status = e.GetString(nameof(Hold.Status)),
        Release = e.GetString("ReleasedBy") is { } by
            ? new HoldRelease(by, e.GetDateTimeOffset("ReleasedAt") ?? DateTimeOffset.MinValue, e.GetString("ReleaseReason"))
            : null,
        Scope = JsonSerializer.Deserialize<HoldScope>(e.GetString(nameof(Hold.Scope)), Json)
            ?? throw new InvalidDataException($"Hold {e.RowKey} has no scope."),
    };
}
