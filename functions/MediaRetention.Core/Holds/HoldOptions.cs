using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Options;

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

    /// <summary>
    /// Open (not yet reviewed) preservation requests one police agency may have at once; beyond, a new request is a 429
    /// until security reviews some.
    /// </summary>
    [Range(1, 10_000)]
    public int PoliceMaxOpenRequests { get; set; } = 20;

    /// <summary>Longest window a police request may name (security may place longer holds, up to <see cref="MaxWindow"/>).</summary>
    [Range(typeof(TimeSpan), "00:00:01", "3650.00:00:00")]
    public TimeSpan PoliceMaxWindow { get; set; } = TimeSpan.FromDays(31);

    /// <summary>
    /// Longest a host keeps its copy of the active holds without reloading it, even when the holds version has not
    /// moved: bounds how long a hold row written without its version bump (a crash in between) goes unseen by ingest
    /// marks and the media API. The sweep never uses the copy.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:01", "1.00:00:00")]
    public TimeSpan CacheMaxAge { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>
    /// Covered media a placement (or an approval) marks held inside the HTTP request. A hold covering more is answered
    /// at once (202) and the rest is marked by a background operation: Azure ends a request after 230 s, and a site held
    /// for a month covers hundreds of thousands of blobs. The hold is in force from its row on either way.
    /// </summary>
    [Range(1, 100_000)]
    public int InlineMarkLimit { get; set; } = 500;

    /// <summary>Covered media a background marking reads per page; it records its place after each page.</summary>
    [Range(1, 1000)]
    public int BackgroundMarkPageSize { get; set; } = 1000;
}

/// <summary>A police window longer than every hold's window would never apply.</summary>
public sealed class HoldOptionsValidator : IValidateOptions<HoldOptions>
{
    public ValidateOptionsResult Validate(string? name, HoldOptions options) =>
        options.PoliceMaxWindow > options.MaxWindow
            ? ValidateOptionsResult.Fail($"{HoldOptions.SectionName}:{nameof(HoldOptions.PoliceMaxWindow)} ({options.PoliceMaxWindow}) must not be longer than {HoldOptions.SectionName}:{nameof(HoldOptions.MaxWindow)} ({options.MaxWindow}).")
            : ValidateOptionsResult.Success;
}
