using System.Diagnostics;
using MediaRetention.IntegrationTests.Infrastructure;

namespace MediaRetention.IntegrationTests.Scripts;

/// <summary>
/// The sweep-requests and audit-verify benchmarks at tiny sizes, so they do not rot: each must run to its end and
/// exit 0 (its own checks: every expired clip deleted, no full reconcile between passes, every generated entry intact).
/// Nothing here is timed.
/// </summary>
[Collection(AzuriteCollection.Name)]
public sealed class BenchmarkSmokeTests
{
    private static readonly TimeSpan Deadline = TimeSpan.FromMinutes(3);

    [Theory]
    [InlineData("sweep-requests", "--media 40 --expired 10 --fake-small 2000 --fake-large 6000")]
    [InlineData("audit-verify", "--small 300 --large 1200 --newest 100")]
    [InlineData("place-hold", "--media 60 --inline 10 --latency-ms 0")]
    public async Task A_benchmark_mode_runs_to_its_end_at_tiny_sizes(string mode, string options)
    {
        var dll = Path.Combine(RepositoryRoot.Path, "tests/MediaRetention.Benchmarks/bin/Release/net10.0/MediaRetention.Benchmarks.dll");
        Assert.True(File.Exists(dll), $"{dll} is built with the solution (Release)");
        var start = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = RepositoryRoot.Path,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(dll);
        start.ArgumentList.Add(mode);
        foreach (var option in options.Split(' '))
        {
            start.ArgumentList.Add(option);
        }

        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        using var cts = new CancellationTokenSource(Deadline);
        try
        {
            await process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw;
        }

        Assert.True(process.ExitCode == 0, $"{mode} exited {process.ExitCode}:\n{await output}\n{await errors}");
        Assert.Contains("requests", await output, StringComparison.Ordinal);
    }
}
