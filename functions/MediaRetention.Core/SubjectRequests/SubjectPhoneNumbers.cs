using MediaRetention.Core.Media;

namespace MediaRetention.Core.SubjectRequests;

/// <summary>A phone number read from a request: the number as kept, or why it is not one.</summary>
public sealed record SubjectPhoneReading(SubjectPhone? Phone, string? Problem)
{
    public static SubjectPhoneReading Valid(SubjectPhone phone) => new(phone, null);

    public static SubjectPhoneReading Invalid(string problem) => new(null, problem);
}

/// <summary>
/// Every phone number subject requests handle goes through here, and nowhere else: how a number is read (normalised),
/// hashed (so it matches the hashes ingest writes into index rows) and masked, and which stored hashes stand for it.
/// Phone handling is being changed (E.164 parsing, keyed hashes with key ids); swapping the implementation behind this
/// one seam changes it for every subject-request path at once.
/// </summary>
public interface ISubjectPhoneNumbers
{
    /// <summary>The number as a request keeps it (hashes and mask), or the problem with it; never the number itself.</summary>
    Task<SubjectPhoneReading> ReadAsync(string? raw, CancellationToken cancellationToken);

    /// <summary>Every value a media index row of this number may carry in CallerHash/CalleeHash now.</summary>
    Task<IReadOnlyList<string>> MatchHashesAsync(SubjectPhone phone, CancellationToken cancellationToken);
}

/// <summary>
/// Today's phone handling (<see cref="PhoneNumber"/>): a leading '+' and the digits, SHA-256 of that, last two digits
/// visible. The same rules as ingest and phone holds, so a request matches exactly the calls a phone hold would.
/// </summary>
public sealed class SubjectPhoneNumbers : ISubjectPhoneNumbers
{
    public const int MaxLength = 32;

    public Task<SubjectPhoneReading> ReadAsync(string? raw, CancellationToken cancellationToken)
    {
        var normalized = raw is { Length: <= MaxLength } ? PhoneNumber.Normalize(raw) : null;
        if (normalized is null || normalized.Count(char.IsAsciiDigit) is < 3 or > 20)
        {
            return Task.FromResult(SubjectPhoneReading.Invalid($"a phone number of 3 to 20 digits (at most {MaxLength} characters)"));
        }

        return Task.FromResult(SubjectPhoneReading.Valid(new SubjectPhone(PhoneNumber.Hash(normalized)!, PhoneNumber.Mask(normalized)!)));
    }

    public Task<IReadOnlyList<string>> MatchHashesAsync(SubjectPhone phone, CancellationToken cancellationToken) =>
        Task.FromResult<IReadOnlyList<string>>(phone.LookupHashes ?? [phone.Hash]);
}
