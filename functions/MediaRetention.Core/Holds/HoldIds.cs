namespace MediaRetention.Core.Holds;

/// <summary>
/// Which ids the API looks up. New holds get 32 lower-case hex characters, but a row written by hand may have any
/// key Table Storage allows, and security staff must still be able to see and release it.
/// </summary>
public static class HoldIds
{
    public const int MaxLength = 256;

    public static bool IsAddressable(string? id) =>
        id is { Length: >= 1 and <= MaxLength } && !id.Any(c => c is '/' or '\\' or '#' or '?' || char.IsControl(c));
}
