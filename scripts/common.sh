# Shared by the scripts: repository root, tool checks and installs. Sourced, not run.
set -euo pipefail

REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$REPO_ROOT"
export DOTNET_CLI_TELEMETRY_OPTOUT=1
export DOTNET_NOLOGO=1
export DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

log() { printf '==> %s\n' "$*"; }

# Node.js and npm run Azurite. Installed from Debian's packages when missing (needs root, as on CI).
ensure_node() {
  if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
    log "installing Node.js and npm (apt)"
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nodejs npm >/dev/null
  fi
}

ensure_dotnet() {
  if ! command -v dotnet >/dev/null 2>&1; then
    echo "error: the .NET SDK 10 is required (dotnet not on PATH); see README 'Prerequisites'." >&2
    exit 1
  fi
}

# Azurite is pinned in package.json + package-lock.json; 'npm ci' installs exactly that. A stamp with the lock
# file's hash says whether node_modules matches it (file times do not: a fresh checkout is always newer).
ensure_azurite() {
  ensure_node
  local stamp=node_modules/.mediaretention-lock.sha256
  local want
  want=$(sha256sum package-lock.json | cut -d' ' -f1)
  if [ ! -x node_modules/.bin/azurite ] || [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
    log "installing Azurite from package-lock.json (npm ci)"
    npm ci --no-audit --no-fund --loglevel=error
    echo "$want" > "$stamp"
  fi
}

# Browser tests drive Debian's chromium (Playwright's own browser download needs the internet). Installed from
# Debian's packages when missing and we are root, as on CI.
CHROMIUM_PATH="${CHROMIUM_PATH:-/usr/bin/chromium}"
export CHROMIUM_PATH
ensure_chromium() {
  if [ ! -x "$CHROMIUM_PATH" ]; then
    if [ "$(id -u)" -ne 0 ]; then
      echo "error: $CHROMIUM_PATH is missing; install Debian's chromium package (apt-get install -y chromium) or set CHROMIUM_PATH." >&2
      exit 1
    fi
    log "installing chromium for the browser tests (apt)"
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
  fi
}
