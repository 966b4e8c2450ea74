using MediaRetention.Benchmarks;

return args.FirstOrDefault() switch
{
    "ingest" => await IngestBenchmark.RunAsync(args[1..]),
    "sweep" => await SweepBenchmark.RunAsync(args[1..]),
    "sweep-requests" => await SweepRequestsBenchmark.RunAsync(args[1..]),
    "audit-verify" => await AuditVerifyBenchmark.RunAsync(args[1..]),
    "ingest-overhead" => await IngestOverheadBenchmark.RunAsync(args[1..]),
    "sweep-overhead" => await SweepOverheadBenchmark.RunAsync(args[1..]),
    "evidence-manifest" => await EvidenceManifestBenchmark.RunAsync(args[1..]),
    "runner-scan" => await RunnerScanBenchmark.RunAsync(args[1..]),
    "place-hold" => await PlaceHoldBenchmark.RunAsync(args[1..]),
    "phone-hold" => await PhoneHoldBenchmark.RunAsync(args[1..]),
    _ => Usage(),
};

static int Usage()
{
    Console.Error.WriteLine("usage: MediaRetention.Benchmarks ingest [--small N] [--large N] [--large-mb N] [--parallel N] [--rounds N] [--holds N]\n       MediaRetention.Benchmarks ingest-overhead [--small N] [--large N] [--holds N] [--parallel N]\n       MediaRetention.Benchmarks sweep-overhead [--small N] [--large N] [--holds N]\n       MediaRetention.Benchmarks sweep [--clips N] [--holds N] [--parallel N]\n       MediaRetention.Benchmarks sweep-requests [--media N] [--expired N] [--holds N] [--fake-small N] [--fake-large N]\n       MediaRetention.Benchmarks audit-verify [--small N] [--large N] [--newest N]\n       MediaRetention.Benchmarks phone-hold [--calls N] [--matches N] [--cameras N] [--clips-per-camera N]\n       MediaRetention.Benchmarks evidence-manifest [--small N] [--large N]\n       MediaRetention.Benchmarks runner-scan [--small N] [--large N] [--cameras N]\n       MediaRetention.Benchmarks place-hold [--media N] [--inline N] [--latency-ms N]");
    return 2;
}
