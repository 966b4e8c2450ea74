#!/usr/bin/env bash
# Builds the Azure Functions app (functions/MediaRetention.Functions) with warnings as errors, except NU1603 (a
# dependency's exact minimum version is not served and the next patch was taken), and prints how many functions
# its generated functions.metadata declares.
#
# Only where the NuGet feed lacks the Functions packages altogether (restore fails with nothing but NU1101 no such
# package, NU1102 no such version, NU1103 only prereleases) does it print one SKIPPED line, write
# artifacts/functions/skipped and exit 0; scripts/test.sh then builds and tests everything else. Any other restore
# failure, and any build failure, exits non-zero. The restore output goes to artifacts/functions/restore.log.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

project=functions/MediaRetention.Functions/MediaRetention.Functions.csproj
log_dir=artifacts/functions
log="$log_dir/restore.log"
mkdir -p "$log_dir"
rm -f "$log_dir/skipped"

if dotnet restore "$project" >"$log" 2>&1; then
  dotnet build "$project" --no-restore --configuration Release -nologo -v quiet -clp:ErrorsOnly
  metadata=functions/MediaRetention.Functions/bin/Release/net10.0/functions.metadata
  count=$(grep -c '"entryPoint"' "$metadata" || true)
  echo "built functions/MediaRetention.Functions: $count functions in $metadata"
  exit 0
fi

# Restore failed: is every error a package the feed does not have?
errors=$(grep -E '\berror [A-Z]*[0-9]*:' "$log" | sort -u || true)
missing=$(printf '%s\n' "$errors" | grep -E 'error NU110[123]:' || true)
others=$(printf '%s\n' "$errors" | grep -vE 'error NU110[123]:' | grep -v '^$' || true)

if [[ -n "$missing" && -z "$others" ]]; then
  codes=$(printf '%s\n' "$missing" | grep -oE 'NU110[123]' | sort -u | paste -sd/ -)
  worker_version=$(sed -nE 's|.*PackageVersion Include="Microsoft\.Azure\.Functions\.Worker" Version="([^"]+)".*|\1|p' Directory.Packages.props)
  echo "SKIPPED functions/MediaRetention.Functions: NuGet feed does not serve Microsoft.Azure.Functions.Worker ${worker_version:-2.x} and its extensions (restore ${codes}); build it where nuget.org is reachable (log: $log)"
  touch "$log_dir/skipped"
  exit 0
fi

echo "FAILED functions/MediaRetention.Functions: restore failed for a reason other than packages missing from the feed (full log: $log):" >&2
if [[ -n "$others" ]]; then
  printf '%s\n' "$others" >&2
else
  tail -n 20 "$log" >&2
fi
exit 1
