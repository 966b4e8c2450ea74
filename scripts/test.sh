#!/usr/bin/env bash
# Runs every test: build (warnings are errors), the Functions app build (or its explicit skip line), the Bicep
# check, unit tests, integration tests on throwaway Azurite instances, and browser tests of the web console
# (headless Debian chromium; screenshots in artifacts/screenshots/). Ends with "tests: N passed, N failed".
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

ensure_dotnet
ensure_azurite
ensure_chromium

log "building MediaRetention.sln"
dotnet build MediaRetention.sln -c Release -nologo -v quiet -clp:ErrorsOnly

log "building the Azure Functions app"
scripts/build-functions.sh

log "checking the Bicep templates"
scripts/check-infra.sh

mkdir -p artifacts
results=artifacts/test-results.log
: > "$results"
status=0
for project in tests/MediaRetention.UnitTests tests/MediaRetention.IntegrationTests tests/MediaRetention.BrowserTests; do
  log "testing $project"
  set +e
  dotnet test "$project" -c Release --no-build -nologo --logger "console;verbosity=normal" 2>&1 | tee -a "$results" \
    | grep -E '^\s*(Passed|Failed|Skipped) |^\s*(Passed|Failed|Skipped): |Error Message|SKIP'
  rc=${PIPESTATUS[0]}
  set -e
  [ "$rc" -eq 0 ] || status=1
done

count() { { grep -Eo "^ +$1: +[0-9]+" "$results" || true; } | awk '{s+=$2} END {print s+0}'; }
passed=$(count Passed)
failed=$(count Failed)
skipped=$(count Skipped)
[ "$passed" -gt 0 ] || status=1
echo "tests: $passed passed, $failed failed, $skipped skipped"
exit $status
