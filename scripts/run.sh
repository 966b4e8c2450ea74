#!/usr/bin/env bash
# Runs the pipeline locally: Azurite (data in .azurite/) + the self-hosted runner on http://127.0.0.1:7071.
# Ctrl-C stops both.
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

ensure_dotnet
ensure_azurite

log "building the runner"
dotnet build functions/MediaRetention.Runner -c Release -nologo -v quiet -clp:ErrorsOnly

for port in 10000 10001 10002 7071; do
  if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
    echo "error: port $port is already in use (another Azurite or runner?). Stop it and run again." >&2
    exit 1
  fi
done

mkdir -p .azurite
log "starting Azurite (blob 10000, queue 10001, table 10002; data in .azurite/)"
node_modules/.bin/azurite --silent --location .azurite --debug .azurite/debug.log \
  --blobHost 127.0.0.1 --queueHost 127.0.0.1 --tableHost 127.0.0.1 \
  --skipApiVersionCheck --loose --disableTelemetry > .azurite/azurite.out 2>&1 &
AZURITE_PID=$!
RUNNER_PID=""

cleanup() {
  trap - INT TERM EXIT
  [ -n "$RUNNER_PID" ] && kill "$RUNNER_PID" 2>/dev/null && wait "$RUNNER_PID" 2>/dev/null
  kill "$AZURITE_PID" 2>/dev/null && wait "$AZURITE_PID" 2>/dev/null
  log "stopped Azurite and the runner"
}
trap cleanup INT TERM EXIT

for _ in $(seq 1 100); do
  (exec 3<>/dev/tcp/127.0.0.1/10000) 2>/dev/null && (exec 3<>/dev/tcp/127.0.0.1/10002) 2>/dev/null && break
  kill -0 "$AZURITE_PID" 2>/dev/null || { cat .azurite/azurite.out >&2; exit 1; }
  sleep 0.1
done

export ASPNETCORE_ENVIRONMENT=Development
export MediaStorage="UseDevelopmentStorage=true"
export DEV_KEYS_FILE="$REPO_ROOT/.azurite/dev-api-keys.txt"

cat <<INFO

  MediaRetention is running
  ------------------------------------------------------------------
  API          http://127.0.0.1:7071/api/media   (OpenAPI: /api/openapi.json)
  Storage      UseDevelopmentStorage=true  (Azurite, data in .azurite/)
  Upload CCTV  container 'cctv',  name {site}/{camera}/{yyyyMMddTHHmmssZ}.{ext}
  Upload calls container 'calls', name {system}/{yyyyMMddTHHmmssZ}_{callId}.{ext}
  Stop         Ctrl-C
  ------------------------------------------------------------------

INFO

dotnet functions/MediaRetention.Runner/bin/Release/net10.0/MediaRetention.Runner.dll --contentRoot functions/MediaRetention.Runner &
RUNNER_PID=$!
wait "$RUNNER_PID"
