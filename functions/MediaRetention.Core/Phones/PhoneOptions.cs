using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Options;

namespace MediaRetention.Core.Phones;

/// <summary>Section <c>Phone</c>: how phone numbers written without a country code are read.</summary>
public sealed class PhoneOptions
{
    public const string SectionName = "Phone";

    /// <summary>
    /// ISO 3166 region whose national format is assumed for a number without a country code: with <c>NO</c>,
    /// <c>912 34 567</c>, <c>004791234567</c>, <c>+47 912 34 567</c> and <c>+4791234567</c> are the same number.
    /// </summary>
    [Required]
    public string DefaultRegion { get; set; } = "NO";
}

/// <summary>The region must be one libphonenumber knows, or nothing written nationally could be read.</summary>
public sealed class PhoneOptionsValidator : IValidateOptions<PhoneOptions>
{
    public ValidateOptionsResult Validate(string? name, PhoneOptions options) =>
        PhoneNumbers.PhoneNumberUtil.GetInstance().GetSupportedRegions().Contains(options.DefaultRegion ?? "")
            ? ValidateOptionsResult.Success
            : ValidateOptionsResult.Fail(
                $"{PhoneOptions.SectionName}:{nameof(PhoneOptions.DefaultRegion)} '{options.DefaultRegion}' is not a region code libphonenumber knows (two upper-case letters, e.g. NO, SE, GB).");
}
