using System.ComponentModel.DataAnnotations;

namespace MediaRetention.Core.SubjectRequests;

/// <summary>Section <c>SubjectRequests</c>: limits of data-subject requests.</summary>
public sealed class SubjectRequestOptions
{
    public const string SectionName = "SubjectRequests";

    /// <summary>
    /// An erasure that would delete more media than this is refused unless the officer confirms the exact number the
    /// dry run showed: a mistyped window or a busy shared number must not wipe a site's footage by accident.
    /// </summary>
    [Range(1, 100_000)]
    public int ErasureConfirmationThreshold { get; set; } = 200;

    /// <summary>
    /// Most media one request may match. Beyond it the identifiers are too broad to be about one person (and an
    /// erasure would outlast an HTTP request): the officer narrows them.
    /// </summary>
    [Range(1, 100_000)]
    public int MaxMatches { get; set; } = 5_000;

    /// <summary>Longest CCTV window of one place: a person is found in footage by a human, hour by hour.</summary>
    [Range(typeof(TimeSpan), "00:01:00", "366.00:00:00")]
    public TimeSpan MaxCctvWindow { get; set; } = TimeSpan.FromDays(31);
}
