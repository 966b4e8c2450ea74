using System.Collections.Frozen;
using System.Reflection;
using System.Security.Cryptography;

namespace MediaRetention.Api.WebConsole;

/// <summary>One file of the web console, as it is served.</summary>
public sealed record ConsoleAsset(string Path, byte[] Content, string ContentType, string ETag);

/// <summary>
/// The web console's files, embedded in this assembly (WebConsole/wwwroot) so both hosts serve the very same
/// bytes with no file system or CDN involved. Loaded once; the ETag is a hash of the content.
/// </summary>
public sealed class ConsoleAssets
{
    public const string ResourcePrefix = "console/";

    private static readonly FrozenDictionary<string, string> ContentTypes = new Dictionary<string, string>
    {
        [".html"] = "text/html; charset=utf-8",
        [".css"] = "text/css; charset=utf-8",
        [".js"] = "text/javascript; charset=utf-8",
        [".svg"] = "image/svg+xml",
        [".png"] = "image/png",
        [".ico"] = "image/x-icon",
    }.ToFrozenDictionary(StringComparer.OrdinalIgnoreCase);

    private readonly FrozenDictionary<string, ConsoleAsset> byPath;

    public ConsoleAssets()
        : this(typeof(ConsoleAssets).Assembly)
    {
    }

    internal ConsoleAssets(Assembly assembly)
    {
        var assets = new Dictionary<string, ConsoleAsset>(StringComparer.Ordinal);
        foreach (var name in assembly.GetManifestResourceNames().Where(n => n.StartsWith(ResourcePrefix, StringComparison.Ordinal)))
        {
            var path = "/" + name[ResourcePrefix.Length..].Replace('\\', '/');
            if (!ContentTypes.TryGetValue(System.IO.Path.GetExtension(path), out var contentType))
            {
                throw new InvalidOperationException($"Console file '{path}' has no known content type; add its extension to ConsoleAssets.");
            }

            using var stream = assembly.GetManifestResourceStream(name)!;
            using var copy = new MemoryStream();
            stream.CopyTo(copy);
            var content = copy.ToArray();
            var etag = "\"" + Convert.ToBase64String(SHA256.HashData(content).AsSpan(0, 16)).TrimEnd('=').Replace('+', '-').Replace('/', '_') + "\"";
            assets[path] = new ConsoleAsset(path, content, contentType, etag);
        }

        byPath = assets.ToFrozenDictionary(StringComparer.Ordinal);
    }

    /// <summary>Every path served, e.g. <c>/index.html</c>, <c>/js/api.js</c>.</summary>
    public IReadOnlyCollection<string> Paths => byPath.Keys;

    public ConsoleAsset? Find(string path) => byPath.GetValueOrDefault(path);
}
