using System.Text;
using Azure.Data.Tables;

namespace MediaRetention.Core.Storage;

/// <summary>
/// The limits Azure Table Storage enforces on an entity (and Azurite does not). Every table adapter checks an entity
/// against them before writing it, so a design that would break in Azure breaks the same way on Azurite, in tests,
/// instead of shipping: see <c>/work/shared/notes/azurite-and-azure-facts.md</c>.
/// </summary>
public static class AzureTableLimits
{
    /// <summary>A string property holds at most 64 KiB: 32K UTF-16 code units.</summary>
    public const int MaxStringLength = 32 * 1024;

    /// <summary>A binary property holds at most 64 KiB.</summary>
    public const int MaxBinaryLength = 64 * 1024;

    /// <summary>PartitionKey, RowKey and Timestamp included.</summary>
    public const int MaxProperties = 255;

    public const int MaxEntityBytes = 1024 * 1024;

    /// <summary>PartitionKey and RowKey are at most 1 KiB each.</summary>
    public const int MaxKeyBytes = 1024;

    /// <summary>Edm.DateTime covers 1601-01-01 to 9999-12-31 UTC; Azure refuses anything earlier.</summary>
    public static readonly DateTimeOffset EarliestDateTime = new(1601, 1, 1, 0, 0, 0, TimeSpan.Zero);

    /// <summary>What about the entity Azure would refuse; empty when it fits.</summary>
    public static IReadOnlyList<string> Violations(TableEntity entity)
    {
        var problems = new List<string>();
        CheckKey(problems, "PartitionKey", entity.PartitionKey);
        CheckKey(problems, "RowKey", entity.RowKey);

        // Keys, Timestamp and ETag are system properties; the dictionary also holds the keys under their names.
        var properties = entity.Where(p => p.Key is not ("PartitionKey" or "RowKey" or "Timestamp" or "odata.etag")).ToList();
        if (properties.Count + 3 > MaxProperties)
        {
            problems.Add($"{properties.Count + 3} properties (at most {MaxProperties}, keys and Timestamp included)");
        }

        long size = 4 + (2 * ((long)(entity.PartitionKey?.Length ?? 0) + (entity.RowKey?.Length ?? 0)));
        foreach (var (name, value) in properties)
        {
            size += 8 + (2L * name.Length);
            switch (value)
            {
                case null:
                    break;
                case string text:
                    size += 4 + (2L * text.Length);
                    if (text.Length > MaxStringLength)
                    {
                        problems.Add($"string property '{name}' has {text.Length} characters (at most {MaxStringLength})");
                    }

                    break;
                case byte[] bytes:
                    size += 4 + bytes.Length;
                    if (bytes.Length > MaxBinaryLength)
                    {
                        problems.Add($"binary property '{name}' has {bytes.Length} bytes (at most {MaxBinaryLength})");
                    }

                    break;
                case BinaryData data:
                    size += 4 + data.ToMemory().Length;
                    if (data.ToMemory().Length > MaxBinaryLength)
                    {
                        problems.Add($"binary property '{name}' has {data.ToMemory().Length} bytes (at most {MaxBinaryLength})");
                    }

                    break;
                case DateTimeOffset instant:
                    size += 8;
                    CheckDate(problems, name, instant);
                    break;
                case DateTime dateTime:
                    size += 8;
                    CheckDate(problems, name, dateTime.Kind == DateTimeKind.Unspecified
                        ? new DateTimeOffset(dateTime, TimeSpan.Zero)
                        : new DateTimeOffset(dateTime.ToUniversalTime(), TimeSpan.Zero));
                    break;
                case Guid:
                    size += 16;
                    break;
                case bool:
                    size += 1;
                    break;
                case int:
                    size += 4;
                    break;
                default:
                    size += 8; // long, double
                    break;
            }
        }

        if (size > MaxEntityBytes)
        {
            problems.Add($"about {size} bytes (at most {MaxEntityBytes})");
        }

        return problems;
    }

    /// <summary>Throws <see cref="TableLimitException"/> when Azure would refuse the entity.</summary>
    public static TableEntity EnsureWithin(TableEntity entity)
    {
        var problems = Violations(entity);
        return problems.Count == 0 ? entity : throw new TableLimitException(entity.PartitionKey, entity.RowKey, problems);
    }

    private static void CheckDate(List<string> problems, string name, DateTimeOffset instant)
    {
        if (instant < EarliestDateTime)
        {
            problems.Add($"date property '{name}' is {instant:O}, before 1601-01-01");
        }
    }

    private static void CheckKey(List<string> problems, string name, string? key)
    {
        if (key is null)
        {
            problems.Add($"{name} is missing");
            return;
        }

        if (Encoding.UTF8.GetByteCount(key) > MaxKeyBytes)
        {
            problems.Add($"{name} is longer than {MaxKeyBytes} bytes");
        }

        if (key.Any(c => c is '/' or '\\' or '#' or '?' || char.IsControl(c)))
        {
            problems.Add($"{name} contains '/', '\\\\', '#', '?' or a control character");
        }
    }
}

/// <summary>An entity that Azure Table Storage would refuse; thrown before the write, on Azurite as in Azure.</summary>
public sealed class TableLimitException(string? partitionKey, string? rowKey, IReadOnlyList<string> problems)
    : InvalidOperationException($"Table entity ({partitionKey}, {rowKey}) breaks Azure's limits: {string.Join("; ", problems)}.")
{
    public IReadOnlyList<string> Problems { get; } = problems;
}
