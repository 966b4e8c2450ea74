namespace MediaRetention.Core.Evidence;

/// <summary>How long the links of one handover live: the configured default, or what the caller asked for.</summary>
public static class EvidenceLinkLifetime
{
    /// <summary>Shorter links could expire before a liaison's download of a large clip has even started.</summary>
    public static readonly TimeSpan Min = TimeSpan.FromMinutes(1);

    public static TimeSpan Resolve(TimeSpan? requested, EvidenceOptions options)
    {
        var lifetime = requested ?? options.LinkLifetime;
        if (lifetime < Min || lifetime > EvidenceLinkPolicy.MaxLifetime)
        {
            throw new ArgumentOutOfRangeException(nameof(requested), lifetime,
                $"A link lifetime must be from PT1M to {EvidenceLinkPolicy.MaxLifetimeText}.");
        }

        return lifetime;
    }

    /// <summary>
    /// The expiry for links issued at <paramref name="now"/>, cut to whole seconds: a SAS carries seconds only,
    /// so the <c>urlExpiresAt</c> we print is then exactly when the storage service stops honouring the link.
    /// </summary>
    public static DateTimeOffset ExpiryFrom(DateTimeOffset now, TimeSpan lifetime)
    {
        var expires = (now + lifetime).ToUniversalTime();
        return new DateTimeOffset(expires.Ticks - (expires.Ticks % TimeSpan.TicksPerSecond), TimeSpan.Zero);
    }
}
