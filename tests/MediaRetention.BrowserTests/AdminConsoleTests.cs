using System.Globalization;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Nodes;
using MediaRetention.Api.Holds;
using MediaRetention.BrowserTests.Infrastructure;
using MediaRetention.Core.Audit;
using MediaRetention.IntegrationTests.Infrastructure;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace MediaRetention.BrowserTests;

/// <summary>An administrator in the browser: previews retention, sweeps now, and reads the audit log and its chain.</summary>
[Collection(BrowserCollection.Name)]
public sealed class AdminConsoleTests(BrowserFixture fixture)
{
    [Fact]
    public async Task Admin_previews_and_runs_a_sweep_and_sees_the_audit_chain_intact()
    {
        // Records are swept as soon as they are indexed (no settle time), so the test need not wait for it.
        await using var session = await ConsoleSession.StartAsync(fixture, new Dictionary<string, string?> { ["Retention:IngestSettleTime"] = "00:00:00" });
        var old = DateTimeOffset.UtcNow.AddDays(-40).ToString("yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture);
        var expired = $"oslo-1/cam-1/{old}.mp4";
        var held = $"oslo-1/cam-9/{old}.mp4";
        await Storage.UploadAsync(session, fixture, session.Storage.CctvContainer, expired, RandomNumberGenerator.GetBytes(2048));
        await Storage.UploadAsync(session, fixture, session.Storage.CctvContainer, held, RandomNumberGenerator.GetBytes(1024));
        await Storage.WaitForIndexAsync(session, session.Storage.CctvContainer, expired, held);
        using (var security = session.Runner.ClientFor(TestKeys.Security))
        {
            await Storage.PostJsonAsync<PlacedHoldResponse>(security, "/api/holds", new
            {
                caseNumber = "OPD-77",
                reason = "Assault on the platform",
                requestedBy = new { agency = "oslo-pd", officer = "Sgt. Berg" },
                scope = new { type = "cctv", site = "oslo-1", cameras = new[] { "cam-9" }, from = DateTimeOffset.UtcNow.AddDays(-41), to = DateTimeOffset.UtcNow.AddDays(-39) },
            });
        }

        await session.SignInAsync(TestKeys.Admin, "admin-1");
        var page = session.Page;
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Retention", Exact = true })).ToBeVisibleAsync();
        await Expect(page.Locator("#nav a")).ToHaveTextAsync(["Media", "Holds", "Requests", "Place a hold", "Retention", "Audit log", "Subject requests"]);

        // The preview: one clip would go, one is kept by the hold (named by its case number).
        await Expect(page.Locator("main").GetByText("Audit chain intact")).ToBeVisibleAsync();
        await Expect(page.Locator("dl.facts").First).ToContainTextAsync("1 recording (2.0 KB)");
        await Expect(page.GetByRole(AriaRole.Cell, new() { Name = expired })).ToBeVisibleAsync();
        await Expect(page.GetByRole(AriaRole.Link, new() { Name = "OPD-77" })).ToBeVisibleAsync();
        await session.ScreenshotAsync("admin-retention-preview");

        // The sweep runs in the background as an operation; the page polls it and shows its progress. The first looks
        // are answered with a running operation, so the progress is seen whatever the speed of the real sweep.
        var running = 0;
        await page.RouteAsync("**/api/operations/*", async route =>
        {
            Interlocked.Increment(ref running);
            var real = await route.FetchAsync();
            var body = JsonNode.Parse(await real.TextAsync())!.AsObject();
            body["status"] = "running";
            body["progress"] = new JsonObject
            {
                ["phase"] = "expired", ["reconciled"] = 0, ["expired"] = 2, ["deleted"] = 0, ["alreadyGone"] = 0, ["heldKept"] = 1,
                ["deferred"] = 0, ["blocked"] = 0, ["failures"] = 0,
            };
            body["result"] = null;
            await route.FulfillAsync(new() { Response = real, Body = body.ToJsonString() });
        });
        await page.GetByRole(AriaRole.Button, new() { Name = "Sweep now" }).ClickAsync();
        await Expect(page.Locator("main").GetByText("Sweeping (deleting expired recordings)… 0 deleted, 1 kept by holds, 2 expired looked at so far.")).ToBeVisibleAsync();
        await Expect(page.GetByRole(AriaRole.Button, new() { Name = "Sweep now" })).ToBeDisabledAsync();
        await session.ScreenshotAsync("admin-retention-sweeping");
        await page.UnrouteAllAsync();
        Assert.True(running > 0);
        await Expect(page.Locator("main").GetByText("Sweep finished: 1 deleted, 1 kept by holds")).ToBeVisibleAsync(new() { Timeout = 30_000 });
        // The held clip has expired too: the preview does not claim that nothing has.
        await Expect(page.Locator("main").GetByText("Nothing to delete: every expired recording is kept by a hold (below).")).ToBeVisibleAsync();
        await Expect(page.Locator("main").GetByText("Audit chain intact")).ToBeVisibleAsync();
        await session.ScreenshotAsync("admin-retention-swept");

        // The audit log: the deletion is there, filterable by action; the chain check is at the top.
        await page.GetByRole(AriaRole.Link, new() { Name = "Audit log" }).ClickAsync();
        await Expect(page.Locator("main").GetByText("Audit chain intact")).ToBeVisibleAsync();
        await page.GetByLabel("Action", new() { Exact = true }).SelectOptionAsync("media.deleted");
        var rows = page.Locator("table tbody tr");
        await Expect(rows).ToHaveCountAsync(1);
        await Expect(rows.First).ToContainTextAsync(expired);
        await page.GetByLabel("Action", new() { Exact = true }).SelectOptionAsync("");
        await session.ScreenshotAsync("admin-audit");

        using var admin = session.Runner.ClientFor(TestKeys.Admin);
        var verification = (await admin.GetFromJsonAsync<AuditVerification>("/api/audit/verify", JsonSerializerOptions.Web))!;
        Assert.True(verification.Intact);
        await Expect(page.Locator(".notice-good")).ToContainTextAsync($"{verification.EntriesChecked - 0}");
        session.AssertNothingUnexpectedRan();
    }
}
