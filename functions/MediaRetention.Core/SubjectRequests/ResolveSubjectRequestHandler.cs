using MediaRetention.Core.Audit;

namespace MediaRetention.Core.SubjectRequests;

/// <param name="Status">answered or rejected.</param>
/// <param name="Text">The answer given to the subject, or why the request is refused.</param>
public sealed record ResolveSubjectRequestCommand(string Id, string Status, string Actor, string Text);

public enum ResolveOutcome
{
    Resolved,
    NotFound,

    /// <summary>Answered or rejected already.</summary>
    AlreadyClosed,

    /// <summary>An access request has no export yet: nothing has been given to the subject.</summary>
    NoExport,

    /// <summary>An erasure request has not been erased yet, or its last run left media not deleted.</summary>
    ErasureIncomplete,

    /// <summary>Someone else changed the request at the same time; read it again.</summary>
    Conflict,
}

public sealed record ResolveSubjectRequestResult(ResolveOutcome Outcome, SubjectRequest? Request);

/// <summary>
/// Closes a request: answered (records answeredAt and who; only once what was asked for is done: an access export
/// issued, or an erasure that deleted everything no hold keeps) or rejected with a reason. Audited either way.
/// </summary>
public sealed class ResolveSubjectRequestHandler(ISubjectRequestStore store, IAuditLog audit, TimeProvider time)
{
    public async Task<ResolveSubjectRequestResult> HandleAsync(ResolveSubjectRequestCommand command, CancellationToken cancellationToken)
    {
        if (!SubjectRequestIds.IsWellFormed(command.Id) || await store.GetAsync(command.Id, cancellationToken) is not { } stored)
        {
            return new ResolveSubjectRequestResult(ResolveOutcome.NotFound, null);
        }

        var request = stored.Request;
        if (!request.IsOpen)
        {
            return new ResolveSubjectRequestResult(ResolveOutcome.AlreadyClosed, request);
        }

        if (command.Status == SubjectRequestStatus.Answered)
        {
            if (request.Type == SubjectRequestTypes.Access && (await store.ListDisclosuresAsync(request.Id, cancellationToken)).Count == 0)
            {
                return new ResolveSubjectRequestResult(ResolveOutcome.NoExport, request);
            }

            if (request.Type == SubjectRequestTypes.Erasure && request.LastErasure is not { NotDeleted: 0, DeletionBlocked: false })
            {
                return new ResolveSubjectRequestResult(ResolveOutcome.ErasureIncomplete, request);
            }
        }

        var closed = request with
        {
            Status = command.Status,
            Resolution = new SubjectRequestResolution(command.Actor, time.GetUtcNow(), command.Text),
        };
        if (!await store.TryUpdateAsync(closed, stored.StorageETag, cancellationToken))
        {
            return new ResolveSubjectRequestResult(ResolveOutcome.Conflict, request);
        }

        // The answer's text goes to the subject and may name them: it stays in the request, not in the log.
        var details = SubjectRequestAudit.For(closed);
        details["overdue"] = closed.Resolution.At > closed.DueAt ? "true" : "false";
        if (command.Status == SubjectRequestStatus.Rejected)
        {
            details["reason"] = command.Text;
        }

        await audit.AppendAsync(new AuditEvent(command.Actor,
            command.Status == SubjectRequestStatus.Answered ? AuditActions.SubjectRequestAnswered : AuditActions.SubjectRequestRejected,
            SubjectRequestAudit.Target(closed.Id), details), cancellationToken);
        return new ResolveSubjectRequestResult(ResolveOutcome.Resolved, closed);
    }
}
