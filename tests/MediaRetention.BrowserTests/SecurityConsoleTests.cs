using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text.Json;
using MediaRetention.Api.Holds;
using MediaRetention.BrowserTests.Infrastructure;
using MediaRetention.Core.Audit;
using MediaRetention.IntegrationTests.Infrastructure;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace MediaRetention.BrowserTests;

/// <summary>Security staff in the browser: find a recording, play it, hold a window with a preview, release it.</summary>
[Collection(BrowserCollection.Name)]
public sealed class SecurityConsoleTests(BrowserFixture fixture)
{
    private const string Call = "pbx-1/20261120T093000Z_c-4711.wav";
    private static readonly string[] Clips =
    [
        "oslo-1/cam-02/20261120T100000Z.mp4",
        "oslo-1/cam-02/20261120T101500Z.mp4",
        "oslo-1/cam-03/20261120T103000Z.mp4",
    ];

    [Fact]
    public async Task Security_finds_a_call_and_plays_it_and_the_viewing_is_audited()
    {
        await using var session = await ConsoleSession.StartAsync(fixture);
        var wav = MediaFixtures.Wav(seconds: 1.5);
        await Storage.UploadAsync(session, fixture, session.Storage.CallsContainer, Call, wav,
            new Dictionary<string, string> { ["direction"] = "inbound", ["caller"] = "+4791234567", ["agent"] = "agent-7" });
        await Storage.WaitForIndexAsync(session, session.Storage.CallsContainer, Call);

        await session.SignInAsync(TestKeys.Security, "guard-1");
        var page = session.Page;
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Media", Exact = true })).ToBeVisibleAsync();
        await page.GetByLabel("Kind", new() { Exact = true }).SelectOptionAsync("call");
        await page.GetByLabel("Phone system", new() { Exact = true }).FillAsync("pbx-1");
        await page.GetByLabel("From", new() { Exact = true }).FillAsync("2026-11-20T00:00");
        await page.GetByLabel("To", new() { Exact = true }).FillAsync("2026-11-20T23:59");
        await page.GetByRole(AriaRole.Button, new() { Name = "Search" }).ClickAsync();

        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Calls · pbx-1" })).ToBeVisibleAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = $"Open {Call}" }).ClickAsync();
        var detail = page.Locator("#media-detail");
        await Expect(detail).ToContainTextAsync("+********67"); // the caller, masked
        await Expect(detail).ToContainTextAsync(Convert.ToHexStringLower(SHA256.HashData(wav)));
        await detail.GetByRole(AriaRole.Button, new() { Name = "Play call" }).ClickAsync();

        // The audio element really loaded the recording through the read link: metadata decoded, right length.
        await page.WaitForFunctionAsync(
            "() => { const a = document.querySelector('#player audio'); return a && a.readyState >= 1 && Math.abs(a.duration - 1.5) < 0.05; }");
        await Expect(detail).ToContainTextAsync("recorded in the audit log");
        await session.ScreenshotAsync("security-media-playing");

        using var admin = session.Runner.ClientFor(TestKeys.Admin);
        var audit = (await admin.GetFromJsonAsync<AuditPage>("/api/audit?pageSize=1000", JsonSerializerOptions.Web))!;
        var viewed = Assert.Single(audit.Items, e => e.Action == AuditActions.MediaViewed);
        Assert.Equal("guard-1", viewed.Actor);
        Assert.Equal(Call, viewed.Details["blobName"]);
        Assert.DoesNotContain(viewed.Details.Values, v => v?.Contains("91234567", StringComparison.Ordinal) == true);
        session.AssertNothingUnexpectedRan();
    }

    [Fact]
    public async Task Security_places_a_window_hold_after_previewing_it_and_releases_it()
    {
        await using var session = await ConsoleSession.StartAsync(fixture);
        foreach (var clip in Clips)
        {
            await Storage.UploadAsync(session, fixture, session.Storage.CctvContainer, clip, RandomNumberGenerator.GetBytes(4096));
        }

        await Storage.WaitForIndexAsync(session, session.Storage.CctvContainer, Clips);
        await session.SignInAsync(TestKeys.Security, "guard-1");
        var page = session.Page;

        // The site's clips, grouped per camera with a timeline.
        await page.GetByLabel("Site", new() { Exact = true }).FillAsync("oslo-1");
        await page.GetByLabel("From", new() { Exact = true }).FillAsync("2026-11-20T09:00");
        await page.GetByLabel("To", new() { Exact = true }).FillAsync("2026-11-20T12:00");
        await page.GetByRole(AriaRole.Button, new() { Name = "Search" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "3 recordings" })).ToBeVisibleAsync();
        await Expect(page.Locator(".timeline .mark")).ToHaveCountAsync(3);
        await page.GetByRole(AriaRole.Button, new() { Name = $"Open {Clips[0]}" }).ClickAsync();
        await Expect(page.Locator("#media-detail")).ToContainTextAsync("No active hold covers this recording");
        await session.ScreenshotAsync("security-media");

        // Place a CCTV window hold on cam-02 only: the preview shows exactly its two clips before anything is stored.
        await page.GetByRole(AriaRole.Link, new() { Name = "Place a hold", Exact = true }).ClickAsync();
        await page.GetByLabel("Case number", new() { Exact = true }).FillAsync("OPD-2026-4711");
        await page.GetByLabel("Requesting agency", new() { Exact = true }).FillAsync("oslo-pd");
        await page.GetByLabel("Requesting officer", new() { Exact = true }).FillAsync("Insp. Hansen");
        await page.GetByLabel("Reason", new() { Exact = true }).FillAsync("Shoplifting reported 2026-11-20");
        await page.GetByLabel("CCTV of a site in a time window", new() { Exact = true }).CheckAsync();
        await page.GetByLabel("Site", new() { Exact = true }).FillAsync("oslo-1");
        await page.GetByLabel("Cameras", new() { Exact = true }).FillAsync("cam-02");
        await page.GetByLabel("From", new() { Exact = true }).FillAsync("2026-11-20T09:00");
        await page.GetByLabel("To", new() { Exact = true }).FillAsync("2026-11-20T11:00");
        var place = page.GetByRole(AriaRole.Button, new() { Name = "Place hold" });
        await Expect(place).ToBeDisabledAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Preview what it covers" }).ClickAsync();
        await Expect(page.Locator("main").GetByText("This hold would keep 2 recordings now")).ToBeVisibleAsync();
        await Expect(page.GetByRole(AriaRole.Cell, new() { Name = Clips[1] })).ToBeVisibleAsync();
        await session.ScreenshotAsync("security-hold-preview");
        using (var security = session.Runner.ClientFor(TestKeys.Security))
        {
            var none = (await security.GetFromJsonAsync<HoldListResponse>("/api/holds?status=all", JsonSerializerOptions.Web))!;
            Assert.Empty(none.Items); // a preview stores nothing
        }

        // Changing the form after the preview disables placing until it is previewed again.
        await page.GetByLabel("Cameras", new() { Exact = true }).FillAsync("cam-02, cam-03");
        await Expect(place).ToBeDisabledAsync();
        await page.GetByLabel("Cameras", new() { Exact = true }).FillAsync("cam-02");
        await page.GetByRole(AriaRole.Button, new() { Name = "Preview what it covers" }).ClickAsync();
        await Expect(place).ToBeEnabledAsync();
        await place.ClickAsync();

        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Hold OPD-2026-4711" })).ToBeVisibleAsync();
        await Expect(page.Locator("table").First.Locator("tbody tr")).ToHaveCountAsync(2);
        await session.ScreenshotAsync("security-hold-detail");

        // Release with a reason.
        await page.GetByRole(AriaRole.Button, new() { Name = "Release this hold" }).ClickAsync();
        await Expect(page.Locator("main").GetByText("A reason is required")).ToBeVisibleAsync();
        await page.GetByLabel("Reason for release", new() { Exact = true }).FillAsync("Case closed by the prosecutor");
        await page.GetByRole(AriaRole.Button, new() { Name = "Release this hold" }).ClickAsync();
        await Expect(page.Locator("main").GetByText("Hold released", new() { Exact = true })).ToBeVisibleAsync();
        await Expect(page.Locator("dl.facts")).ToContainTextAsync("Case closed by the prosecutor");

        using var client = session.Runner.ClientFor(TestKeys.Security);
        var holds = (await client.GetFromJsonAsync<HoldListResponse>("/api/holds?status=all", JsonSerializerOptions.Web))!;
        var hold = Assert.Single(holds.Items);
        Assert.Equal(("released", "guard-1", "Case closed by the prosecutor"), (hold.Status, hold.Release!.ReleasedBy, hold.Release.Reason));
        Assert.Equal(["cam-02"], hold.Scope.Cameras);
        session.AssertNothingUnexpectedRan();
    }

    [Fact]
    public async Task Hostile_names_and_reasons_render_as_text_and_run_nothing()
    {
        await using var session = await ConsoleSession.StartAsync(fixture);
        // Within what a blob name allows: markup that would run script if it were ever parsed as HTML.
        const string hostileName = "oslo-1/<img src=x onerror=alert(1)>.mp4";
        const string hostileReason = "<img src=x onerror=alert(2)><script>alert(3)</script>";
        const string hostileOfficer = "\"><svg onload=alert(4)>";
        await Storage.UploadAsync(session, fixture, session.Storage.CctvContainer, hostileName, RandomNumberGenerator.GetBytes(64));
        await Storage.WaitForIndexAsync(session, session.Storage.CctvContainer, hostileName);
        using (var security = session.Runner.ClientFor(TestKeys.Security))
        {
            await Storage.PostJsonAsync<PlacedHoldResponse>(security, "/api/holds", new
            {
                caseNumber = "C-1",
                reason = hostileReason,
                requestedBy = new { agency = "oslo-pd", officer = hostileOfficer },
                scope = new { type = "call", callId = "c-1" },
            });
        }

        await session.SignInAsync(TestKeys.Security, "guard-1");
        var page = session.Page;
        await page.GetByLabel("Kind", new() { Exact = true }).SelectOptionAsync("cctv");
        await page.GetByLabel("Status", new() { Exact = true }).SelectOptionAsync("Rejected");
        await page.GetByRole(AriaRole.Button, new() { Name = "Search" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Cell, new() { Name = hostileName, Exact = true })).ToBeVisibleAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = $"Open {hostileName}" }).ClickAsync();
        await Expect(page.Locator("#media-detail h2")).ToHaveTextAsync(hostileName);
        await Expect(page.Locator("#media-detail")).ToContainTextAsync("Rejected upload");
        await session.ScreenshotAsync("security-hostile-rejected");

        await page.GotoAsync(session.Url("/#/holds"));
        await Expect(page.GetByRole(AriaRole.Cell, new() { Name = $"{hostileOfficer} (oslo-pd)" })).ToBeVisibleAsync();
        await page.GetByRole(AriaRole.Link, new() { Name = "C-1", Exact = true }).ClickAsync();
        await Expect(page.Locator("dl.facts")).ToContainTextAsync(hostileReason);

        // Nothing was parsed as markup: no element from the payloads exists, no dialog opened, no script ran.
        Assert.Equal(0, await page.Locator("img[src='x'], svg, main script").CountAsync());
        session.AssertNothingUnexpectedRan();
    }

    [Fact]
    public async Task At_tablet_width_the_console_fits_the_screen_and_works_from_the_keyboard()
    {
        await using var session = await ConsoleSession.StartAsync(fixture, width: 820, height: 1180);
        foreach (var clip in Clips)
        {
            await Storage.UploadAsync(session, fixture, session.Storage.CctvContainer, clip, RandomNumberGenerator.GetBytes(1024));
        }

        await Storage.WaitForIndexAsync(session, session.Storage.CctvContainer, Clips);
        var page = session.Page;
        await page.GotoAsync(session.Url());

        // Sign in without a mouse: the key field has focus, Enter submits.
        await Expect(page.GetByLabel("API key", new() { Exact = true })).ToBeFocusedAsync();
        await page.Keyboard.TypeAsync(TestKeys.Security);
        await page.Keyboard.PressAsync("Enter");
        await Expect(page.Locator("#whoami")).ToContainTextAsync("guard-1");

        await page.GetByLabel("Site", new() { Exact = true }).FillAsync("oslo-1");
        await page.GetByLabel("From", new() { Exact = true }).FillAsync("2026-11-20T09:00");
        await page.GetByLabel("To", new() { Exact = true }).FillAsync("2026-11-20T12:00");
        await page.GetByLabel("To", new() { Exact = true }).PressAsync("Enter");
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "3 recordings" })).ToBeVisibleAsync();

        // Open a recording with the keyboard: its details take focus.
        await page.GetByRole(AriaRole.Button, new() { Name = $"Open {Clips[2]}" }).FocusAsync();
        await page.Keyboard.PressAsync("Enter");
        await Expect(page.Locator("#media-detail h2")).ToBeFocusedAsync();
        await Expect(page.Locator("#media-detail h2")).ToHaveTextAsync(Clips[2]);

        // Nothing wider than the screen: no sideways scrolling of the page.
        var overflow = await page.EvaluateAsync<int>("() => document.documentElement.scrollWidth - document.documentElement.clientWidth");
        Assert.True(overflow <= 0, $"the page is {overflow}px wider than a tablet screen");
        await session.ScreenshotAsync("security-media-tablet");
        session.AssertNothingUnexpectedRan();
    }
}
