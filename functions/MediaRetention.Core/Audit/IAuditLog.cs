namespace MediaRetention.Core.Audit;

/// <summary>Append-only, hash-chained audit log. Entries are never updated or deleted through this interface.</summary>
public interface IAuditLog
{
    /// <summary>Appends one entry and returns it as stored.</summary>
    /// <remarks>
    /// Cancellation stops the wait; an event already handed to storage may still be recorded, as with any write.
    /// </remarks>
    Task<AuditEntry> AppendAsync(AuditEvent auditEvent, CancellationToken cancellationToken);

    /// <summary>
    /// Appends many events as consecutive entries, chunked into table transactions (&lt;= 99 entries + the head row
    /// per transaction). Each chunk is atomic and consecutive; other writers may append between chunks, and if a
    /// later chunk fails the earlier ones stay recorded.
    /// </summary>
    Task<IReadOnlyList<AuditEntry>> AppendManyAsync(IReadOnlyList<AuditEvent> events, CancellationToken cancellationToken);

    /// <summary>
    /// Entries with <paramref name="from"/> &lt;= Time &lt; <paramref name="to"/> (either bound optional), in sequence
    /// order. The token is opaque and only valid with the same bounds.
    /// </summary>
    Task<AuditPage> QueryAsync(DateTimeOffset? from, DateTimeOffset? to, string? continuationToken, int pageSize, CancellationToken cancellationToken);

    /// <summary>Walks the whole chain and reports every edited, missing or out-of-place entry.</summary>
    Task<AuditVerification> VerifyAsync(CancellationToken cancellationToken);
}
