using System.Security.Cryptography;
using System.Text;
using Azure;
using Azure.Data.Tables;
using MediaRetention.Core.Storage;
using Microsoft.Extensions.Options;

namespace MediaRetention.Core.Holds;

/// <summary>What an <c>Idempotency-Key</c> was first used for: the hold it placed and a hash of the request body.</summary>
/// <param name="CoveredMedia">How many media the placement marked, once it finished; null before.</param>
public sealed record HoldIdempotencyClaim(string HoldId, string RequestHash, int? CoveredMedia);

/// <summary>
/// Remembers <c>Idempotency-Key</c>s of hold placements, per caller, so a client that retries after a timeout gets the
/// hold it placed instead of a second one.
/// </summary>
public interface IHoldIdempotencyStore
{
    Task<HoldIdempotencyClaim?> GetAsync(string caller, string key, CancellationToken cancellationToken);

    /// <summary>Claims the key for a hold about to be placed; false when the key is claimed already (read it).</summary>
    Task<bool> TryClaimAsync(string caller, string key, HoldIdempotencyClaim claim, CancellationToken cancellationToken);

    Task RecordCoveredAsync(string caller, string key, int coveredMedia, CancellationToken cancellationToken);
}

/// <summary>
/// <see cref="IHoldIdempotencyStore"/> in the holds table, a partition apart (no hold query reads it); the RowKey is a
/// hash of caller and key, so any key is a valid RowKey and one caller's keys never meet another's.
/// </summary>
public sealed class TableHoldIdempotencyStore(TableServiceClient service, IOptions<MediaStorageOptions> options) : IHoldIdempotencyStore
{
    private const string Partition = "idempotency";
    private readonly TableClient table = service.GetTableClient(options.Value.HoldsTable);

    public async Task<HoldIdempotencyClaim?> GetAsync(string caller, string key, CancellationToken cancellationToken)
    {
        var row = await table.GetEntityIfExistsAsync<TableEntity>(Partition, RowKey(caller, key), cancellationToken: cancellationToken);
        if (!row.HasValue)
        {
            return null;
        }

        var entity = row.Value!;
        return new HoldIdempotencyClaim(entity.GetString("HoldId") ?? "", entity.GetString("RequestHash") ?? "", entity.GetInt32("CoveredMedia"));
    }

    public async Task<bool> TryClaimAsync(string caller, string key, HoldIdempotencyClaim claim, CancellationToken cancellationToken)
    {
        try
        {
            await table.AddEntityAsync(AzureTableLimits.EnsureWithin(new TableEntity(Partition, RowKey(caller, key))
            {
                ["HoldId"] = claim.HoldId,
                ["RequestHash"] = claim.RequestHash,
            }), cancellationToken);
            return true;
        }
        catch (RequestFailedException e) when (e.Status == 409)
        {
            return false;
        }
    }

    public Task RecordCoveredAsync(string caller, string key, int coveredMedia, CancellationToken cancellationToken) =>
        table.UpdateEntityAsync(new TableEntity(Partition, RowKey(caller, key)) { ["CoveredMedia"] = coveredMedia }, ETag.All,
            TableUpdateMode.Merge, cancellationToken);

    private static string RowKey(string caller, string key) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(caller + "\n" + key)));
}
