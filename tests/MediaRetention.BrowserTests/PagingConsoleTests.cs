using System.Security.Cryptography;
using MediaRetention.Api.Holds;
using MediaRetention.BrowserTests.Infrastructure;
using MediaRetention.IntegrationTests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace MediaRetention.BrowserTests;

/// <summary>
/// The console against a runner whose table storage answers every page empty first, with a continuation token, as Azure
/// may (<see cref="EmptyTablePages"/>): the API then answers pages with no items and a token, and every list of the
/// console follows them instead of saying there is nothing.
/// </summary>
[Collection(BrowserCollection.Name)]
public sealed class PagingConsoleTests(BrowserFixture fixture)
{
    private static readonly string[] Clips =
    [
        "oslo-1/cam-02/20261120T100000Z.mp4",
        "oslo-1/cam-02/20261120T101500Z.mp4",
        "oslo-1/cam-03/20261120T103000Z.mp4",
    ];

    [Fact]
    public async Task With_empty_pages_from_storage_every_list_of_the_console_still_shows_everything()
    {
        var emptyPages = new EmptyTablePages();
        await using var session = await ConsoleSession.StartAsync(fixture,
            configure: builder => builder.Services.AddSingleton(emptyPages.CreateClient(fixture.Azurite.ConnectionString)));
        foreach (var clip in Clips)
        {
            await Storage.UploadAsync(session, fixture, session.Storage.CctvContainer, clip, RandomNumberGenerator.GetBytes(1024));
        }

        await Storage.WaitForIndexAsync(session, session.Storage.CctvContainer, Clips);
        using (var security = session.Runner.ClientFor(TestKeys.Security))
        {
            var placed = await Storage.PostJsonAsync<PlacedHoldResponse>(security, "/api/holds", new
            {
                caseNumber = "OPD-PAGES",
                reason = "Pages that come back empty",
                requestedBy = new { agency = "oslo-pd", officer = "Sgt. Berg" },
                scope = new { type = "cctv", site = "oslo-1", from = "2026-11-20T09:00:00Z", to = "2026-11-20T12:00:00Z" },
            });
            Assert.Equal(3, placed.CoveredMedia);
        }

        await session.SignInAsync(TestKeys.Admin, "admin-1");
        var page = session.Page;

        // Media: the search's first page comes back empty with a token; the console follows it.
        await page.GotoAsync(session.Url("/#/media"));
        await page.GetByLabel("Site", new() { Exact = true }).FillAsync("oslo-1");
        await page.GetByLabel("From", new() { Exact = true }).FillAsync("2026-11-20T00:00");
        await page.GetByLabel("To", new() { Exact = true }).FillAsync("2026-11-20T23:59");
        await page.GetByRole(AriaRole.Button, new() { Name = "Search" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "3 recordings", Exact = true })).ToBeVisibleAsync();

        // Holds, a hold's covered recordings, and the audit log.
        await page.GotoAsync(session.Url("/#/holds"));
        await Expect(page.GetByRole(AriaRole.Link, new() { Name = "OPD-PAGES", Exact = true })).ToBeVisibleAsync();
        await page.GetByRole(AriaRole.Link, new() { Name = "OPD-PAGES", Exact = true }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Table, new() { Name = "Recordings kept by this hold" }).Locator("tbody tr")).ToHaveCountAsync(3);
        await session.ScreenshotAsync("paging-hold-detail");

        await page.GotoAsync(session.Url("/#/audit"));
        await page.GetByLabel("Action", new() { Exact = true }).SelectOptionAsync("hold.placed");
        await Expect(page.Locator("table tbody tr")).ToHaveCountAsync(1);

        Assert.True(emptyPages.EmptyPagesServed > 0, "storage never answered an empty page");
        session.AssertNothingUnexpectedRan();
    }

    [Fact]
    public async Task More_empty_pages_than_the_console_follows_on_its_own_show_keep_looking_not_nothing_found()
    {
        // 12 in a row: more than the 1 + EMPTY_PAGE_HOPS (10) requests a list makes before it asks the user.
        var emptyPages = new EmptyTablePages(inARow: 12);
        await using var session = await ConsoleSession.StartAsync(fixture,
            configure: builder => builder.Services.AddSingleton(emptyPages.CreateClient(fixture.Azurite.ConnectionString)));
        foreach (var clip in Clips)
        {
            await Storage.UploadAsync(session, fixture, session.Storage.CctvContainer, clip, RandomNumberGenerator.GetBytes(1024));
        }

        await Storage.WaitForIndexAsync(session, session.Storage.CctvContainer, Clips);
        await session.SignInAsync(TestKeys.Admin, "admin-1");
        var page = session.Page;

        await page.GotoAsync(session.Url("/#/media"));
        await page.GetByLabel("Site", new() { Exact = true }).FillAsync("oslo-1");
        await page.GetByLabel("From", new() { Exact = true }).FillAsync("2026-11-20T00:00");
        await page.GetByLabel("To", new() { Exact = true }).FillAsync("2026-11-20T23:59");
        await page.GetByRole(AriaRole.Button, new() { Name = "Search" }).ClickAsync();

        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "0 recordings so far", Exact = true })).ToBeVisibleAsync();
        await Expect(page.GetByText("No recordings found so far, but the search has not reached the end.")).ToBeVisibleAsync();
        await Expect(page.GetByText("Nothing matches these filters.", new() { Exact = false })).ToHaveCountAsync(0);
        await session.ScreenshotAsync("paging-keep-looking");

        await page.GetByRole(AriaRole.Button, new() { Name = "Keep looking" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "3 recordings", Exact = true })).ToBeVisibleAsync();
        Assert.True(emptyPages.EmptyPagesServed >= 12, $"storage answered only {emptyPages.EmptyPagesServed} empty pages");
        session.AssertNothingUnexpectedRan();
    }
}
