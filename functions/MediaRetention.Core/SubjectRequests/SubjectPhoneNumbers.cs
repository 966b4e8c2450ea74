using MediaRetention.Core.Phones;

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
/// The pipeline's phone rules, the same as ingest's and phone holds': the number is read as E.164 with libphonenumber
/// and the default region (<see cref="PhoneNumberParser"/>), hashed with the keyed ring (<see cref="IPhoneHashing"/>) and
/// masked to its last two digits. So a request matches exactly the calls a phone hold for the same number would.
/// </summary>
public sealed class SubjectPhoneNumbers(PhoneNumberParser parser, IPhoneHashing hashing) : ISubjectPhoneNumbers
{
    public async Task<SubjectPhoneReading> ReadAsync(string? raw, CancellationToken cancellationToken)
    {
        var parsed = parser.Parse(raw ?? "");
        if (parsed.E164 is not { } e164)
        {
            return SubjectPhoneReading.Invalid($"a phone number in E.164 (+4722334455) or the default region's format, but {parsed.Problem}");
        }

        var hasher = await hashing.GetAsync(cancellationToken);
        // Every form a row may carry now (older keys, legacy unkeyed hashes) is kept, since the number itself is not.
        return SubjectPhoneReading.Valid(new SubjectPhone(hasher.Hash(e164), parsed.Masked!)
        {
            KeyId = hasher.CurrentKeyId,
            LookupHashes = hasher.LookupValues(e164),
        });
    }

    public async Task<IReadOnlyList<string>> MatchHashesAsync(SubjectPhone phone, CancellationToken cancellationToken)
    {
        // Keys added since the request was opened: each kept form, brought forward to the current key, matches too.
        var hasher = await hashing.GetAsync(cancellationToken);
        var kept = phone.LookupHashes ?? [phone.Hash];
        return kept.Concat(kept.Select(hasher.Canonical).OfType<string>()).Distinct(StringComparer.Ordinal).ToList();
    }
}
