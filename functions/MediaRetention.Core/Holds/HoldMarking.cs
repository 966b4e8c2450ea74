using Azure;
using Azure.Data.Tables;
using MediaRetention.Core.Storage;
using Microsoft.Extensions.Options;

namespace MediaRetention.Core.Holds;

public static class HoldMarkingStates
{
    /// <summary>A background operation is marking the rest of the covered blobs.</summary>
    public const string InProgress = "inProgress";

    /// <summary>Every covered blob found was marked held (inside the request, or by the operation).</summary>
    public const string Complete = "complete";

    /// <summary>The hold was released or rejected (or a later approval re-marks it) before marking finished.</summary>
    public const string Stopped = "stopped";

    /// <summary>Read only: the operation failed or was abandoned; the hold is in force all the same (the sweep reads holds).</summary>
    public const string Failed = "failed";
}

/// <summary>
/// Where the background marking of one hold stands: the operation doing it, how many blobs are marked (those marked
/// inside the request included) and where in the coverage listing to go on (<see cref="Checkpoint"/>, the listing's
/// continuation; null at the start). Holds marked wholly inside their request have no such row; a row without an
/// operation is one an approval completed inside its request.
/// </summary>
public sealed record HoldMarking(string HoldId, string? OperationId, string State, string? Checkpoint, int Marked, DateTimeOffset UpdatedAt)
{
    /// <summary>Why it stopped (<see cref="HoldMarkingStates.Stopped"/>), e.g. "hold released".</summary>
    public string? StoppedReason { get; init; }
}

/// <summary>A marking row as stored, with the version a conditional write names.</summary>
public sealed record StoredHoldMarking(HoldMarking Marking, string ETag);

/// <summary>The marking rows (one per hold whose marking runs or ran in the background).</summary>
public interface IHoldMarkingStore
{
    Task<StoredHoldMarking?> GetAsync(string holdId, CancellationToken cancellationToken);

    /// <summary>Writes the row whatever is stored (a new marking of the hold replaces an older one).</summary>
    Task PutAsync(HoldMarking marking, CancellationToken cancellationToken);

    /// <summary>Replaces the row if it is still at <paramref name="etag"/>: the new version, or null when someone wrote first.</summary>
    Task<string?> TryReplaceAsync(HoldMarking marking, string etag, CancellationToken cancellationToken);
}

/// <summary>
/// <see cref="IHoldMarkingStore"/> in the holds table, a partition apart (no hold query reads it), RowKey = hold id.
/// A checkpoint is a continuation token of the coverage listing: far below a string property's 32K characters.
/// </summary>
public sealed class TableHoldMarkingStore(TableServiceClient service, IOptions<MediaStorageOptions> options) : IHoldMarkingStore
{
    private const string Partition = "marking";
    private readonly TableClient table = service.GetTableClient(options.Value.HoldsTable);

    public async Task<StoredHoldMarking?> GetAsync(string holdId, CancellationToken cancellationToken)
    {
        if (!HoldIds.IsAddressable(holdId))
        {
            return null;
        }

        var row = await table.GetEntityIfExistsAsync<TableEntity>(Partition, holdId, cancellationToken: cancellationToken);
        if (!row.HasValue)
        {
            return null;
        }

        var e = row.Value!;
        var marking = new HoldMarking(holdId, e.GetString("OperationId"), e.GetString("State") ?? HoldMarkingStates.InProgress,
            e.GetString("Checkpoint"), e.GetInt32("Marked") ?? 0, e.GetDateTimeOffset("UpdatedAt") ?? DateTimeOffset.MinValue)
        {
            StoppedReason = e.GetString("StoppedReason"),
        };
        return new StoredHoldMarking(marking, e.ETag.ToString());
    }

    public Task PutAsync(HoldMarking marking, CancellationToken cancellationToken) =>
        table.UpsertEntityAsync(AzureTableLimits.EnsureWithin(ToEntity(marking)), TableUpdateMode.Replace, cancellationToken);

    public async Task<string?> TryReplaceAsync(HoldMarking marking, string etag, CancellationToken cancellationToken)
    {
        try
        {
            var response = await table.UpdateEntityAsync(AzureTableLimits.EnsureWithin(ToEntity(marking)), new ETag(etag), TableUpdateMode.Replace, cancellationToken);
            return response.Headers.ETag?.ToString();
        }
        catch (RequestFailedException e) when (e.Status is 412 or 404)
        {
            return null;
        }
    }

    private static TableEntity ToEntity(HoldMarking m) => new(Partition, m.HoldId)
    {
        ["OperationId"] = m.OperationId,
        ["State"] = m.State,
        ["Checkpoint"] = m.Checkpoint,
        ["Marked"] = m.Marked,
        ["UpdatedAt"] = m.UpdatedAt,
        ["StoppedReason"] = m.StoppedReason,
    };
}
