namespace MediaRetention.Core.Holds;

/// <summary>
/// Marks on the blobs themselves, as defence in depth under the holds table. The retention sweep deletes only
/// on the tag condition <see cref="DeleteCondition"/>: marked not held, at the indexed version. A hold's mark
/// replaces the tags, and an overwrite clears them, so either makes the delete fail. Tags rather than metadata,
/// because setting tags does not change the ETag (metadata would, and would look like a new upload).
/// The version rides in a tag and, where the storage evaluates both, in If-Match too (<see cref="Storage.IDeleteConditionSupport"/>):
/// Azurite ignores tag conditions whenever an access condition is also sent (measured on 3.37; Azure evaluates both),
/// and the emulator must be as safe as Azure, so there the tag condition goes alone.
/// </summary>
public interface IBlobHoldMarks
{
    public const string TagName = "mrhold";
    public const string VersionTagName = "mrver";
    public const string Held = "yes";
    public const string NotHeld = "no";

    /// <summary>The sweep's delete condition for the version with <paramref name="etag"/>.</summary>
    public static string DeleteCondition(string etag) =>
        $"\"{TagName}\" = '{NotHeld}' AND \"{VersionTagName}\" = '{VersionTag(etag)}'";

    /// <summary>The ETag reduced to the characters a tag value may hold.</summary>
    public static string VersionTag(string etag) => new(etag.Where(char.IsAsciiLetterOrDigit).ToArray());

    /// <summary>Marks the blob held; false when the blob no longer exists (it cannot be preserved).</summary>
    Task<bool> MarkHeldAsync(string container, string blobName, CancellationToken cancellationToken);

    /// <summary>
    /// Marks the blob not held at version <paramref name="etag"/>: ingest does so before it checks the holds,
    /// the retention sweep after re-checking them. False when the blob no longer exists.
    /// </summary>
    Task<bool> MarkNotHeldAsync(string container, string blobName, string etag, CancellationToken cancellationToken);

    /// <summary>The blob's mark, null when it has none; throws nothing for a missing blob (returns null).</summary>
    Task<string?> GetMarkAsync(string container, string blobName, CancellationToken cancellationToken);
}
