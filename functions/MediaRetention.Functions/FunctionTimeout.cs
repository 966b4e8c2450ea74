using System.Globalization;
using System.Text.Json.Nodes;
using MediaRetention.Core.Retention;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;

namespace MediaRetention.Functions;

/// <summary>
/// The Functions host's <c>functionTimeout</c>: the app setting <c>AzureFunctionsJobHost__functionTimeout</c> when set
/// (the documented override of host.json), else host.json's value next to the app. Null when neither says (or it is
/// -1, no limit).
/// </summary>
public static class FunctionTimeout
{
    public const string OverrideSetting = "AzureFunctionsJobHost:functionTimeout";

    /// <summary>What a sweep needs after its budget: the page in flight, its bookkeeping, the summary and the lease record.</summary>
    public static readonly TimeSpan SweepHeadroom = TimeSpan.FromMinutes(2);

    public static TimeSpan? Read(IConfiguration configuration, string appDirectory)
    {
        if (configuration[OverrideSetting] is { Length: > 0 } setting)
        {
            return Parse(setting);
        }

        var hostJson = Path.Combine(appDirectory, "host.json");
        return File.Exists(hostJson) && JsonNode.Parse(File.ReadAllText(hostJson))?["functionTimeout"]?.GetValue<string>() is { } value
            ? Parse(value)
            : null;
    }

    private static TimeSpan? Parse(string value) =>
        TimeSpan.TryParse(value, CultureInfo.InvariantCulture, out var timeout) && timeout > TimeSpan.Zero ? timeout : null;
}

/// <summary>
/// Retention:MaxSweepDuration must leave <see cref="FunctionTimeout.SweepHeadroom"/> before the host's functionTimeout,
/// or the host would kill a sweep before it saves its checkpoint (nothing would be lost, but the sweep would be reported
/// as failed and its next run would start that stretch again). Checked at start-up when both are known.
/// </summary>
public sealed class SweepFitsFunctionTimeout(TimeSpan? functionTimeout) : IValidateOptions<RetentionOptions>
{
    public ValidateOptionsResult Validate(string? name, RetentionOptions options) =>
        functionTimeout is not { } timeout || options.MaxSweepDuration <= timeout - FunctionTimeout.SweepHeadroom
            ? ValidateOptionsResult.Success
            : ValidateOptionsResult.Fail(
                $"Retention:MaxSweepDuration ({options.MaxSweepDuration}) must be at most the host's functionTimeout ({timeout}) less " +
                $"{FunctionTimeout.SweepHeadroom.TotalMinutes:0} minutes, so a sweep stops and saves its checkpoint before the host ends it.");
}
