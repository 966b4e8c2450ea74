namespace MediaRetention.Core.Holds;

/// <summary>
/// Marks on the blobs themselves, as defence in depth under the holds table: the retention sweep deletes
/// only on the condition <c>mrhold = 'no'</c>, so a blob marked held survives a sweep that decided before
/// the hold existed. Marking uses a blob index tag because setting tags does not change the ETag (setting
/// metadata would, and would look like a new upload to ingest).
/// </summary>
public interface IBlobHoldMarks
{
    public const string TagName = "mrhold";
    public const string Held = "yes";
    public const string NotHeld = "no";

    /// <summary>The delete condition the sweep uses.</summary>
    public const string NotHeldCondition = "\"mrhold\" = 'no'";

    /// <summary>Marks the blob held; false when the blob no longer exists (it cannot be preserved).</summary>
    Task<bool> MarkHeldAsync(string container, string blobName, CancellationToken cancellationToken);

    /// <summary>Marks the blob not held; only the retention sweep calls this, after re-checking the holds.</summary>
    Task<bool> MarkNotHeldAsync(string container, string blobName, CancellationToken cancellationToken);

    /// <summary>The blob's mark, null when it has none; throws nothing for a missing blob (returns null).</summary>
    Task<string?> GetMarkAsync(string container, string blobName, CancellationToken cancellationToken);
}
