using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Options;

namespace MediaRetention.Core.Operations;

/// <summary>Section <c>Operations</c>: how long operations are kept and how workers take over from one another.</summary>
public sealed class OperationOptions
{
    public const string SectionName = "Operations";

    /// <summary>How long an operation (and its result) can be read after it was started.</summary>
    [Range(typeof(TimeSpan), "00:01:00", "30.00:00:00")]
    public TimeSpan KeepFor { get; set; } = TimeSpan.FromDays(7);

    /// <summary>How often a running worker writes its progress (its sign of life).</summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "00:05:00")]
    public TimeSpan HeartbeatInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>A running operation without a heartbeat for this long may be taken over by another worker.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "01:00:00")]
    public TimeSpan StaleAfter { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>
    /// An operation that has shown no sign of life for this long is failed for its readers (a worker died and none took
    /// over, or none ever picked it up). Longer than the Functions host's functionTimeout, so a live one never is.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:02", "1.00:00:00")]
    public TimeSpan AbandonAfter { get; set; } = TimeSpan.FromHours(1);

    /// <summary>Workers that start an operation before it counts as failed (each after the previous one died).</summary>
    [Range(1, 10)]
    public int MaxAttempts { get; set; } = 3;

    /// <summary>Runner: how often its worker looks for operations to take over and removes expired ones.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "01:00:00")]
    public TimeSpan RecoveryInterval { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Runner: operations run at once.</summary>
    [Range(1, 16)]
    public int MaxConcurrent { get; set; } = 2;
}

public sealed class OperationOptionsValidator : IValidateOptions<OperationOptions>
{
    public ValidateOptionsResult Validate(string? name, OperationOptions options) =>
        options.HeartbeatInterval < options.StaleAfter && options.StaleAfter < options.AbandonAfter
            ? ValidateOptionsResult.Success
            : ValidateOptionsResult.Fail("Operations: HeartbeatInterval must be shorter than StaleAfter, and StaleAfter shorter than AbandonAfter.");
}
