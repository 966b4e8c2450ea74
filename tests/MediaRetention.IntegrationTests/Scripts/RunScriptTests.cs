using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json.Nodes;
using MediaRetention.IntegrationTests.Infrastructure;

namespace MediaRetention.IntegrationTests.Scripts;

/// <summary>
/// scripts/run.sh on ports chosen through its environment variables: Azurite and the runner come up on exactly those
/// ports (so two checkouts need not clash), and stopping the script's process group leaves nothing running.
/// </summary>
[Collection(AzuriteCollection.Name)]
public sealed class RunScriptTests
{
    private static readonly TimeSpan StartDeadline = TimeSpan.FromSeconds(120);
    private static readonly TimeSpan StopDeadline = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task Run_sh_serves_on_the_ports_it_is_given_and_leaves_nothing_running_when_stopped()
    {
        var ports = FreePorts(4);
        var (blob, queue, table, api) = (ports[0], ports[1], ports[2], ports[3]);
        var data = Directory.CreateTempSubdirectory("mr-run-sh-");
        // A data directory from before the privacy role: its keys are kept, and the privacy officer's key is added.
        const string OldSecurityKey = "mr-dev-security-00112233445566778899aabbccddeeff";
        await File.WriteAllLinesAsync(Path.Combine(data.FullName, "dev-api-keys.env"),
            [$"DEV_KEY_SECURITY={OldSecurityKey}", "DEV_KEY_POLICE=mr-dev-police-1", "DEV_KEY_ADMIN=mr-dev-admin-1"]);
        var output = new StringBuilder();
        // setsid: the script and everything it starts get a process group of their own, whose id is the script's pid.
        var start = new ProcessStartInfo("setsid")
        {
            WorkingDirectory = RepositoryRoot.Path,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            ArgumentList = { "bash", "scripts/run.sh" },
            Environment =
            {
                ["MR_BLOB_PORT"] = blob.ToString(),
                ["MR_QUEUE_PORT"] = queue.ToString(),
                ["MR_TABLE_PORT"] = table.ToString(),
                ["MR_API_PORT"] = api.ToString(),
                ["MR_DATA_DIR"] = data.FullName,
                // scripts/test.sh has built the runner already; a second build would only cost time.
                ["MR_NO_BUILD"] = "1",
            },
        };
        using var script = Process.Start(start) ?? throw new InvalidOperationException("could not start scripts/run.sh");
        script.OutputDataReceived += (_, e) => Append(output, e.Data);
        script.ErrorDataReceived += (_, e) => Append(output, e.Data);
        script.BeginOutputReadLine();
        script.BeginErrorReadLine();
        var group = script.Id;

        try
        {
            using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{api}"), Timeout = TimeSpan.FromSeconds(10) };
            var health = await WaitForHealthAsync(http, script, output);
            Assert.Equal("healthy", (string?)health["status"]);
            Assert.Equal("healthy", (string?)health["checks"]!["storage"]!["status"]);

            var banner = Text(output);
            Assert.Contains($"blob {blob}, queue {queue}, table {table}", banner, StringComparison.Ordinal);
            Assert.Contains($"http://127.0.0.1:{api}/api", banner, StringComparison.Ordinal);
            // The full connection string, which every client takes (the Python SDK and the Azure CLI do not expand
            // UseDevelopmentStorage=true), on exactly the chosen ports.
            Assert.Contains(
                "DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==;"
                + $"BlobEndpoint=http://127.0.0.1:{blob}/devstoreaccount1;QueueEndpoint=http://127.0.0.1:{queue}/devstoreaccount1;"
                + $"TableEndpoint=http://127.0.0.1:{table}/devstoreaccount1;",
                banner,
                StringComparison.Ordinal);

            // The dev keys it made in the data directory open the API, which reads Azurite on the chosen ports.
            var keys = File.ReadAllLines(Path.Combine(data.FullName, "dev-api-keys.env"));
            string Key(string role) => keys.Single(l => l.StartsWith($"DEV_KEY_{role}=", StringComparison.Ordinal)).Split('=', 2)[1];
            Assert.Equal(OldSecurityKey, Key("SECURITY"));
            using var request = new HttpRequestMessage(HttpMethod.Get, "/api/media");
            request.Headers.Add("X-Api-Key", Key("SECURITY"));
            Assert.Equal(HttpStatusCode.OK, (await http.SendAsync(request)).StatusCode);

            // The privacy officer's dev key is printed like the others and opens the subject requests.
            var privacyKey = Key("PRIVACY");
            Assert.Matches(@"^mr-dev-privacy-[0-9a-f]{32}$", privacyKey);
            Assert.Contains($"privacy   {privacyKey}", banner, StringComparison.Ordinal);
            using var subjectRequests = new HttpRequestMessage(HttpMethod.Get, "/api/subject-requests");
            subjectRequests.Headers.Add("X-Api-Key", privacyKey);
            Assert.Equal(HttpStatusCode.OK, (await http.SendAsync(subjectRequests)).StatusCode);
            Assert.True(await AcceptsAsync(blob) && await AcceptsAsync(queue) && await AcceptsAsync(table), "Azurite is not on the chosen ports");

            // The phone-hash key ring it made beside the dev keys: one random 32-byte key, readable by its owner only.
            var ring = Path.Combine(data.FullName, "phone-hash-keys.txt");
            var ringKeys = MediaRetention.Core.Phones.PhoneHashKeyRing.Parse(File.ReadAllLines(ring), ring);
            Assert.Equal(("k1", 32), (ringKeys.Single().Id, ringKeys.Single().Secret.Length));
            if (!OperatingSystem.IsWindows())
            {
                Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(ring));
            }

            Assert.Contains("phone-hash-keys.txt", banner, StringComparison.Ordinal);

            Signal("TERM", group);
            using (var stopping = new CancellationTokenSource(StopDeadline))
            {
                await script.WaitForExitAsync(stopping.Token);
            }

            await WaitUntilAsync(() => !GroupAlive(group), StopDeadline, $"processes of group {group} still running: {Describe(group)}");
            foreach (var port in ports)
            {
                Assert.False(await AcceptsAsync(port), $"port {port} still accepts connections after the script stopped");
            }
        }
        finally
        {
            if (GroupAlive(group))
            {
                Signal("KILL", group);
            }

            data.Delete(recursive: true);
        }
    }

    private static async Task<JsonNode> WaitForHealthAsync(HttpClient http, Process script, StringBuilder output)
    {
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < StartDeadline)
        {
            Assert.False(script.HasExited, $"scripts/run.sh exited with {(script.HasExited ? script.ExitCode : 0)}:\n{Text(output)}");
            try
            {
                using var response = await http.GetAsync("/healthz");
                if (response.StatusCode == HttpStatusCode.OK)
                {
                    return JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
                }
            }
            catch (HttpRequestException)
            {
                // not listening yet
            }

            await Task.Delay(250);
        }

        throw new TimeoutException($"/healthz did not answer 200 within {StartDeadline}:\n{Text(output)}");
    }

    private static async Task WaitUntilAsync(Func<bool> condition, TimeSpan timeout, string message)
    {
        var deadline = Stopwatch.StartNew();
        while (!condition())
        {
            Assert.True(deadline.Elapsed < timeout, message);
            await Task.Delay(100);
        }
    }

    private static List<int> FreePorts(int count)
    {
        var listeners = Enumerable.Range(0, count).Select(_ => new TcpListener(IPAddress.Loopback, 0)).ToList();
        listeners.ForEach(l => l.Start());
        var ports = listeners.Select(l => ((IPEndPoint)l.LocalEndpoint).Port).ToList();
        listeners.ForEach(l => l.Stop());
        return ports;
    }

    private static async Task<bool> AcceptsAsync(int port)
    {
        using var client = new TcpClient();
        try
        {
            await client.ConnectAsync(IPAddress.Loopback, port);
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    /// <summary>Whether any process is left in the group: /proc/{pid}/stat's fifth field is the process group.</summary>
    private static bool GroupAlive(int group) => GroupMembers(group).Count > 0;

    private static List<string> GroupMembers(int group)
    {
        var members = new List<string>();
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            try
            {
                var stat = File.ReadAllText(Path.Combine(dir, "stat"));
                var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
                // After "pid (comm) ": state, ppid, pgrp. A zombie (Z) has exited already.
                if (fields[2] == group.ToString() && fields[0] != "Z")
                {
                    members.Add($"{Path.GetFileName(dir)} {stat[..(stat.LastIndexOf(')') + 1)]}");
                }
            }
            catch (IOException)
            {
                // the process ended while we looked
            }
            catch (UnauthorizedAccessException)
            {
            }
        }

        return members;
    }

    private static string Describe(int group) => string.Join("; ", GroupMembers(group));

    private static void Signal(string signal, int group)
    {
        using var kill = Process.Start("kill", [$"-{signal}", "--", $"-{group}"]);
        kill.WaitForExit();
    }

    private static void Append(StringBuilder output, string? line)
    {
        if (line is not null)
        {
            lock (output)
            {
                output.AppendLine(line);
            }
        }
    }

    private static string Text(StringBuilder output)
    {
        lock (output)
        {
            return output.ToString();
        }
    }
}
