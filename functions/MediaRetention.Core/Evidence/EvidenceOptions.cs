using System.ComponentModel.DataAnnotations;

namespace MediaRetention.Core.Evidence;

/// <summary>How evidence links are issued. Section <c>Evidence</c>.</summary>
public sealed class EvidenceOptions
{
    public const string SectionName = "Evidence";

    /// <summary>
    /// How long a download link in a manifest keeps working. Short by default: a forwarded e-mail should not
    /// leave footage readable for long. The upper bound is the user-delegation SAS limit.
    /// </summary>
    [Range(typeof(TimeSpan), "00:01:00", "6.23:00:00")]
    public TimeSpan LinkLifetime { get; set; } = TimeSpan.FromHours(1);
}
