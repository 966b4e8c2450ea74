using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Nodes;
using MediaRetention.Api.Holds;
using MediaRetention.Api.Media;
using MediaRetention.Core.Audit;
using MediaRetention.Core.Operations;
using MediaRetention.Core.Evidence;
using MediaRetention.Core.Media;
using MediaRetention.IntegrationTests.Infrastructure;

namespace MediaRetention.IntegrationTests.Evidence;

/// <summary>
/// The liaison's whole flow through the real runner: a police key places a hold, takes the evidence page by page
/// and as a sealed manifest, downloads every file with nothing but the links, runs scripts/fetch-evidence.mjs
/// against the manifest URL; another agency sees nothing; every issuance is audited; verify finds an overwritten
/// and a deleted blob.
/// </summary>
[Collection(AzuriteCollection.Name)]
public sealed class EvidenceApiTests(AzuriteFixture azurite) : IDisposable
{
    private static readonly TimeSpan IngestDeadline = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan ScriptTimeout = TimeSpan.FromSeconds(60);
    private readonly DirectoryInfo work = Directory.CreateTempSubdirectory("evidence-api-");

    [Fact]
    public async Task Police_liaison_takes_the_evidence_of_a_hold_and_it_verifies_until_tampered_with()
    {
        var storage = AzuriteFixture.UniqueStorageOptions();
        var cctv = azurite.BlobService.GetBlobContainerClient(storage.CctvContainer);
        Dictionary<string, byte[]> clips = new()
        {
            ["oslo-1/cam-1/20261120T100000Z.mp4"] = RandomNumberGenerator.GetBytes(300_000),
            ["oslo-1/cam-1/20261120T103000Z.mp4"] = RandomNumberGenerator.GetBytes(2_048),
            ["oslo-1/cam-2/20261120T110000Z.mp4"] = RandomNumberGenerator.GetBytes(50_000),
        };
        string holdId;
        string manifestSha256;

        await using (var runner = await RunnerHost.StartAsync(azurite.ConnectionString, storage))
        {
            using var police = runner.ClientFor(TestKeys.Police);
            using var otherPolice = runner.ClientFor(TestKeys.OtherPolice);
            using var anonymous = runner.ClientFor(null);
            using var admin = runner.ClientFor(TestKeys.Admin);
            await cctv.CreateIfNotExistsAsync();
            foreach (var (name, content) in clips)
            {
                await cctv.GetBlobClient(name).UploadAsync(new BinaryData(content));
            }

            await runner.WaitForAsync<MediaListResponse>("/api/media?site=oslo-1", r => r.Items.Count == clips.Count, IngestDeadline);

            var place = await police.PostAsJsonAsync("/api/holds", new
            {
                caseNumber = "OPD-2026/4711",
                reason = "Robbery at the kiosk",
                requestedBy = new { agency = TestKeys.PoliceAgency, officer = "Insp. Hansen" },
                scope = new { type = "cctv", site = "oslo-1", from = "2026-11-20T09:00:00Z", to = "2026-11-20T12:00:00Z" },
            });
            Assert.Equal(HttpStatusCode.Created, place.StatusCode);
            holdId = (await place.Content.ReadFromJsonAsync<PlacedHoldResponse>())!.Hold.Id;

            // A request shows no evidence until security approves it.
            Assert.Equal(HttpStatusCode.Conflict, (await police.GetAsync($"/api/holds/{holdId}/evidence")).StatusCode);
            await runner.ApproveAsync(holdId);

            // 1. Page by page, with a requested lifetime.
            var requestedAt = DateTimeOffset.UtcNow;
            var first = await GetJsonAsync(police, $"/api/holds/{holdId}/evidence?pageSize=2&linkLifetime=PT2H");
            var token = first["continuationToken"]?.GetValue<string>();
            Assert.NotNull(token);
            var second = await GetJsonAsync(police, $"/api/holds/{holdId}/evidence?pageSize=2&linkLifetime=PT2H&continuationToken={Uri.EscapeDataString(token)}");
            Assert.Null(second["continuationToken"]);
            var paged = first["items"]!.AsArray().Concat(second["items"]!.AsArray()).Select(i => i!.AsObject()).ToList();
            Assert.Equal(clips.Keys.Order(StringComparer.Ordinal), paged.Select(i => Text(i, "blobName")).Order(StringComparer.Ordinal));
            Assert.Equal(holdId, Text(first["hold"]!.AsObject(), "id"));
            Assert.Equal("liaison-oslo", Text(first, "generatedBy"));
            foreach (var item in paged)
            {
                var expires = DateTimeOffset.Parse(Text(item, "urlExpiresAt"), System.Globalization.CultureInfo.InvariantCulture);
                Assert.InRange(expires, requestedAt.AddHours(2).AddSeconds(-2), DateTimeOffset.UtcNow.AddHours(2));
                Assert.Equal(clips[Text(item, "blobName")], await DownloadAsync(Text(item, "downloadUrl")));
            }

            var badLifetime = await police.GetAsync($"/api/holds/{holdId}/evidence?linkLifetime=P8D");
            Assert.Equal(HttpStatusCode.BadRequest, badLifetime.StatusCode);

            // 2. The sealed manifest, as a download.
            var manifestResponse = await police.GetAsync($"/api/holds/{holdId}/evidence/manifest");
            Assert.Equal(HttpStatusCode.OK, manifestResponse.StatusCode);
            Assert.Equal("application/json", manifestResponse.Content.Headers.ContentType?.MediaType);
            Assert.Equal("attachment", manifestResponse.Content.Headers.ContentDisposition?.DispositionType);
            Assert.Equal($"evidence-OPD-2026_4711-{holdId}.json", manifestResponse.Content.Headers.ContentDisposition?.FileNameStar
                ?? manifestResponse.Content.Headers.ContentDisposition?.FileName?.Trim('"'));
            Assert.Contains("no-store", manifestResponse.Headers.CacheControl?.ToString() ?? "", StringComparison.Ordinal);
            var manifestText = await manifestResponse.Content.ReadAsStringAsync();
            var manifest = JsonNode.Parse(manifestText)!.AsObject();
            Assert.True(CanonicalJson.IsIntact(manifest));
            manifestSha256 = Text(manifest, "documentSha256");
            // Streamed: the canonical JSON of the whole document, the seal written last (once it is known).
            var trailer = $",\"documentSha256\":\"{manifestSha256}\"}}";
            Assert.EndsWith(trailer, manifestText, StringComparison.Ordinal);
            var unsealed = manifest.DeepClone().AsObject();
            unsealed.Remove("documentSha256");
            Assert.Equal(CanonicalJson.Serialize(unsealed), manifestText[..^trailer.Length] + "}");
            var items = manifest["items"]!.AsArray().Select(i => i!.AsObject()).ToList();
            Assert.Equal(clips.Count, items.Count);

            // Plain HTTP, no key: the link alone must be enough, and the bytes must be what the manifest says.
            foreach (var item in items)
            {
                var content = await DownloadAsync(Text(item, "downloadUrl"));
                Assert.Equal(Text(item, "sha256"), Convert.ToHexStringLower(SHA256.HashData(content)));
                Assert.Equal(item["size"]!.GetValue<long>(), content.LongLength);
                Assert.Equal(clips[Text(item, "blobName")], content);
                Assert.Equal(MediaId.For(storage.CctvContainer, Text(item, "blobName")), Text(item, "mediaId"));
            }

            // 3. The liaison's script against the manifest URL, authenticating with the police key, checking the
            // signature against the key the liaison holds.
            var script = await RunFetchScriptAsync(
                new Uri(runner.BaseAddress, $"api/holds/{holdId}/evidence/manifest").ToString(),
                "--header", $"X-Api-Key: {TestKeys.Police}",
                "--public-key", TestSigningKeys.Current.PublicKeyPath,
                "--out", Path.Combine(work.FullName, "fetched"));
            Assert.True(script.ExitCode == 0, script.Describe());
            Assert.Contains($"PASS signature ES256 kid={TestSigningKeys.Current.KeyId}", script.Lines);
            Assert.Equal($"evidence: {clips.Count} passed, 0 failed", script.Lines[^1]);
            Assert.DoesNotContain("sig=", script.StandardOutput + script.StandardError, StringComparison.Ordinal);

            // 4. Another agency's police key: the hold does not exist for it; without a key: 401.
            foreach (var (method, path) in Endpoints(holdId))
            {
                using var other = await otherPolice.SendAsync(new HttpRequestMessage(method, path));
                Assert.True(other.StatusCode == HttpStatusCode.NotFound, $"{method} {path}: {other.StatusCode}");
                using var none = await anonymous.SendAsync(new HttpRequestMessage(method, path));
                Assert.True(none.StatusCode == HttpStatusCode.Unauthorized, $"{method} {path} without a key: {none.StatusCode}");
            }

            // 5. Every handover is in the audit log: two pages of links, the manifest, and the script's manifest.
            var audit = (await admin.GetFromJsonAsync<AuditPage>("/api/audit?pageSize=1000", JsonSerializerOptions.Web))!;
            var forHold = audit.Items.Where(e => e.Target == "hold/" + holdId).ToList();
            var linkEntries = forHold.Where(e => e.Action == AuditActions.EvidenceLinksIssued && e.Details["page"] != "manifest").ToList();
            Assert.Equal(2, linkEntries.Count);
            // Each manifest (this test's and the script's) audited its one page of links before sending it.
            var manifestPages = forHold.Where(e => e.Action == AuditActions.EvidenceLinksIssued && e.Details["page"] == "manifest").ToList();
            Assert.Equal([("1", "3"), ("1", "3")], manifestPages.Select(e => (e.Details["pageNumber"], e.Details["links"])));
            Assert.Equal(["2", "1"], linkEntries.Select(e => e.Details["links"]));
            Assert.All(linkEntries, e => Assert.Equal("liaison-oslo", e.Actor));
            var manifestEntries = forHold.Where(e => e.Action == AuditActions.EvidenceManifestIssued).ToList();
            Assert.Equal(2, manifestEntries.Count);
            Assert.Contains(manifestEntries, e => e.Details["documentSha256"] == manifestSha256 && e.Details["items"] == "3");
            Assert.Contains(audit.Items, e => e.Action == AuditActions.AccessDenied && e.Actor == "liaison-bergen");

            // The re-check is an operation: police of the hold's agency start and read it; another agency's police get
            // a 404 for it (audited), as for the hold itself.
            var operation = await police.StartOperationAsync($"/api/holds/{holdId}/evidence/verify");
            var done = await police.WaitForOperationAsync(operation);
            Assert.Equal((OperationStatuses.Succeeded, OperationKinds.EvidenceVerify, holdId), (done.Status, done.Kind, done.HoldId));
            var intactResult = JsonNode.Parse(done.Result!.Value.GetRawText())!.AsObject();
            Assert.True(intactResult["intact"]!.GetValue<bool>());
            Assert.Equal(3, intactResult["checked"]!.GetValue<int>());
            Assert.Equal(3, done.Progress!.Value.GetProperty("checked").GetInt32());
            Assert.Equal(HttpStatusCode.OK, (await runner.Client.GetAsync(operation.Location)).StatusCode);
            Assert.Equal(HttpStatusCode.NotFound, (await otherPolice.GetAsync(operation.Location)).StatusCode);
            Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync(operation.Location)).StatusCode);
            var denials = (await admin.GetFromJsonAsync<AuditPage>("/api/audit?pageSize=1000", JsonSerializerOptions.Web))!.Items
                .Where(e => e.Action == AuditActions.AccessDenied && e.Actor == "liaison-bergen" && e.Target.Contains("api/operations/", StringComparison.Ordinal));
            Assert.Single(denials);
        }

        // 6. Tampering, with ingest running: it sees the overwrite of a held clip, keeps the ingest hash as the
        // evidence reference and records the new one, so verify still reports the alteration.
        await using (var runner = await RunnerHost.StartAsync(azurite.ConnectionString, storage))
        {
            using var police = runner.ClientFor(TestKeys.Police);
            var alteredName = "oslo-1/cam-1/20261120T103000Z.mp4";
            var deletedName = "oslo-1/cam-2/20261120T110000Z.mp4";
            var tampered = clips[alteredName].ToArray();
            tampered[^1] ^= 0xFF; // same size: only the hash can tell
            await cctv.GetBlobClient(alteredName).UploadAsync(new BinaryData(tampered), overwrite: true);
            await cctv.GetBlobClient(deletedName).DeleteAsync();
            var tamperedSha256 = Convert.ToHexStringLower(SHA256.HashData(tampered));
            await runner.WaitForAsync<MediaView>($"/api/media/{MediaId.For(storage.CctvContainer, alteredName)}",
                m => m.AlteredSha256 == tamperedSha256, IngestDeadline);

            var result = await police.RunOperationAsync<JsonObject>($"/api/holds/{holdId}/evidence/verify");

            Assert.Equal(holdId, Text(result, "holdId"));
            Assert.Equal(3, result["checked"]!.GetValue<int>());
            Assert.False(result["intact"]!.GetValue<bool>());
            var altered = Assert.Single(result["altered"]!.AsArray())!.AsObject();
            Assert.Equal(MediaId.For(storage.CctvContainer, alteredName), Text(altered, "mediaId"));
            Assert.Equal(alteredName, Text(altered, "blobName"));
            Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(clips[alteredName])), Text(altered, "expectedSha256"));
            Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(tampered)), Text(altered, "actualSha256"));
            var missing = Assert.Single(result["missing"]!.AsArray())!.AsObject();
            Assert.Equal((MediaId.For(storage.CctvContainer, deletedName), deletedName), (Text(missing, "mediaId"), Text(missing, "blobName")));

            var audit = (await runner.ClientFor(TestKeys.Admin).GetFromJsonAsync<AuditPage>("/api/audit?pageSize=1000", JsonSerializerOptions.Web))!;
            var verified = audit.Items.Where(e => e.Action == AuditActions.EvidenceVerified && e.Target == "hold/" + holdId).ToList();
            Assert.Equal(2, verified.Count);
            Assert.Equal(("false", "1", "1"), (verified[^1].Details["intact"], verified[^1].Details["altered"], verified[^1].Details["missing"]));
        }
    }

    public void Dispose() => work.Delete(recursive: true);

    private static IEnumerable<(HttpMethod Method, string Path)> Endpoints(string holdId) =>
    [
        (HttpMethod.Get, $"/api/holds/{holdId}/evidence"),
        (HttpMethod.Get, $"/api/holds/{holdId}/evidence/manifest"),
        (HttpMethod.Post, $"/api/holds/{holdId}/evidence/verify"),
    ];

    private static async Task<JsonObject> GetJsonAsync(HttpClient client, string path)
    {
        using var response = await client.GetAsync(path);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"GET {path}: {response.StatusCode} {body}");
        return JsonNode.Parse(body)!.AsObject();
    }

    private static string Text(JsonObject node, string property) => node[property]!.GetValue<string>();

    private static async Task<byte[]> DownloadAsync(string url)
    {
        using var plain = new HttpClient();
        return await plain.GetByteArrayAsync(url);
    }

    private Task<FetchEvidenceScript.Result> RunFetchScriptAsync(params string[] args) => FetchEvidenceScript.RunAsync(work.FullName, ScriptTimeout, args);
}
