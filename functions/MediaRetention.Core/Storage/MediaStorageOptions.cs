using System.ComponentModel.DataAnnotations;
using MediaRetention.Core.Media;

namespace MediaRetention.Core.Storage;

/// <summary>
/// Where media and bookkeeping live. Bound from the top level of configuration so the setting names are
/// the same plain app settings in the Functions app and the runner (e.g. <c>CctvContainer</c>).
/// </summary>
public sealed class MediaStorageOptions
{
    /// <summary>Name of the connection string (or <c>MediaStorage__serviceUri</c> style identity settings).</summary>
    public const string ConnectionName = "MediaStorage";

    private const string ContainerPattern = "^[a-z0-9](?!.*--)[a-z0-9-]{1,61}[a-z0-9]$";
    private const string TablePattern = "^[A-Za-z][A-Za-z0-9]{2,62}$";

    [Required, RegularExpression(ContainerPattern)]
    public string CctvContainer { get; set; } = "cctv";

    [Required, RegularExpression(ContainerPattern)]
    public string CallsContainer { get; set; } = "calls";

    /// <summary>Holds the runner's ingest checkpoint and the retention lease blob.</summary>
    [Required, RegularExpression(ContainerPattern)]
    public string StateContainer { get; set; } = "mediaretention-state";

    /// <summary>
    /// Functions app: the storage queue whose trigger runs operations (sweeps and evidence re-checks asked for over
    /// HTTP). The runner runs them in process and needs no queue.
    /// </summary>
    [Required, RegularExpression(ContainerPattern)]
    public string OperationsQueue { get; set; } = "mediaretention-operations";

    [Required, RegularExpression(TablePattern)]
    public string MediaTable { get; set; } = "media";

    [Required, RegularExpression(TablePattern)]
    public string HoldsTable { get; set; } = "holds";

    [Required, RegularExpression(TablePattern)]
    public string AuditTable { get; set; } = "audit";

    /// <summary>Data-subject requests (access and erasure), their exports and erasure runs.</summary>
    [Required, RegularExpression(TablePattern)]
    public string SubjectRequestsTable { get; set; } = "subjectrequests";

    public IReadOnlyList<string> MediaContainers => [CctvContainer, CallsContainer];

    /// <summary>The kind of media a container holds, or null when it is not a media container.</summary>
    public string? KindOfContainer(string container) =>
        string.Equals(container, CctvContainer, StringComparison.Ordinal) ? MediaKind.Cctv
        : string.Equals(container, CallsContainer, StringComparison.Ordinal) ? MediaKind.Call
        : null;

    public string ContainerOfKind(string kind) => kind == MediaKind.Cctv ? CctvContainer : CallsContainer;
}
