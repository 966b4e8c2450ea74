using System.Globalization;
using Azure.Data.Tables;
using MediaRetention.Core.Audit;

namespace MediaRetention.IntegrationTests.Infrastructure;

/// <summary>Tampering with the audit table the way an insider with storage access could.</summary>
public static class AuditTampering
{
    /// <summary>What an insider with table access would do: change an entry and recompute every hash after it.</summary>
    public static async Task RewriteFromAsync(TableClient table, long first)
    {
        var rows = new List<TableEntity>();
        await foreach (var row in table.QueryAsync<TableEntity>("PartitionKey eq 'chain' and RowKey lt 'head'"))
        {
            rows.Add(row);
        }

        var previous = first == 1
            ? AuditHash.Genesis
            : rows.Single(r => long.Parse(r.RowKey, CultureInfo.InvariantCulture) == first - 1).GetString("Hash");
        var hash = previous;
        foreach (var row in rows.Where(r => long.Parse(r.RowKey, CultureInfo.InvariantCulture) >= first))
        {
            var sequence = long.Parse(row.RowKey, CultureInfo.InvariantCulture);
            if (sequence == first)
            {
                row["Target"] = "media/something-else";
            }

            var time = row.GetDateTimeOffset("Time")!.Value;
            var details = System.Text.Json.JsonSerializer.Deserialize<Dictionary<string, string?>>(row.GetString("Details"))!;
            hash = AuditHash.Compute(sequence, time, row.GetString("Actor"), row.GetString("Action"), row.GetString("Target"), details, previous);
            row["PreviousHash"] = previous;
            row["Hash"] = hash;
            await table.UpdateEntityAsync(row, row.ETag, TableUpdateMode.Replace);
            previous = hash;
        }

        var head = (await table.GetEntityAsync<TableEntity>("chain", "head")).Value;
        head["Hash"] = hash;
        await table.UpdateEntityAsync(head, head.ETag, TableUpdateMode.Replace);
    }
}
