#!/usr/bin/env bash
# Runs the pipeline locally: Azurite (data in .azurite/) + the self-hosted runner on http://127.0.0.1:7071.
# Ctrl-C (or SIGTERM) stops both.
#
# Environment (defaults in brackets), so two checkouts or a developer's own Azurite need not clash:
#   MR_BLOB_PORT [10000]  MR_QUEUE_PORT [10001]  MR_TABLE_PORT [10002]   Azurite's ports
#   MR_API_PORT [7071]                                                    the runner's HTTP port
#   MR_DATA_DIR [.azurite]                                                Azurite's data and the dev keys
#   MR_NO_BUILD=1                                                         skip building the runner (already built)
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

BLOB_PORT=${MR_BLOB_PORT:-10000}
QUEUE_PORT=${MR_QUEUE_PORT:-10001}
TABLE_PORT=${MR_TABLE_PORT:-10002}
API_PORT=${MR_API_PORT:-7071}
DATA_DIR=${MR_DATA_DIR:-.azurite}
for setting in "MR_BLOB_PORT=$BLOB_PORT" "MR_QUEUE_PORT=$QUEUE_PORT" "MR_TABLE_PORT=$TABLE_PORT" "MR_API_PORT=$API_PORT"; do
  value=${setting#*=}
  if ! [[ "$value" =~ ^[0-9]+$ ]] || (( value < 1 || value > 65535 )); then
    echo "error: ${setting%%=*} must be a port number from 1 to 65535, not '$value'." >&2
    exit 1
  fi
done
if [ "$(printf '%s\n' "$BLOB_PORT" "$QUEUE_PORT" "$TABLE_PORT" "$API_PORT" | sort -u | wc -l)" -ne 4 ]; then
  echo "error: MR_BLOB_PORT, MR_QUEUE_PORT, MR_TABLE_PORT and MR_API_PORT must be four different ports." >&2
  exit 1
fi

ensure_dotnet
ensure_azurite

if [ "${MR_NO_BUILD:-}" != 1 ]; then
  log "building the runner"
  dotnet build functions/MediaRetention.Runner -c Release -nologo -v quiet -clp:ErrorsOnly
fi

for port in "$BLOB_PORT" "$QUEUE_PORT" "$TABLE_PORT" "$API_PORT"; do
  if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
    echo "error: port $port is already in use (another Azurite or runner?). Stop it, or choose other ports with MR_BLOB_PORT, MR_QUEUE_PORT, MR_TABLE_PORT, MR_API_PORT." >&2
    exit 1
  fi
done

mkdir -p "$DATA_DIR"
log "starting Azurite (blob $BLOB_PORT, queue $QUEUE_PORT, table $TABLE_PORT; data in $DATA_DIR/)"
node_modules/.bin/azurite --silent --location "$DATA_DIR" --debug "$DATA_DIR/debug.log" \
  --blobHost 127.0.0.1 --blobPort "$BLOB_PORT" --queueHost 127.0.0.1 --queuePort "$QUEUE_PORT" \
  --tableHost 127.0.0.1 --tablePort "$TABLE_PORT" \
  --skipApiVersionCheck --loose --disableTelemetry > "$DATA_DIR/azurite.out" 2>&1 &
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
  (exec 3<>"/dev/tcp/127.0.0.1/$BLOB_PORT") 2>/dev/null && (exec 3<>"/dev/tcp/127.0.0.1/$TABLE_PORT") 2>/dev/null && break
  kill -0 "$AZURITE_PID" 2>/dev/null || { cat "$DATA_DIR/azurite.out" >&2; exit 1; }
  sleep 0.1
done

# Azurite's well-known development account, on the chosen ports (the same as UseDevelopmentStorage=true on the defaults).
ACCOUNT=devstoreaccount1
ACCOUNT_KEY='Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw=='
STORAGE="DefaultEndpointsProtocol=http;AccountName=$ACCOUNT;AccountKey=$ACCOUNT_KEY;BlobEndpoint=http://127.0.0.1:$BLOB_PORT/$ACCOUNT;QueueEndpoint=http://127.0.0.1:$QUEUE_PORT/$ACCOUNT;TableEndpoint=http://127.0.0.1:$TABLE_PORT/$ACCOUNT;"
API="http://127.0.0.1:$API_PORT"

export ASPNETCORE_ENVIRONMENT=Development
export MediaStorage="$STORAGE"

# Development API keys, one per role (police for the sample agency oslo-pd; privacy for the data protection
# officer). Made once per data directory and kept there (.azurite/ is git-ignored); the runner is given only their
# SHA-256 hashes. A data directory made before a role existed gets that role's key added.
KEYS_FILE="$DATA_DIR/dev-api-keys.env"
touch "$KEYS_FILE"
chmod 600 "$KEYS_FILE"
for role in security police admin privacy; do
  if ! grep -q "^DEV_KEY_${role^^}=" "$KEYS_FILE"; then
    printf 'DEV_KEY_%s=mr-dev-%s-%s\n' "${role^^}" "$role" "$(od -An -N16 -tx1 /dev/urandom | tr -d ' \n')" >> "$KEYS_FILE"
  fi
done
# shellcheck disable=SC1090
source "$KEYS_FILE"
sha() { printf '%s' "$1" | sha256sum | cut -d' ' -f1; }
export Auth__ApiKeys__0__Name=dev-security Auth__ApiKeys__0__Role=security Auth__ApiKeys__0__KeyHash="$(sha "$DEV_KEY_SECURITY")"
export Auth__ApiKeys__1__Name=dev-police Auth__ApiKeys__1__Role=police Auth__ApiKeys__1__Agency=oslo-pd Auth__ApiKeys__1__KeyHash="$(sha "$DEV_KEY_POLICE")"
export Auth__ApiKeys__2__Name=dev-admin Auth__ApiKeys__2__Role=admin Auth__ApiKeys__2__KeyHash="$(sha "$DEV_KEY_ADMIN")"
export Auth__ApiKeys__3__Name=dev-privacy Auth__ApiKeys__3__Role=privacy Auth__ApiKeys__3__KeyHash="$(sha "$DEV_KEY_PRIVACY")"

# The evidence signing key (ECDSA P-256, PKCS#8 PEM): made once per checkout with Node's crypto and kept in
# .azurite/ (git-ignored, never committed). Its public half is written beside it for liaisons; the runner also
# publishes it at /api/evidence/signing-keys.
SIGNING_KEY="$DATA_DIR/evidence-signing-key.pem"
SIGNING_PUBLIC_KEY="$DATA_DIR/evidence-signing-public.pem"
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
export Evidence__Signing__KeyFile="$(cd "$DATA_DIR" && pwd)/evidence-signing-key.pem"

# The phone-number hash key ring (PhoneHash:KeyFile): one line '{keyId}:{base64 of 32 random bytes}', made once per
# data directory and kept there (git-ignored, never committed). Stored phone hashes are HMACs under it, so it must
# outlive the data: deleting it makes every stored hash unmatchable. To rotate, append a line (a new key id) and restart.
PHONE_HASH_KEYS="$DATA_DIR/phone-hash-keys.txt"
if [ ! -f "$PHONE_HASH_KEYS" ]; then
  (umask 077 && printf 'k1:%s\n' "$(head -c 32 /dev/urandom | base64 | tr -d '\n')" > "$PHONE_HASH_KEYS")
fi
export PhoneHash__KeyFile="$(cd "$DATA_DIR" && pwd)/phone-hash-keys.txt"

cat <<INFO

  MediaRetention is running
  ------------------------------------------------------------------
  Console      $API/      (sign in with a dev key below)
  API          $API/api   (send a key as header X-Api-Key)
  OpenAPI      $API/openapi/v1.json
  Health       $API/healthz
  Azurite      blob $BLOB_PORT, queue $QUEUE_PORT, table $TABLE_PORT   (data in $DATA_DIR/)
  Storage      $STORAGE
  Dev keys     security  $DEV_KEY_SECURITY
               police    $DEV_KEY_POLICE   (agency oslo-pd)
               admin     $DEV_KEY_ADMIN
               privacy   $DEV_KEY_PRIVACY   (data protection officer)
  Signing key  $SIGNING_KEY   (public: $SIGNING_PUBLIC_KEY, or GET /api/evidence/signing-keys)
  Phone hashes $PHONE_HASH_KEYS   (HMAC key ring; keep it with the data, never commit it)
  Try          curl -H "X-Api-Key: $DEV_KEY_SECURITY" $API/api/media
  Upload CCTV  container 'cctv',  name {site}/{camera}/{yyyyMMddTHHmmssZ}.{ext}
  Upload calls container 'calls', name {system}/{yyyyMMddTHHmmssZ}_{callId}.{ext}
  Stop         Ctrl-C
  ------------------------------------------------------------------

INFO

RUNNER_DIR="$REPO_ROOT/functions/MediaRetention.Runner/bin/Release/net10.0"
dotnet "$RUNNER_DIR/MediaRetention.Runner.dll" --contentRoot "$RUNNER_DIR" --urls "$API" &
RUNNER_PID=$!
wait "$RUNNER_PID"
