using System.ComponentModel.DataAnnotations;

namespace MediaRetention.Core.Holds;

/// <summary>Section <c>Holds</c>.</summary>
public sealed class HoldOptions
{
    public const string SectionName = "Holds";

    /// <summary>Longest time window a hold may name.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "3650.00:00:00")]
    public TimeSpan MaxWindow { get; set; } = TimeSpan.FromDays(366);

    /// <summary>
    /// Also set the blob's legal-hold flag (version-level immutability). Only where the storage account has
    /// versioning and version-level immutability enabled: Azurite answers 501, so it is off by default.
    /// </summary>
    public bool UseImmutabilityLegalHold { get; set; }
}
