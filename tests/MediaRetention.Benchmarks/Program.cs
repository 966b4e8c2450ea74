using MediaRetention.Benchmarks;

return args.FirstOrDefault() switch
{
    "ingest" => await IngestBenchmark.RunAsync(args[1..]),
    "sweep" => await SweepBenchmark.RunAsync(args[1..]),
    "ingest-overhead" => await IngestOverheadBenchmark.RunAsync(args[1..]),
    _ => Usage(),
};

static int Usage()
{
    Console.Error.WriteLine("usage: MediaRetention.Benchmarks ingest [--small N] [--large N] [--large-mb N] [--parallel N] [--holds N]\n       MediaRetention.Benchmarks ingest-overhead [--small N] [--large N] [--holds N] [--parallel N]\n       MediaRetention.Benchmarks sweep [--clips N] [--holds N] [--parallel N]");
    return 2;
}
