using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json.Nodes;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using MediaRetention.Api.Holds;
using MediaRetention.BrowserTests.Infrastructure;
using MediaRetention.Core.Evidence;
using MediaRetention.Core.Ingest;
using MediaRetention.IntegrationTests.Infrastructure;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace MediaRetention.BrowserTests;

/// <summary>
/// The privacy officer in the browser: the queue with the overdue request first, opening an erasure request, the dry
/// run, the erasure that keeps the held call (saying so without its case number), answering; and an access request
/// whose chosen recordings are exported and verified in the browser.
/// </summary>
[Collection(BrowserCollection.Name)]
public sealed class PrivacyConsoleTests(BrowserFixture fixture)
{
    private const string Subject = "+4791234567";
    private const string CaseNumber = "OPD-2026-4711";

    [Fact]
    public async Task Privacy_officer_sees_the_overdue_request_first_then_erases_a_callers_calls_but_the_held_one_and_answers()
    {
        await using var session = await ConsoleSession.StartAsync(fixture);
        var now = DateTimeOffset.UtcNow;
        var calls = new (string Name, string Caller)[]
        {
            ($"pbx-1/{Stamp(now.AddDays(-3))}_c-1.wav", Subject),
            ($"pbx-1/{Stamp(now.AddDays(-2))}_c-2.wav", Subject),
            ($"pbx-1/{Stamp(now.AddDays(-1))}_c-held.wav", Subject),
            ($"pbx-1/{Stamp(now.AddDays(-1))}_c-other.wav", "+4799887766"),
        };
        foreach (var (name, caller) in calls)
        {
            await UploadCallAsync(session, name, caller);
        }

        await Storage.WaitForIndexAsync(session, session.Storage.CallsContainer, calls.Select(c => c.Name).ToArray());
        using (var security = session.Runner.ClientFor(TestKeys.Security))
        {
            await Storage.PostJsonAsync<PlacedHoldResponse>(security, "/api/holds", new
            {
                caseNumber = CaseNumber,
                reason = "Threats made in this call",
                requestedBy = new { agency = "oslo-pd", officer = "Insp. Hansen" },
                scope = new { type = "call", callId = "c-held" },
            });
        }

        using (var privacyApi = session.Runner.ClientFor(TestKeys.Privacy))
        {
            await Storage.PostJsonAsync<JsonObject>(privacyApi, "/api/subject-requests", new
            {
                type = "access", receivedAt = Iso(now.AddDays(-35)), reference = "DSR-2026-0031", phone = new { number = "+4799887766" },
            });
            await Storage.PostJsonAsync<JsonObject>(privacyApi, "/api/subject-requests", new
            {
                type = "access", receivedAt = Iso(now.AddDays(-3)), reference = "DSR-2026-0040",
                cctv = new[] { new { site = "oslo-1", cameras = new[] { "cam-2" }, from = Iso(now.AddDays(-4)), to = Iso(now.AddDays(-4).AddHours(1)), description = "Blue coat" } },
            });
        }

        await session.SignInAsync(TestKeys.Privacy, "dpo-1");
        var page = session.Page;

        // The queue: the privacy officer's start page, overdue first.
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Data-subject requests" })).ToBeVisibleAsync();
        await Expect(page.Locator("#nav a")).ToHaveTextAsync(["Subject requests", "New request"]);
        await Expect(page.Locator("main .notice-bad")).ToContainTextAsync("1 request is overdue");
        var rows = page.Locator("table tbody tr");
        await Expect(rows).ToHaveCountAsync(2);
        await Expect(rows.First).ToContainTextAsync("DSR-2026-0031");
        await Expect(rows.First).ToContainTextAsync("Overdue by 5 days");
        await Expect(rows.Nth(1)).ToContainTextAsync("27 days left");
        await session.ScreenshotAsync("privacy-queue");

        // A new erasure request, the number written as the person wrote it.
        await page.GetByRole(AriaRole.Link, new() { Name = "New request", Exact = true }).First.ClickAsync();
        await page.GetByLabel("Erasure: delete their data").CheckAsync();
        await page.GetByLabel("Reference", new() { Exact = true }).FillAsync("DSR-2026-0042");
        await page.GetByLabel("Phone number", new() { Exact = true }).FillAsync("+47 912 34 567");
        await page.GetByRole(AriaRole.Button, new() { Name = "Open request" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Erasure request DSR-2026-0042" })).ToBeVisibleAsync();
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Recordings that match (3)" })).ToBeVisibleAsync();
        var held = page.Locator("tbody tr", new() { HasText = "c-held" });
        await Expect(held).ToContainTextAsync("Kept by a hold");
        await Expect(page.Locator("main")).ToContainTextAsync("1 recording must be kept beyond that date because we are legally obliged");

        // Listening to one is possible (and audited), through a link for this request only.
        await page.GetByRole(AriaRole.Button, new() { Name = $"Play {calls[0].Name}" }).ClickAsync();
        await page.WaitForFunctionAsync("() => { const a = document.querySelector('main audio'); return a && a.readyState >= 1; }");

        // The dry run first: two would go, the held call stays.
        await page.GetByRole(AriaRole.Button, new() { Name = "Dry run" }).ClickAsync();
        await Expect(page.Locator("main")).ToContainTextAsync("Dry run: 2 would be deleted, 1 kept by holds");
        await Expect(page.GetByRole(AriaRole.Table, new() { Name = "Recordings the erasure would delete" }).Locator("tbody tr")).ToHaveCountAsync(2);
        await session.ScreenshotAsync("privacy-erasure-dry-run");
        Assert.True(await ExistsAsync(session, calls[0].Name));

        await page.GetByRole(AriaRole.Button, new() { Name = "Erase 2 recordings" }).ClickAsync();
        await Expect(page.Locator("main .notice-good").First).ToContainTextAsync("Erased: 2 deleted, 1 kept by holds", new() { Timeout = 30_000 });
        await Expect(page.Locator("main")).ToContainTextAsync("1 recording could not be erased because we are legally obliged");
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Recordings that match (1)" })).ToBeVisibleAsync();
        await session.ScreenshotAsync("privacy-erasure-done");
        var remaining = await Task.WhenAll(calls.Select(c => ExistsAsync(session, c.Name)));
        Assert.Equal(new[] { false, false, true, true }, remaining);

        // Answer and close; the officer's page never showed the hold's case number.
        await page.GetByLabel("Answer to the person").FillAsync("We erased 2 recordings; 1 is kept because we are legally obliged to preserve it.");
        await page.GetByRole(AriaRole.Button, new() { Name = "Answer and close" }).ClickAsync();
        await Expect(page.Locator("main .notice-good").First).ToContainTextAsync("Answered by dpo-1");
        Assert.DoesNotContain(CaseNumber, await page.Locator("body").InnerTextAsync(), StringComparison.Ordinal);
        session.AssertNothingUnexpectedRan();
    }

    [Fact]
    public async Task Privacy_officer_discloses_chosen_recordings_and_verifies_the_export_in_the_browser()
    {
        await using var session = await ConsoleSession.StartAsync(fixture);
        var now = DateTimeOffset.UtcNow.AddDays(-1);
        var at = new DateTimeOffset(now.Ticks - (now.Ticks % TimeSpan.TicksPerSecond), TimeSpan.Zero);
        var alone = $"oslo-1/cam-1/{Stamp(at)}.mp4";
        var crowded = $"oslo-1/cam-1/{Stamp(at.AddMinutes(1))}.mp4";
        var call = $"pbx-1/{Stamp(at)}_c-7.wav";
        await Storage.UploadAsync(session, fixture, session.Storage.CctvContainer, alone, RandomNumberGenerator.GetBytes(30_000));
        await Storage.UploadAsync(session, fixture, session.Storage.CctvContainer, crowded, RandomNumberGenerator.GetBytes(20_000));
        await UploadCallAsync(session, call, Subject);
        await Storage.WaitForIndexAsync(session, session.Storage.CctvContainer, alone, crowded);
        await Storage.WaitForIndexAsync(session, session.Storage.CallsContainer, call);
        using (var privacyApi = session.Runner.ClientFor(TestKeys.Privacy))
        {
            await Storage.PostJsonAsync<JsonObject>(privacyApi, "/api/subject-requests", new
            {
                type = "access",
                receivedAt = Iso(DateTimeOffset.UtcNow),
                reference = "DSR/2026/7",
                phone = new { number = Subject },
                cctv = new[] { new { site = "oslo-1", cameras = new[] { "cam-1" }, from = Iso(at.AddMinutes(-5)), to = Iso(at.AddMinutes(5)), description = "Red jacket" } },
            });
        }

        await session.SignInAsync(TestKeys.Privacy, "dpo-1");
        var page = session.Page;
        await page.GetByRole(AriaRole.Link, new() { Name = "DSR/2026/7" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Recordings that match (3)" })).ToBeVisibleAsync();
        await Expect(page.Locator("main")).ToContainTextAsync("Looking for: Red jacket");

        // Nothing disclosed yet: answering is refused with what to do.
        await page.GetByLabel("Answer to the person").FillAsync("Here is your copy.");
        await page.GetByRole(AriaRole.Button, new() { Name = "Answer and close" }).ClickAsync();
        await Expect(page.Locator("main .notice-bad")).ToContainTextAsync("issue an access export first");

        await page.GetByLabel($"Disclose {alone}").CheckAsync();
        await page.GetByLabel($"Disclose {call}").CheckAsync();
        await Expect(page.Locator("main")).ToContainTextAsync("2 of 3 selected");
        await page.GetByLabel("Why these recordings").FillAsync("The second clip also shows other customers; it is not disclosed.");
        await page.GetByRole(AriaRole.Button, new() { Name = "Issue export of the selected recordings" }).ClickAsync();
        await Expect(page.Locator("main .notice-good").First).ToContainTextAsync("Export issued: 2 files");

        var download = await page.RunAndWaitForDownloadAsync(() => page.GetByRole(AriaRole.Link, new() { Name = "Download export" }).ClickAsync());
        Assert.Equal("subject-access-DSR_2026_7.json", download.SuggestedFilename);
        var manifest = JsonNode.Parse(await File.ReadAllTextAsync((await download.PathAsync())!))!.AsObject();
        Assert.True(CanonicalJson.IsIntact(manifest));
        Assert.Equal([alone, call], manifest["items"]!.AsArray().Select(i => (string)i!["blobName"]!).Order(StringComparer.Ordinal));

        await page.GetByRole(AriaRole.Button, new() { Name = "Verify in this browser" }).ClickAsync();
        await Expect(page.Locator("main")).ToContainTextAsync("Seal: PASS · Signature: PASS · Files: 2 passed, 0 failed", new() { Timeout = 30_000 });
        await session.ScreenshotAsync("privacy-access-export-verified");

        await page.GetByRole(AriaRole.Button, new() { Name = "Answer and close" }).ClickAsync();
        await Expect(page.Locator("main .notice-good").First).ToContainTextAsync("Answered by dpo-1");
        await Expect(page.Locator("main")).ToContainTextAsync("Export of 2 recordings");
        session.AssertNothingUnexpectedRan();
    }

    private static string Stamp(DateTimeOffset t) => UploadContract.FormatTimestamp(t);

    private static string Iso(DateTimeOffset t) => t.ToString("O", CultureInfo.InvariantCulture);

    private async Task UploadCallAsync(ConsoleSession session, string name, string caller)
    {
        var container = new BlobContainerClient(fixture.Azurite.ConnectionString, session.Storage.CallsContainer);
        await container.CreateIfNotExistsAsync();
        await container.GetBlobClient(name).UploadAsync(new BinaryData(MediaFixtures.Wav(seconds: 1)), new BlobUploadOptions
        {
            HttpHeaders = new BlobHttpHeaders { ContentType = "audio/wav" },
            Metadata = new Dictionary<string, string> { ["direction"] = "inbound", ["caller"] = caller, ["callee"] = "+4722000000" },
        });
    }

    private async Task<bool> ExistsAsync(ConsoleSession session, string name) =>
        (await new BlobContainerClient(fixture.Azurite.ConnectionString, session.Storage.CallsContainer).GetBlobClient(name).ExistsAsync()).Value;
}
