#!/usr/bin/env bash
# The test command: builds the solution, installs and starts the local stand-ins (tests/stack/up.sh:
# s3rver, dynalite, PostgreSQL on free loopback ports), runs every test project against them, and stops
# them again, whatever the outcome.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

log=$(mktemp)
SSYNC_STACK_DIR=
trap 'rm -f "$log"; bash tests/stack/down.sh "$SSYNC_STACK_DIR"' EXIT

stack_vars=$(bash tests/stack/up.sh)
eval "$stack_vars"

dotnet build ServerlessSync.sln -c Release --nologo -v quiet
set +e
dotnet test ServerlessSync.sln -c Release --no-build --nologo 2>&1 | tee "$log"
status=${PIPESTATUS[0]}
set -e

sum() { grep -Eo "$1: +[0-9]+" "$log" | awk '{ s += $2 } END { print s + 0 }'; }
passed=$(sum Passed)
failed=$(sum Failed)
skipped=$(sum Skipped)
if [ "$status" -eq 0 ] && [ "$passed" -eq 0 ]; then
  echo "no test ran" >&2
  status=1
fi
echo "${passed} passed, ${failed} failed, ${skipped} skipped"
exit "$status"
