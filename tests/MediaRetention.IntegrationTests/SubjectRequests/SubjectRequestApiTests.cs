using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Azure.Data.Tables;
using Azure.Storage.Blobs.Models;
using MediaRetention.Api.Holds;
using MediaRetention.Api.Media;
using MediaRetention.Api.SubjectRequests;
using MediaRetention.Core.Audit;
using MediaRetention.Core.Evidence;
using MediaRetention.Core.Ingest;
using MediaRetention.Core.Media;
using MediaRetention.Core.Retention;
using MediaRetention.IntegrationTests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace MediaRetention.IntegrationTests.SubjectRequests;

/// <summary>
/// The privacy officer's flows through the real runner with dev-style keys, as the issue's "done when" states them: an
/// erasure by phone number deletes the caller's unheld calls at once, keeps a held one and says so, and a later sweep
/// changes nothing; an access export verifies with scripts/fetch-evidence.mjs; an open request past its due date is
/// overdue (fake clock).
/// </summary>
[Collection(AzuriteCollection.Name)]
public sealed class SubjectRequestApiTests(AzuriteFixture azurite) : IDisposable
{
    private const string SubjectNumber = "+4791234567";
    private const string SubjectDigits = "91234567";
    private const string OtherNumber = "+4799887766";
    private static readonly TimeSpan IngestDeadline = TimeSpan.FromSeconds(15);
    private readonly DirectoryInfo work = Directory.CreateTempSubdirectory("subject-requests-");

    [Fact]
    public async Task Erasure_by_phone_deletes_the_unheld_calls_at_once_keeps_the_held_one_and_a_later_sweep_changes_nothing()
    {
        var storage = AzuriteFixture.UniqueStorageOptions();
        await using var runner = await RunnerHost.StartAsync(azurite.ConnectionString, storage,
            new Dictionary<string, string?> { ["Retention:IngestSettleTime"] = "00:00:00" });
        using var privacy = runner.ClientFor(TestKeys.Privacy);
        using var security = runner.ClientFor(TestKeys.Security);
        using var admin = runner.ClientFor(TestKeys.Admin);
        var now = DateTimeOffset.UtcNow;
        var calls = new (string Name, string? Caller, string? Callee, DateTimeOffset RecordedAt)[]
        {
            ($"pbx-1/{Stamp(now.AddDays(-3))}_c-1.wav", SubjectNumber, "+4722000000", now.AddDays(-3)),
            ($"pbx-1/{Stamp(now.AddDays(-2))}_c-2.wav", "+4722000000", "+47 912 34 567", now.AddDays(-2)), // callee, written differently
            ($"pbx-2/{Stamp(now.AddDays(-1))}_c-3.wav", SubjectNumber, null, now.AddDays(-1)),
            ($"pbx-1/{Stamp(now.AddDays(-40))}_c-held.wav", SubjectNumber, "+4722000000", now.AddDays(-40)), // expired, kept by a hold
            ($"pbx-1/{Stamp(now.AddDays(-2))}_c-other.wav", OtherNumber, "+4722000000", now.AddDays(-2)),
        };
        foreach (var call in calls)
        {
            await UploadCallAsync(storage.CallsContainer, call.Name, call.Caller, call.Callee);
        }

        await runner.WaitForAsync<MediaListResponse>("/api/media?kind=call", r => r.Items.Count == calls.Length, IngestDeadline);
        var held = (await PostAsync<PlacedHoldResponse>(security, "/api/holds", new
        {
            caseNumber = "OPD-2026-4711",
            reason = "Threats made in this call",
            requestedBy = new { agency = "oslo-pd", officer = "Insp. Hansen" },
            scope = new { type = "call", callId = "c-held" },
        })).Hold;

        // The officer opens the case with the number as the subject wrote it.
        var opened = await privacy.PostAsJsonAsync("/api/subject-requests", new
        {
            type = "erasure",
            receivedAt = now.AddDays(-2).ToString("O", CultureInfo.InvariantCulture),
            reference = "DSR-2026-0042",
            phone = new { number = "+47 91 23 45 67" },
            note = "Identity checked at reception (passport).",
        });
        Assert.Equal(HttpStatusCode.Created, opened.StatusCode);
        var request = (await opened.Content.ReadFromJsonAsync<SubjectRequestView>(JsonSerializerOptions.Web))!;
        Assert.Equal(("erasure", "open", false), (request.Type, request.Status, request.Overdue));
        Assert.Equal(request.ReceivedAt.AddDays(30), request.DueAt);
        Assert.Equal("+********67", request.Phone!.Number);

        var subjectIds = calls.Take(4).Select(c => MediaId.For(storage.CallsContainer, c.Name)).ToHashSet();
        var heldId = MediaId.For(storage.CallsContainer, calls[3].Name);
        var detail = (await privacy.GetFromJsonAsync<SubjectRequestDetailResponse>($"/api/subject-requests/{request.Id}", JsonSerializerOptions.Web))!;
        Assert.Equal(subjectIds.Order(), detail.Matches.Items.Select(m => m.MediaId).Order());
        Assert.Equal([held.Id], detail.Matches.Items.Single(m => m.MediaId == heldId).HoldIds);
        Assert.DoesNotContain(detail.Matches.Items, m => (m.Caller + m.Callee).Contains(SubjectDigits, StringComparison.Ordinal));

        // The dry run: three would go, the held one stays; nothing is touched.
        var preview = await PostAsync<ErasurePreviewResponse>(privacy, $"/api/subject-requests/{request.Id}/erasure/preview", new { });
        Assert.Equal((4, 3, 1, false), (preview.Matched, preview.WouldDelete, preview.KeptByHolds, preview.NeedsConfirmation));
        Assert.Equal([held.Id], preview.Kept.Single().HoldIds);
        Assert.All(calls, c => Assert.True(Exists(storage.CallsContainer, c.Name)));

        // Answering before erasing is refused: nothing has been done yet.
        var early = await privacy.PostAsJsonAsync($"/api/subject-requests/{request.Id}/answer", new { answer = "Done." });
        Assert.Equal(HttpStatusCode.Conflict, early.StatusCode);

        var erased = await PostAsync<ErasureResponse>(privacy, $"/api/subject-requests/{request.Id}/erasure", new { });
        Assert.Equal((4, 3, 0, 1, 0), (erased.Matched, erased.Deleted, erased.AlreadyGone, erased.KeptByHolds, erased.NotDeleted));
        Assert.Equal([held.Id], erased.Kept.Single().HoldIds);
        var told = string.Join('\n', erased.SubjectSummary.Lines);
        Assert.Contains("3 recordings", told, StringComparison.Ordinal);
        Assert.Contains("1 recording could not be erased because we are legally obliged", told, StringComparison.Ordinal);
        Assert.DoesNotContain("OPD-2026-4711", told, StringComparison.Ordinal);
        Assert.DoesNotContain(held.Id, JsonSerializer.Serialize(erased.SubjectSummary), StringComparison.Ordinal);

        // At once: the unheld calls are gone from storage and from the index; the held one and the other caller's stay.
        foreach (var call in calls)
        {
            var id = MediaId.For(storage.CallsContainer, call.Name);
            var shouldRemain = id == heldId || call.Caller == OtherNumber;
            Assert.True(shouldRemain == Exists(storage.CallsContainer, call.Name), $"{call.Name}: expected {(shouldRemain ? "kept" : "deleted")}");
            Assert.Equal(shouldRemain ? HttpStatusCode.OK : HttpStatusCode.NotFound, (await security.GetAsync($"/api/media/{id}")).StatusCode);
        }

        // No index row of the erased calls is left, lookup rows and phone-number hashes included.
        var mediaTable = azurite.TableService.GetTableClient(storage.MediaTable);
        var rows = await mediaTable.QueryAsync<TableEntity>().ToListAsync();
        var erasedIds = subjectIds.Where(id => id != heldId).ToList();
        Assert.DoesNotContain(rows, r => erasedIds.Any(id => r.RowKey.Contains(id, StringComparison.Ordinal)));
        Assert.DoesNotContain(rows, r => erasedIds.Contains(r.GetString("MediaId")));
        Assert.Equal(2, rows.Count(r => r.PartitionKey.StartsWith("m|", StringComparison.Ordinal) && !r.RowKey.StartsWith(MediaTableLayout.NameRowPrefix, StringComparison.Ordinal)));
        Assert.Equal(2, rows.Count(r => r.RowKey.StartsWith(MediaTableLayout.NameRowPrefix, StringComparison.Ordinal)));

        // Each deletion is audited with the request's id; nowhere in the log or the case is the full number.
        var audit = (await admin.GetFromJsonAsync<AuditPage>("/api/audit?pageSize=1000", JsonSerializerOptions.Web))!;
        var deletions = audit.Items.Where(e => e.Action == AuditActions.MediaDeleted).ToList();
        Assert.Equal(erasedIds.Order(), deletions.Select(e => e.Target["media/".Length..]).Order());
        Assert.All(deletions, e => Assert.Equal((request.Id, "dpo-1"), (e.Details["subjectRequestId"], e.Actor)));
        Assert.Contains(audit.Items, e => e.Action == AuditActions.SubjectRequestOpened && e.Details["phone"] == "+********67");
        Assert.Contains(audit.Items, e => e.Action == AuditActions.SubjectRequestErased && e.Details["keptHoldIds"] == held.Id && e.Details["deleted"] == "3");
        Assert.DoesNotContain(SubjectDigits, JsonSerializer.Serialize(audit), StringComparison.Ordinal);
        var caseRows = await azurite.TableService.GetTableClient(storage.SubjectRequestsTable).QueryAsync<TableEntity>().ToListAsync();
        Assert.NotEmpty(caseRows);
        Assert.DoesNotContain(caseRows.SelectMany(r => r.Select(p => p.Value)).OfType<string>(), v => v.Contains(SubjectDigits, StringComparison.Ordinal));

        // A later sweep changes nothing: the held call is expired but kept, everything else is unexpired or gone.
        var before = await BlobNamesAsync(storage.CallsContainer);
        var sweep = await admin.SweepAsync();
        Assert.Equal((0, 0, 1), (sweep.Deleted, sweep.AlreadyGone, sweep.HeldKept));
        Assert.Equal(before, await BlobNamesAsync(storage.CallsContainer));

        // Now it can be answered: who and when are recorded; a second answer is refused.
        var answered = await PostAsync<SubjectRequestView>(privacy, $"/api/subject-requests/{request.Id}/answer",
            new { answer = "We erased 3 recordings; 1 is kept because we are legally obliged to preserve it." });
        Assert.Equal(("answered", "dpo-1", false), (answered.Status, answered.AnsweredBy, answered.Overdue));
        Assert.NotNull(answered.AnsweredAt);
        Assert.Equal(HttpStatusCode.Conflict, (await privacy.PostAsJsonAsync($"/api/subject-requests/{request.Id}/answer", new { answer = "again" })).StatusCode);
        Assert.Equal(HttpStatusCode.Conflict, (await privacy.PostAsJsonAsync($"/api/subject-requests/{request.Id}/erasure", new { })).StatusCode);
        Assert.Contains((await admin.GetFromJsonAsync<AuditPage>("/api/audit?pageSize=1000", JsonSerializerOptions.Web))!.Items,
            e => e.Action == AuditActions.SubjectRequestAnswered && e.Actor == "dpo-1" && e.Target == "subject-request/" + request.Id);
        Assert.True((await admin.GetFromJsonAsync<AuditVerification>("/api/audit/verify", JsonSerializerOptions.Web))!.Intact);
    }

    [Fact]
    public async Task An_access_export_of_chosen_media_verifies_with_the_fetch_script_and_withholds_case_numbers()
    {
        var storage = AzuriteFixture.UniqueStorageOptions();
        await using var runner = await RunnerHost.StartAsync(azurite.ConnectionString, storage);
        using var privacy = runner.ClientFor(TestKeys.Privacy);
        using var security = runner.ClientFor(TestKeys.Security);
        using var admin = runner.ClientFor(TestKeys.Admin);
        var at = CoreHarness.TruncateToSeconds(DateTimeOffset.UtcNow.AddDays(-1));
        var clips = new Dictionary<string, byte[]>
        {
            [$"oslo-1/cam-1/{Stamp(at)}.mp4"] = RandomNumberGenerator.GetBytes(40_000),
            [$"oslo-1/cam-1/{Stamp(at.AddMinutes(1))}.mp4"] = RandomNumberGenerator.GetBytes(20_000),
            [$"oslo-1/cam-2/{Stamp(at.AddMinutes(1))}.mp4"] = RandomNumberGenerator.GetBytes(1_000), // another camera: no match
        };
        var cctv = azurite.BlobService.GetBlobContainerClient(storage.CctvContainer);
        await cctv.CreateIfNotExistsAsync();
        foreach (var (name, content) in clips)
        {
            await cctv.GetBlobClient(name).UploadAsync(new BinaryData(content));
        }

        var call = $"pbx-1/{Stamp(at)}_c-9.wav";
        await UploadCallAsync(storage.CallsContainer, call, SubjectNumber, "+4722000000");
        await runner.WaitForAsync<MediaListResponse>("/api/media", r => r.Items.Count == 4, IngestDeadline);
        var hold = (await PostAsync<PlacedHoldResponse>(security, "/api/holds", new
        {
            caseNumber = "OPD-2026-0777",
            reason = "Shoplifting",
            requestedBy = new { agency = "oslo-pd", officer = "Sgt. Berg" },
            scope = new { type = "media", mediaIds = new[] { MediaId.For(storage.CctvContainer, clips.Keys.First()) } },
        })).Hold;

        var request = await PostAsync<SubjectRequestView>(privacy, "/api/subject-requests", new
        {
            type = "access",
            receivedAt = DateTimeOffset.UtcNow.ToString("O", CultureInfo.InvariantCulture),
            reference = "DSR/2026/7",
            phone = new { number = SubjectNumber, from = at.AddHours(-1).ToString("O", CultureInfo.InvariantCulture), to = at.AddHours(1).ToString("O", CultureInfo.InvariantCulture) },
            cctv = new[]
            {
                new { site = "oslo-1", cameras = new[] { "cam-1" }, from = at.AddMinutes(-5).ToString("O", CultureInfo.InvariantCulture), to = at.AddMinutes(5).ToString("O", CultureInfo.InvariantCulture), description = "Red jacket, grey backpack" },
            },
        });
        var detail = (await privacy.GetFromJsonAsync<SubjectRequestDetailResponse>($"/api/subject-requests/{request.Id}", JsonSerializerOptions.Web))!;
        Assert.Equal(3, detail.Matches.Count);
        Assert.Equal("Red jacket, grey backpack", detail.Request.Cctv.Single().Description);
        Assert.Contains(detail.Summary.Lines, l => l.Contains("legally obliged", StringComparison.Ordinal));

        // Nothing given yet: answering is refused. A medium that does not match cannot be disclosed.
        Assert.Equal(HttpStatusCode.Conflict, (await privacy.PostAsJsonAsync($"/api/subject-requests/{request.Id}/answer", new { answer = "x" })).StatusCode);
        var foreign = MediaId.For(storage.CctvContainer, clips.Keys.Last());
        var refused = await privacy.PostAsJsonAsync($"/api/subject-requests/{request.Id}/export", new { mediaIds = new[] { foreign }, reason = "r" });
        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        Assert.Contains("'mediaIds[0]'", await refused.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        // The officer looks at a matching clip before choosing (audited with the request); others are not theirs to see.
        var look = (await privacy.GetFromJsonAsync<MediaLinkResponse>(
            $"/api/subject-requests/{request.Id}/media/{MediaId.For(storage.CctvContainer, clips.Keys.First())}/link", JsonSerializerOptions.Web))!;
        using (var plain = new HttpClient())
        {
            Assert.Equal(clips.Values.First(), await plain.GetByteArrayAsync(look.Url));
        }

        Assert.Equal(HttpStatusCode.NotFound, (await privacy.GetAsync($"/api/subject-requests/{request.Id}/media/{foreign}/link")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await privacy.GetAsync($"/api/media/{foreign}/link")).StatusCode);

        // The officer discloses the subject's call and one clip (the other shows other customers), with the reason.
        var chosen = new[] { MediaId.For(storage.CallsContainer, call), MediaId.For(storage.CctvContainer, clips.Keys.Skip(1).First()) };
        var response = await privacy.PostAsJsonAsync($"/api/subject-requests/{request.Id}/export",
            new { mediaIds = chosen, reason = "The 08:15 clip also shows two other customers; only the clip where the subject is alone is disclosed.", linkLifetime = "PT2H" });
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        var text = await response.Content.ReadAsStringAsync();
        var manifest = JsonNode.Parse(text)!.AsObject();
        Assert.True(CanonicalJson.IsIntact(manifest));
        Assert.Equal(2, manifest["items"]!.AsArray().Count);
        Assert.Equal(request.Id, (string?)manifest["subjectRequest"]!["id"]);
        Assert.Equal(3, manifest["summary"]!["records"]!.AsArray().Count);
        Assert.Contains(manifest["summary"]!["records"]!.AsArray(), r => (string?)r!["caller"] == "+********67");
        foreach (var withheld in new[] { SubjectDigits, "OPD-2026-0777", hold.Id, "oslo-pd", "Red jacket" })
        {
            Assert.DoesNotContain(withheld, text, StringComparison.Ordinal);
        }

        var path = Path.Combine(work.FullName, "subject-access.json");
        await File.WriteAllTextAsync(path, text);
        await File.WriteAllTextAsync(Path.Combine(work.FullName, "keys.jwks"), await privacy.GetStringAsync("/api/evidence/signing-keys"));
        var script = await FetchEvidenceScript.RunAsync(work.FullName, TimeSpan.FromSeconds(60),
            path, "--public-key", Path.Combine(work.FullName, "keys.jwks"), "--out", Path.Combine(work.FullName, "fetched"));
        Assert.True(script.ExitCode == 0, script.Describe());
        Assert.Contains(script.Lines, l => l.StartsWith("PASS signature ES256 kid=", StringComparison.Ordinal));
        Assert.Equal("evidence: 2 passed, 0 failed", script.Lines[^1]);

        // The choice and its reason are on the case and in the audit log, with the manifest's seal.
        detail = (await privacy.GetFromJsonAsync<SubjectRequestDetailResponse>($"/api/subject-requests/{request.Id}", JsonSerializerOptions.Web))!;
        var export = Assert.Single(detail.Exports);
        Assert.Equal(chosen.Order(), export.MediaIds.Order());
        Assert.StartsWith("The 08:15 clip", export.Reason, StringComparison.Ordinal);
        Assert.Equal((string?)manifest["documentSha256"], export.DocumentSha256);
        var audit = (await admin.GetFromJsonAsync<AuditPage>("/api/audit?pageSize=1000", JsonSerializerOptions.Web))!;
        var disclosed = Assert.Single(audit.Items, e => e.Action == AuditActions.SubjectRequestDisclosed);
        Assert.Equal((export.DocumentSha256, "2", "dpo-1"), (disclosed.Details["documentSha256"], disclosed.Details["items"], disclosed.Actor));
        Assert.DoesNotContain("Red jacket", JsonSerializer.Serialize(audit), StringComparison.Ordinal);
        Assert.Contains(audit.Items, e => e.Action == AuditActions.MediaViewed && e.Details["subjectRequestId"] == request.Id && e.Actor == "dpo-1");

        var answered = await PostAsync<SubjectRequestView>(privacy, $"/api/subject-requests/{request.Id}/answer", new { answer = "Your copy is attached." });
        Assert.Equal("answered", answered.Status);
    }

    [Fact]
    public async Task An_open_request_past_its_due_date_is_overdue_and_comes_first_by_the_fake_clock()
    {
        var storage = AzuriteFixture.UniqueStorageOptions();
        var clock = new FakeTimeProvider(CoreHarness.TruncateToSeconds(DateTimeOffset.UtcNow));
        await using var runner = await RunnerHost.StartAsync(azurite.ConnectionString, storage,
            configure: b => b.Services.AddSingleton<TimeProvider>(clock));
        using var privacy = runner.ClientFor(TestKeys.Privacy);

        async Task<SubjectRequestView> OpenAsync(string reference, TimeSpan ago) => await PostAsync<SubjectRequestView>(privacy, "/api/subject-requests", new
        {
            type = "access",
            receivedAt = (clock.GetUtcNow() - ago).ToString("O", CultureInfo.InvariantCulture),
            reference,
            phone = new { number = SubjectNumber },
        });

        var recent = await OpenAsync("DSR-recent", TimeSpan.FromDays(1));
        var older = await OpenAsync("DSR-older", TimeSpan.FromDays(10));
        Assert.Equal(clock.GetUtcNow().AddDays(29), recent.DueAt);

        var queue = await ListAsync(privacy);
        Assert.Equal(0, queue.OverdueCount);
        Assert.Equal(["DSR-older", "DSR-recent"], queue.Items.Select(i => i.Reference));
        Assert.All(queue.Items, i => Assert.False(i.Overdue));

        clock.Advance(TimeSpan.FromDays(20) + TimeSpan.FromMinutes(1)); // one minute past the older one's due date
        queue = await ListAsync(privacy);
        Assert.Equal(1, queue.OverdueCount);
        Assert.Equal([("DSR-older", true), ("DSR-recent", false)], queue.Items.Select(i => (i.Reference, i.Overdue)).ToArray());
        Assert.True((await privacy.GetFromJsonAsync<SubjectRequestDetailResponse>($"/api/subject-requests/{older.Id}", JsonSerializerOptions.Web))!.Request.Overdue);

        // Closed requests are never overdue, even if closed late; the open one comes first.
        clock.Advance(TimeSpan.FromDays(10));
        await PostAsync<SubjectRequestView>(privacy, $"/api/subject-requests/{older.Id}/reject", new { reason = "Identity could not be verified." });
        queue = await ListAsync(privacy);
        Assert.Equal([("DSR-recent", true, "open"), ("DSR-older", false, "rejected")], queue.Items.Select(i => (i.Reference, i.Overdue, i.Status)).ToArray());
        var open = await privacy.GetFromJsonAsync<SubjectRequestListResponse>("/api/subject-requests?status=open", JsonSerializerOptions.Web);
        Assert.Equal(["DSR-recent"], open!.Items.Select(i => i.Reference));
    }

    [Fact]
    public async Task An_erasure_above_the_threshold_needs_the_dry_runs_count_confirmed()
    {
        var storage = AzuriteFixture.UniqueStorageOptions();
        await using var runner = await RunnerHost.StartAsync(azurite.ConnectionString, storage,
            new Dictionary<string, string?> { ["SubjectRequests:ErasureConfirmationThreshold"] = "2" });
        using var privacy = runner.ClientFor(TestKeys.Privacy);
        var at = CoreHarness.TruncateToSeconds(DateTimeOffset.UtcNow.AddHours(-2));
        var names = Enumerable.Range(0, 3).Select(i => $"mall-1/cam-1/{Stamp(at.AddMinutes(i))}.mp4").ToList();
        var cctv = azurite.BlobService.GetBlobContainerClient(storage.CctvContainer);
        await cctv.CreateIfNotExistsAsync();
        foreach (var name in names)
        {
            await cctv.GetBlobClient(name).UploadAsync(new BinaryData(Encoding.UTF8.GetBytes(name)));
        }

        await runner.WaitForAsync<MediaListResponse>("/api/media?site=mall-1", r => r.Items.Count == 3, IngestDeadline);
        var request = await PostAsync<SubjectRequestView>(privacy, "/api/subject-requests", new
        {
            type = "erasure",
            receivedAt = DateTimeOffset.UtcNow.ToString("O", CultureInfo.InvariantCulture),
            reference = "DSR-9",
            cctv = new[] { new { site = "mall-1", from = at.AddMinutes(-1).ToString("O", CultureInfo.InvariantCulture), to = at.AddMinutes(10).ToString("O", CultureInfo.InvariantCulture) } },
        });

        var preview = await PostAsync<ErasurePreviewResponse>(privacy, $"/api/subject-requests/{request.Id}/erasure/preview", new { });
        Assert.Equal((3, true, 2), (preview.WouldDelete, preview.NeedsConfirmation, preview.ConfirmationThreshold));
        foreach (var body in new object[] { new { }, new { confirmCount = 2 } })
        {
            var refused = await privacy.PostAsJsonAsync($"/api/subject-requests/{request.Id}/erasure", body);
            Assert.Equal(HttpStatusCode.Conflict, refused.StatusCode);
            Assert.Contains("confirmCount", await refused.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }

        Assert.All(names, n => Assert.True(Exists(storage.CctvContainer, n)));
        var erased = await PostAsync<ErasureResponse>(privacy, $"/api/subject-requests/{request.Id}/erasure", new { confirmCount = 3 });
        Assert.Equal(3, erased.Deleted);
        Assert.All(names, n => Assert.False(Exists(storage.CctvContainer, n)));
    }

    public void Dispose() => work.Delete(recursive: true);

    private static string Stamp(DateTimeOffset t) => UploadContract.FormatTimestamp(t);

    private async Task UploadCallAsync(string container, string name, string? caller, string? callee)
    {
        var client = azurite.BlobService.GetBlobContainerClient(container);
        await client.CreateIfNotExistsAsync();
        var metadata = new Dictionary<string, string> { ["direction"] = "inbound" };
        if (caller is not null)
        {
            metadata["caller"] = caller;
        }

        if (callee is not null)
        {
            metadata["callee"] = callee;
        }

        await client.GetBlobClient(name).UploadAsync(new BinaryData(RandomNumberGenerator.GetBytes(3_000)), new BlobUploadOptions { Metadata = metadata });
    }

    private bool Exists(string container, string name) =>
        azurite.BlobService.GetBlobContainerClient(container).GetBlobClient(name).Exists().Value;

    private async Task<List<string>> BlobNamesAsync(string container) =>
        await azurite.BlobService.GetBlobContainerClient(container).GetBlobsAsync().Select(b => b.Name).Order(StringComparer.Ordinal).ToListAsync();

    private static async Task<SubjectRequestListResponse> ListAsync(HttpClient client) =>
        (await client.GetFromJsonAsync<SubjectRequestListResponse>("/api/subject-requests", JsonSerializerOptions.Web))!;

    private static async Task<T> PostAsync<T>(HttpClient client, string path, object body)
    {
        using var response = await client.PostAsJsonAsync(path, body);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"POST {path}: {(int)response.StatusCode} {text}");
        return JsonSerializer.Deserialize<T>(text, JsonSerializerOptions.Web)!;
    }
}
