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
