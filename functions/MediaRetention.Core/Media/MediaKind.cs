namespace MediaRetention.Core.Media;

/// <summary>What a medium is. The string values are the wire format (API, table rows, audit).</summary>
public static class MediaKind
{
    public const string Cctv = "cctv";
    public const string Call = "call";

    public static bool IsKnown(string? kind) => kind is Cctv or Call;
}

/// <summary>Index status of a medium.</summary>
public static class MediaStatus
{
    /// <summary>The blob follows the upload contract; retention counts from its recording time.</summary>
    public const string Indexed = "Indexed";

    /// <summary>The blob breaks the contract; it is kept where it is and retention counts from its upload time.</summary>
    public const string Rejected = "Rejected";

    /// <summary>Never stored: how the API shows an index row that cannot be read (see <see cref="StoredMedia.Unreadable"/>).</summary>
    public const string Unreadable = "Unreadable";

    /// <summary>The statuses a stored row may have.</summary>
    public static bool IsKnown(string? status) => status is Indexed or Rejected;
}
