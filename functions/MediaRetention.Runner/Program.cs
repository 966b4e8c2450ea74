using MediaRetention.Runner;

await RunnerApp.Build(args).RunAsync();
