using Azure.Data.Tables;

namespace MediaRetention.Core.Storage;

/// <summary>
/// Reads typed properties of a stored row without throwing: a row edited by hand (Storage Explorer), or written by
/// an older version, must be reported as unreadable, never stop the pipeline with an exception. Each problem is
/// collected in words; the row is unreadable when there is any.
/// </summary>
internal sealed class EntityReader(TableEntity entity)
{
    private readonly List<string> problems = [];

    public bool Ok => problems.Count == 0;

    public string Reason => string.Join("; ", problems);

    public string? OptionalString(string name)
    {
        if (!entity.TryGetValue(name, out var value) || value is null)
        {
            return null;
        }

        if (value is string text)
        {
            return text;
        }

        problems.Add($"'{name}' is not text");
        return null;
    }

    public string RequiredString(string name)
    {
        var present = entity.TryGetValue(name, out var value) && value is not null;
        var text = OptionalString(name);
        if (text is { Length: > 0 })
        {
            return text;
        }

        if (!present || text is not null)
        {
            problems.Add($"'{name}' is missing or empty");
        }

        return "";
    }

    public DateTimeOffset? OptionalDate(string name)
    {
        if (!entity.TryGetValue(name, out var value) || value is null)
        {
            return null;
        }

        switch (value)
        {
            case DateTimeOffset instant:
                return instant;
            case DateTime dateTime:
                return new DateTimeOffset(DateTime.SpecifyKind(dateTime, DateTimeKind.Utc));
            default:
                problems.Add($"'{name}' is not a date");
                return null;
        }
    }

    public DateTimeOffset RequiredDate(string name)
    {
        var present = entity.TryGetValue(name, out var value) && value is not null;
        var date = OptionalDate(name);
        if (date is null && !present)
        {
            problems.Add($"'{name}' is missing");
        }

        return date ?? default;
    }

    public long? OptionalInt64(string name)
    {
        if (!entity.TryGetValue(name, out var value) || value is null)
        {
            return null;
        }

        switch (value)
        {
            case long number:
                return number;
            case int number:
                return number;
            default:
                problems.Add($"'{name}' is not a whole number");
                return null;
        }
    }

    public long RequiredInt64(string name)
    {
        var present = entity.TryGetValue(name, out var value) && value is not null;
        var number = OptionalInt64(name);
        if (number is null && !present)
        {
            problems.Add($"'{name}' is missing");
        }

        return number ?? 0;
    }

    public void Check(bool condition, string problem)
    {
        if (!condition)
        {
            problems.Add(problem);
        }
    }
}
