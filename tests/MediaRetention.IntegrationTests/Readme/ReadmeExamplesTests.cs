using System.Diagnostics;
using System.Security.Cryptography;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Xunit.Abstractions;

namespace MediaRetention.IntegrationTests.Readme;

/// <summary>
/// The README's examples, run exactly as printed (only ids substituted for their <c>&lt;…-id&gt;</c> placeholders)
/// against <c>scripts/run.sh</c>, with the clients they name: bash, curl, the Azure CLI, a .NET file-based app and
/// Node.js. A README that drifts from the code fails here. To add an example: mark its block in README.md with
/// <c>&lt;!-- readme-example: NAME --&gt;</c>, run it here with <see cref="RunExampleAsync"/> and check what the
/// README says it does, and list NAME in <see cref="ReadmeExampleMarkerTests.Covered"/>.
/// </summary>
public sealed partial class ReadmeExamplesTests(ReadmeSandbox sandbox, ITestOutputHelper log) : IClassFixture<ReadmeSandbox>
{
    private const string DotnetClip = "oslo-1/cam-02/20261124T084500Z.mp4";
    private const string DotnetCall = "pbx-1/20261124T091000Z_c-4711.wav";
    private const string AzClip = "oslo-1/cam-02/20261124T090500Z.mp4";
    private const string AzCall = "pbx-1/20261124T093000Z_c-4712.wav";
    private const string MaskedCaller = "+********67";

    private static readonly TimeSpan IndexDeadline = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan ExampleDeadline = TimeSpan.FromSeconds(120);

    private static ReadmeExamples Readme => ReadmeExampleMarkerTests.Readme;

    [Fact]
    public void The_banner_of_run_sh_is_the_one_the_readme_shows()
    {
        NoteIsolation();
        var banner = sandbox.Banner.Split('\n').Select(l => l.TrimEnd()).ToList();
        foreach (var line in sandbox.Adapt(Readme["banner"].Code).Split('\n').Where(l => l.Trim().Length > 0))
        {
            // "…" in the README stands for what differs per run (the dev keys).
            var pattern = "^" + string.Join(".+?", line.TrimEnd().Split('…').Select(Regex.Escape)) + "$";
            Assert.True(banner.Any(b => Regex.IsMatch(b, pattern)), $"scripts/run.sh printed no line like the README's\n{line}\nIt printed:\n{sandbox.Banner}");
        }

        // Every connection string the README gives is the one the banner prints.
        var printed = ConnectionString().Match(sandbox.Banner).Value;
        Assert.StartsWith("DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=", printed, StringComparison.Ordinal);
        Assert.Contains($"BlobEndpoint={sandbox.Adapt("http://127.0.0.1:10000/")}devstoreaccount1;", printed, StringComparison.Ordinal);
        var readme = File.ReadAllText(Path.Combine(RepositoryRoot.Path, "README.md"));
        var given = ConnectionString().Matches(sandbox.Adapt(readme)).Select(m => m.Value).ToList();
        Assert.True(given.Count >= 3, "the README should give the full connection string in the banner and both upload examples");
        Assert.All(given, g => Assert.Equal(printed, g));
    }

    [Fact]
    public async Task Upload_in_dotnet_then_media_holds_evidence_and_subject_request_flows_work_as_the_readme_prints_them()
    {
        NoteIsolation();
        WriteMediaFiles();

        // Upload: the .NET example, saved as the file the README names and run as it says. Its packages are restored
        // first, outside the private namespace, which cannot reach the package feed (a user's first run does both).
        var program = Readme["upload-dotnet"];
        Assert.Equal("upload.cs", program.FileName);
        await File.WriteAllTextAsync(Path.Combine(sandbox.WorkingDirectory, program.FileName!), sandbox.Adapt(program.Code));
        var restore = await ProcessRunner.RunAsync(DotnetBuild(program.FileName!), TimeSpan.FromMinutes(5));
        Assert.True(restore.ExitCode == 0, $"dotnet build {program.FileName} (the README's .NET example) failed:\n{restore.Describe()}");
        await RunExampleAsync("upload-dotnet-run");

        var clip = await WaitIndexedAsync("cctv", DotnetClip);
        var call = await WaitIndexedAsync("calls", DotnetCall);
        AssertAsTheReadmeSays(clip, call);
        var clipId = (string)clip["id"]!;

        // The phone-hash migration loop runs to its end (nothing to re-key: everything is under the current key).
        var rekeyed = ExampleOutput.JsonObjects(await RunExampleAsync("rekey-phone-hashes"));
        Assert.NotEmpty(rekeyed);
        Assert.Null(rekeyed[^1]["continuationToken"]);
        Assert.True(rekeyed.Sum(r => (int)r["mediaScanned"]!) >= 1, $"the migration visited no call: {string.Join('\n', rekeyed)}");
        Assert.All(rekeyed, r => Assert.Equal(0, (int)r["mediaRekeyed"]!));

        // Listing media, and one medium by the id a listing gave.
        var media = Json(await RunExampleAsync("list-media", ("<media-id>", clipId)), "list-media", 3);
        Assert.Contains(media[0]["items"]!.AsArray(), m => (string?)m!["id"] == clipId);
        Assert.All(media[1]["items"]!.AsArray(), m => Assert.Equal("Rejected", (string?)m!["status"]));
        Assert.Equal(clipId, (string?)media[2]["id"]);
        Assert.Equal(DotnetClip, (string?)media[2]["blobName"]);

        // A police liaison requests the hold; security finds the request and approves it, narrowed.
        var placed = Json(await RunExampleAsync("place-hold"), "place-hold", 1)[0];
        var hold = placed["hold"]!;
        var holdId = (string)hold["id"]!;
        Assert.Equal("requested", (string?)hold["status"]);
        Assert.Equal("OPD-2026-4711", (string?)hold["caseNumber"]);
        Assert.Null(placed["coveredMedia"]);
        Assert.StartsWith("Stored as a preservation request", (string?)placed["warnings"]![0], StringComparison.Ordinal);

        var review = Json(await RunExampleAsync("approve-hold", ("<hold-id>", holdId)), "approve-hold", 2);
        Assert.Contains(review[0]["items"]!.AsArray(), h => (string?)h!["id"] == holdId && (string?)h["status"] == "requested");
        var approved = review[1];
        Assert.Equal("active", (string?)approved["hold"]!["status"]);
        Assert.Equal("approved", (string?)approved["hold"]!["review"]!["decision"]);
        Assert.Equal("2026-11-24T08:00:00+00:00", (string?)approved["hold"]!["requestedScope"]!["from"]);
        Assert.True((int)approved["coveredMedia"]! >= 1, $"the README's approved hold covers the uploaded clip: {approved}");
        Assert.Empty(approved["warnings"]!.AsArray());

        var listed = Json(await RunExampleAsync("list-holds", ("<hold-id>", holdId)), "list-holds", 2);
        Assert.Contains(listed[0]["items"]!.AsArray(), h => (string?)h!["id"] == holdId);
        Assert.Equal(holdId, (string?)listed[1]["hold"]!["id"]);
        Assert.Contains(listed[1]["coveredMedia"]!["items"]!.AsArray(), m => (string?)m!["id"] == clipId);

        // The liaison's evidence handover, every step of it, from a request of their own (request.json: the body of
        // the README's place-hold example, as the flow says) to the server's re-check.
        await File.WriteAllTextAsync(Path.Combine(sandbox.WorkingDirectory, "request.json"), RequestBody().Match(Readme["place-hold"].Code).Groups["body"].Value);
        var liaison = await RunExampleAsync("liaison");
        var objects = ExampleOutput.JsonObjects(liaison);
        Assert.True(objects.Count >= 3, $"the liaison flow prints the approval, a page of links and the verification operation:\n{liaison}");
        // The re-check is an operation: the flow waits for it and prints it, its result the verification.
        var operation = objects[^1];
        Assert.Equal(("evidence.verify", "succeeded"), ((string?)operation["kind"], (string?)operation["status"]));
        var verified = operation["result"]!.AsObject();
        var evidenceHold = (string)verified["holdId"]!;
        Assert.NotEqual(holdId, evidenceHold);
        Assert.Equal(evidenceHold, (string?)objects[0]["hold"]!["id"]);
        Assert.Equal("active", (string?)objects[0]["hold"]!["status"]);
        Assert.Matches(new Regex(@"(^|\})active$", RegexOptions.Multiline), liaison); // node -pe of step 0, after the approval's JSON
        var links = objects[1];
        Assert.Equal(evidenceHold, (string?)links["hold"]!["id"]);
        Assert.Contains(links["items"]!.AsArray(), i => (string?)i!["blobName"] == DotnetClip
            && ((string?)i["downloadUrl"])?.StartsWith(sandbox.Adapt("http://127.0.0.1:10000/devstoreaccount1/cctv/"), StringComparison.Ordinal) == true);
        Assert.True(File.Exists(Path.Combine(sandbox.WorkingDirectory, $"evidence-OPD-2026-4711-{evidenceHold}.json")), $"curl -OJ saved no manifest under the name the README gives:\n{liaison}");
        Assert.NotEmpty(JsonNode.Parse(File.ReadAllText(Path.Combine(sandbox.WorkingDirectory, "mediaretention-keys.jwks")))!["keys"]!.AsArray());
        Assert.Equal(2, Regex.Count(liaison, @"PASS manifest documentSha256=[0-9a-f]{64}$", RegexOptions.Multiline));
        Assert.Equal(2, Regex.Count(liaison, @"^PASS signature ES256 kid=", RegexOptions.Multiline));
        Assert.Equal(2, Regex.Count(liaison, @"^evidence: [1-9][0-9]* passed, 0 failed$", RegexOptions.Multiline));
        Assert.Contains($"PASS {DotnetClip} sha256=", liaison, StringComparison.Ordinal);
        Assert.Equal(
            await File.ReadAllBytesAsync(Path.Combine(sandbox.WorkingDirectory, "clip.mp4")),
            await File.ReadAllBytesAsync(Path.Combine(sandbox.WorkingDirectory, "evidence", "cctv", DotnetClip)));
        Assert.True((bool)verified["intact"]!, $"verify: {verified}");
        Assert.True((int)verified["checked"]! >= 1, $"verify: {verified}");
        Assert.Empty(verified["altered"]!.AsArray());
        Assert.Empty(verified["missing"]!.AsArray());

        // Security releases it.
        var released = Json(await RunExampleAsync("release-hold", ("<hold-id>", holdId)), "release-hold", 1)[0];
        Assert.Equal(holdId, (string?)released["id"]);
        Assert.Equal("released", (string?)released["status"]);
        Assert.Equal("dev-security", (string?)released["release"]!["releasedBy"]);
        Assert.Equal("Case closed by the prosecutor", (string?)released["release"]!["reason"]);

        // The privacy officer's erasure: the clip is still kept by the liaison's hold, the calls with the subject's
        // number are not held and go.
        var opened = Json(await RunExampleAsync("open-subject-request"), "open-subject-request", 1)[0];
        var requestId = (string)opened["id"]!;
        Assert.Equal("open", (string?)opened["status"]);
        Assert.Equal("2026-12-20T08:00:00+00:00", (string?)opened["dueAt"]);
        Assert.Equal(MaskedCaller, (string?)opened["phone"]!["number"]);
        Assert.DoesNotContain("912 34 567", opened.ToJsonString(), StringComparison.Ordinal);

        var queue = Json(await RunExampleAsync("subject-request-queue", ["open-subject-request"], ("<request-id>", requestId)), "subject-request-queue", 2);
        Assert.Contains(queue[0]["items"]!.AsArray(), r => (string?)r!["id"] == requestId);
        Assert.Equal(requestId, (string?)queue[1]["request"]!["id"]);
        Assert.Contains(queue[1]["matches"]!["items"]!.AsArray(), m => (string?)m!["mediaId"] == clipId);
        Assert.Contains(queue[1]["matches"]!["items"]!.AsArray(), m => (string?)m!["mediaId"] == (string)call["id"]!);

        var erasure = Json(
            await RunExampleAsync("subject-erasure", ["open-subject-request", "subject-request-queue"], ("<request-id>", requestId)),
            "subject-erasure",
            2);
        var (dryRun, erased) = (erasure[0], erasure[1]);
        Assert.True((int)dryRun["wouldDelete"]! >= 1 && (int)dryRun["keptByHolds"]! >= 1, $"dry run: {dryRun}");
        Assert.Equal((int)dryRun["wouldDelete"]!, (int)erased["deleted"]!);
        Assert.Equal(0, (int)erased["notDeleted"]!);
        Assert.Contains(erased["kept"]!.AsArray(), k => (string?)k!["mediaId"] == clipId);
        Assert.NotEmpty(erased["subjectSummary"]!["lines"]!.AsArray());
        var erasedCall = await sandbox.RunAsync(
            $"curl -s -o /dev/null -w '%{{http_code}}' -H 'X-Api-Key: {sandbox.DevKeys["DEV_KEY_SECURITY"]}' {sandbox.ApiBase}/api/media/{(string)call["id"]!}",
            ExampleDeadline);
        Assert.Equal("404", erasedCall.StandardOutput);
    }

    [AzureCliFact]
    public async Task Upload_with_the_azure_cli_and_the_banners_connection_string_is_indexed_with_the_caller_masked()
    {
        NoteIsolation();
        WriteMediaFiles();
        await RunExampleAsync("upload-az");

        var clip = await WaitIndexedAsync("cctv", AzClip);
        var call = await WaitIndexedAsync("calls", AzCall);
        AssertAsTheReadmeSays(clip, call);
    }

    private void AssertAsTheReadmeSays(JsonNode clip, JsonNode call)
    {
        var clipBytes = File.ReadAllBytes(Path.Combine(sandbox.WorkingDirectory, "clip.mp4"));
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(clipBytes)), (string?)clip["sha256"]);
        Assert.Equal(clipBytes.Length, (long)clip["size"]!);
        Assert.Equal("oslo-1", (string?)clip["site"]);
        Assert.Equal("cam-02", (string?)clip["camera"]);

        Assert.Equal("inbound", (string?)call["direction"]);
        Assert.Equal("agent-7", (string?)call["agent"]);
        Assert.Equal(MaskedCaller, (string?)call["caller"]);
        Assert.DoesNotContain("4791234567", call.ToJsonString(), StringComparison.Ordinal);
    }

    /// <summary>Runs a marked bash block as printed, ids substituted, after the README's <c>dev-keys</c> block.</summary>
    private Task<string> RunExampleAsync(string name, params (string Placeholder, string Id)[] ids) => RunExampleAsync(name, [], ids);

    /// <summary>
    /// The same, for a block that goes on in the shell of earlier ones (as a reader's terminal does): the variables
    /// those set on a line of their own (<c>API=…</c>, <c>KEY=…</c>, <c>ID=…</c>) are set first.
    /// </summary>
    private async Task<string> RunExampleAsync(string name, string[] after, params (string Placeholder, string Id)[] ids)
    {
        var example = Readme[name];
        Assert.Equal("bash", example.Language);
        var carried = after.SelectMany(a => Readme[a].Code.Split('\n').Where(l => Assignment().IsMatch(l)).Select(l => l + "\n"));
        var code = ids.Aggregate(string.Concat(carried) + example.Code, (text, id) => text.Replace(id.Placeholder, id.Id, StringComparison.Ordinal));
        Assert.DoesNotMatch(Placeholder(), code);
        var script = "set -euo pipefail\n" + Readme["dev-keys"].Code + sandbox.Adapt(code);
        var clock = Stopwatch.StartNew();
        var result = await sandbox.RunAsync(script, ExampleDeadline);
        log.WriteLine($"--- {example} ({clock.Elapsed.TotalSeconds:0.0} s)\n{code}{result.Describe()}");
        Assert.True(result.ExitCode == 0, $"{example} failed:\n{code}\n{result.Describe()}");
        var problem = ExampleOutput.FirstProblem(ExampleOutput.JsonObjects(result.StandardOutput));
        Assert.True(problem is null, $"{example} got an HTTP error:\n{code}\n{problem}");
        return result.StandardOutput;
    }

    private static List<JsonObject> Json(string output, string example, int count)
    {
        var objects = ExampleOutput.JsonObjects(output);
        Assert.True(objects.Count == count, $"README example '{example}' should print {count} JSON bodies, printed:\n{output}");
        return objects;
    }

    /// <summary>Polls the index (never a fixed sleep) until the blob is indexed, and returns its record.</summary>
    private async Task<JsonNode> WaitIndexedAsync(string container, string blobName)
    {
        var kind = container == "cctv" ? "cctv" : "call";
        var items = await ReadmeSandbox.WaitForAsync(
            async () => (await sandbox.GetJsonAsync($"/api/media?kind={kind}&pageSize=1000", sandbox.DevKeys["DEV_KEY_SECURITY"]))["items"]!.AsArray(),
            list => list.Any(m => (string?)m!["blobName"] == blobName),
            IndexDeadline,
            $"{container}/{blobName} indexed");
        var record = items.Single(m => (string?)m!["blobName"] == blobName)!;
        Assert.True((string?)record["status"] == "Indexed", $"{container}/{blobName}: {record}");
        return record;
    }

    private void WriteMediaFiles()
    {
        foreach (var (name, size) in new[] { ("clip.mp4", 48_000), ("call.wav", 16_000) })
        {
            var path = Path.Combine(sandbox.WorkingDirectory, name);
            if (!File.Exists(path))
            {
                File.WriteAllBytes(path, RandomNumberGenerator.GetBytes(size));
            }
        }
    }

    private ProcessStartInfo DotnetBuild(string file)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = sandbox.WorkingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            ArgumentList = { "build", file, "-nologo", "-v", "quiet" },
        };
        // The test host's own MSBuild settings must not leak into the user's build.
        foreach (var name in start.Environment.Keys.Where(k => k.StartsWith("MSBUILD", StringComparison.OrdinalIgnoreCase)).ToList())
        {
            start.Environment.Remove(name);
        }

        return start;
    }

    private void NoteIsolation()
    {
        if (sandbox.Note is not null)
        {
            log.WriteLine(sandbox.Note);
        }
    }

    [GeneratedRegex(@"DefaultEndpointsProtocol=[^'""\s]+")]
    private static partial Regex ConnectionString();

    [GeneratedRegex(@"-d '(?<body>\{.*?\})'", RegexOptions.Singleline)]
    private static partial Regex RequestBody();

    [GeneratedRegex(@"^[A-Z][A-Z0-9_]*=\S")]
    private static partial Regex Assignment();

    [GeneratedRegex(@"<[a-z]+-id>")]
    private static partial Regex Placeholder();
}

/// <summary>A fact that needs the Azure CLI; skipped with a printed reason where <c>az</c> is not installed.</summary>
public sealed class AzureCliFactAttribute : FactAttribute
{
    public AzureCliFactAttribute()
    {
        var onPath = (Environment.GetEnvironmentVariable("PATH") ?? "")
            .Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Any(dir => File.Exists(Path.Combine(dir, "az")));
        if (!onPath)
        {
            Skip = "SKIP README example 'upload-az': the Azure CLI (az) is not installed here (Debian: apt-get install azure-cli)";
        }
    }
}
