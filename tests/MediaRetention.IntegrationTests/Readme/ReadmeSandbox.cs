using System.ComponentModel;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json.Nodes;

namespace MediaRetention.IntegrationTests.Readme;

/// <summary>
/// <c>scripts/run.sh</c> as a user starts it, on the addresses the README prints (the runner on 127.0.0.1:7071,
/// Azurite on 10000–10002), and a shell to run the README's examples in. So that those fixed ports never clash with a
/// developer's own <c>scripts/run.sh</c> or other tests, everything runs in a private network namespace of its own
/// (<c>unshare -rn</c>: a user namespace, so no privilege is needed) and the examples are entered into it with
/// <c>nsenter</c>. Where no namespace can be made, run.sh gets free ports and the examples' addresses are substituted
/// (<see cref="Adapt"/>), and <see cref="Note"/> says so.
/// </summary>
public sealed class ReadmeSandbox : IAsyncLifetime
{
    public const int ApiPort = 7071;
    public const int BlobPort = 10000;
    public const int QueuePort = 10001;
    public const int TablePort = 10002;

    private static readonly TimeSpan StartDeadline = TimeSpan.FromSeconds(120);
    private static readonly TimeSpan StopDeadline = TimeSpan.FromSeconds(30);

    private readonly StringBuilder output = new();
    private DirectoryInfo root = null!;
    private Process? runScript;
    private (int Api, int Blob, int Queue, int Table) ports = (ApiPort, BlobPort, QueuePort, TablePort);

    /// <summary>Where the examples run: what a user's checkout root looks like to them (<c>.azurite/</c>, <c>scripts/</c>).</summary>
    public string WorkingDirectory { get; private set; } = null!;

    /// <summary>run.sh's MR_DATA_DIR, linked as <c>.azurite</c> in the working directory.</summary>
    public string DataDirectory { get; private set; } = null!;

    /// <summary>Whether the examples run unchanged in a private network namespace.</summary>
    public bool Isolated { get; private set; }

    /// <summary>Null when isolated; otherwise why not, and that the examples' ports are substituted.</summary>
    public string? Note { get; private set; }

    public IReadOnlyDictionary<string, string> DevKeys { get; private set; } = new Dictionary<string, string>();

    public string Output
    {
        get
        {
            lock (output)
            {
                return output.ToString();
            }
        }
    }

    public async Task InitializeAsync()
    {
        root = Directory.CreateTempSubdirectory("mr-readme-");
        DataDirectory = Directory.CreateDirectory(Path.Combine(root.FullName, "data")).FullName;
        WorkingDirectory = Directory.CreateDirectory(Path.Combine(root.FullName, "work")).FullName;
        File.CreateSymbolicLink(Path.Combine(WorkingDirectory, ".azurite"), DataDirectory);
        File.CreateSymbolicLink(Path.Combine(WorkingDirectory, "scripts"), Path.Combine(RepositoryRoot.Path, "scripts"));

        var unshare = await CanUnshareAsync(WorkingDirectory);
        Isolated = unshare is null;
        var start = new ProcessStartInfo("setsid")
        {
            WorkingDirectory = RepositoryRoot.Path,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        if (Isolated)
        {
            // The new namespace's loopback is down until brought up; run.sh then has it to itself.
            foreach (var arg in new[] { "unshare", "-rn", "bash", "-c", "ip link set lo up && exec bash scripts/run.sh" })
            {
                start.ArgumentList.Add(arg);
            }
        }
        else
        {
            var free = FreePorts(4);
            ports = (free[0], free[1], free[2], free[3]);
            Note = $"SKIP private network namespace: 'unshare -rn' failed here ({unshare}), "
                + $"so the README examples run with their ports substituted (7071 -> {ports.Api}, 10000 -> {ports.Blob}, "
                + $"10001 -> {ports.Queue}, 10002 -> {ports.Table}).";
            start.ArgumentList.Add("bash");
            start.ArgumentList.Add("scripts/run.sh");
            start.Environment["MR_API_PORT"] = ports.Api.ToString();
            start.Environment["MR_BLOB_PORT"] = ports.Blob.ToString();
            start.Environment["MR_QUEUE_PORT"] = ports.Queue.ToString();
            start.Environment["MR_TABLE_PORT"] = ports.Table.ToString();
        }

        start.Environment["MR_DATA_DIR"] = DataDirectory;
        // scripts/test.sh has built the runner already.
        start.Environment["MR_NO_BUILD"] = "1";
        // The README's recordings are of 2026-11-24; once that is 30 days ago a sweep would delete them before the
        // examples could hold them. Sweeps are not what these examples show. (Settings reach the runner through
        // run.sh's environment, as they would for a user.)
        start.Environment["Retention__TimerEnabled"] = "false";
        // For the same reason: from that day on ingest would reject them as implausibly old (more than the retention
        // period before their upload). The README says so beside the examples.
        start.Environment["Ingest__PastTolerance"] = "3650.00:00:00";

        // setsid: run.sh and all it starts form a process group whose id is run.sh's pid (and, isolated, whose
        // namespace nsenter joins through that pid).
        runScript = Process.Start(start) ?? throw new InvalidOperationException("could not start scripts/run.sh");
        runScript.OutputDataReceived += (_, e) => Append(e.Data);
        runScript.ErrorDataReceived += (_, e) => Append(e.Data);
        runScript.BeginOutputReadLine();
        runScript.BeginErrorReadLine();

        await WaitForHealthAsync();
        DevKeys = File.ReadAllLines(Path.Combine(DataDirectory, "dev-api-keys.env"))
            .Where(l => l.Contains('=', StringComparison.Ordinal))
            .Select(l => l.Split('=', 2))
            .ToDictionary(p => p[0], p => p[1], StringComparer.Ordinal);
    }

    /// <summary>README text as it must be run here: unchanged when isolated, else with the run's real ports.</summary>
    public string Adapt(string text) => Isolated
        ? text
        : text.Replace($":{ApiPort}", $":{ports.Api}", StringComparison.Ordinal)
            .Replace($":{BlobPort}/", $":{ports.Blob}/", StringComparison.Ordinal)
            .Replace($":{QueuePort}/", $":{ports.Queue}/", StringComparison.Ordinal)
            .Replace($":{TablePort}/", $":{ports.Table}/", StringComparison.Ordinal)
            .Replace($"blob {BlobPort}, queue {QueuePort}, table {TablePort}", $"blob {ports.Blob}, queue {ports.Queue}, table {ports.Table}", StringComparison.Ordinal);

    /// <summary>The banner run.sh printed, with its data directory written as the default <c>.azurite</c>.</summary>
    public string Banner => Output.Replace(DataDirectory, ".azurite", StringComparison.Ordinal);

    public string ApiBase => $"http://127.0.0.1:{ports.Api}";

    /// <summary>Runs a bash script in the working directory, where the examples run (inside the namespace).</summary>
    public Task<ProcessResult> RunAsync(string script, TimeSpan timeout, IDictionary<string, string>? environment = null)
    {
        var start = Isolated
            ? Start("nsenter", WorkingDirectory, "--target", runScript!.Id.ToString(), "--user", "--net", "--preserve-credentials", "--", "bash", "-c", script)
            : Start("bash", WorkingDirectory, "-c", script);
        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[name] = value;
        }

        return ProcessRunner.RunAsync(start, timeout);
    }

    /// <summary>GET on the runner with an API key, from inside the sandbox; 200 and JSON or it throws.</summary>
    public async Task<JsonNode> GetJsonAsync(string pathAndQuery, string apiKey)
    {
        var result = await RunAsync(
            "curl -s -S -w '\\n%{http_code}' -H \"X-Api-Key: $MR_KEY\" \"$MR_URL\"",
            TimeSpan.FromSeconds(30),
            new Dictionary<string, string> { ["MR_KEY"] = apiKey, ["MR_URL"] = ApiBase + pathAndQuery });
        var body = result.StandardOutput.TrimEnd();
        var status = body[(body.LastIndexOf('\n') + 1)..];
        if (result.ExitCode != 0 || status != "200")
        {
            throw new InvalidOperationException($"GET {pathAndQuery}: {result.Describe()}");
        }

        return JsonNode.Parse(body[..body.LastIndexOf('\n')])!;
    }

    /// <summary>Polls until <paramref name="condition"/> holds (never a fixed sleep); fails with what it saw last.</summary>
    public static async Task<T> WaitForAsync<T>(Func<Task<T>> read, Func<T, bool> condition, TimeSpan timeout, string what)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            var value = await read();
            if (condition(value))
            {
                return value;
            }

            if (clock.Elapsed > timeout)
            {
                throw new TimeoutException($"{what}: not so within {timeout}; last seen: {value}");
            }

            await Task.Delay(200);
        }
    }

    public async Task DisposeAsync()
    {
        if (runScript is not null)
        {
            var group = runScript.Id;
            Signal("TERM", group);
            using var stopping = new CancellationTokenSource(StopDeadline);
            try
            {
                await runScript.WaitForExitAsync(stopping.Token);
            }
            catch (OperationCanceledException)
            {
                Signal("KILL", group);
            }

            runScript.Dispose();
        }

        root.Delete(recursive: true);
    }

    private async Task WaitForHealthAsync()
    {
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < StartDeadline)
        {
            if (runScript!.HasExited)
            {
                throw new InvalidOperationException($"scripts/run.sh exited with {runScript.ExitCode}:\n{Output}");
            }

            var probe = await RunAsync("curl -s -o /dev/null -w '%{http_code}' " + ApiBase + "/healthz", TimeSpan.FromSeconds(15));
            if (probe.StandardOutput == "200")
            {
                return;
            }

            await Task.Delay(250);
        }

        throw new TimeoutException($"the runner of scripts/run.sh did not answer /healthz with 200 within {StartDeadline}:\n{Output}");
    }

    /// <summary>Null when a private network namespace with loopback up can be made here; otherwise why not.</summary>
    private static async Task<string?> CanUnshareAsync(string workingDirectory)
    {
        try
        {
            var result = await ProcessRunner.RunAsync(
                Start("unshare", workingDirectory, "-rn", "sh", "-c", "ip link set lo up"), TimeSpan.FromSeconds(20));
            return result.ExitCode == 0 ? null : $"exit {result.ExitCode}: {result.StandardError.Trim()}";
        }
        catch (Win32Exception e)
        {
            return e.Message;
        }
    }

    private static ProcessStartInfo Start(string file, string workingDirectory, params string[] args)
    {
        var start = new ProcessStartInfo(file)
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        return start;
    }

    private static List<int> FreePorts(int count)
    {
        var listeners = Enumerable.Range(0, count).Select(_ => new TcpListener(IPAddress.Loopback, 0)).ToList();
        listeners.ForEach(l => l.Start());
        var free = listeners.Select(l => ((IPEndPoint)l.LocalEndpoint).Port).ToList();
        listeners.ForEach(l => l.Stop());
        return free;
    }

    private static void Signal(string signal, int group)
    {
        using var kill = Process.Start("kill", [$"-{signal}", "--", $"-{group}"]);
        kill.WaitForExit();
    }

    private void Append(string? line)
    {
        if (line is not null)
        {
            lock (output)
            {
                output.AppendLine(line);
            }
        }
    }
}

public sealed record ProcessResult(int ExitCode, string StandardOutput, string StandardError)
{
    public string Describe() => $"exit {ExitCode}\n--- stdout:\n{StandardOutput}\n--- stderr:\n{StandardError}";
}

public static class ProcessRunner
{
    public static async Task<ProcessResult> RunAsync(ProcessStartInfo start, TimeSpan timeout)
    {
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"could not start {start.FileName}");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var deadline = new CancellationTokenSource(timeout);
        try
        {
            await process.WaitForExitAsync(deadline.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{start.FileName} {string.Join(' ', start.ArgumentList)} did not finish within {timeout}:\n{await stdout}\n{await stderr}");
        }

        return new ProcessResult(process.ExitCode, await stdout, await stderr);
    }
}
