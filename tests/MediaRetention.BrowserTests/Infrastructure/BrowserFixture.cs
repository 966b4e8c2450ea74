using Microsoft.Playwright;

namespace MediaRetention.BrowserTests.Infrastructure;

/// <summary>
/// One throwaway Azurite and one headless Chromium shared by the browser tests; each test starts its own runner
/// on its own container and table names, and its own browser context.
/// </summary>
/// <remarks>
/// The browser is Debian's <c>chromium</c> package, launched by path (<c>CHROMIUM_PATH</c>, default
/// /usr/bin/chromium): Playwright's own browser download cannot work without internet. scripts/test.sh installs the
/// package when it is missing.
/// </remarks>
public sealed class BrowserFixture : IAsyncLifetime
{
    public const string DefaultChromiumPath = "/usr/bin/chromium";

    private AzuriteInstance? azurite;
    private IPlaywright? playwright;
    private IBrowser? browser;

    public AzuriteInstance Azurite => azurite ?? throw new InvalidOperationException("Azurite is not started.");

    public IBrowser Browser => browser ?? throw new InvalidOperationException("The browser is not started.");

    public static string ChromiumPath => Environment.GetEnvironmentVariable("CHROMIUM_PATH") is { Length: > 0 } path ? path : DefaultChromiumPath;

    public async Task InitializeAsync()
    {
        if (!File.Exists(ChromiumPath))
        {
            throw new InvalidOperationException(
                $"Chromium is not installed at {ChromiumPath}. Install Debian's package (apt-get install -y chromium; scripts/test.sh does this as root) or set CHROMIUM_PATH.");
        }

        azurite = await AzuriteInstance.StartAsync();
        playwright = await Playwright.CreateAsync();
        browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = ChromiumPath,
            Headless = true,
            Args =
            [
                "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking",
                "--disable-component-update", "--no-first-run", "--disable-sync", "--disable-extensions",
                "--autoplay-policy=no-user-gesture-required", "--mute-audio",
            ],
        });
    }

    public async Task DisposeAsync()
    {
        if (browser is not null)
        {
            await browser.CloseAsync();
        }

        playwright?.Dispose();
        if (azurite is not null)
        {
            await azurite.DisposeAsync();
        }
    }
}

[CollectionDefinition(Name)]
public sealed class BrowserCollection : ICollectionFixture<BrowserFixture>
{
    public const string Name = "Browser";
}
