using System.Diagnostics;
using MediaRetention.IntegrationTests.Infrastructure;

namespace MediaRetention.IntegrationTests.Scripts;

/// <summary>
/// The benchmarks at tiny sizes, so they do not rot: each must run to its end and exit 0 (their own checks: every clip
/// indexed, every expired clip deleted and every held one kept, no full reconcile between passes, every generated entry
/// intact).
/// Nothing here is timed.
/// </summary>
[Collection(AzuriteCollection.Name)]
public sealed class BenchmarkSmokeTests
{
    private static readonly TimeSpan Deadline = TimeSpan.FromMinutes(3);

    [Theory]
    [InlineData("sweep-requests", "--media 40 --expired 10 --holds 100 --fake-small 2000 --fake-large 6000", "per deleted medium with 100 holds")]
    [InlineData("ingest", "--small 20 --large 2 --large-mb 1 --holds 50 --rounds 2 --cost-samples 20", "requests per medium")]
    [InlineData("sweep-overhead", "--small 2000 --large 6000 --holds 200", "µs per deleted medium")]
    [InlineData("audit-verify", "--small 300 --large 1200 --newest 100", "requests")]
    [InlineData("evidence-manifest", "--small 50 --large 2100", "same seal: yes")]
    [InlineData("runner-scan", "--small 2000 --large 6000 --cameras 20", "list requests")]
    [InlineData("place-hold", "--media 60 --inline 10 --latency-ms 0", "POST requests after/before")]
    [InlineData("phone-hold", "--calls 3000 --matches 5 --cameras 6 --clips-per-camera 50", "requests")]
    public async Task A_benchmark_mode_runs_to_its_end_at_tiny_sizes(string mode, string options, string figure)
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
        Assert.Contains(figure, await output, StringComparison.Ordinal);
    }
}
