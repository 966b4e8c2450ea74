using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;

namespace MediaRetention.Core.Storage;

/// <summary>
/// Lets web pages of given origins read blobs with fetch(): the web console downloads evidence through its read
/// links to check SHA-256 in the browser, and the storage service answers such cross-origin reads only for
/// origins in a CORS rule. Reading still needs a link's SAS; the rule only lets the page see the bytes.
/// </summary>
/// <remarks>
/// Set Blob Service Properties replaces the whole CORS list, so this reads it first, adds the origins to the rule
/// it owns (GET and HEAD only) and writes it back only when something changed; other rules are kept.
/// </remarks>
public sealed class BlobCorsRules(BlobServiceClient blobs)
{
    public const string Methods = "GET,HEAD";
    private const int MaxAgeSeconds = 3600;

    /// <returns>True when the service's rules were changed.</returns>
    public async Task<bool> AllowReadsFromAsync(IReadOnlyCollection<string> origins, CancellationToken cancellationToken)
    {
        if (origins.Count == 0)
        {
            return false;
        }

        var properties = (await blobs.GetPropertiesAsync(cancellationToken)).Value;
        var rules = properties.Cors?.ToList() ?? [];
        var ours = rules.FirstOrDefault(r => string.Equals(r.AllowedMethods, Methods, StringComparison.OrdinalIgnoreCase));
        var allowed = ours?.AllowedOrigins.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToList() ?? [];
        var missing = origins.Where(o => !allowed.Contains(o, StringComparer.OrdinalIgnoreCase)).Distinct(StringComparer.OrdinalIgnoreCase).ToList();
        if (missing.Count == 0 || allowed.Contains("*"))
        {
            return false;
        }

        allowed.AddRange(missing);
        var rule = new BlobCorsRule
        {
            AllowedOrigins = string.Join(',', allowed),
            AllowedMethods = Methods,
            AllowedHeaders = "*",
            ExposedHeaders = "*",
            MaxAgeInSeconds = MaxAgeSeconds,
        };
        if (ours is null)
        {
            rules.Add(rule);
        }
        else
        {
            rules[rules.IndexOf(ours)] = rule;
        }

        properties.Cors = rules;
        await blobs.SetPropertiesAsync(properties, cancellationToken);
        return true;
    }

    public async Task<IReadOnlyList<BlobCorsRule>> GetAsync(CancellationToken cancellationToken) =>
        (await blobs.GetPropertiesAsync(cancellationToken)).Value.Cors?.ToList() ?? [];
}
