using MediaRetention.Core.Audit;

namespace MediaRetention.Core.SubjectRequests;

/// <summary>A validated request to open a case; <see cref="OpenedBy"/> is the authenticated caller.</summary>
public sealed record OpenSubjectRequestCommand(
    string Type,
    DateTimeOffset ReceivedAt,
    string Reference,
    SubjectIdentifiers Identifiers,
    string? Note,
    string OpenedBy);

/// <summary>Opens a data-subject request: the case row first, then its audit entry. Nothing is searched or touched yet.</summary>
public sealed class OpenSubjectRequestHandler(ISubjectRequestStore store, IAuditLog audit, TimeProvider time)
{
    public async Task<SubjectRequest> HandleAsync(OpenSubjectRequestCommand command, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var request = new SubjectRequest
        {
            Id = Guid.CreateVersion7(now).ToString("N"),
            Type = command.Type,
            Status = SubjectRequestStatus.Open,
            Reference = command.Reference,
            ReceivedAt = command.ReceivedAt,
            OpenedBy = command.OpenedBy,
            OpenedAt = now,
            Identifiers = command.Identifiers,
            Note = command.Note,
        };
        await store.CreateAsync(request, cancellationToken);

        var details = SubjectRequestAudit.For(request);
        details["receivedAt"] = Evidence.EvidenceDocument.Time(request.ReceivedAt);
        details["phone"] = SubjectRequestAudit.Phone(request.Identifiers.Phone);
        details["cctv"] = SubjectRequestAudit.Places(request.Identifiers.Cctv);
        await audit.AppendAsync(new AuditEvent(command.OpenedBy, AuditActions.SubjectRequestOpened, SubjectRequestAudit.Target(request.Id), details),
            cancellationToken);
        return request;
    }
}
