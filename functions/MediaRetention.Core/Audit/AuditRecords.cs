namespace MediaRetention.Core.Audit;

/// <summary>
/// Something to record. Only what the caller passes is stored: keep personal data out of
/// <paramref name="Details"/> unless the record genuinely needs it (e.g. a masked number, not the number).
/// </summary>
public sealed record AuditEvent(string Actor, string Action, string Target, IReadOnlyDictionary<string, string?>? Details = null);

/// <summary>One link of the chain. <see cref="Hash"/> covers every other field, including <see cref="PreviousHash"/>.</summary>
public sealed record AuditEntry(
    long Sequence,
    DateTimeOffset Time,
    string Actor,
    string Action,
    string Target,
    IReadOnlyDictionary<string, string?> Details,
    string PreviousHash,
    string Hash)
{
    // Records compare dictionaries by reference; entries read back from storage should equal the ones appended.
    public bool Equals(AuditEntry? other) =>
        other is not null
        && Sequence == other.Sequence
        && Time == other.Time
        && string.Equals(Actor, other.Actor, StringComparison.Ordinal)
        && string.Equals(Action, other.Action, StringComparison.Ordinal)
        && string.Equals(Target, other.Target, StringComparison.Ordinal)
        && string.Equals(PreviousHash, other.PreviousHash, StringComparison.Ordinal)
        && string.Equals(Hash, other.Hash, StringComparison.Ordinal)
        && Details.Count == other.Details.Count
        && Details.All(d => other.Details.TryGetValue(d.Key, out var v) && string.Equals(v, d.Value, StringComparison.Ordinal));

    // The hash already identifies the content.
    public override int GetHashCode() => HashCode.Combine(Sequence, Hash);
}

/// <summary>A page of entries in sequence order; pass <see cref="ContinuationToken"/> back for the next one.</summary>
public sealed record AuditPage(IReadOnlyList<AuditEntry> Items, string? ContinuationToken);

/// <summary>Where the chain is broken and how, in words an auditor can act on.</summary>
public sealed record AuditBreak(long Sequence, string Problem);

/// <summary>
/// Result of walking the whole chain. <see cref="HeadHash"/> is the hash the log currently ends with. Anchors
/// (heads recorded in an append-only store) let a rewrite or truncation up to <see cref="LastAnchor"/> show too.
/// </summary>
public sealed record AuditVerification(bool Intact, long EntriesChecked, long? HeadSequence, IReadOnlyList<AuditBreak> Breaks)
{
    public string? HeadHash { get; init; }

    /// <summary>How many anchor records the chain was compared with.</summary>
    public int AnchorsChecked { get; init; }

    /// <summary>The newest anchor: a rewrite from after its entry on cannot be told from the table alone.</summary>
    public AuditAnchor? LastAnchor { get; init; }

    /// <summary>
    /// How many breaks a whole-chain operation found, when it lists only the first
    /// <see cref="VerifyAuditChainHandler.MaxListedBreaks"/>; null elsewhere (every break is listed).
    /// </summary>
    public long? BreaksFound { get; init; }
}

/// <summary>The actions the pipeline records; plain strings so new ones need no schema change.</summary>
public static class AuditActions
{
    public const string HoldPlaced = "hold.placed";
    public const string HoldReleased = "hold.released";

    /// <summary>A large hold's background marking ended: complete (how many media it marked) or stopped (why).</summary>
    public const string HoldMarked = "hold.marked";

    /// <summary>Security or an admin approved a police preservation request (possibly narrowing it).</summary>
    public const string HoldApproved = "hold.approved";

    /// <summary>Security or an admin rejected a police preservation request: it preserves nothing from then on.</summary>
    public const string HoldRejected = "hold.rejected";

    /// <summary>A hold's phone hash was re-keyed to the current key (the number itself is never known).</summary>
    public const string HoldRekeyed = "hold.rekeyed";

    /// <summary>One run of the phone-hash re-key migration: what it rewrote.</summary>
    public const string PhoneHashesRekeyed = "phone-hashes.rekeyed";

    /// <summary>The phone and camera lookup rows were backfilled and the marker written: queries read those rows from now on.</summary>
    public const string LookupRowsBackfilled = "media.lookup-rows-backfilled";

    /// <summary>A hold row that cannot be read was found; retention deletes nothing until it is released or repaired.</summary>
    public const string HoldUnreadable = "hold.unreadable";
    public const string AccessDenied = "access.denied";

    /// <summary>Repeats of one kind of denial (same client, caller and reason) within a window, as one entry with a count.</summary>
    public const string AccessDeniedAggregated = "access.denied.aggregated";
    public const string MediaDeleted = "media.deleted";
    public const string MediaAlteredUnderHold = "media.altered";
    public const string RetentionSweep = "retention.sweep";
    public const string EvidenceManifestIssued = "evidence.manifest";
    public const string EvidenceLinksIssued = "evidence.links";
    public const string EvidenceVerified = "evidence.verified";
    public const string MediaViewed = "media.viewed";

    /// <summary>A data-subject request (access or erasure) was opened.</summary>
    public const string SubjectRequestOpened = "subject-request.opened";

    /// <summary>An access export was issued: which media were disclosed, why, and the manifest's seal.</summary>
    public const string SubjectRequestDisclosed = "subject-request.disclosed";

    /// <summary>An erasure ran: its totals (each deleted medium also has its own media.deleted entry).</summary>
    public const string SubjectRequestErased = "subject-request.erased";

    public const string SubjectRequestAnswered = "subject-request.answered";
    public const string SubjectRequestRejected = "subject-request.rejected";
}
