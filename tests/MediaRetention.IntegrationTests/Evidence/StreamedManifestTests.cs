using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using MediaRetention.Api.Holds;
using MediaRetention.Api.Media;
using MediaRetention.Core.Audit;
using MediaRetention.Core.Evidence;
using MediaRetention.Core.Evidence.Signing;
using MediaRetention.IntegrationTests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace MediaRetention.IntegrationTests.Evidence;

/// <summary>
/// <c>GET /api/holds/{id}/evidence/manifest</c> streamed through the runner on Azurite with pages of 2: every page of
/// links is audited (in the real audit chain) before the manifest's seal, the document is the canonical form with the
/// seal last and verifies; a stream that breaks midway is a broken download, with what it sent audited.
/// </summary>
[Collection(AzuriteCollection.Name)]
public sealed class StreamedManifestTests(AzuriteFixture azurite)
{
    private static readonly TimeSpan IngestDeadline = TimeSpan.FromSeconds(10);
    private static readonly Dictionary<string, string?> PagesOfTwo = new() { ["Evidence:ManifestPageSize"] = "2" };

    [Fact]
    public async Task A_manifest_of_three_pages_streams_verifies_and_audits_each_page_before_its_seal()
    {
        var storage = AzuriteFixture.UniqueStorageOptions();
        await using var runner = await RunnerHost.StartAsync(azurite.ConnectionString, storage, PagesOfTwo);
        var holdId = await HoldOverFiveClipsAsync(runner, storage);
        using var police = runner.ClientFor(TestKeys.Police);

        using var response = await police.GetAsync($"/api/holds/{holdId}/evidence/manifest", HttpCompletionOption.ResponseHeadersRead);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var bytes = await response.Content.ReadAsByteArrayAsync();

        var manifest = JsonNode.Parse(bytes)!.AsObject();
        Assert.Equal(5, manifest["items"]!.AsArray().Count);
        Assert.True(CanonicalJson.IsIntact(manifest));
        var signature = ManifestSignature.Verify(manifest, [TestSigningKeys.Current.PublicKey]);
        Assert.True(signature.Valid, signature.Problem);
        var seal = manifest["documentSha256"]!.GetValue<string>();
        var text = Encoding.UTF8.GetString(bytes);
        Assert.EndsWith($",\"documentSha256\":\"{seal}\"}}", text, StringComparison.Ordinal);
        Assert.StartsWith("{\"generatedAt\":", text, StringComparison.Ordinal);

        var entries = await HoldAuditAsync(runner, holdId);
        var pages = entries.Where(e => e.Action == AuditActions.EvidenceLinksIssued).ToList();
        Assert.Equal([("manifest", "1", "2"), ("manifest", "2", "2"), ("manifest", "3", "1")],
            pages.Select(e => (e.Details["page"], e.Details["pageNumber"], e.Details["links"])));
        var sealed_ = Assert.Single(entries, e => e.Action == AuditActions.EvidenceManifestIssued);
        Assert.Equal((seal, "5", "3", TestSigningKeys.Current.KeyId),
            (sealed_.Details["documentSha256"], sealed_.Details["items"], sealed_.Details["pages"], sealed_.Details["signatureKeyId"]));
        Assert.All(pages, page => Assert.True(page.Sequence < sealed_.Sequence));
    }

    [Fact]
    public async Task A_stream_that_breaks_midway_is_a_broken_download_and_what_it_sent_is_audited()
    {
        var storage = AzuriteFixture.UniqueStorageOptions();
        FailingAfter? failing = null;
        await using var runner = await RunnerHost.StartAsync(azurite.ConnectionString, storage, PagesOfTwo,
            configure: b => b.Services.DecorateLinkIssuer(inner => failing = new FailingAfter(inner, links: 3)));
        var holdId = await HoldOverFiveClipsAsync(runner, storage);
        using var police = runner.ClientFor(TestKeys.Police);

        using var response = await police.GetAsync($"/api/holds/{holdId}/evidence/manifest", HttpCompletionOption.ResponseHeadersRead);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        // The first page was sent; the failure on the second ends the body abnormally, so reading it fails.
        await Assert.ThrowsAnyAsync<Exception>(() => response.Content.ReadAsByteArrayAsync());
        Assert.NotNull(failing);

        var entries = await HoldAuditAsync(runner, holdId);
        var page = Assert.Single(entries, e => e.Action == AuditActions.EvidenceLinksIssued);
        Assert.Equal(("1", "2"), (page.Details["pageNumber"], page.Details["links"]));
        Assert.DoesNotContain(entries, e => e.Action == AuditActions.EvidenceManifestIssued);
    }

    [Fact]
    public async Task A_failure_before_the_first_page_is_sent_is_an_error_response_not_a_download()
    {
        var storage = AzuriteFixture.UniqueStorageOptions();
        await using var runner = await RunnerHost.StartAsync(azurite.ConnectionString, storage, PagesOfTwo,
            configure: b => b.Services.DecorateLinkIssuer(inner => new FailingAfter(inner, links: 0)));
        var holdId = await HoldOverFiveClipsAsync(runner, storage);
        using var police = runner.ClientFor(TestKeys.Police);

        using var response = await police.GetAsync($"/api/holds/{holdId}/evidence/manifest");

        Assert.True((int)response.StatusCode >= 500, $"{response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
        Assert.Null(response.Content.Headers.ContentDisposition);
        var entries = await HoldAuditAsync(runner, holdId);
        Assert.DoesNotContain(entries, e => e.Action is AuditActions.EvidenceLinksIssued or AuditActions.EvidenceManifestIssued);
    }

    private async Task<string> HoldOverFiveClipsAsync(RunnerHost runner, Core.Storage.MediaStorageOptions storage)
    {
        var cctv = azurite.BlobService.GetBlobContainerClient(storage.CctvContainer);
        await cctv.CreateIfNotExistsAsync();
        for (var i = 0; i < 5; i++)
        {
            await cctv.GetBlobClient($"oslo-1/cam-1/20261120T10{i}000Z.mp4").UploadAsync(new BinaryData(Encoding.UTF8.GetBytes("clip " + i)));
        }

        await runner.WaitForAsync<MediaListResponse>("/api/media?site=oslo-1", r => r.Items.Count == 5, IngestDeadline);
        using var security = runner.ClientFor(TestKeys.Security);
        var placed = await security.PostAsJsonAsync("/api/holds", new
        {
            caseNumber = "OPD-2026-77",
            reason = "Robbery",
            requestedBy = new { agency = TestKeys.PoliceAgency, officer = "Insp. Hansen" },
            scope = new { type = "cctv", site = "oslo-1", from = "2026-11-20T09:00:00Z", to = "2026-11-20T12:00:00Z" },
        });
        Assert.Equal(HttpStatusCode.Created, placed.StatusCode);
        return (await placed.Content.ReadFromJsonAsync<PlacedHoldResponse>())!.Hold.Id;
    }

    private static async Task<List<AuditEntry>> HoldAuditAsync(RunnerHost runner, string holdId)
    {
        using var admin = runner.ClientFor(TestKeys.Admin);
        var audit = (await admin.GetFromJsonAsync<AuditPage>("/api/audit?pageSize=1000", JsonSerializerOptions.Web))!;
        return audit.Items.Where(e => e.Target == "hold/" + holdId).ToList();
    }

    /// <summary>Issues links until the given count, then fails as storage would (the user-delegation key call, say).</summary>
    private sealed class FailingAfter(IEvidenceLinkIssuer inner, int links) : IEvidenceLinkIssuer
    {
        private int issued;

        public Task<EvidenceLink> IssueReadLinkAsync(string container, string blobName, DateTimeOffset expiresOn, CancellationToken cancellationToken) =>
            Interlocked.Increment(ref issued) > links
                ? throw new IOException("link issuer failed midway")
                : inner.IssueReadLinkAsync(container, blobName, expiresOn, cancellationToken);
    }
}

internal static class LinkIssuerDecoration
{
    /// <summary>Wraps the registered <see cref="IEvidenceLinkIssuer"/>.</summary>
    public static void DecorateLinkIssuer(this IServiceCollection services, Func<IEvidenceLinkIssuer, IEvidenceLinkIssuer> wrap)
    {
        var registered = services.Last(d => d.ServiceType == typeof(IEvidenceLinkIssuer));
        services.Remove(registered);
        services.AddSingleton(sp => wrap(registered.ImplementationFactory is { } factory
            ? (IEvidenceLinkIssuer)factory(sp)
            : registered.ImplementationInstance as IEvidenceLinkIssuer
              ?? (IEvidenceLinkIssuer)ActivatorUtilities.CreateInstance(sp, registered.ImplementationType!)));
    }
}
