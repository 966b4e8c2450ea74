using System.Globalization;
using System.Text.Json;
using Azure.Data.Tables;
using MediaRetention.Core.Media;
using MediaRetention.Core.Storage;

namespace MediaRetention.Core.Holds;

/// <summary>
/// A hold as a table row, and back. The scope is JSON; a media hold of 1,000 ids is about 35,000 characters, more
/// than the 32K characters an Azure string property holds, so the JSON is split over <c>Scope</c>, <c>Scope1</c>,
/// <c>Scope2</c>… of at most <see cref="ScopeChunkLength"/> characters each, with their number in <c>ScopeParts</c>.
/// Rows written before the split (one <c>Scope</c>, no <c>ScopeParts</c>) read as before.
/// Reading never throws: a row that cannot be read becomes an <see cref="UnreadableHold"/> with the reason.
/// </summary>
internal static class HoldEntityMapper
{
    public const string Partition = "hold";

    /// <summary>Below the 32,768-character limit, with room to spare.</summary>
    public const int ScopeChunkLength = 30_000;

    private const string ScopeProperty = nameof(Hold.Scope);
    private const string RequestedScopeProperty = nameof(Hold.RequestedScope);

    // A request body is at most 64 KB, so a scope never needs more than a handful of parts; this bounds what a
    // hand-edited ScopeParts can make the reader try.
    private const int MaxScopeParts = 16;

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public static TableEntity ToEntity(Hold hold)
    {
        var entity = new TableEntity(Partition, hold.Id)
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
            ["ReviewDecision"] = hold.Review?.Decision,
            ["ReviewedBy"] = hold.Review?.ReviewedBy,
            ["ReviewedAt"] = hold.Review?.ReviewedAt,
            ["ReviewReason"] = hold.Review?.Reason,
        };

        WriteScope(entity, ScopeProperty, hold.Scope);
        if (hold.RequestedScope is { } requested)
        {
            WriteScope(entity, RequestedScopeProperty, requested);
        }

        return entity;
    }

    private static void WriteScope(TableEntity entity, string property, HoldScope scope)
    {
        var json = JsonSerializer.Serialize(scope, Json);
        var parts = json.Chunk(ScopeChunkLength).Select(chunk => new string(chunk)).ToList();
        for (var i = 0; i < parts.Count; i++)
        {
            entity[PartName(property, i)] = parts[i];
        }

        entity[property + "Parts"] = parts.Count;
    }

    /// <summary>The hold, or why the row cannot be read.</summary>
    public static StoredHold Read(TableEntity entity)
    {
        var etag = entity.ETag.ToString();
        var reader = new EntityReader(entity);
        var id = entity.RowKey ?? "";
        reader.Check(MediaId.IsWellFormed(id), "its id is not 32 lower-case hex characters");
        var status = reader.RequiredString(nameof(Hold.Status));
        reader.Check(status is "" || HoldStatus.All.Contains(status), $"its status is not one of {string.Join(", ", HoldStatus.All)}");
        var caseNumber = reader.RequiredString(nameof(Hold.CaseNumber));
        var reason = reader.RequiredString(nameof(Hold.Reason));
        var requestedBy = new RequestedBy(reader.RequiredString("RequestedByAgency"), reader.RequiredString("RequestedByOfficer"));
        var agency = reader.RequiredString(nameof(Hold.Agency));
        var placedBy = reader.RequiredString(nameof(Hold.PlacedBy));
        var placedAt = reader.RequiredDate(nameof(Hold.PlacedAt));
        var reviewDate = reader.OptionalDate(nameof(Hold.ReviewDate));
        var releasedBy = reader.OptionalString("ReleasedBy");
        var releasedAt = reader.OptionalDate("ReleasedAt");
        var releaseReason = reader.OptionalString("ReleaseReason");
        var reviewDecision = reader.OptionalString("ReviewDecision");
        var reviewedBy = reader.OptionalString("ReviewedBy");
        var reviewedAt = reader.OptionalDate("ReviewedAt");
        var reviewReason = reader.OptionalString("ReviewReason");
        var scope = ReadScope(entity, reader, ScopeProperty);
        var requestedScope = entity.ContainsKey(RequestedScopeProperty) ? ReadScope(entity, reader, RequestedScopeProperty) : null;

        if (!reader.Ok || scope is null)
        {
            return new StoredHold(null, etag) { Unreadable = Salvage(entity, reader.Reason) };
        }

        var hold = new Hold
        {
            Id = id,
            CaseNumber = caseNumber,
            Reason = reason,
            RequestedBy = requestedBy,
            Agency = agency,
            PlacedBy = placedBy,
            PlacedAt = placedAt,
            ReviewDate = reviewDate,
            Status = status,
            Release = releasedBy is not null
                ? new HoldRelease(releasedBy, releasedAt ?? placedAt, releaseReason ?? "")
                : null,
            Scope = scope,
            Review = reviewDecision is not null && reviewedBy is not null
                ? new HoldReview(reviewDecision, reviewedBy, reviewedAt ?? placedAt, reviewReason ?? "")
                : null,
            RequestedScope = requestedScope,
        };
        return new StoredHold(hold, etag);
    }

    /// <summary>What can be read of a row that is unreadable as a whole: enough for people to find and act on it.</summary>
    public static UnreadableHold Salvage(TableEntity entity, string reason) =>
        new(entity.RowKey ?? "", reason, entity.ETag.ToString())
        {
            Status = entity.TryGetValue(nameof(Hold.Status), out var status) ? status as string : null,
            Agency = entity.TryGetValue(nameof(Hold.Agency), out var agency) ? agency as string : null,
            CaseNumber = entity.TryGetValue(nameof(Hold.CaseNumber), out var caseNumber) ? caseNumber as string : null,
        };

    private static HoldScope? ReadScope(TableEntity entity, EntityReader reader, string property)
    {
        var parts = 1;
        var partsProperty = property + "Parts";
        if (entity.TryGetValue(partsProperty, out var count) && count is not null)
        {
            if (count is not int n || n is < 1 or > MaxScopeParts)
            {
                reader.Check(false, $"'{partsProperty}' is not a number from 1 to {MaxScopeParts}");
                return null;
            }

            parts = n;
        }

        var json = new System.Text.StringBuilder();
        for (var i = 0; i < parts; i++)
        {
            var part = reader.RequiredString(PartName(property, i));
            if (part.Length == 0)
            {
                return null;
            }

            json.Append(part);
        }

        HoldScope? scope;
        try
        {
            scope = JsonSerializer.Deserialize<HoldScope>(json.ToString(), Json);
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException or NotSupportedException or ArgumentException)
        {
            reader.Check(false, $"its scope is not valid JSON ({(e as JsonException)?.Path ?? e.GetType().Name})");
            return null;
        }

        if (scope is null)
        {
            reader.Check(false, "its scope is null");
            return null;
        }

        var problem = scope.Problem();
        reader.Check(problem is null, problem ?? "");
        return problem is null ? scope : null;
    }

    private static string PartName(string property, int part) =>
        part == 0 ? property : property + part.ToString(CultureInfo.InvariantCulture);
}
