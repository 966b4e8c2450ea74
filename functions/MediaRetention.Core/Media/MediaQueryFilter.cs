using Azure.Data.Tables;

namespace MediaRetention.Core.Media;

/// <summary>
/// Turns a <see cref="MediaQuery"/> into an OData filter over one key range of <see cref="MediaTableLayout"/>:
/// the most selective lookup rows the query allows, then property filters within them.
/// </summary>
internal static class MediaQueryFilter
{
    // Sorts after every digit and '|' that can follow a key prefix.
    private const string AfterAll = "~";

    public static string Build(MediaQuery q)
    {
        var clauses = new List<string>();
        if (q.Site is not null)
        {
            clauses.Add(TableClient.CreateQueryFilter($"PartitionKey eq {MediaTableLayout.SitePrefix + q.Site}"));
            AddTimeRange(clauses, q, rowKeyPrefix: "");
            if (q.To is null)
            {
                // The partition's camera rows follow its site rows: never read them as more clips.
                clauses.Add(TableClient.CreateQueryFilter($"RowKey lt {MediaTableLayout.CameraRowPrefix}"));
            }

            AddEquals(clauses, nameof(MediaRecord.Camera), q.Camera);
            if (q.Cameras is { Count: > 0 } cameras)
            {
                clauses.Add("(" + string.Join(" or ", cameras.Distinct(StringComparer.Ordinal).Select(c => TableClient.CreateQueryFilter($"Camera eq {c}"))) + ")");
            }

            AddEquals(clauses, nameof(MediaRecord.Kind), q.Kind);
        }
        else if (q.CallId is not null)
        {
            clauses.Add(TableClient.CreateQueryFilter($"PartitionKey eq {MediaTableLayout.CallIdPartition(q.CallId)}"));
            AddTimeRange(clauses, q, rowKeyPrefix: q.CallId + "|");
            AddEquals(clauses, nameof(MediaRecord.System), q.System);
            AddEquals(clauses, nameof(MediaRecord.Kind), q.Kind);
        }
        else if (q.System is not null)
        {
            clauses.Add(TableClient.CreateQueryFilter($"PartitionKey eq {MediaTableLayout.SystemPrefix + q.System}"));
            AddTimeRange(clauses, q, rowKeyPrefix: "");
            AddEquals(clauses, nameof(MediaRecord.Kind), q.Kind);
        }
        else if (q.Kind is not null || q.From is not null || q.To is not null || q.PhoneHashes is not null)
        {
            var prefix = MediaTableLayout.TimePrefix + (q.Kind is null ? "" : q.Kind + "|");
            var low = q.Kind is not null && q.From is { } from ? MediaTableLayout.TimePartition(q.Kind, from) : prefix;
            var high = q.Kind is not null && q.To is { } to ? MediaTableLayout.TimePartition(q.Kind, to) : prefix + AfterAll;
            clauses.Add(TableClient.CreateQueryFilter($"PartitionKey ge {low} and PartitionKey le {high}"));
            AddTimeRange(clauses, q, rowKeyPrefix: "");
            AddEquals(clauses, nameof(MediaRecord.Kind), q.Kind);
        }
        else
        {
            clauses.Add(TableClient.CreateQueryFilter(
                $"PartitionKey ge {MediaTableLayout.RecordPrefix} and PartitionKey lt {MediaTableLayout.RecordPrefix + AfterAll} and RowKey lt {MediaTableLayout.NameRowPrefix}"));
        }

        AddEquals(clauses, nameof(MediaRecord.Status), q.Status);
        if (q.PhoneHashes is { } hashes)
        {
            var any = hashes.Distinct(StringComparer.Ordinal)
                .SelectMany(h => new[] { TableClient.CreateQueryFilter($"CallerHash eq {h}"), TableClient.CreateQueryFilter($"CalleeHash eq {h}") })
                .ToList();
            clauses.Add(any.Count == 0 ? "false" : "(" + string.Join(" or ", any) + ")");
        }

        return string.Join(" and ", clauses);
    }

    /// <summary>
    /// The key ranges of the phone rows (one per hash, in ordinal order) or camera rows (one per camera) that answer the
    /// query, each as a filter; null when the query is not one they answer (then <see cref="Build"/>'s one filter does).
    /// Reading the ranges one after the other costs requests in proportion to the media they hold, nothing else.
    /// </summary>
    public static IReadOnlyList<KeyRange>? Ranges(MediaQuery q)
    {
        if (q.PhoneHashes is { } hashes && q.Site is null && q.Camera is null && q.Cameras is null && q.Kind is null or MediaKind.Call)
        {
            // A value that is no phone hash has no phone row, and no stored hash can equal it but another malformed one.
            return hashes.Where(Phones.PhoneHasher.IsWellFormed).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal)
                .Select(hash => new KeyRange(RangeFilter(MediaTableLayout.PhonePartition(hash), q, MediaKind.Call), hash))
                .ToList();
        }

        var cameras = q.Cameras is { Count: > 0 } listed ? listed : q.Camera is { } camera ? [camera] : null;
        if (q is { Site: { } site, PhoneHashes: null, CallId: null, System: null } && cameras is not null && q.Kind is null or MediaKind.Cctv)
        {
            if (!Ingest.UploadContract.IsIdentifier(site))
            {
                return [];
            }

            // Camera rows exist for indexed clips only, as site rows do; a camera that is no identifier names no clip.
            return cameras.Where(Ingest.UploadContract.IsIdentifier).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal)
                .Select(c => new KeyRange(RangeFilter(MediaTableLayout.SitePrefix + site, q, MediaKind.Cctv, MediaTableLayout.CameraRowKeyPrefix(c)), null))
                .ToList();
        }

        return null;
    }

    private static string RangeFilter(string partition, MediaQuery q, string kind, string rowKeyPrefix = "")
    {
        var clauses = new List<string> { TableClient.CreateQueryFilter($"PartitionKey eq {partition}") };
        AddTimeRange(clauses, q, rowKeyPrefix);
        AddEquals(clauses, nameof(MediaRecord.Kind), kind);
        AddEquals(clauses, nameof(MediaRecord.CallId), q.CallId);
        AddEquals(clauses, nameof(MediaRecord.System), q.System);
        AddEquals(clauses, nameof(MediaRecord.Status), q.Status);
        return string.Join(" and ", clauses);
    }

    private static void AddTimeRange(List<string> clauses, MediaQuery q, string rowKeyPrefix)
    {
        if (q.From is { } from)
        {
            clauses.Add(TableClient.CreateQueryFilter($"RowKey ge {rowKeyPrefix + MediaTableLayout.TimeKey(from)}"));
        }

        // Keys have whole seconds; "to" is inclusive of its second.
        var upper = q.To is { } to ? rowKeyPrefix + MediaTableLayout.TimeKey(to) + "|" + AfterAll : rowKeyPrefix + AfterAll;
        if (q.To is not null || rowKeyPrefix.Length > 0)
        {
            clauses.Add(TableClient.CreateQueryFilter($"RowKey lt {upper}"));
        }

        if (rowKeyPrefix.Length > 0 && q.From is null)
        {
            clauses.Add(TableClient.CreateQueryFilter($"RowKey ge {rowKeyPrefix}"));
        }
    }

    private static void AddEquals(List<string> clauses, string property, string? value)
    {
        if (value is not null)
        {
            clauses.Add($"{property} eq '{value.Replace("'", "''")}'");
        }
    }
}

/// <summary>One key range of <see cref="MediaQueryFilter.Ranges"/>: its filter, and the phone hash it holds rows of.</summary>
internal sealed record KeyRange(string Filter, string? PhoneHash);
