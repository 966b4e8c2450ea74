using System.ComponentModel.DataAnnotations;

namespace MediaRetention.Runner.Health;

/// <summary>Section <c>Health</c>: when <c>GET /healthz</c> says unhealthy.</summary>
public sealed class HealthOptions
{
    public const string SectionName = "Health";

    /// <summary>A retention lag above this (the last sweep left an expired, unheld medium overdue by more) is unhealthy.</summary>
    [Range(typeof(TimeSpan), "00:01:00", "30.00:00:00")]
    public TimeSpan MaxRetentionLag { get; set; } = TimeSpan.FromHours(1);

    /// <summary>How long the storage probe may take before storage counts as unreachable.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "00:01:00")]
    public TimeSpan StorageTimeout { get; set; } = TimeSpan.FromSeconds(5);
}
