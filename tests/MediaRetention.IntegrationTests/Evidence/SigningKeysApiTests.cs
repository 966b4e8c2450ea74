using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text.Json.Nodes;
using MediaRetention.Api.Holds;
using MediaRetention.Api.Media;
using MediaRetention.Core.Evidence;
using MediaRetention.Core.Evidence.Signing;
using MediaRetention.IntegrationTests.Infrastructure;
using Microsoft.Extensions.Options;

namespace MediaRetention.IntegrationTests.Evidence;

/// <summary>
/// The runner signs manifests with its key file and publishes the public keys anonymously as a JWKS; a
/// recipient verifies a manifest against them (in C# and with the liaison's script), and an edit with a
/// recomputed documentSha256 is caught.
/// </summary>
[Collection(AzuriteCollection.Name)]
public sealed class SigningKeysApiTests(AzuriteFixture azurite) : IDisposable
{
    private static readonly TimeSpan ScriptTimeout = TimeSpan.FromSeconds(60);
    private readonly DirectoryInfo work = Directory.CreateTempSubdirectory("signing-keys-api-");

    [Fact]
    public async Task Manifests_verify_against_the_published_keys_and_an_edit_with_a_recomputed_hash_does_not()
    {
        var storage = AzuriteFixture.UniqueStorageOptions();
        await using var runner = await RunnerHost.StartAsync(azurite.ConnectionString, storage);
        using var anonymous = runner.ClientFor(null);
        using var police = runner.ClientFor(TestKeys.Police);

        // Anyone may read the public keys: the current one and the rotated-out one the runner is told about.
        using var keysResponse = await anonymous.GetAsync("/api/evidence/signing-keys");
        Assert.Equal(HttpStatusCode.OK, keysResponse.StatusCode);
        Assert.Equal("application/jwk-set+json", keysResponse.Content.Headers.ContentType?.MediaType);
        var jwks = JsonNode.Parse(await keysResponse.Content.ReadAsStringAsync())!["keys"]!.AsArray().Select(k => k!.AsObject()).ToList();
        Assert.Equal([TestSigningKeys.Current.KeyId, TestSigningKeys.Previous.KeyId], jwks.Select(k => k["kid"]!.GetValue<string>()));
        Assert.All(jwks, k => Assert.Null(k["d"])); // never the private part
        var published = jwks.Select(FromJwk).ToList();
        Assert.Equal(jwks.Select(k => k["kid"]!.GetValue<string>()), published.Select(k => k.KeyId));

        var holdId = await PlaceHoldOnOneClipAsync(runner, police, storage);
        using var manifestResponse = await police.GetAsync($"/api/holds/{holdId}/evidence/manifest");
        Assert.Equal(HttpStatusCode.OK, manifestResponse.StatusCode);
        var manifestText = await manifestResponse.Content.ReadAsStringAsync();
        var manifest = JsonNode.Parse(manifestText)!.AsObject();

        var check = ManifestSignature.Verify(manifest, published);
        Assert.True(check.Valid, check.Problem);
        Assert.Equal(TestSigningKeys.Current.KeyId, check.KeyId);
        Assert.True(CanonicalJson.IsIntact(manifest));

        var manifestPath = Path.Combine(work.FullName, "manifest.json");
        await File.WriteAllTextAsync(manifestPath, manifestText);
        var jwksUrl = new Uri(runner.BaseAddress, "api/evidence/signing-keys").ToString();
        var script = await RunScriptAsync(manifestPath, "--public-key", jwksUrl, "--out", Path.Combine(work.FullName, "ok"));
        Assert.True(script.ExitCode == 0, script.Describe());
        Assert.Contains($"PASS signature ES256 kid={TestSigningKeys.Current.KeyId}", script.Lines);

        var otherKey = await RunScriptAsync(manifestPath, "--public-key", TestSigningKeys.Other.PublicKeyPath, "--out", Path.Combine(work.FullName, "other"));
        Assert.True(otherKey.ExitCode == 1, otherKey.Describe());

        // Edit what was handed over and recompute documentSha256, as anyone could.
        manifest["hold"]!["caseNumber"] = "OPD-2026-9999";
        CanonicalJson.Seal(manifest);
        Assert.True(CanonicalJson.IsIntact(manifest));
        Assert.False(ManifestSignature.Verify(manifest, published).Valid);
        var editedPath = Path.Combine(work.FullName, "edited.json");
        await File.WriteAllTextAsync(editedPath, manifest.ToJsonString());
        var edited = await RunScriptAsync(editedPath, "--public-key", jwksUrl, "--out", Path.Combine(work.FullName, "edited"));
        Assert.True(edited.ExitCode == 1, edited.Describe());
        Assert.Contains(edited.Lines, line => line.StartsWith("PASS manifest documentSha256=", StringComparison.Ordinal));
        Assert.Contains(edited.Lines, line => line.StartsWith("FAIL signature: does not match", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Outside_development_a_runner_without_a_signing_key_does_not_start()
    {
        var storage = AzuriteFixture.UniqueStorageOptions();

        var e = await Assert.ThrowsAsync<OptionsValidationException>(() => RunnerHost.StartAsync(azurite.ConnectionString, storage,
            new Dictionary<string, string?> { ["environment"] = "Production", ["Evidence:Signing:KeyFile"] = "" }));

        Assert.Contains("Evidence manifests must be signed", e.Message, StringComparison.Ordinal);
    }

    public void Dispose() => work.Delete(recursive: true);

    private static SigningPublicKey FromJwk(JsonObject jwk)
    {
        using var key = ECDsa.Create(new ECParameters
        {
            Curve = ECCurve.NamedCurves.nistP256,
            Q = new ECPoint
            {
                X = System.Buffers.Text.Base64Url.DecodeFromChars(jwk["x"]!.GetValue<string>()),
                Y = System.Buffers.Text.Base64Url.DecodeFromChars(jwk["y"]!.GetValue<string>()),
            },
        });
        return SigningPublicKey.From(key);
    }

    private static async Task<string> PlaceHoldOnOneClipAsync(RunnerHost runner, HttpClient police, Core.Storage.MediaStorageOptions storage)
    {
        var cctv = runner.Services.GetService(typeof(Azure.Storage.Blobs.BlobServiceClient)) as Azure.Storage.Blobs.BlobServiceClient;
        var container = cctv!.GetBlobContainerClient(storage.CctvContainer);
        await container.CreateIfNotExistsAsync();
        await container.GetBlobClient("oslo-1/cam-1/20261120T100000Z.mp4").UploadAsync(new BinaryData(RandomNumberGenerator.GetBytes(4_096)));
        await runner.WaitForAsync<MediaListResponse>("/api/media?site=oslo-1", r => r.Items.Count == 1, TimeSpan.FromSeconds(10));
        var place = await police.PostAsJsonAsync("/api/holds", new
        {
            caseNumber = "OPD-2026-4711",
            reason = "Robbery at the kiosk",
            requestedBy = new { agency = TestKeys.PoliceAgency, officer = "Insp. Hansen" },
            scope = new { type = "cctv", site = "oslo-1", from = "2026-11-20T09:00:00Z", to = "2026-11-20T12:00:00Z" },
        });
        Assert.Equal(HttpStatusCode.Created, place.StatusCode);
        var holdId = (await place.Content.ReadFromJsonAsync<PlacedHoldResponse>())!.Hold.Id;
        await runner.ApproveAsync(holdId);
        return holdId;
    }

    private Task<FetchEvidenceScript.Result> RunScriptAsync(params string[] args) => FetchEvidenceScript.RunAsync(work.FullName, ScriptTimeout, args);
}
