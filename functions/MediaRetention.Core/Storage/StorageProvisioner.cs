using Azure.Data.Tables;
using Azure.Storage.Blobs;
using MediaRetention.Core.Media;
using Microsoft.Extensions.Options;

namespace MediaRetention.Core.Storage;

/// <summary>
/// Creates the containers and tables the pipeline uses, if missing. Idempotent. A media table with no row yet starts
/// with the lookup-rows marker (<see cref="MediaTableLayout.LookupMarkerKey"/>): there is nothing to backfill.
/// </summary>
public sealed class StorageProvisioner(BlobServiceClient blobs, TableServiceClient tables, IOptions<MediaStorageOptions> options, TimeProvider time)
{
    public async Task EnsureCreatedAsync(CancellationToken cancellationToken)
    {
        var o = options.Value;
        foreach (var container in o.MediaContainers.Append(o.StateContainer))
        {
            await blobs.GetBlobContainerClient(container).CreateIfNotExistsAsync(cancellationToken: cancellationToken);
        }

        foreach (var table in new[] { o.MediaTable, o.HoldsTable, o.AuditTable, o.SubjectRequestsTable })
        {
            await tables.CreateTableIfNotExistsAsync(table, cancellationToken);
        }

        await TableMediaIndex.MarkCompleteIfEmptyAsync(tables.GetTableClient(o.MediaTable), time.GetUtcNow(), cancellationToken);
    }
}
