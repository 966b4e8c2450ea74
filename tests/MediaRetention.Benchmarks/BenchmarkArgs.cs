namespace MediaRetention.Benchmarks;

/// <summary>"--name value" options with defaults.</summary>
internal sealed class BenchmarkArgs(string[] args)
{
    public int Int(string name, int defaultValue)
    {
        var i = Array.IndexOf(args, "--" + name);
        return i >= 0 && i + 1 < args.Length ? int.Parse(args[i + 1]) : defaultValue;
    }
}
