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

    public const int MaxManifestPageSize = 1000;

    /// <summary>
    /// Media a streamed manifest reads, links, audits (one <c>evidence.links</c> entry) and sends at a time: what it
    /// holds in memory. Smaller pages mean less memory and more audit entries.
    /// </summary>
    [Range(1, MaxManifestPageSize)]
    public int ManifestPageSize { get; set; } = MaxManifestPageSize;
}
