using System.Net.Http.Json;
using MediaRetention.BrowserTests.Infrastructure;
using MediaRetention.IntegrationTests.Infrastructure;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace MediaRetention.BrowserTests;

/// <summary>
/// Security reviews police preservation requests in the browser: a queue, oldest first; one approved narrowed to the
/// camera the case needs, one rejected with a reason; the liaison then sees each one's status.
/// </summary>
[Collection(BrowserCollection.Name)]
public sealed class RequestsConsoleTests(BrowserFixture fixture)
{
    private static readonly string[] Clips =
    [
        "bergen-mall/cam-1/20261120T100000Z.mp4",
        "bergen-mall/cam-2/20261120T100500Z.mp4",
    ];

    [Fact]
    public async Task Security_approves_a_request_narrowed_and_rejects_another_and_the_liaison_sees_both()
    {
        await using var session = await ConsoleSession.StartAsync(fixture);
        foreach (var name in Clips)
        {
            await Storage.UploadAsync(session, fixture, session.Storage.CctvContainer, name, "clip"u8.ToArray());
        }

        await Storage.WaitForIndexAsync(session, session.Storage.CctvContainer, Clips);
        using (var police = session.Runner.ClientFor(TestKeys.Police))
        {
            foreach (var (caseNumber, reason) in new[] { ("OPD-2026-101", "Assault at the mall entrance"), ("OPD-2026-102", "Pickpocketing, date unknown") })
            {
                using var placed = await police.PostAsJsonAsync("/api/holds", new
                {
                    caseNumber, reason, requestedBy = new { agency = TestKeys.PoliceAgency, officer = "Insp. Hansen" },
                    scope = new { type = "cctv", site = "bergen-mall", from = "2026-11-20T09:00:00Z", to = "2026-11-20T12:00:00Z" },
                });
                placed.EnsureSuccessStatusCode();
            }
        }

        // The queue, oldest first.
        await session.SignInAsync(TestKeys.Security, "guard-1");
        var page = session.Page;
        await page.GetByRole(AriaRole.Link, new() { Name = "Requests", Exact = true }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Preservation requests" })).ToBeVisibleAsync();
        var rows = page.Locator("main table tbody tr");
        await Expect(rows).ToHaveCountAsync(2);
        await Expect(rows.Nth(0)).ToContainTextAsync("OPD-2026-101");
        await Expect(rows.Nth(1)).ToContainTextAsync("OPD-2026-102");
        await Expect(rows.Nth(0)).ToContainTextAsync("oslo-pd · Insp. Hansen");
        await session.ScreenshotAsync("security-requests");

        // Approve the first, narrowed to the entrance camera.
        await page.GetByRole(AriaRole.Link, new() { Name = "Review OPD-2026-101" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Review this request" })).ToBeVisibleAsync();
        await Expect(page.Locator("main table tbody tr")).ToHaveCountAsync(2); // security sees what it covers
        await page.GetByLabel("Reason for your decision").FillAsync("Only the entrance camera shows the incident");
        await page.GetByLabel("Narrow the scope before approving").CheckAsync();
        await page.GetByLabel("Cameras", new() { Exact = true }).FillAsync("cam-1");
        await session.ScreenshotAsync("security-request-review");
        await page.GetByRole(AriaRole.Button, new() { Name = "Approve request" }).ClickAsync();
        await Expect(page.Locator("main").GetByText("Request approved")).ToBeVisibleAsync();
        await Expect(page.Locator("main").GetByText("keeps 1 recordings now")).ToBeVisibleAsync();
        await Expect(page.Locator("dl.facts")).ToContainTextAsync("approved by guard-1");
        await Expect(page.Locator("dl.facts")).ToContainTextAsync("CCTV bergen-mall (all cameras)"); // the requested scope, kept

        // Reject the second, with a reason.
        await page.GetByRole(AriaRole.Link, new() { Name = "Requests", Exact = true }).ClickAsync();
        await Expect(rows).ToHaveCountAsync(1);
        await page.GetByRole(AriaRole.Link, new() { Name = "Review OPD-2026-102" }).ClickAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Reject request" }).ClickAsync();
        await Expect(page.Locator("main").GetByText("A reason is required")).ToBeVisibleAsync();
        await page.GetByLabel("Reason for your decision").FillAsync("No date or time given; ask for a window");
        await page.GetByRole(AriaRole.Button, new() { Name = "Reject request" }).ClickAsync();
        await Expect(page.Locator("main").GetByText("Request rejected").First).ToBeVisibleAsync();
        await page.GetByRole(AriaRole.Link, new() { Name = "Requests", Exact = true }).ClickAsync();
        await Expect(page.Locator("main").GetByText("No request is waiting for review.")).ToBeVisibleAsync();

        // The liaison sees each request's status: one active with evidence, one rejected with the reason.
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign out" }).ClickAsync();
        await session.SignInAsync(TestKeys.Police, "liaison-oslo");
        var holds = page.Locator("main table tbody tr");
        await Expect(holds).ToHaveCountAsync(2);
        await Expect(page.Locator("main tr", new() { HasText = "OPD-2026-101" })).ToContainTextAsync("Active");
        await Expect(page.Locator("main tr", new() { HasText = "OPD-2026-102" })).ToContainTextAsync("Rejected");
        await Expect(page.GetByRole(AriaRole.Link, new() { Name = "Evidence for OPD-2026-101" })).ToBeVisibleAsync();
        await Expect(page.GetByRole(AriaRole.Link, new() { Name = "Evidence for OPD-2026-102" })).ToHaveCountAsync(0);
        await session.ScreenshotAsync("police-requests");
        await page.GetByRole(AriaRole.Link, new() { Name = "OPD-2026-102", Exact = true }).ClickAsync();
        await Expect(page.Locator("main").GetByText("No date or time given; ask for a window").First).ToBeVisibleAsync();
        session.AssertNothingUnexpectedRan();
    }
}
