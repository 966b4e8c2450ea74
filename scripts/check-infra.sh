#!/usr/bin/env bash
# Validates infra/main.bicep with a pinned Bicep CLI: build (which runs the linter) and lint must report
# no error and no warning, and infra/main.parameters.json may only set parameters the template declares.
# The Bicep CLI comes from NuGet (Azure.Bicep.CommandLine.linux-x64), pinned in scripts/tools/bicep-tools.csproj.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

tools=scripts/tools/bicep-tools.csproj
out=artifacts/infra
mkdir -p "$out"

version=$(sed -nE 's|.*<BicepVersion>([^<]+)</BicepVersion>.*|\1|p' "$tools")
packages=${NUGET_PACKAGES:-$HOME/.nuget/packages}
bicep="$packages/azure.bicep.commandline.linux-x64/$version/tools/bicep"

if [[ ! -x "$bicep" ]]; then
  if ! dotnet restore "$tools" >"$out/bicep-restore.log" 2>&1; then
    echo "FAILED: could not download Bicep $version (log: $out/bicep-restore.log)" >&2
    tail -n 20 "$out/bicep-restore.log" >&2
    exit 1
  fi
  [[ -x "$bicep" ]] || chmod u+x "$bicep"
fi

status=0
check() {
  local name=$1
  shift
  local log="$out/$name.log"
  if ! "$@" >"$log.stdout" 2>"$log"; then
    echo "FAILED: bicep $name" >&2
    cat "$log" >&2
    status=1
  elif grep -qE '(Warning|Error) ' "$log"; then
    echo "FAILED: bicep $name reported diagnostics" >&2
    cat "$log" >&2
    status=1
  fi
}

check build "$bicep" build infra/main.bicep --outfile "$out/main.json"
check lint "$bicep" lint infra/main.bicep

if [[ $status -eq 0 ]]; then
  # Every parameter set in the example parameters file must exist in the compiled template.
  unknown=$(python3 - "$out/main.json" infra/main.parameters.json <<'PY'
import json, sys
template = json.load(open(sys.argv[1]))["parameters"]
given = json.load(open(sys.argv[2]))["parameters"]
print(" ".join(sorted(set(given) - set(template))))
PY
)
  if [[ -n "$unknown" ]]; then
    echo "FAILED: infra/main.parameters.json sets unknown parameters: $unknown" >&2
    status=1
  fi
fi

if [[ $status -eq 0 ]]; then
  echo "OK infra/main.bicep: bicep $version build and lint clean; main.parameters.json matches"
fi
exit $status
