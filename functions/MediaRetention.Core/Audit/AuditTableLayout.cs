using System.Collections.ObjectModel;
using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Text.Encodings.Web;
using System.Text.Json;
using Azure;
using Azure.Data.Tables;

namespace MediaRetention.Core.Audit;

/// <summary>
/// The audit table: one partition, so a table transaction can add entries and move the head together.
/// Entry rows are keyed by the zero-padded sequence; the head row ("head") sorts after every digit key.
/// </summary>
/// <remarks>
/// One partition caps appends at the partition's ~2,000 entities/s; audit volume is far below that, and a
/// chain needs one serialization point anyway.
/// </remarks>
internal static class AuditTableLayout
{
    public const string PartitionKey = "chain";
    public const string HeadRowKey = "head";

    public const string TimeProperty = "Time";
    public const string ActorProperty = "Actor";
    public const string ActionProperty = "Action";
    public const string TargetProperty = "Target";
    public const string DetailsProperty = "Details";
    public const string PreviousHashProperty = "PreviousHash";
    public const string HashProperty = "Hash";
    public const string SequenceProperty = "Sequence";

    /// <summary>
    /// Which append attempt wrote the row. Not hashed and not part of the entry: it only lets a writer whose
    /// transaction outcome was unknown (timeout, or the SDK's own retry answered 412) find out whether it landed,
    /// instead of appending the same events twice.
    /// </summary>
    public const string CommitProperty = "Commit";

    private const int SequenceDigits = 19;

    private static readonly JsonSerializerOptions DetailsJson = new()
    {
        // Stored in a table, never rendered as HTML; escaping non-ASCII would only eat the 32K-character limit.
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    public static string EntriesFilter => $"PartitionKey eq '{PartitionKey}' and RowKey lt '{HeadRowKey}'";

    public static string PartitionFilter => $"PartitionKey eq '{PartitionKey}'";

    public static string RowKey(long sequence) => sequence.ToString("D19", CultureInfo.InvariantCulture);

    public static bool TryParseRowKey(string rowKey, out long sequence) =>
        long.TryParse(rowKey, NumberStyles.None, CultureInfo.InvariantCulture, out sequence)
        && rowKey.Length == SequenceDigits
        && sequence >= 1;

    /// <summary>A read-only, ordinally sorted copy, so later changes by the caller cannot reach a stored entry.</summary>
    public static IReadOnlyDictionary<string, string?> CopyDetails(IReadOnlyDictionary<string, string?>? details) =>
        new ReadOnlyDictionary<string, string?>(
            details is null
                ? new SortedDictionary<string, string?>(StringComparer.Ordinal)
                : new SortedDictionary<string, string?>(details.ToDictionary(d => d.Key, d => d.Value, StringComparer.Ordinal), StringComparer.Ordinal));

    public static string SerializeDetails(IReadOnlyDictionary<string, string?> details) => JsonSerializer.Serialize(details, DetailsJson);

    public static TableEntity ToEntity(AuditEntry entry, string detailsJson, string commitId) =>
        new(PartitionKey, RowKey(entry.Sequence))
        {
            [TimeProperty] = entry.Time,
            [ActorProperty] = entry.Actor,
            [ActionProperty] = entry.Action,
            [TargetProperty] = entry.Target,
            [DetailsProperty] = detailsJson,
            [PreviousHashProperty] = entry.PreviousHash,
            [HashProperty] = entry.Hash,
            [CommitProperty] = commitId,
        };

    public static TableEntity ToHeadEntity(AuditEntry last, string commitId) => new(PartitionKey, HeadRowKey)
    {
        [SequenceProperty] = last.Sequence,
        [HashProperty] = last.Hash,
        [TimeProperty] = last.Time,
        [CommitProperty] = commitId,
    };

    /// <summary>Reads an entry row; the sequence comes from the row key, which cannot be edited in place.</summary>
    public static bool TryToEntry(
        TableEntity entity,
        long sequence,
        [NotNullWhen(true)] out AuditEntry? entry,
        [NotNullWhen(false)] out string? problem)
    {
        entry = null;
        var time = entity.GetDateTimeOffset(TimeProperty);
        var actor = entity.GetString(ActorProperty);
        var action = entity.GetString(ActionProperty);
        var target = entity.GetString(TargetProperty);
        var detailsJson = entity.GetString(DetailsProperty);
        var previousHash = entity.GetString(PreviousHashProperty);
        var hash = entity.GetString(HashProperty);
        var missing = new (string Name, object? Value)[]
        {
            (TimeProperty, time), (ActorProperty, actor), (ActionProperty, action), (TargetProperty, target),
            (DetailsProperty, detailsJson), (PreviousHashProperty, previousHash), (HashProperty, hash),
        }.Where(p => p.Value is null).Select(p => p.Name).ToList();
        if (missing.Count > 0)
        {
            problem = $"{string.Join(", ", missing)} missing or of the wrong type";
            return false;
        }

        if (!TryDeserializeDetails(detailsJson!, out var details))
        {
            problem = "details are not a JSON object of strings";
            return false;
        }

        entry = new AuditEntry(sequence, time!.Value.ToUniversalTime(), actor!, action!, target!, details, previousHash!, hash!);
        problem = null;
        return true;
    }

    public static bool TryToHead(TableEntity entity, [NotNullWhen(true)] out AuditHead? head)
    {
        var sequence = entity.GetInt64(SequenceProperty);
        var hash = entity.GetString(HashProperty);
        var time = entity.GetDateTimeOffset(TimeProperty);
        head = sequence is null || hash is null || time is null
            ? null
            : new AuditHead(sequence.Value, hash, time.Value.ToUniversalTime(), entity.GetString(CommitProperty), entity.ETag);
        return head is not null;
    }

    private static bool TryDeserializeDetails(string json, [NotNullWhen(true)] out IReadOnlyDictionary<string, string?>? details)
    {
        try
        {
            var parsed = JsonSerializer.Deserialize<Dictionary<string, string?>>(json, DetailsJson);
            details = parsed is null ? null : CopyDetails(parsed);
        }
        catch (JsonException)
        {
            details = null;
        }

        return details is not null;
    }
}

/// <summary>The chain's current end, with the ETag that makes the next append conditional on it.</summary>
internal sealed record AuditHead(long Sequence, string Hash, DateTimeOffset Time, string? Commit, ETag ETag);
