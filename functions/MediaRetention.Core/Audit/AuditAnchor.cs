using NCrontab;
using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Options;

namespace MediaRetention.Core.Audit;

/// <summary>
/// The chain's head as recorded outside the table, in an append-only store the log's writers cannot rewrite:
/// entry <see cref="Sequence"/> had <see cref="Hash"/> (written at <see cref="EntryTime"/>) when the anchor was
/// appended at <see cref="AnchoredAt"/>.
/// </summary>
public sealed record AuditAnchor(long Sequence, string Hash, DateTimeOffset EntryTime, DateTimeOffset AnchoredAt, string Reason);

/// <summary>The chain's current end, as its head row says.</summary>
public sealed record AuditChainHead(long Sequence, string Hash, DateTimeOffset Time);

/// <summary>Every anchor in append order, and the records that could not be read (named by blob and line).</summary>
public sealed record AuditAnchorLog(IReadOnlyList<AuditAnchor> Anchors, IReadOnlyList<string> Unreadable);

/// <summary>Why an anchor was written.</summary>
public static class AuditAnchorReasons
{
    public const string Schedule = "schedule";
    public const string RetentionSweep = "retention-sweep";
}

/// <summary>The append-only record of chain heads (an append blob; immutable in Azure).</summary>
public interface IAuditAnchorStore
{
    Task AppendAsync(AuditAnchor anchor, CancellationToken cancellationToken);

    Task<AuditAnchorLog> ReadAllAsync(CancellationToken cancellationToken);

    /// <summary>The last anchor appended, or null when there is none.</summary>
    Task<AuditAnchor?> ReadLatestAsync(CancellationToken cancellationToken);
}

/// <summary>The chain's own view, for anchoring it and checking it against anchors.</summary>
public interface IAuditChain
{
    Task<AuditChainHead?> ReadHeadAsync(CancellationToken cancellationToken);

    /// <summary>
    /// Everything <see cref="IAuditLog.VerifyAsync"/> checks, and for each anchor that the entry it names still has
    /// the anchored hash (else the chain was rewritten) and still exists (else it was truncated).
    /// </summary>
    Task<AuditVerification> VerifyAsync(IReadOnlyList<AuditAnchor> anchors, CancellationToken cancellationToken);

    /// <summary>
    /// The same checks over at most <paramref name="pageSize"/> entries from <paramref name="from"/>: one key-range read,
    /// whatever the length of the chain before it. The page that reaches the head checks the head and truncation too;
    /// any other returns where the next page resumes.
    /// </summary>
    Task<AuditVerificationPage> VerifyPageAsync(AuditChainPosition from, IReadOnlyList<AuditAnchor> anchors, int pageSize, CancellationToken cancellationToken);

    /// <summary>
    /// Where a walk starting at <paramref name="sequence"/> begins: the stored hash of the entry before it (the genesis
    /// hash for 1); null when that entry does not exist.
    /// </summary>
    Task<AuditChainPosition?> PositionBeforeAsync(long sequence, CancellationToken cancellationToken);
}

/// <summary>Where a walk of the chain resumes: the entry it expects next and the hash that entry must link to.</summary>
public sealed record AuditChainPosition(long NextSequence, string PreviousHash);

/// <summary>One page of a verification, and where the next resumes (null once the head was reached).</summary>
public sealed record AuditVerificationPage(AuditVerification Verification, AuditChainPosition? Next)
{
    /// <summary>The first sequence the page covered.</summary>
    public long From { get; init; }
}

/// <summary>Section <c>Audit</c>.</summary>
public sealed class AuditOptions
{
    public const string SectionName = "Audit";

    /// <summary>
    /// Container of the anchor blobs (<c>audit-anchors/{yyyy-MM}.jsonl</c>). Empty: the state container. In Azure
    /// a container with a time-based immutability policy (infra/main.bicep creates <c>audit-anchors</c>).
    /// </summary>
    [RegularExpression("^[a-z0-9](?!.*--)[a-z0-9-]{1,61}[a-z0-9]$")]
    public string? AnchorContainer { get; set; }
}

/// <summary>
/// The top-level <c>AuditAnchorSchedule</c> (NCRONTAB with seconds): how often the head is anchored when it has
/// moved. Top-level because the Functions TimerTrigger reads it as <c>%AuditAnchorSchedule%</c>.
/// </summary>
public sealed class AuditAnchorScheduleOptions
{
    public const string Setting = "AuditAnchorSchedule";
    public const string DefaultSchedule = "0 */5 * * * *";

    public string AuditAnchorSchedule { get; set; } = DefaultSchedule;

    public CrontabSchedule Parse() =>
        CrontabSchedule.Parse(AuditAnchorSchedule, new CrontabSchedule.ParseOptions { IncludingSeconds = true });
}

public sealed class AuditAnchorScheduleOptionsValidator : IValidateOptions<AuditAnchorScheduleOptions>
{
    public ValidateOptionsResult Validate(string? name, AuditAnchorScheduleOptions options) =>
        CrontabSchedule.TryParse(options.AuditAnchorSchedule, new CrontabSchedule.ParseOptions { IncludingSeconds = true }) is null
            ? ValidateOptionsResult.Fail($"{AuditAnchorScheduleOptions.Setting} '{options.AuditAnchorSchedule}' is not NCRONTAB with seconds, e.g. '{AuditAnchorScheduleOptions.DefaultSchedule}'.")
            : ValidateOptionsResult.Success;
}
