using MediaRetention.Core.Media;

namespace MediaRetention.Core.Holds;

/// <param name="CoveredMedia">How many indexed media the scope covers now (at most <see cref="PreviewHoldHandler.MaxCount"/>).</param>
/// <param name="CountIsLowerBound">True when counting stopped at the cap: the hold covers at least that many.</param>
/// <param name="Sample">The first covered media, in index order.</param>
public sealed record HoldPreview(int CoveredMedia, bool CountIsLowerBound, IReadOnlyList<MediaRecord> Sample);

/// <summary>
/// What a hold would cover if placed now, without storing or marking anything: the person placing a hold sees
/// its reach before committing to it. Window holds also cover media uploaded later, which no preview can show.
/// </summary>
public sealed class PreviewHoldHandler(HoldCoverage coverage)
{
    /// <summary>Counting stops here: a preview must answer quickly, and beyond this the number is "a lot".</summary>
    public const int MaxCount = 10_000;

    public async Task<HoldPreview> HandleAsync(HoldScope scope, int sampleSize, CancellationToken cancellationToken)
    {
        var sample = new List<MediaRecord>(Math.Min(sampleSize, 100));
        var count = 0;
        await foreach (var media in coverage.FindCoveredAsync(scope, cancellationToken))
        {
            if (sample.Count < sampleSize)
            {
                sample.Add(media);
            }

            if (++count >= MaxCount)
            {
                return new HoldPreview(count, CountIsLowerBound: true, sample);
            }
        }

        return new HoldPreview(count, CountIsLowerBound: false, sample);
    }
}
