using Azure;
using Azure.Data.Tables;
using MediaRetention.Core.Storage;
using Microsoft.Extensions.Options;

namespace MediaRetention.Core.SubjectRequests;

/// <summary><see cref="ISubjectRequestStore"/> over Table Storage; see <see cref="SubjectRequestEntityMapper"/> for the rows.</summary>
public sealed class TableSubjectRequestStore(TableServiceClient service, IOptions<MediaStorageOptions> options) : ISubjectRequestStore
{
    private readonly TableClient table = service.GetTableClient(options.Value.SubjectRequestsTable);

    public Task CreateAsync(SubjectRequest request, CancellationToken cancellationToken) =>
        table.AddEntityAsync(SubjectRequestEntityMapper.ToEntity(request), cancellationToken);

    public async Task<StoredSubjectRequest?> GetAsync(string id, CancellationToken cancellationToken)
    {
        var response = await table.GetEntityIfExistsAsync<TableEntity>(SubjectRequestEntityMapper.RequestPartition, id, cancellationToken: cancellationToken);
        if (!response.HasValue)
        {
            return null;
        }

        var (request, _) = SubjectRequestEntityMapper.Read(response.Value!);
        return request is null ? null : new StoredSubjectRequest(request, response.Value!.ETag.ToString());
    }

    public async Task<bool> TryUpdateAsync(SubjectRequest request, string storageETag, CancellationToken cancellationToken)
    {
        try
        {
            await table.UpdateEntityAsync(SubjectRequestEntityMapper.ToEntity(request), new ETag(storageETag), TableUpdateMode.Replace, cancellationToken);
            return true;
        }
        catch (RequestFailedException e) when (e.Status is 412 or 404)
        {
            return false;
        }
    }

    public async Task<SubjectRequestList> ListAsync(string? status, CancellationToken cancellationToken)
    {
        var filter = TableClient.CreateQueryFilter($"PartitionKey eq {SubjectRequestEntityMapper.RequestPartition}");
        if (status is not null)
        {
            filter += " and " + TableClient.CreateQueryFilter($"Status eq {status}");
        }

        var items = new List<SubjectRequest>();
        var unreadable = new List<UnreadableSubjectRequest>();
        await foreach (var entity in table.QueryAsync<TableEntity>(filter, 1000, cancellationToken: cancellationToken))
        {
            var (request, problem) = SubjectRequestEntityMapper.Read(entity);
            if (request is not null)
            {
                items.Add(request);
            }
            else
            {
                unreadable.Add(problem!);
            }
        }

        return new SubjectRequestList(items, unreadable);
    }

    public Task AddDisclosureAsync(string requestId, SubjectDisclosure disclosure, CancellationToken cancellationToken) =>
        table.AddEntityAsync(SubjectRequestEntityMapper.ToEntity(requestId, disclosure), cancellationToken);

    public async Task<IReadOnlyList<SubjectDisclosure>> ListDisclosuresAsync(string requestId, CancellationToken cancellationToken)
    {
        var result = new List<SubjectDisclosure>();
        var filter = TableClient.CreateQueryFilter($"PartitionKey eq {SubjectRequestEntityMapper.ExportPartition(requestId)}");
        await foreach (var entity in table.QueryAsync<TableEntity>(filter, 1000, cancellationToken: cancellationToken))
        {
            if (SubjectRequestEntityMapper.ReadDisclosure(entity) is { } disclosure)
            {
                result.Add(disclosure);
            }
        }

        return result;
    }

    public Task AddErasureAsync(string requestId, SubjectErasure erasure, CancellationToken cancellationToken) =>
        table.AddEntityAsync(SubjectRequestEntityMapper.ToEntity(requestId, erasure), cancellationToken);

    public async Task<IReadOnlyList<SubjectErasure>> ListErasuresAsync(string requestId, CancellationToken cancellationToken)
    {
        var result = new List<SubjectErasure>();
        var filter = TableClient.CreateQueryFilter($"PartitionKey eq {SubjectRequestEntityMapper.ErasurePartition(requestId)}");
        await foreach (var entity in table.QueryAsync<TableEntity>(filter, 1000, cancellationToken: cancellationToken))
        {
            if (SubjectRequestEntityMapper.ReadErasure(entity) is { } erasure)
            {
                result.Add(erasure);
            }
        }

        return result;
    }
}
