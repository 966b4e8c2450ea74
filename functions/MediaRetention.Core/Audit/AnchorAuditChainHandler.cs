using Microsoft.Extensions.Logging;

namespace MediaRetention.Core.Audit;

/// <summary>
/// Appends the chain's head to the anchor store when it has moved since the last anchor: on a schedule
/// (<c>AuditAnchorSchedule</c>) and after every retention sweep. A rewrite or truncation of anything up to the
/// last anchor is then visible to <see cref="VerifyAuditChainHandler"/>.
/// </summary>
/// <remarks>
/// The last anchored sequence is kept in memory (read from the store once); another host may anchor the same
/// head too, which only adds an identical line.
/// </remarks>
public sealed class AnchorAuditChainHandler(
    IAuditChain chain,
    IAuditAnchorStore anchors,
    TimeProvider time,
    ILogger<AnchorAuditChainHandler> logger) : IDisposable
{
    private readonly SemaphoreSlim gate = new(1, 1);
    private long? lastAnchored;

    /// <summary>The anchor written, or null when the chain is empty or its head is already anchored.</summary>
    public async Task<AuditAnchor?> AnchorHeadAsync(string reason, CancellationToken cancellationToken)
    {
        await gate.WaitAsync(cancellationToken);
        try
        {
            var head = await chain.ReadHeadAsync(cancellationToken);
            if (head is null)
            {
                return null;
            }

            lastAnchored ??= (await anchors.ReadLatestAsync(cancellationToken))?.Sequence ?? 0;
            if (head.Sequence <= lastAnchored)
            {
                return null;
            }

            var anchor = new AuditAnchor(head.Sequence, head.Hash, head.Time, time.GetUtcNow(), reason);
            await anchors.AppendAsync(anchor, cancellationToken);
            lastAnchored = head.Sequence;
            logger.LogInformation("Anchored the audit chain at entry {Sequence} ({Reason})", head.Sequence, reason);
            return anchor;
        }
        finally
        {
            gate.Release();
        }
    }

    /// <summary>For callers whose own work is done (a sweep): a failure is logged and retried at the next trigger.</summary>
    public async Task<AuditAnchor?> TryAnchorHeadAsync(string reason, CancellationToken cancellationToken)
    {
        try
        {
            return await AnchorHeadAsync(reason, cancellationToken);
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            logger.LogError(e, "Anchoring the audit chain ({Reason}) failed; the next trigger tries again", reason);
            return null;
        }
    }

    public void Dispose() => gate.Dispose();
}

/// <summary>Verifies the audit chain against itself and against every anchor ever written.</summary>
public sealed class VerifyAuditChainHandler(IAuditChain chain, IAuditAnchorStore anchors)
{
    /// <summary>Breaks a whole-chain walk lists at most; <see cref="AuditVerification.Intact"/> and the count stay exact.</summary>
    public const int MaxListedBreaks = 1000;

    /// <summary>
    /// One page of the chain from <paramref name="start"/> (a sequence; null: the last anchor's entry, or 1 when there
    /// is none) or from <paramref name="resume"/> (where the previous page stopped). A resumed page first checks that
    /// the entry before it still has the hash the previous page ended on, so a page boundary hides nothing.
    /// </summary>
    public async Task<AuditVerificationPage> HandlePageAsync(long? start, AuditChainPosition? resume, int pageSize, CancellationToken cancellationToken)
    {
        var log = await anchors.ReadAllAsync(cancellationToken);
        var extra = log.Unreadable.Select(where => new AuditBreak(0, $"anchor record {where} is unreadable")).ToList();
        AuditChainPosition from;
        if (resume is not null)
        {
            from = resume;
            var stored = await chain.PositionBeforeAsync(resume.NextSequence, cancellationToken);
            if (stored is null || !string.Equals(stored.PreviousHash, resume.PreviousHash, StringComparison.Ordinal))
            {
                extra.Add(new AuditBreak(resume.NextSequence - 1,
                    $"entry {resume.NextSequence - 1}: {(stored is null ? "missing" : "hash changed")} since the previous page was verified"));
            }
        }
        else
        {
            var first = start ?? (log.Anchors.Count == 0 ? 1 : log.Anchors.Max(a => a.Sequence));
            from = await chain.PositionBeforeAsync(first, cancellationToken) ?? new AuditChainPosition(first, "");
            if (from.PreviousHash.Length == 0)
            {
                extra.Add(new AuditBreak(first - 1, $"entry {first - 1} missing"));
            }
        }

        var page = await chain.VerifyPageAsync(from, log.Anchors, pageSize, cancellationToken);
        return extra.Count == 0 ? page : page with
        {
            Verification = page.Verification with { Intact = false, Breaks = [.. extra, .. page.Verification.Breaks] },
        };
    }

    /// <summary>The whole chain, page by page (for the background operation): what <see cref="HandleAsync"/> answers.</summary>
    public async Task<AuditVerification> HandleAllAsync(int pageSize, Action<AuditVerifyProgress> progress, CancellationToken cancellationToken)
    {
        var log = await anchors.ReadAllAsync(cancellationToken);
        var breaks = log.Unreadable.Select(where => new AuditBreak(0, $"anchor record {where} is unreadable")).ToList();
        var position = new AuditChainPosition(1, AuditHash.Genesis);
        long checkedCount = 0, breakCount = breaks.Count;
        while (true)
        {
            var page = await chain.VerifyPageAsync(position, log.Anchors, pageSize, cancellationToken);
            checkedCount += page.Verification.EntriesChecked;
            breakCount += page.Verification.Breaks.Count;
            breaks.AddRange(page.Verification.Breaks.Take(MaxListedBreaks - breaks.Count));
            if (page.Next is not { } next)
            {
                progress(new AuditVerifyProgress(checkedCount, page.Verification.HeadSequence, breakCount));
                return page.Verification with
                {
                    Intact = breakCount == 0,
                    EntriesChecked = checkedCount,
                    Breaks = breaks,
                    BreaksFound = breakCount,
                };
            }

            position = next;
            progress(new AuditVerifyProgress(checkedCount, next.NextSequence - 1, breakCount));
        }
    }

    public async Task<AuditVerification> HandleAsync(CancellationToken cancellationToken)
    {
        var log = await anchors.ReadAllAsync(cancellationToken);
        var result = await chain.VerifyAsync(log.Anchors, cancellationToken);
        if (log.Unreadable.Count == 0)
        {
            return result;
        }

        var breaks = result.Breaks.Concat(log.Unreadable.Select(where => new AuditBreak(0, $"anchor record {where} is unreadable"))).ToList();
        return result with { Intact = false, Breaks = breaks };
    }
}

/// <summary>A whole-chain verification's progress: entries checked, the last sequence reached, breaks found so far.</summary>
public sealed record AuditVerifyProgress(long EntriesChecked, long? Sequence, long Breaks);
