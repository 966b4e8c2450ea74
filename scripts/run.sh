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

# Development API keys, one per role (police for the sample agency oslo-pd). Made once per checkout and kept
# in .azurite/ (git-ignored); the runner is given only their SHA-256 hashes.
KEYS_FILE=.azurite/dev-api-keys.env
if [ ! -f "$KEYS_FILE" ]; then
  {
    for role in security police admin; do
      printf 'DEV_KEY_%s=mr-dev-%s-%s\n' "${role^^}" "$role" "$(od -An -N16 -tx1 /dev/urandom | tr -d ' \n')"
    done
  } > "$KEYS_FILE"
  chmod 600 "$KEYS_FILE"
fi
# shellcheck disable=SC1090
source "$KEYS_FILE"
sha() { printf '%s' "$1" | sha256sum | cut -d' ' -f1; }
export Auth__ApiKeys__0__Name=dev-security Auth__ApiKeys__0__Role=security Auth__ApiKeys__0__KeyHash="$(sha "$DEV_KEY_SECURITY")"
export Auth__ApiKeys__1__Name=dev-police Auth__ApiKeys__1__Role=police Auth__ApiKeys__1__Agency=oslo-pd Auth__ApiKeys__1__KeyHash="$(sha "$DEV_KEY_POLICE")"
export Auth__ApiKeys__2__Name=dev-admin Auth__ApiKeys__2__Role=admin Auth__ApiKeys__2__KeyHash="$(sha "$DEV_KEY_ADMIN")"

# The evidence signing key (ECDSA P-256, PKCS#8 PEM): made once per checkout with Node's crypto and kept in
# .azurite/ (git-ignored, never committed). Its public half is written beside it for liaisons; the runner also
# publishes it at /api/evidence/signing-keys.
SIGNING_KEY=.azurite/evidence-signing-key.pem
SIGNING_PUBLIC_KEY=.azurite/evidence-signing-public.pem
if [ ! -f "$SIGNING_KEY" ]; then
  (umask 077 && node -e '
    const { generateKeyPairSync } = require("node:crypto");
    const { privateKey } = generateKeyPairSync("ec", { namedCurve: "P-256" });
    process.stdout.write(privateKey.export({ type: "pkcs8", format: "pem" }));' > "$SIGNING_KEY")
fi
node -e '
  const { createPublicKey } = require("node:crypto");
  const pem = require("node:fs").readFileSync(process.argv[1], "utf8");
  process.stdout.write(createPublicKey(pem).export({ type: "spki", format: "pem" }));' "$SIGNING_KEY" > "$SIGNING_PUBLIC_KEY"
export Evidence__Signing__KeyFile="$REPO_ROOT/$SIGNING_KEY"

cat <<INFO

  MediaRetention is running
  ------------------------------------------------------------------
  Console      http://127.0.0.1:7071/      (sign in with a dev key below)
  API          http://127.0.0.1:7071/api   (send a key as header X-Api-Key)
  Storage      UseDevelopmentStorage=true  (Azurite, data in .azurite/)
  Dev keys     security  $DEV_KEY_SECURITY
               police    $DEV_KEY_POLICE   (agency oslo-pd)
               admin     $DEV_KEY_ADMIN
  Signing key  $SIGNING_KEY   (public: $SIGNING_PUBLIC_KEY, or GET /api/evidence/signing-keys)
  Try          curl -H "X-Api-Key: $DEV_KEY_SECURITY" http://127.0.0.1:7071/api/media
  Upload CCTV  container 'cctv',  name {site}/{camera}/{yyyyMMddTHHmmssZ}.{ext}
  Upload calls container 'calls', name {system}/{yyyyMMddTHHmmssZ}_{callId}.{ext}
  Stop         Ctrl-C
  ------------------------------------------------------------------

INFO

RUNNER_DIR="$REPO_ROOT/functions/MediaRetention.Runner/bin/Release/net10.0"
dotnet "$RUNNER_DIR/MediaRetention.Runner.dll" --contentRoot "$RUNNER_DIR" &
RUNNER_PID=$!
wait "$RUNNER_PID"
