using System.Security.Cryptography;
using System.Text.Json.Nodes;
using Azure.Storage.Blobs;
using MediaRetention.BrowserTests.Infrastructure;
using MediaRetention.Core.Evidence;
using MediaRetention.IntegrationTests.Infrastructure;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace MediaRetention.BrowserTests;

/// <summary>
/// A police liaison in the browser: requests preservation for their agency (security approves it), opens its evidence,
/// downloads the sealed manifest, and verifies every file in the browser; after a clip is overwritten in storage, that
/// file fails.
/// </summary>
[Collection(BrowserCollection.Name)]
public sealed class PoliceConsoleTests(BrowserFixture fixture)
{
    private static readonly string[] Clips =
    [
        "oslo-1/cam-1/20261120T100000Z.mp4",
        "oslo-1/cam-1/20261120T103000Z.mp4",
        "oslo-1/cam-2/20261120T110000Z.mp4",
    ];

    [Fact]
    public async Task Police_verify_the_evidence_in_the_browser_and_see_an_overwritten_clip_fail()
    {
        await using var session = await ConsoleSession.StartAsync(fixture);
        var contents = Clips.ToDictionary(c => c, _ => RandomNumberGenerator.GetBytes(50_000));
        foreach (var (name, content) in contents)
        {
            await Storage.UploadAsync(session, fixture, session.Storage.CctvContainer, name, content);
        }

        await Storage.WaitForIndexAsync(session, session.Storage.CctvContainer, Clips);
        await session.SignInAsync(TestKeys.Police, "liaison-oslo");
        var page = session.Page;

        // Police see only what their role allows: their agency's holds, no media browser, no administration.
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Holds of oslo-pd" })).ToBeVisibleAsync();
        await Expect(page.Locator("#nav a")).ToHaveTextAsync(["Our holds", "Request preservation"]);
        await Expect(page.Locator("main").GetByText("No holds to show.")).ToBeVisibleAsync();

        // Request preservation for their own agency (fixed in the form), checked first: no count, no listing of media.
        await page.GetByRole(AriaRole.Link, new() { Name = "Request preservation", Exact = true }).First.ClickAsync();
        await Expect(page.GetByLabel("Requesting agency", new() { Exact = true })).ToHaveValueAsync("oslo-pd");
        await page.GetByLabel("Case number", new() { Exact = true }).FillAsync("OPD-2026/4711");
        await page.GetByLabel("Requesting officer", new() { Exact = true }).FillAsync("Insp. Hansen");
        await page.GetByLabel("Reason", new() { Exact = true }).FillAsync("Robbery at the kiosk");
        await page.GetByLabel("Site", new() { Exact = true }).FillAsync("oslo-1");
        await page.GetByLabel("From", new() { Exact = true }).FillAsync("2026-11-20T09:00");
        await page.GetByLabel("To", new() { Exact = true }).FillAsync("2026-11-20T12:00");
        await page.GetByRole(AriaRole.Button, new() { Name = "Check the request" }).ClickAsync();
        await Expect(page.Locator("main").GetByText("The request is complete")).ToBeVisibleAsync();
        await Expect(page.Locator("main")).Not.ToContainTextAsync("recordings now");
        Assert.Equal(0, await page.Locator("form table").CountAsync());
        await page.GetByRole(AriaRole.Button, new() { Name = "Request preservation" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Hold OPD-2026/4711" })).ToBeVisibleAsync();
        await Expect(page.Locator("main").GetByText("Waiting for review")).ToBeVisibleAsync();
        await Expect(page.GetByRole(AriaRole.Link, new() { Name = "Evidence and verification" })).ToHaveCountAsync(0);
        var holdId = new Uri(page.Url).Fragment.Split('/').Last();

        // Security approves it; from then on the liaison sees its recordings and evidence.
        await session.Runner.ApproveAsync(Uri.UnescapeDataString(holdId));
        await page.ReloadAsync();
        await Expect(page.Locator("main").GetByText("Recordings it keeps")).ToBeVisibleAsync();
        await Expect(page.Locator("main table tbody tr")).ToHaveCountAsync(3);
        await page.GetByRole(AriaRole.Link, new() { Name = "← All holds" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Link, new() { Name = "OPD-2026/4711", Exact = true })).ToBeVisibleAsync();
        await session.ScreenshotAsync("police-holds");

        // The evidence page: every file with its SHA-256, and the sealed manifest.
        await page.GetByRole(AriaRole.Link, new() { Name = "Evidence for OPD-2026/4711" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Evidence for OPD-2026/4711" })).ToBeVisibleAsync();
        var rows = page.Locator("table tbody tr");
        await Expect(rows).ToHaveCountAsync(3);
        foreach (var (name, content) in contents)
        {
            var row = page.Locator($"tr[data-blob-name='{name}']");
            await Expect(row).ToContainTextAsync(Convert.ToHexStringLower(SHA256.HashData(content)));
        }

        var download = await page.RunAndWaitForDownloadAsync(() =>
            page.GetByRole(AriaRole.Link, new() { Name = "Download manifest" }).ClickAsync());
        Assert.Matches(@"^evidence-OPD-2026_4711-[0-9a-f]{32}\.json$", download.SuggestedFilename);
        var manifest = JsonNode.Parse(await File.ReadAllTextAsync((await download.PathAsync())!))!.AsObject();
        Assert.True(CanonicalJson.IsIntact(manifest));
        await Expect(page.Locator("dl.facts")).ToContainTextAsync(manifest["documentSha256"]!.GetValue<string>());

        // Verify in this browser: the seal, the signature (against the service's published keys) and every file pass.
        await page.GetByRole(AriaRole.Button, new() { Name = "Verify in this browser" }).ClickAsync();
        var summary = page.Locator("#verify-summary");
        await Expect(summary).ToContainTextAsync("Manifest seal: PASS · Signature: PASS · Files: 3 passed, 0 failed", new() { Timeout = 30_000 });
        await Expect(page.Locator("td.check")).ToHaveTextAsync(["PASS", "PASS", "PASS"]);
        await session.ScreenshotAsync("police-evidence-verified");

        // The server's own re-check runs as an operation the page follows until it is done.
        var serverCheck = page.GetByRole(AriaRole.Button, new() { Name = "Ask the server to re-check the originals" });
        await serverCheck.ClickAsync();
        await Expect(page.Locator("main").GetByText("Server check: all 3 stored originals match their ingest hash")).ToBeVisibleAsync(new() { Timeout = 30_000 });
        await Expect(serverCheck).ToBeEnabledAsync();

        // Someone overwrites a held clip in storage (same size: only the hash can tell). The same links now read
        // the new content, and exactly that file fails.
        var altered = Clips[1];
        var tampered = contents[altered].ToArray();
        tampered[^1] ^= 0xFF;
        await new BlobContainerClient(fixture.Azurite.ConnectionString, session.Storage.CctvContainer)
            .GetBlobClient(altered).UploadAsync(new BinaryData(tampered), overwrite: true);

        await page.GetByRole(AriaRole.Button, new() { Name = "Verify in this browser" }).ClickAsync();
        await Expect(summary).ToContainTextAsync("Manifest seal: PASS · Signature: PASS · Files: 2 passed, 1 failed", new() { Timeout = 30_000 });
        await Expect(page.Locator($"tr[data-blob-name='{altered}'] td.check")).ToContainTextAsync("FAIL");
        await Expect(page.Locator($"tr[data-blob-name='{altered}'] td.check")).ToContainTextAsync(Convert.ToHexStringLower(SHA256.HashData(tampered)));
        await Expect(page.Locator($"tr[data-blob-name='{Clips[0]}'] td.check")).ToHaveTextAsync("PASS");
        await Expect(summary.Locator(".notice-bad")).ToBeVisibleAsync();
        await serverCheck.ClickAsync();
        await Expect(page.Locator("main").GetByText("Server check: stored originals differ")).ToBeVisibleAsync(new() { Timeout = 30_000 });
        await Expect(page.Locator("main").GetByText($"Altered: {altered}")).ToBeVisibleAsync();
        await session.ScreenshotAsync("police-evidence-tampered");
        session.AssertNothingUnexpectedRan();
    }
}
