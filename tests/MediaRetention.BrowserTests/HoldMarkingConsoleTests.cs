using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text.Json;
using MediaRetention.Api.Holds;
using MediaRetention.BrowserTests.Infrastructure;
using MediaRetention.Core.Holds;
using MediaRetention.IntegrationTests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace MediaRetention.BrowserTests;

/// <summary>
/// Security places a hold covering more than Holds:InlineMarkLimit recordings: the console says the hold is in force and
/// that marking continues in the background, follows the marking operation, and says when it is complete.
/// </summary>
[Collection(BrowserCollection.Name)]
public sealed class HoldMarkingConsoleTests(BrowserFixture fixture)
{
    private static readonly string[] Clips = [.. Enumerable.Range(0, 6).Select(i => $"oslo-1/cam-0{i % 2}/20261120T10{i}000Z.mp4")];

    [Fact]
    public async Task Security_places_a_large_hold_and_sees_its_marking_continue_in_the_background_until_complete()
    {
        // Background marks wait at a gate, so the page can be seen while marking runs; the request's own marks pass.
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var session = await ConsoleSession.StartAsync(fixture,
            new Dictionary<string, string?> { ["Holds:InlineMarkLimit"] = "2", ["Holds:BackgroundMarkPageSize"] = "2" },
            configure: builder => builder.Services.AddSingleton<IBlobHoldMarks>(sp =>
                new GatedMarks(ActivatorUtilities.CreateInstance<AzureBlobHoldMarks>(sp), passing: 2, gate.Task)));
        foreach (var clip in Clips)
        {
            await Storage.UploadAsync(session, fixture, session.Storage.CctvContainer, clip, RandomNumberGenerator.GetBytes(1024));
        }

        await Storage.WaitForIndexAsync(session, session.Storage.CctvContainer, Clips);
        await session.SignInAsync(TestKeys.Security, "guard-1");
        var page = session.Page;

        await page.GetByRole(AriaRole.Link, new() { Name = "Place a hold", Exact = true }).ClickAsync();
        await page.GetByLabel("Case number", new() { Exact = true }).FillAsync("OPD-2026-5000");
        await page.GetByLabel("Requesting agency", new() { Exact = true }).FillAsync("oslo-pd");
        await page.GetByLabel("Requesting officer", new() { Exact = true }).FillAsync("Insp. Hansen");
        await page.GetByLabel("Reason", new() { Exact = true }).FillAsync("Whole site held for the investigation");
        await page.GetByLabel("CCTV of a site in a time window", new() { Exact = true }).CheckAsync();
        await page.GetByLabel("Site", new() { Exact = true }).FillAsync("oslo-1");
        await page.GetByLabel("From", new() { Exact = true }).FillAsync("2026-11-20T09:00");
        await page.GetByLabel("To", new() { Exact = true }).FillAsync("2026-11-20T12:00");
        await page.GetByRole(AriaRole.Button, new() { Name = "Preview what it covers" }).ClickAsync();
        await Expect(page.Locator("main").GetByText("This hold would keep 6 recordings now")).ToBeVisibleAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Place hold" }).ClickAsync();

        // The hold's page: in force now, marking in the background (2 marked in the request so far).
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Hold OPD-2026-5000" })).ToBeVisibleAsync();
        await Expect(page.Locator("main").GetByText("Marking continues in the background")).ToBeVisibleAsync();
        await Expect(page.Locator("main")).ToContainTextAsync("This hold is in force now");
        await Expect(page.Locator("dl.facts")).ToContainTextAsync("in progress, in the background");
        await session.ScreenshotAsync("security-hold-marking");

        using (var security = session.Runner.ClientFor(TestKeys.Security))
        {
            var holds = (await security.GetFromJsonAsync<HoldListResponse>("/api/holds", JsonSerializerOptions.Web))!;
            var detail = (await security.GetFromJsonAsync<HoldDetailResponse>($"/api/holds/{Assert.Single(holds.Items).Id}", JsonSerializerOptions.Web))!;
            Assert.Equal((HoldMarkingStates.InProgress, (int?)2), (detail.Marking!.State, detail.Marking.MarkedMedia));
        }

        gate.SetResult();
        await Expect(page.Locator("main").GetByText("Marking complete")).ToBeVisibleAsync();
        await Expect(page.Locator("main")).ToContainTextAsync("All 6 recordings this hold covers are marked held.");
        await Expect(page.Locator("dl.facts")).ToContainTextAsync("complete (6 recordings)");
        await session.ScreenshotAsync("security-hold-marked");
        session.AssertNothingUnexpectedRan();
    }

    /// <summary>The real marks; every held mark after the first <c>passing</c> waits for the gate.</summary>
    private sealed class GatedMarks(IBlobHoldMarks inner, int passing, Task gate) : IBlobHoldMarks
    {
        private int held;

        public async Task<bool> MarkHeldAsync(string container, string blobName, CancellationToken cancellationToken)
        {
            if (Interlocked.Increment(ref held) > passing)
            {
                await gate.WaitAsync(cancellationToken);
            }

            return await inner.MarkHeldAsync(container, blobName, cancellationToken);
        }

        public Task<bool> MarkNotHeldAsync(string container, string blobName, string etag, CancellationToken cancellationToken) =>
            inner.MarkNotHeldAsync(container, blobName, etag, cancellationToken);

        public Task<string?> GetMarkAsync(string container, string blobName, CancellationToken cancellationToken) =>
            inner.GetMarkAsync(container, blobName, cancellationToken);
    }
}
