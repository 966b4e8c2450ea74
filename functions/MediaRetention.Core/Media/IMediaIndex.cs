namespace MediaRetention.Core.Media;

/// <summary>
/// A record as stored, with the table ETag used for optimistic concurrency. When the row cannot be read (edited by
/// hand, or written by an older version), <see cref="Unreadable"/> says why and <see cref="Record"/> holds only what
/// could be salvaged, with status <see cref="MediaStatus.Unreadable"/> and no blob version: ingest of the blob then
/// rewrites the row, and nothing else may treat it as a medium.
/// </summary>
public sealed record StoredMedia(MediaRecord Record, string StorageETag)
{
    public UnreadableMediaRow? Unreadable { get; init; }
}

/// <summary>An index row that cannot be read. Skipped (its blob kept) and reported, never a reason to stop.</summary>
public sealed record UnreadableMediaRow(string PartitionKey, string RowKey, string? MediaId, string Reason);

/// <summary>Filters for listing media. Time bounds apply to the recording time (upload time for rejected media).</summary>
public sealed record MediaQuery
{
    public string? Kind { get; init; }
    public string? Site { get; init; }
    public string? Camera { get; init; }

    /// <summary>With <see cref="Site"/>: clips of any of these cameras (null or empty: every camera of the site).</summary>
    public IReadOnlyList<string>? Cameras { get; init; }
    public string? System { get; init; }
    public string? CallId { get; init; }
    public DateTimeOffset? From { get; init; }
    public DateTimeOffset? To { get; init; }
    public string? Status { get; init; }
    /// <summary>Calls whose caller or callee hash is any of these (the forms one number may be stored in).</summary>
    public IReadOnlyList<string>? PhoneHashes { get; init; }
}

public sealed record MediaPage(IReadOnlyList<MediaRecord> Items, string? ContinuationToken)
{
    /// <summary>Rows of this page that could not be read, left out of <see cref="Items"/>.</summary>
    public IReadOnlyList<UnreadableMediaRow> Unreadable { get; init; } = [];
}

/// <summary>A page of the retention scan: the records read, and the rows that could not be.</summary>
public sealed record MediaScanPage(IReadOnlyList<MediaRecord> Records, IReadOnlyList<UnreadableMediaRow> Unreadable)
{
    /// <summary>The keys of the page's last row, readable or not: a scan resumed after it reads what follows.</summary>
    public RowKeyPair? Last { get; init; }
}

/// <summary>A name row: the blob's <see cref="MediaTableLayout.NameRowKey"/>, its media id and the indexed blob ETag.</summary>
public sealed record IndexedName(string RowKey, string Id, string ETag);

/// <summary>The media index in Table Storage.</summary>
public interface IMediaIndex
{
    Task<StoredMedia?> GetAsync(string id, CancellationToken cancellationToken);

    /// <summary>
    /// Writes the record and its lookup rows. <paramref name="previous"/> is what the caller read: the
    /// write fails (returns false) if someone else wrote the record since, so concurrent ingests of
    /// different versions of a blob cannot overwrite each other blindly.
    /// </summary>
    Task<bool> TrySaveAsync(MediaRecord record, StoredMedia? previous, CancellationToken cancellationToken);

    /// <summary>Rewrites the lookup rows from the stored record (after losing a concurrent write).</summary>
    Task RepairLookupRowsAsync(StoredMedia stored, CancellationToken cancellationToken);

    Task<MediaPage> QueryAsync(MediaQuery query, string? continuationToken, int pageSize, CancellationToken cancellationToken);

    /// <summary>
    /// Media of <paramref name="kind"/> whose retention time (recording time, upload time for rejected media) is
    /// before <paramref name="before"/>, oldest day first, page by page: one key-range query, no table scan. Rows that
    /// cannot be read come apart in each page. With <paramref name="after"/> (a page's <see cref="MediaScanPage.Last"/>),
    /// only the rows after it: a sweep cut off by its time budget resumes there.
    /// </summary>
    IAsyncEnumerable<MediaScanPage> ScanRetainedBeforeAsync(
        string kind, DateTimeOffset before, int pageSize, RowKeyPair? after, CancellationToken cancellationToken);

    /// <summary>Removes the records and their lookup rows (batched per partition); rows already gone are fine.</summary>
    Task RemoveAsync(IReadOnlyList<MediaRecord> records, CancellationToken cancellationToken);

    /// <summary>
    /// Id and blob ETag of every record, for reconciling the index with the containers. A record row whose ETag
    /// cannot be read is listed with an empty ETag, so the reconcile indexes its blob again and rewrites it.
    /// </summary>
    IAsyncEnumerable<(string Id, string ETag)> ListRecordVersionsAsync(CancellationToken cancellationToken);

    /// <summary>
    /// The name rows of <paramref name="container"/> (<see cref="MediaTableLayout.NameKey"/>) in RowKey order, from the
    /// row of <paramref name="fromBlobName"/> on (null: from the first): the index side of the reconcile's merge with
    /// the container listing. Memory stays at a page per record partition however many media there are.
    /// </summary>
    IAsyncEnumerable<IndexedName> ListNamesAsync(string container, string? fromBlobName, CancellationToken cancellationToken);

    /// <summary>Writes the name row of a record that has none (indexed before name rows existed).</summary>
    Task RepairNameRowAsync(MediaRecord record, CancellationToken cancellationToken);

    /// <summary>
    /// A page of the record rows of calls (with their table ETags, for conditional rewrites), in key order; rows that
    /// cannot be read are left out. For maintenance that visits every call once (the phone-hash re-key).
    /// </summary>
    Task<(IReadOnlyList<StoredMedia> Rows, string? ContinuationToken)> ListCallRecordsAsync(string? continuationToken, int pageSize, CancellationToken cancellationToken);
}

/// <summary>
/// Upkeep of the phone and camera rows (<see cref="MediaTableLayout.PhoneAndCameraKeys"/>): the backfill for media indexed
/// before they existed, and the marker after which queries read them.
/// </summary>
public interface IMediaLookupRows
{
    /// <summary>Whether the marker row says every medium has its phone and camera rows (cached once seen: it is never removed).</summary>
    Task<bool> AreCompleteAsync(CancellationToken cancellationToken);

    /// <summary>A page of the record rows (every kind, with table ETags) in key order; rows that cannot be read are left out.</summary>
    Task<(IReadOnlyList<StoredMedia> Rows, string? ContinuationToken)> ListRecordsAsync(string? continuationToken, int pageSize, CancellationToken cancellationToken);

    /// <summary>
    /// Inserts the phone and camera rows a stored record lacks (a row that exists is newer or the same, and stays), then
    /// re-reads the record: rewritten or removed meanwhile, the rows only the old version had are deleted again.
    /// Returns how many rows it inserted.
    /// </summary>
    Task<int> AddMissingRowsAsync(StoredMedia stored, CancellationToken cancellationToken);

    /// <summary>Writes the marker: from now on phone and camera queries read those rows.</summary>
    Task MarkCompleteAsync(string completedBy, DateTimeOffset completedAt, CancellationToken cancellationToken);
}
