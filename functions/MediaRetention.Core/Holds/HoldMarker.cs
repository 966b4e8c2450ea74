using System.Collections.Concurrent;
using MediaRetention.Core.Media;
using MediaRetention.Core.Operations;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace MediaRetention.Core.Holds;

/// <param name="MarkedIds">The media marked held inside the request (blobs that still existed).</param>
/// <param name="Background">Set when the rest is marked by a background operation (its row, naming the operation).</param>
/// <param name="Failure">Marking (or handing it to a worker) failed; the hold is in force all the same.</param>
public sealed record HoldMarkingOutcome(IReadOnlyList<string> MarkedIds, HoldMarking? Background, Exception? Failure);

/// <summary>
/// Marks the blobs a hold covers held, always after its row is written (from then on every sweep reads it and keeps
/// what it covers; the marks are defence in depth for a sweep already deciding). Up to
/// <see cref="HoldOptions.InlineMarkLimit"/> media are marked inside the request; beyond, the rest is handed to a
/// <see cref="OperationKinds.HoldMarking"/> operation that goes on from the listing's continuation
/// (<see cref="MarkHoldMediaOperationWork"/>), so a request never grows with the hold.
/// </summary>
public sealed class HoldMarker(
    HoldCoverage coverage,
    IBlobHoldMarks marks,
    IHoldMarkingStore markings,
    StartOperationHandler operations,
    IOptions<HoldOptions> options,
    TimeProvider time,
    ILogger<HoldMarker> logger)
{
    /// <summary>Roles that may read a marking operation when the caller names none: those who place and review holds.</summary>
    public static readonly IReadOnlyList<string> DefaultReaders = ["security", "admin"];

    private const int MarkParallelism = 16;

    // Pages of the listing read inside the request at most: a page may hold fewer covered media than asked for (Azure
    // Tables may even answer an empty page with a continuation), and the request must stay bounded all the same.
    private const int MaxInlinePages = 4;

    /// <param name="supersede">
    /// An approval re-marks a request whose own marking may still run: its row is replaced (by the new operation's, or as
    /// complete), so the older operation stops at its next page.
    /// </param>
    public async Task<HoldMarkingOutcome> MarkAsync(Hold hold, string startedBy, IReadOnlyList<string>? readers, bool supersede, CancellationToken cancellationToken)
    {
        var limit = options.Value.InlineMarkLimit;
        var marked = new ConcurrentBag<string>();
        string? token = null;
        try
        {
            var pages = 0;
            do
            {
                var page = await coverage.PageAsync(hold.Scope, token, Math.Clamp(limit - marked.Count, 1, 1000), cancellationToken);
                await MarkAllAsync(page.Items, marked, cancellationToken);
                token = page.ContinuationToken;
                pages++;
            }
            while (token is not null && marked.Count < limit && pages < MaxInlinePages);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            logger.LogError(e, "Hold {HoldId} is in force, but marking its media failed after {Covered}", hold.Id, marked.Count);
            return new HoldMarkingOutcome([.. marked], null, e);
        }

        if (token is null)
        {
            if (supersede && await markings.GetAsync(hold.Id, cancellationToken) is { Marking.State: HoldMarkingStates.InProgress } running)
            {
                await markings.PutAsync(running.Marking with
                {
                    OperationId = null,
                    State = HoldMarkingStates.Complete,
                    Checkpoint = null,
                    Marked = marked.Count,
                    UpdatedAt = time.GetUtcNow(),
                }, cancellationToken);
            }

            return new HoldMarkingOutcome([.. marked], null, null);
        }

        // The row first, naming the operation, so whichever worker picks the operation up finds where to go on.
        var operationId = Guid.CreateVersion7(time.GetUtcNow()).ToString("N");
        var marking = new HoldMarking(hold.Id, operationId, HoldMarkingStates.InProgress, token, marked.Count, time.GetUtcNow());
        try
        {
            await markings.PutAsync(marking, cancellationToken);

            // Not tied to the request: a client giving up must not leave the marking recorded but never handed over.
            await operations.HandleAsync(new StartOperationCommand(OperationKinds.HoldMarking, startedBy, readers ?? DefaultReaders, hold.Agency, hold.Id)
            {
                OperationId = operationId,
            }, CancellationToken.None);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            logger.LogError(e, "Hold {HoldId} is in force, but the marking of its media beyond the first {Covered} could not be handed to a worker", hold.Id, marked.Count);
            return new HoldMarkingOutcome([.. marked], marking, e);
        }

        logger.LogInformation("Hold {HoldId}: {Covered} media marked in the request; operation {OperationId} marks the rest", hold.Id, marked.Count, operationId);
        return new HoldMarkingOutcome([.. marked], marking, null);
    }

    /// <summary>Marks the media held, 16 at a time; a blob already gone cannot be preserved and is not counted.</summary>
    internal async Task MarkAllAsync(IReadOnlyList<MediaRecord> media, ConcurrentBag<string> marked, CancellationToken cancellationToken) =>
        await Parallel.ForEachAsync(media,
            new ParallelOptions { MaxDegreeOfParallelism = MarkParallelism, CancellationToken = cancellationToken },
            async (m, ct) =>
            {
                if (await marks.MarkHeldAsync(m.Container, m.BlobName, ct))
                {
                    marked.Add(m.Id);
                }
            });
}
