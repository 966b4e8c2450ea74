using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Text.RegularExpressions;
using System.Xml.Linq;
using Azure.Core.Pipeline;
using Azure.Storage;
using Azure.Storage.Blobs;
using MediaRetention.Core.Storage;

namespace MediaRetention.UnitTests.Storage;

/// <summary>
/// A blob service at the SDK's transport that does what Azure's REST documentation says, for the few operations the
/// sweep's delete path uses: Put Blob (with <c>If-None-Match: *</c> and <c>x-ms-tags</c>), Set Blob Tags (the ETag does
/// not change), Get Blob Properties, and Delete Blob evaluating <c>If-Match</c> AND <c>x-ms-if-tags</c> (412
/// ConditionNotMet when either fails). What an overwrite does to existing tags is not documented; this fake keeps
/// whatever tags the writer sends with <c>x-ms-tags</c>, which is the case the sweep must survive.
/// </summary>
public sealed partial class DocumentedBlobService : HttpMessageHandler
{
    public const string Account = "docaccount";
    private static readonly string Key = Convert.ToBase64String(new byte[64]);
    private readonly ConcurrentDictionary<string, StoredBlob> blobs = new(StringComparer.Ordinal);
    private long etagCounter;

    /// <summary>Every request as "METHOD path?query" in order, for asserting what the client sent.</summary>
    public ConcurrentQueue<string> Requests { get; } = new();

    /// <summary>The If-Match header of every Delete Blob (null when none was sent).</summary>
    public ConcurrentQueue<string?> DeleteIfMatch { get; } = new();

    public BlobServiceClient CreateServiceClient()
    {
        var options = new BlobClientOptions { Transport = new HttpClientTransport(new HttpClient(this)) };
        options.Retry.MaxRetries = 0;
        return new BlobServiceClient(new Uri($"https://{Account}.blob.core.windows.net/"), new StorageSharedKeyCredential(Account, Key), options);
    }

    public MediaBlobClients CreateMediaBlobClients() =>
        new(CreateServiceClient(), ExactBlobCredential.FromAccountKey(new StorageSharedKeyCredential(Account, Key)), TimeProvider.System);

    public bool Exists(string container, string name) => blobs.ContainsKey(container + "/" + name);

    public int CountIn(string container) => blobs.Keys.Count(k => k.StartsWith(container + "/", StringComparison.Ordinal));

    public string ETagOf(string container, string name) => blobs[container + "/" + name].ETag;

    /// <summary>Stores a blob as a writer would: a new ETag, and exactly the tags given (none: no tags).</summary>
    public string Put(string container, string name, IReadOnlyDictionary<string, string>? tags = null)
    {
        var blob = new StoredBlob(NextETag(), new Dictionary<string, string>(tags ?? new Dictionary<string, string>(), StringComparer.Ordinal));
        blobs[container + "/" + name] = blob;
        return blob.ETag;
    }

    public void SetTags(string container, string name, IReadOnlyDictionary<string, string> tags) =>
        blobs[container + "/" + name] = blobs[container + "/" + name] with { Tags = new Dictionary<string, string>(tags, StringComparer.Ordinal) };

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var path = Uri.UnescapeDataString(request.RequestUri!.AbsolutePath.TrimStart('/'));
        var query = request.RequestUri.Query;
        Requests.Enqueue($"{request.Method} {path}{query}");
        var slash = path.IndexOf('/', StringComparison.Ordinal);
        if (slash <= 0)
        {
            return Error(HttpStatusCode.BadRequest, "UnsupportedHttpVerb");
        }

        var key = path;
        var comp = Regex.Match(query, "comp=([a-z]+)").Groups[1].Value;
        blobs.TryGetValue(key, out var existing);

        if (request.Method == HttpMethod.Put && comp == "")
        {
            if (Header(request, "If-None-Match") == "*" && existing is not null)
            {
                return Error(HttpStatusCode.Conflict, "BlobAlreadyExists");
            }

            _ = request.Content is null ? [] : await request.Content.ReadAsByteArrayAsync(cancellationToken);
            var tags = Header(request, "x-ms-tags") is { } encoded ? ParseQueryTags(encoded) : new Dictionary<string, string>(StringComparer.Ordinal);
            var stored = new StoredBlob(NextETag(), tags);
            blobs[key] = stored;
            return Ok(HttpStatusCode.Created, stored);
        }

        if (existing is null)
        {
            return Error(HttpStatusCode.NotFound, "BlobNotFound");
        }

        if (request.Method == HttpMethod.Put && comp == "tags")
        {
            var xml = XDocument.Parse(await request.Content!.ReadAsStringAsync(cancellationToken));
            var tags = xml.Descendants("Tag").ToDictionary(t => (string)t.Element("Key")!, t => (string)t.Element("Value")!, StringComparer.Ordinal);
            // Set Blob Tags does not change the blob's ETag (documented).
            blobs[key] = existing with { Tags = tags };
            return new HttpResponseMessage(HttpStatusCode.NoContent) { Content = new ByteArrayContent([]) };
        }

        if (request.Method == HttpMethod.Head)
        {
            return Ok(HttpStatusCode.OK, existing);
        }

        if (request.Method == HttpMethod.Delete)
        {
            var ifMatch = Header(request, "If-Match");
            DeleteIfMatch.Enqueue(ifMatch);
            if (ifMatch is not null && ifMatch != "*" && ifMatch != existing.ETag)
            {
                return Error(HttpStatusCode.PreconditionFailed, "ConditionNotMet");
            }

            if (Header(request, "x-ms-if-tags") is { } condition && !TagConditionHolds(condition, existing.Tags))
            {
                return Error(HttpStatusCode.PreconditionFailed, "ConditionNotMet");
            }

            blobs.TryRemove(key, out _);
            return new HttpResponseMessage(HttpStatusCode.Accepted) { Content = new ByteArrayContent([]) };
        }

        return Error(HttpStatusCode.BadRequest, "UnsupportedHttpVerb");
    }

    /// <summary><c>"name" = 'value' AND ...</c>, the only form the app sends.</summary>
    private static bool TagConditionHolds(string condition, IReadOnlyDictionary<string, string> tags)
    {
        var clauses = condition.Split(" AND ", StringSplitOptions.TrimEntries);
        return clauses.All(clause =>
        {
            var match = Clause().Match(clause);
            if (!match.Success)
            {
                throw new FormatException($"Unsupported tag condition '{clause}'.");
            }

            return tags.TryGetValue(match.Groups[1].Value, out var value) && value == match.Groups[2].Value;
        });
    }

    private static Dictionary<string, string> ParseQueryTags(string encoded) =>
        encoded.Split('&', StringSplitOptions.RemoveEmptyEntries)
            .Select(p => p.Split('=', 2))
            .ToDictionary(p => Uri.UnescapeDataString(p[0]), p => Uri.UnescapeDataString(p.Length > 1 ? p[1] : ""), StringComparer.Ordinal);

    private static string? Header(HttpRequestMessage request, string name) =>
        request.Headers.TryGetValues(name, out var values) ? values.FirstOrDefault()
        : request.Content?.Headers.TryGetValues(name, out var contentValues) == true ? contentValues.FirstOrDefault()
        : null;

    private string NextETag() => $"\"0x8DD{Interlocked.Increment(ref etagCounter):X12}\"";

    private static HttpResponseMessage Ok(HttpStatusCode status, StoredBlob blob)
    {
        var response = new HttpResponseMessage(status) { Content = new ByteArrayContent([]) };
        response.Headers.TryAddWithoutValidation("ETag", blob.ETag);
        response.Headers.TryAddWithoutValidation("x-ms-request-id", Guid.NewGuid().ToString());
        response.Headers.TryAddWithoutValidation("x-ms-blob-type", "BlockBlob");
        response.Headers.TryAddWithoutValidation("x-ms-tag-count", blob.Tags.Count.ToString(CultureInfo.InvariantCulture));
        response.Content.Headers.TryAddWithoutValidation("Last-Modified", DateTimeOffset.UnixEpoch.ToString("R", CultureInfo.InvariantCulture));
        return response;
    }

    private static HttpResponseMessage Error(HttpStatusCode status, string code)
    {
        var response = new HttpResponseMessage(status)
        {
            Content = new StringContent($"<?xml version=\"1.0\" encoding=\"utf-8\"?><Error><Code>{code}</Code><Message>{code}</Message></Error>"),
        };
        response.Headers.TryAddWithoutValidation("x-ms-error-code", code);
        return response;
    }

    [GeneratedRegex("^\"([^\"]+)\"\\s*=\\s*'([^']*)'$")]
    private static partial Regex Clause();

    private sealed record StoredBlob(string ETag, Dictionary<string, string> Tags);
}
