using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Nodes;
using Azure.Storage.Blobs;
using MediaRetention.Core.Evidence;
using MediaRetention.Core.Evidence.Signing;
using MediaRetention.Core.Storage;
using MediaRetention.IntegrationTests.Infrastructure;
using Microsoft.Extensions.Time.Testing;

namespace MediaRetention.IntegrationTests.Evidence;

/// <summary>
/// Runs the liaison's script (scripts/fetch-evidence.mjs) with the real Node.js against a manifest sealed by
/// <see cref="CanonicalJson"/> and signed by <see cref="ManifestSignature"/> with live account-key links to Azurite:
/// proves the two canonicalizations and the two key ids agree, and that the script catches altered media, an
/// altered manifest, and a manifest edited with its documentSha256 recomputed (only the signature can tell).
/// </summary>
[Collection(AzuriteCollection.Name)]
public sealed class FetchEvidenceScriptTests(AzuriteFixture azurite) : IDisposable
{
    private static readonly TimeSpan ScriptTimeout = TimeSpan.FromSeconds(60);
    private readonly DirectoryInfo work = Directory.CreateTempSubdirectory("evidence-script-");

    [Fact]
    public async Task Intact_manifest_and_media_pass_then_altered_media_and_an_edited_manifest_fail()
    {
        var evidence = await EvidenceAsync();
        var manifestPath = WriteManifest(evidence.Manifest);

        var intact = await RunScriptAsync(manifestPath, "--out", Out("intact"), "--public-key", TestSigningKeys.Current.PublicKeyPath);

        Assert.True(intact.ExitCode == 0, intact.Describe());
        Assert.Contains($"PASS manifest documentSha256={evidence.Manifest["documentSha256"]}", intact.Lines);
        Assert.Contains($"PASS signature ES256 kid={TestSigningKeys.Current.KeyId}", intact.Lines);
        foreach (var clip in evidence.Clips)
        {
            Assert.Contains($"PASS {clip.BlobName} sha256={clip.Sha256}", intact.Lines);
            var downloaded = Path.Combine(Out("intact"), clip.Container, clip.BlobName);
            Assert.Equal(clip.Content, await File.ReadAllBytesAsync(downloaded));
        }

        Assert.Equal("evidence: 3 passed, 0 failed", intact.Lines[^1]);
        Assert.DoesNotContain("sig=", intact.StandardOutput + intact.StandardError, StringComparison.Ordinal);
        Assert.Empty(Directory.EnumerateFiles(Out("intact"), "*.partial", SearchOption.AllDirectories));

        // Same size, different bytes: only the hash can tell.
        var altered = evidence.Clips[1];
        var tampered = altered.Content.ToArray();
        tampered[0] ^= 0xFF;
        await Blob(altered).UploadAsync(new BinaryData(tampered), overwrite: true);

        var afterTampering = await RunScriptAsync(manifestPath, "--out", Out("tampered"));

        Assert.True(afterTampering.ExitCode == 1, afterTampering.Describe());
        Assert.Contains($"PASS manifest documentSha256={evidence.Manifest["documentSha256"]}", afterTampering.Lines);
        var failure = Assert.Single(afterTampering.Lines, line => line.StartsWith("FAIL ", StringComparison.Ordinal));
        Assert.StartsWith($"FAIL {altered.BlobName}: sha256 ", failure, StringComparison.Ordinal);
        Assert.Equal("evidence: 2 passed, 1 failed", afterTampering.Lines[^1]);
        Assert.False(File.Exists(Path.Combine(Out("tampered"), altered.Container, altered.BlobName)));

        await Blob(altered).UploadAsync(new BinaryData(altered.Content), overwrite: true);
        var edited = JsonNode.Parse(await File.ReadAllTextAsync(manifestPath))!.AsObject();
        edited["generatedBy"] = "someone else";
        var editedPath = WriteManifest(edited, "edited.json");

        var afterEditing = await RunScriptAsync(editedPath, "--out", Out("edited"), "--public-key", TestSigningKeys.Current.PublicKeyPath);

        Assert.True(afterEditing.ExitCode == 1, afterEditing.Describe());
        var failures = afterEditing.Lines.Where(line => line.StartsWith("FAIL ", StringComparison.Ordinal)).ToList();
        Assert.Equal(2, failures.Count);
        Assert.StartsWith("FAIL manifest: ", failures[0], StringComparison.Ordinal);
        Assert.StartsWith("FAIL signature: does not match", failures[1], StringComparison.Ordinal);
        Assert.Equal("evidence: 3 passed, 0 failed", afterEditing.Lines[^1]);
    }

    [Fact]
    public async Task Signature_names_the_signing_key_and_fails_with_another_key_or_after_an_edit_with_a_recomputed_hash()
    {
        var evidence = await EvidenceAsync();
        var manifestPath = WriteManifest(evidence.Manifest);
        var current = TestSigningKeys.Current;

        // The key as the liaison may hold it: a PEM file, one JWK, or a JWKS with other keys in it.
        var jwks = current.WriteJwks(Path.Combine(work.FullName, "keys.jwks"), TestSigningKeys.Other, TestSigningKeys.Previous);
        foreach (var key in new[] { current.PublicKeyPath, current.JwkPath, jwks })
        {
            var passed = await RunScriptAsync(manifestPath, "--out", Out("ok-" + Path.GetFileName(key)), "--public-key", key);
            Assert.True(passed.ExitCode == 0, passed.Describe());
            Assert.Contains($"PASS signature ES256 kid={current.KeyId}", passed.Lines);
        }

        // Someone else's key: the manifest was not issued by its holder.
        var otherKey = await RunScriptAsync(manifestPath, "--out", Out("other-key"), "--public-key", TestSigningKeys.Other.PublicKeyPath);
        Assert.True(otherKey.ExitCode == 1, otherKey.Describe());
        Assert.Contains($"FAIL signature: signed by key {current.KeyId}, which is not among the 1 key(s) given ({TestSigningKeys.Other.KeyId})", otherKey.Lines);
        Assert.Equal("evidence: 3 passed, 0 failed", otherKey.Lines[^1]);

        // An edit whose author recomputed documentSha256: the seal passes, the signature does not.
        var edited = evidence.Manifest.DeepClone().AsObject();
        edited["items"]![1]!["sha256"] = new string('0', 64);
        edited["generatedBy"] = "someone else";
        CanonicalJson.Seal(edited);
        var resealed = await RunScriptAsync(WriteManifest(edited, "resealed.json"), "--out", Out("resealed"), "--public-key", current.PublicKeyPath);
        Assert.True(resealed.ExitCode == 1, resealed.Describe());
        Assert.Contains($"PASS manifest documentSha256={edited["documentSha256"]}", resealed.Lines);
        Assert.Contains(resealed.Lines, line => line.StartsWith($"FAIL signature: does not match the manifest's content (kid={current.KeyId})", StringComparison.Ordinal));

        // The signature stripped and the seal recomputed: a key was given, so a missing signature fails.
        var stripped = evidence.Manifest.DeepClone().AsObject();
        stripped.Remove(ManifestSignature.Property);
        CanonicalJson.Seal(stripped);
        var unsigned = await RunScriptAsync(WriteManifest(stripped, "unsigned.json"), "--out", Out("unsigned"), "--public-key", current.PublicKeyPath);
        Assert.True(unsigned.ExitCode == 1, unsigned.Describe());
        Assert.Contains("FAIL signature: the manifest carries no signature", unsigned.Lines);

        // No key given: the script cannot prove who issued it, says so, and checks the rest as before.
        var noKey = await RunScriptAsync(manifestPath, "--out", Out("no-key"));
        Assert.True(noKey.ExitCode == 0, noKey.Describe());
        Assert.Contains(noKey.Lines, line => line.StartsWith($"WARN signature: not checked, no --public-key given (it names key {current.KeyId})", StringComparison.Ordinal));

        // And a key source that cannot be read fails rather than passing silently.
        var unreadable = await RunScriptAsync(manifestPath, "--out", Out("unreadable"), "--public-key", Path.Combine(work.FullName, "missing.pem"));
        Assert.True(unreadable.ExitCode == 1, unreadable.Describe());
        Assert.Contains(unreadable.Lines, line => line.StartsWith("FAIL signature: cannot read the public key(s)", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Manifest_can_be_fetched_from_a_url_with_a_header_and_neither_token_is_printed()
    {
        var evidence = await EvidenceAsync();
        var manifestBlob = azurite.BlobService.GetBlobContainerClient(evidence.Clips[0].Container).GetBlobClient("manifest.json");
        await manifestBlob.UploadAsync(new BinaryData(evidence.Manifest.ToJsonString()));
        var manifestLink = await Issuer(TimeProvider.System)
            .IssueReadLinkAsync(manifestBlob.BlobContainerName, manifestBlob.Name, DateTimeOffset.UtcNow.AddMinutes(10), default);

        var result = await RunScriptAsync(manifestLink.Url.ToString(), "--out", Out("from-url"), "--header", "X-Api-Key: top-secret-key");

        Assert.True(result.ExitCode == 0, result.Describe());
        Assert.Equal("evidence: 3 passed, 0 failed", result.Lines[^1]);
        Assert.DoesNotContain("sig=", result.StandardOutput + result.StandardError, StringComparison.Ordinal);
        Assert.DoesNotContain("top-secret-key", result.StandardOutput + result.StandardError, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Expired_link_fails_its_file_with_the_reason()
    {
        var anHourAgo = new FakeTimeProvider(DateTimeOffset.UtcNow.AddHours(-1));
        var evidence = await EvidenceAsync(expiredItem: 2, anHourAgo);
        var manifestPath = WriteManifest(evidence.Manifest);

        var result = await RunScriptAsync(manifestPath, "--out", Out("expired"));

        Assert.True(result.ExitCode == 1, result.Describe());
        var failure = Assert.Single(result.Lines, line => line.StartsWith("FAIL ", StringComparison.Ordinal));
        Assert.StartsWith($"FAIL {evidence.Clips[2].BlobName}: HTTP 403", failure, StringComparison.Ordinal);
        Assert.Contains("link expired", failure, StringComparison.Ordinal);
        Assert.DoesNotContain("sig=", result.StandardOutput, StringComparison.Ordinal);
        Assert.Equal("evidence: 2 passed, 1 failed", result.Lines[^1]);
    }

    public void Dispose() => work.Delete(recursive: true);

    private string Out(string name) => Path.Combine(work.FullName, name);

    private BlobClient Blob(Clip clip) =>
        azurite.BlobService.GetBlobContainerClient(clip.Container).GetBlobClient(clip.BlobName);

    private AccountKeySasLinkIssuer Issuer(TimeProvider time) => new(MediaBlobClients.FromConnectionString(azurite.ConnectionString), time);

    private async Task<(JsonObject Manifest, IReadOnlyList<Clip> Clips)> EvidenceAsync(int? expiredItem = null, TimeProvider? expiredClock = null)
    {
        var suffix = Guid.NewGuid().ToString("N")[..10];
        var cctv = azurite.BlobService.GetBlobContainerClient("cctv-" + suffix);
        var calls = azurite.BlobService.GetBlobContainerClient("calls-" + suffix);
        await cctv.CreateAsync();
        await calls.CreateAsync();
        Clip[] clips =
        [
            new(cctv.Name, "oslo-1/cam-2/20261120T081500Z.mp4", RandomNumberGenerator.GetBytes(300_000)),
            new(cctv.Name, "oslo-1/cam-3/20261120T081500Z.mp4", RandomNumberGenerator.GetBytes(1_024)),
            new(calls.Name, "pbx-1/call-7781/20261120T081700Z.wav", RandomNumberGenerator.GetBytes(50_000)),
        ];

        var items = new JsonArray();
        for (var i = 0; i < clips.Length; i++)
        {
            var clip = clips[i];
            await Blob(clip).UploadAsync(new BinaryData(clip.Content));
            var clock = i == expiredItem ? expiredClock! : TimeProvider.System;
            var link = await Issuer(clock).IssueReadLinkAsync(clip.Container, clip.BlobName, clock.GetUtcNow().AddMinutes(10), default);
            items.Add(new JsonObject
            {
                ["mediaId"] = "media-" + i,
                ["container"] = clip.Container,
                ["blobName"] = clip.BlobName,
                ["kind"] = clip.Container.StartsWith("cctv", StringComparison.Ordinal) ? "cctv" : "call",
                ["site"] = "oslo-1",
                ["camera"] = null,
                ["system"] = null,
                ["callId"] = null,
                ["recordedAt"] = "2026-11-20T08:15:00+00:00",
                ["size"] = clip.Content.Length,
                ["sha256"] = clip.Sha256,
                ["downloadUrl"] = link.Url.ToString(),
                ["urlExpiresAt"] = link.ExpiresOn,
            });
        }

        // Text that differs between naive serializers: both sides must still agree on the canonical form.
        var manifest = new JsonObject
        {
            ["hold"] = new JsonObject
            {
                ["id"] = "hold-" + suffix,
                ["reference"] = "Sak 2026/114 \"Storgata\" – Ødegård <ref> & 'co' 😀\n\ttabbed\u0001\u001f\\",
                ["Zone"] = "upper-case key sorts first",
                ["createdAt"] = DateTimeOffset.UtcNow,
                ["count"] = 3,
            },
            ["generatedAt"] = DateTimeOffset.UtcNow,
            ["generatedBy"] = "liaison@politiet.example",
            ["items"] = items,
        };
        ManifestSignature.Sign(manifest, TestSigningKeys.Current.LoadPrivate());
        return (CanonicalJson.Seal(manifest), clips);
    }

    private string WriteManifest(JsonObject manifest, string name = "manifest.json")
    {
        var path = Path.Combine(work.FullName, name);
        File.WriteAllText(path, manifest.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
        return path;
    }

    private Task<FetchEvidenceScript.Result> RunScriptAsync(params string[] args) => FetchEvidenceScript.RunAsync(work.FullName, ScriptTimeout, args);

    private sealed record Clip(string Container, string BlobName, byte[] Content)
    {
        public string Sha256 { get; } = Convert.ToHexStringLower(SHA256.HashData(Content));
    }
}
