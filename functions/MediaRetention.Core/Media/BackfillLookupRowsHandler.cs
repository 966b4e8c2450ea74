using System.Globalization;
using MediaRetention.Core.Audit;

namespace MediaRetention.Core.Media;

/// <summary>How far a backfill has come: record rows visited, phone and camera rows inserted.</summary>
public sealed record BackfillLookupRowsProgress(long RecordsVisited, long RowsAdded);

/// <param name="LayoutVersion">The layout whose rows every medium now has (<see cref="MediaTableLayout.LookupLayoutVersion"/>).</param>
/// <param name="WasComplete">The marker was there before this run (a repeat run only repairs).</param>
public sealed record BackfillLookupRowsReport(int LayoutVersion, long RecordsVisited, long RowsAdded, bool WasComplete, DateTimeOffset CompletedAt);

/// <summary>
/// Gives every medium indexed before layout version <see cref="MediaTableLayout.LookupLayoutVersion"/> its phone and
/// camera rows, then writes the marker after which phone and camera queries read them instead of scanning the site and
/// time rows. The marker is written only after a walk over every record row finished: a run that fails or is cut off
/// leaves the queries on the fallback, and the next run starts over (inserts of rows that exist are skipped).
/// Idempotent; audited as <c>media.lookup-rows-backfilled</c>. Run it once every host runs this version: a host of an
/// older version ingests media without these rows.
/// </summary>
public sealed class BackfillLookupRowsHandler(IMediaLookupRows rows, IAuditLog audit, TimeProvider time)
{
    public const int PageSize = 1000;
    private const int Parallelism = 8;

    public async Task<BackfillLookupRowsReport> HandleAsync(string actor, Action<BackfillLookupRowsProgress>? progress, CancellationToken cancellationToken)
    {
        var wasComplete = await rows.AreCompleteAsync(cancellationToken);
        long visited = 0;
        long added = 0;
        string? token = null;
        do
        {
            var (page, next) = await rows.ListRecordsAsync(token, PageSize, cancellationToken);
            await Parallel.ForEachAsync(page, new ParallelOptions { MaxDegreeOfParallelism = Parallelism, CancellationToken = cancellationToken },
                async (stored, ct) => Interlocked.Add(ref added, await rows.AddMissingRowsAsync(stored, ct)));
            visited += page.Count;
            progress?.Invoke(new BackfillLookupRowsProgress(visited, Interlocked.Read(ref added)));
            token = next;
        }
        while (token is not null);

        var completedAt = time.GetUtcNow();
        await rows.MarkCompleteAsync(actor, completedAt, cancellationToken);
        await audit.AppendAsync(new AuditEvent(actor, AuditActions.LookupRowsBackfilled, $"media-index/lookup-rows-v{MediaTableLayout.LookupLayoutVersion}",
            new Dictionary<string, string?>
            {
                ["layoutVersion"] = MediaTableLayout.LookupLayoutVersion.ToString(CultureInfo.InvariantCulture),
                ["recordsVisited"] = visited.ToString(CultureInfo.InvariantCulture),
                ["rowsAdded"] = added.ToString(CultureInfo.InvariantCulture),
                ["wasComplete"] = wasComplete ? "true" : "false",
            }), cancellationToken);
        return new BackfillLookupRowsReport(MediaTableLayout.LookupLayoutVersion, visited, added, wasComplete, completedAt);
    }
}
