#!/usr/bin/env bash
# Benchmarks on a throwaway Azurite. Usage: scripts/bench.sh ingest [--small 1000 --large 20 --large-mb 50]
#                                          scripts/bench.sh sweep  [--clips 20000 --holds 1000]
#                                          scripts/bench.sh sweep-requests [--media 2000 --expired 200 --fake-small 100000 --fake-large 1000000]
#                                          scripts/bench.sh audit-verify [--small 10000 --large 1000000 --newest 1000]
#                                          scripts/bench.sh evidence-manifest [--small 1000 --large 100000]
#                                          scripts/bench.sh runner-scan [--small 100000 --large 1000000 --cameras 100]
#                                          scripts/bench.sh place-hold [--media 100000 --inline 500 --latency-ms 2]
#                                          scripts/bench.sh phone-hold [--calls 1000000 --matches 20 --cameras 100 --clips-per-camera 10000]
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

ensure_dotnet
ensure_azurite
dotnet build tests/MediaRetention.Benchmarks -c Release -nologo -v quiet -clp:ErrorsOnly
dotnet tests/MediaRetention.Benchmarks/bin/Release/net10.0/MediaRetention.Benchmarks.dll "${@:-ingest}"
