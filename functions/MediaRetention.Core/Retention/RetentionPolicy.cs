using MediaRetention.Core.Media;
using Microsoft.Extensions.Options;

namespace MediaRetention.Core.Retention;

/// <summary>How long each medium is kept, counted from <see cref="MediaRecord.RetentionFrom"/>.</summary>
public sealed class RetentionPolicy(IOptions<RetentionOptions> options)
{
    public TimeSpan For(MediaRecord media) => For(media.Kind, media.Site, media.System);

    /// <summary>The retention of a medium of this kind, CCTV site or phone system.</summary>
    public TimeSpan For(string kind, string? site, string? system)
    {
        var o = options.Value;
        var days = kind == MediaKind.Cctv
            ? site is not null && o.SiteDays.TryGetValue(site, out var siteDays) ? siteDays : o.CctvDays
            : system is not null && o.SystemDays.TryGetValue(system, out var systemDays) ? systemDays : o.CallDays;
        return TimeSpan.FromDays(days);
    }

    public DateTimeOffset ExpiresAt(MediaRecord media) => media.RetentionFrom + For(media);

    /// <summary>The shortest retention any medium of the kind can have: the sweep reads everything older than that.</summary>
    public TimeSpan ShortestFor(string kind)
    {
        var o = options.Value;
        var (days, overrides) = kind == MediaKind.Cctv ? (o.CctvDays, o.SiteDays) : (o.CallDays, o.SystemDays);
        return TimeSpan.FromDays(overrides.Values.Append(days).Min());
    }
}
