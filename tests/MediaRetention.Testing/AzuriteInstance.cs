using System.Diagnostics;
using System.Net.Sockets;
using System.Text.RegularExpressions;

namespace MediaRetention.Testing;

/// <summary>
/// A throwaway Azurite started from the repository's pinned npm package (node_modules/.bin/azurite) on free
/// loopback ports. In-memory unless persistent; a persistent one can be stopped and started again on the
/// same ports with its data, for fault tests. Killed (with its process tree) on dispose.
/// </summary>
public sealed partial class AzuriteInstance : IAsyncDisposable
{
    public const string AccountName = "devstoreaccount1";
    public const string AccountKey =
        "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";

    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(60);
    private readonly string? dataDirectory;
    private Process? process;

    private AzuriteInstance(string? dataDirectory) => this.dataDirectory = dataDirectory;

    public int BlobPort { get; private set; }
    public int TablePort { get; private set; }
    public int QueuePort { get; private set; }

    public string ConnectionString =>
        $"DefaultEndpointsProtocol=http;AccountName={AccountName};AccountKey={AccountKey};" +
        $"BlobEndpoint=http://127.0.0.1:{BlobPort}/{AccountName};QueueEndpoint=http://127.0.0.1:{QueuePort}/{AccountName};" +
        $"TableEndpoint=http://127.0.0.1:{TablePort}/{AccountName};";

    public static async Task<AzuriteInstance> StartAsync(bool persistent = false)
    {
        var instance = new AzuriteInstance(persistent ? Directory.CreateTempSubdirectory("azurite-test-").FullName : null);
        await instance.StartProcessAsync(blobPort: 0, queuePort: 0, tablePort: 0);
        return instance;
    }

    /// <summary>
    /// Stops the server. SIGTERM, so a persistent instance flushes its data (SIGKILL loses Azurite's recent
    /// writes, which would test the emulator, not us); for the client it is the same sudden loss of storage.
    /// </summary>
    public async Task StopAsync()
    {
        if (process is { HasExited: false })
        {
            using (var term = Process.Start("kill", ["-TERM", process.Id.ToString()]))
            {
                await term.WaitForExitAsync();
            }

            using var grace = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            try
            {
                await process.WaitForExitAsync(grace.Token);
            }
            catch (OperationCanceledException)
            {
                process.Kill(entireProcessTree: true);
                await process.WaitForExitAsync();
            }
        }

        process?.Dispose();
        process = null;
    }

    /// <summary>Starts a stopped persistent instance again on the same ports, with its data.</summary>
    public Task RestartAsync()
    {
        if (dataDirectory is null)
        {
            throw new InvalidOperationException("Only a persistent instance keeps its data across a restart.");
        }

        return StartProcessAsync(BlobPort, QueuePort, TablePort);
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        if (dataDirectory is not null)
        {
            try
            {
                Directory.Delete(dataDirectory, recursive: true);
            }
            catch (IOException)
            {
                // best effort: it is under the temp folder
            }
        }
    }

    private async Task StartProcessAsync(int blobPort, int queuePort, int tablePort)
    {
        var executable = Path.Combine(RepositoryRoot.Path, "node_modules", ".bin", "azurite");
        if (!File.Exists(executable))
        {
            throw new InvalidOperationException(
                $"Azurite is not installed at {executable}. Run scripts/test.sh (it runs 'npm ci') or 'npm ci' at the repository root.");
        }

        var start = new ProcessStartInfo(executable)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in new[]
                 {
                     "--silent", "--skipApiVersionCheck", "--loose", "--disableTelemetry",
                     "--blobHost", "127.0.0.1", "--blobPort", blobPort.ToString(),
                     "--queueHost", "127.0.0.1", "--queuePort", queuePort.ToString(),
                     "--tableHost", "127.0.0.1", "--tablePort", tablePort.ToString(),
                 })
        {
            start.ArgumentList.Add(arg);
        }

        if (dataDirectory is null)
        {
            start.ArgumentList.Add("--inMemoryPersistence");
        }
        else
        {
            start.ArgumentList.Add("--location");
            start.ArgumentList.Add(dataDirectory);
        }

        var ports = new PortsFromOutput();
        process = Process.Start(start) ?? throw new InvalidOperationException("Could not start Azurite.");
        process.OutputDataReceived += (_, e) => ports.Read(e.Data);
        process.ErrorDataReceived += (_, e) => ports.Read(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        using var timeout = new CancellationTokenSource(StartTimeout);
        try
        {
            (BlobPort, QueuePort, TablePort) = await ports.Ready.WaitAsync(timeout.Token);
            await WaitForListenerAsync(BlobPort, timeout.Token);
            await WaitForListenerAsync(QueuePort, timeout.Token);
            await WaitForListenerAsync(TablePort, timeout.Token);
        }
        catch (OperationCanceledException)
        {
            await StopAsync();
            throw new TimeoutException($"Azurite did not start within {StartTimeout.TotalSeconds:0} s. Output: {ports.Output}");
        }
    }

    private static async Task WaitForListenerAsync(int port, CancellationToken cancellationToken)
    {
        while (true)
        {
            try
            {
                using var client = new TcpClient();
                await client.ConnectAsync("127.0.0.1", port, cancellationToken);
                return;
            }
            catch (SocketException)
            {
                await Task.Delay(50, cancellationToken);
            }
        }
    }

    [GeneratedRegex(@"Azurite (Blob|Queue|Table) service is successfully listening at http://127\.0\.0\.1:(\d+)")]
    private static partial Regex ListeningLine();

    private sealed class PortsFromOutput
    {
        private readonly TaskCompletionSource<(int Blob, int Queue, int Table)> ready = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly System.Text.StringBuilder output = new();
        private int blob;
        private int queue;
        private int table;

        public Task<(int Blob, int Queue, int Table)> Ready => ready.Task;

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

        public void Read(string? line)
        {
            if (line is null)
            {
                return;
            }

            lock (output)
            {
                output.AppendLine(line);
                var match = ListeningLine().Match(line);
                if (match.Success)
                {
                    var port = int.Parse(match.Groups[2].Value);
                    switch (match.Groups[1].Value)
                    {
                        case "Blob":
                            blob = port;
                            break;
                        case "Queue":
                            queue = port;
                            break;
                        default:
                            table = port;
                            break;
                    }
                }

                if (blob != 0 && queue != 0 && table != 0)
                {
                    ready.TrySetResult((blob, queue, table));
                }
            }
        }
    }
}

/// <summary>Finds the repository root (the folder with package.json pinning Azurite) from the test binaries.</summary>
public static class RepositoryRoot
{
    public static string Path { get; } = Find();

    private static string Find()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(System.IO.Path.Combine(dir.FullName, "package.json"))
                && File.Exists(System.IO.Path.Combine(dir.FullName, "MediaRetention.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("Could not find the repository root above " + AppContext.BaseDirectory);
    }
}
