using MediaRetention.Core.Storage;
using MediaRetention.IntegrationTests.Infrastructure;
using Microsoft.Playwright;

namespace MediaRetention.BrowserTests.Infrastructure;

/// <summary>
/// A runner on fresh storage names plus a browser page signed in to its console. Records every dialog, page
/// error and Content-Security-Policy violation, so a test can prove nothing ran that should not have.
/// </summary>
public sealed class ConsoleSession : IAsyncDisposable
{
    public static readonly string ScreenshotDirectory = Path.Combine(RepositoryRoot.Path, "artifacts", "screenshots");

    private readonly IBrowserContext context;

    private readonly string testName;

    private ConsoleSession(RunnerHost runner, MediaStorageOptions storage, IBrowserContext context, IPage page, string testName)
    {
        this.testName = testName;
        Runner = runner;
        Storage = storage;
        this.context = context;
        Page = page;
        page.Dialog += async (_, dialog) =>
        {
            lock (Dialogs)
            {
                Dialogs.Add($"{dialog.Type}: {dialog.Message}");
            }

            await dialog.DismissAsync();
        };
        page.PageError += (_, error) =>
        {
            lock (Problems)
            {
                Problems.Add("page error: " + error);
            }
        };
        page.Console += (_, message) =>
        {
            // Non-2xx answers the console handles itself (the /.auth/me probe's 404, a denied request) are logged
            // by Chromium as "Failed to load resource"; anything else at error level is a real problem.
            if (message.Type == "error" && !message.Text.StartsWith("Failed to load resource: the server responded with a status of", StringComparison.Ordinal))
            {
                lock (Problems)
                {
                    Problems.Add("console error: " + message.Text);
                }
            }
        };
    }

    public RunnerHost Runner { get; }

    public MediaStorageOptions Storage { get; }

    public IPage Page { get; }

    /// <summary>Every alert/confirm/prompt the page opened (hostile content must never open one).</summary>
    public List<string> Dialogs { get; } = [];

    /// <summary>Uncaught errors and console errors, including CSP violation reports.</summary>
    public List<string> Problems { get; } = [];

    public string Url(string path = "/") => new Uri(Runner.BaseAddress, path).ToString();

    public static async Task<ConsoleSession> StartAsync(
        BrowserFixture fixture,
        IDictionary<string, string?>? settings = null,
        int width = 1366,
        int height = 900,
        Action<Microsoft.AspNetCore.Builder.WebApplicationBuilder>? configure = null,
        [System.Runtime.CompilerServices.CallerMemberName] string testName = "")
    {
        var storage = UniqueStorageOptions();
        var runner = await RunnerHost.StartAsync(fixture.Azurite.ConnectionString, storage, settings, configure);
        var context = await fixture.Browser.NewContextAsync(new BrowserNewContextOptions
        {
            ViewportSize = new ViewportSize { Width = width, Height = height },
            AcceptDownloads = true,
            Locale = "en-GB",
            TimezoneId = "UTC",
        });
        context.SetDefaultTimeout(15_000);
        var page = await context.NewPageAsync();
        return new ConsoleSession(runner, storage, context, page, testName);
    }

    /// <summary>Opens the console and signs in with an API key, as a person would: paste, press the button.</summary>
    public async Task SignInAsync(string apiKey, string expectedName)
    {
        await Page.GotoAsync(Url());
        await Page.GetByLabel("API key", new() { Exact = true }).FillAsync(apiKey);
        await Page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        await Assertions.Expect(Page.Locator("#whoami")).ToContainTextAsync(expectedName);
    }

    public async Task ScreenshotAsync(string name, bool fullPage = true)
    {
        Directory.CreateDirectory(ScreenshotDirectory);
        await Page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(ScreenshotDirectory, name + ".png"), FullPage = fullPage });
    }

    /// <summary>No dialog opened and no script error or CSP violation happened.</summary>
    public void AssertNothingUnexpectedRan()
    {
        Assert.Empty(Dialogs);
        Assert.Empty(Problems);
    }

    public async ValueTask DisposeAsync()
    {
        // The page as the test left it, pass or fail: the first thing to look at when a browser test fails.
        try
        {
            var final = Path.Combine(ScreenshotDirectory, "final");
            Directory.CreateDirectory(final);
            await Page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(final, testName + ".png"), FullPage = true });
        }
        catch (PlaywrightException)
        {
            // the page may already be gone
        }

        await context.CloseAsync();
        await Runner.DisposeAsync();
    }

    private static MediaStorageOptions UniqueStorageOptions()
    {
        var suffix = Guid.NewGuid().ToString("N")[..10];
        return new MediaStorageOptions
        {
            CctvContainer = "cctv-" + suffix,
            CallsContainer = "calls-" + suffix,
            StateContainer = "state-" + suffix,
            MediaTable = "media" + suffix,
            HoldsTable = "holds" + suffix,
            AuditTable = "audit" + suffix,
            SubjectRequestsTable = "subjectrequests" + suffix,
        };
    }
}
