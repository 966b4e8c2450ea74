using System.Text;
using System.Text.RegularExpressions;
using Azure.Storage.Blobs;
using MediaRetention.Api.WebConsole;
using Microsoft.AspNetCore.Http;

namespace MediaRetention.UnitTests.WebConsole;

/// <summary>The console's files as embedded, and the rules they must keep for the Content-Security-Policy and safety.</summary>
public sealed partial class ConsoleAssetsTests
{
    private readonly ConsoleAssets assets = new();

    [Fact]
    public void The_console_ships_its_page_styles_and_one_module_per_role_page()
    {
        Assert.Contains("/index.html", assets.Paths);
        Assert.Contains("/console.css", assets.Paths);
        foreach (var module in new[] { "api", "app", "dom", "media", "holds", "evidence", "verify", "admin", "roles", "privacy" })
        {
            Assert.Contains($"/js/{module}.js", assets.Paths);
        }

        Assert.All(assets.Paths, path => Assert.NotNull(assets.Find(path)!.ContentType));
        Assert.Equal("text/javascript; charset=utf-8", assets.Find("/js/app.js")!.ContentType);
    }

    [Fact]
    public void The_page_has_no_inline_script_or_style_so_the_policy_can_forbid_them()
    {
        var html = Text("/index.html");

        Assert.DoesNotMatch(InlineScript(), html);
        Assert.DoesNotContain("<style", html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotMatch(InlineHandlerOrStyle(), html);
        Assert.DoesNotContain("http://", html, StringComparison.Ordinal);
        Assert.DoesNotContain("https://", html, StringComparison.Ordinal); // no CDN, nothing from elsewhere
    }

    [Fact]
    public void No_script_ever_parses_data_as_html()
    {
        foreach (var path in assets.Paths.Where(p => p.EndsWith(".js", StringComparison.Ordinal)))
        {
            var code = Text(path);
            foreach (var sink in new[] { "innerHTML =", "innerHTML=", "outerHTML", "insertAdjacentHTML", "document.write", "eval(", "new Function(", "setHTMLUnsafe" })
            {
                Assert.False(code.Contains(sink, StringComparison.Ordinal), $"{path} uses {sink}");
            }
        }
    }

    [Fact]
    public void Azure_lets_exactly_the_console_files_load_before_sign_in()
    {
        var bicep = File.ReadAllText(Path.Combine(RepositoryRoot(), "infra", "main.bicep"));
        var block = ConsolePathsBlock().Match(bicep);
        Assert.True(block.Success, "main.bicep has no consolePaths variable");
        var listed = Regex.Matches(block.Groups[1].Value, "'([^']+)'").Select(m => m.Groups[1].Value).ToHashSet();

        Assert.Equal(assets.Paths.Append("/").ToHashSet(), listed);
    }

    [Theory]
    [InlineData("api/holds", 404)]
    [InlineData("API/anything", 404)]
    [InlineData("api", 404)]
    [InlineData("missing.html", 404)]
    [InlineData("", 200)]
    [InlineData("js/verify.js", 200)]
    public void Paths_below_api_are_never_console_pages(string path, int status)
    {
        var endpoints = new ConsoleEndpoints(assets, new BlobServiceClient(new Uri("https://acct.blob.core.windows.net/")));
        var request = new DefaultHttpContext().Request;
        request.Method = "GET";

        var result = endpoints.Serve(request, path);

        // Problems carry their status; a console file is a 200 when it runs.
        Assert.Equal(status, result is IStatusCodeHttpResult coded ? coded.StatusCode : 200);
    }

    [Fact]
    public void The_policy_allows_media_and_fetch_from_exactly_the_blob_endpoint()
    {
        var azure = new ConsoleEndpoints(assets, new BlobServiceClient(new Uri("https://acct.blob.core.windows.net/"))).ContentSecurityPolicy;
        var azurite = new ConsoleEndpoints(assets, new BlobServiceClient(new Uri("http://127.0.0.1:10000/devstoreaccount1"))).ContentSecurityPolicy;

        Assert.Contains("media-src https://acct.blob.core.windows.net;", azure);
        Assert.Contains("connect-src 'self' https://acct.blob.core.windows.net;", azure);
        Assert.Contains("media-src http://127.0.0.1:10000;", azurite);
        Assert.Contains("frame-ancestors 'none'", azure);
        Assert.Contains("script-src 'self';", azure);
    }

    private string Text(string path) => Encoding.UTF8.GetString(assets.Find(path)!.Content);

    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "MediaRetention.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("No repository root above " + AppContext.BaseDirectory);
    }

    [GeneratedRegex(@"<script(?![^>]*\bsrc=)[^>]*>", RegexOptions.IgnoreCase)]
    private static partial Regex InlineScript();

    [GeneratedRegex(@"\s(on[a-z]+|style)\s*=", RegexOptions.IgnoreCase)]
    private static partial Regex InlineHandlerOrStyle();

    [GeneratedRegex(@"var consolePaths = \[(.*?)\]", RegexOptions.Singleline)]
    private static partial Regex ConsolePathsBlock();
}
