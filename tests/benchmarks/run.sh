#!/usr/bin/env bash
# Benchmarks the embedded sync against issue 15's targets, each next to its baseline measured in the same run:
#   1. end to end: a SMALL-row (1M) historical sync of the synthetic tenant, process start to exit, in rows/s;
#   2. extract→stage: the objects' summed extraction time against the staged codec alone (at the sync's level)
#      compressing the same CSV bytes (tests/benchmarks/floors.cs compress);
#   3. load: the objects' summed load time against DuckDB's own read_csv of the same staged files into typed tables
#      in a fresh database file, checkpointed (floors.cs load);
#   4. incremental: a sync after one simulated day (`tenant advance --days 1`, about 1% of rows changed) against the
#      full sync's wall time;
#   5. memory: peak RSS of `sync` at LARGE rows (10M) against SMALL rows, and absolute (skip with --no-large).
# Prints the machine, its load average before each measurement, and PASS/MISS per target.
# Usage: bash tests/benchmarks/run.sh [--no-large] [SMALL_ROWS] [LARGE_ROWS]   (defaults 1000000 10000000)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
large_run=1
if [ "${1:-}" = "--no-large" ]; then
  large_run=0
  shift
fi
small=${1:-1000000}
large=${2:-10000000}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

dotnet publish src/ServerlessSync.Cli -c Release -o "$work/bin" --nologo -v quiet >/dev/null
cli="$work/bin/serverless-sync"
# The floors run outside the repository, away from its build settings (central package versions, analyzers).
mkdir -p "$work/floors" && cp tests/benchmarks/floors.cs "$work/floors/"
(cd "$work/floors" && dotnet build floors.cs --nologo -v quiet >/dev/null)
floors() { (cd "$work/floors" && dotnet run --no-build floors.cs -- "$@"); }

peak_kib() { grep 'Maximum resident set size' "$1" | awk '{ print $NF }'; }
wall_ms() { grep 'Elapsed (wall clock)' "$1" | awk '{ n = split($NF, t, ":"); s = 0; for (i = 1; i <= n; i++) s = s * 60 + t[i]; printf "%d\n", s * 1000 }'; }
load_avg() { cut -d' ' -f1 /proc/loadavg; }

# field FILE NAME: sum a numeric field over every object of the newest run in `status --json` (indented: the
# connector, then "runs", newest first, each {"connectorId", "run": {summary}, "objects": [records], "errors"})
field() {
  awk -v name="\"$2\": " '/"run": \{/ { run++ } run == 1 && /"objects": \[/ { inside = 1 } /"errors": / { inside = 0 }
    run == 1 && inside && index($0, name) { value = $0; sub(/.*": /, "", value); sub(/,$/, "", value); s += value }
    END { print s + 0 }' "$1"
}

# sync HOME NAME [ARGS...]: one timed sync; fails the benchmark unless it succeeded
sync() {
  local home=$1 name=$2
  shift 2
  echo "  $name: load average $(load_avg) before" >&2
  /usr/bin/time -v "$cli" sync --home "$home" "$@" >"$work/$name.out" 2>"$work/$name.time"
  grep -q 'SUCCEEDED' "$work/$name.out" || { echo "$name did not succeed:" >&2; cat "$work/$name.out" "$work/$name.time" >&2; exit 1; }
  "$cli" status --home "$home" --json >"$work/$name.json"
}

echo "machine: $(nproc) cores, $(free -g | awk '/Mem:/ { print $2 }') GiB, $(grep -m1 'model name' /proc/cpuinfo | sed 's/.*: //'); $(date -u +%Y-%m-%dT%H:%MZ); $(git rev-parse --short HEAD)$(git diff --quiet HEAD || echo '+changes')"
home="$work/home-small"
sync "$home" full --scale "$small" --keep-staged
rows=$(field "$work/full.json" rowsExtracted)
extract_ms=$(field "$work/full.json" extractMilliseconds)
load_ms=$(field "$work/full.json" loadMilliseconds)
full_ms=$(wall_ms "$work/full.time")
full_kib=$(peak_kib "$work/full.time")
full_cpu=$(awk '/User time|System time/ { s += $NF } END { print s }' "$work/full.time")
echo "  compressor floor: load average $(load_avg) before" >&2
compress_ms=$(floors compress "$home/staging")
echo "  DuckDB floor: load average $(load_avg) before" >&2
floor_ms=$(floors load "$home/staging" "$work/floor.duckdb")
staged_mib=$(du -sm "$home/staging" | cut -f1)
codec=$(grep -ho '"format": "[^"]*"' "$home"/staging/runs/*/*/*/*.manifest.json | sort -u | sed 's/.*: //' | tr '\n' ' ')
rm -rf "$home/staging"

"$cli" tenant advance --home "$home" --days 1 >/dev/null
sync "$home" incremental
inc_rows=$(field "$work/incremental.json" rowsExtracted)
inc_ms=$(wall_ms "$work/incremental.time")

if [ "$large_run" = 1 ]; then
  sync "$work/home-large" large --scale "$large"
  large_kib=$(peak_kib "$work/large.time")
  large_ms=$(wall_ms "$work/large.time")
fi

awk -v rows="$rows" -v full="$full_ms" -v ex="$extract_ms" -v ld="$load_ms" -v comp="$compress_ms" -v floor="$floor_ms" \
    -v cpu="$full_cpu" -v mib="$staged_mib" -v codec="$codec" -v inc="$inc_ms" -v incr="$inc_rows" -v kib="$full_kib" \
    -v large="${large_kib:-0}" -v lms="${large_ms:-0}" -v lrows="$large" -v small="$small" 'function verdict(ok) { return ok ? "PASS" : "MISS" }
BEGIN {
  printf "historical sync of %d rows: %.2f s wall, %.2f s CPU (user + system), %d MiB staged (%s)\n", rows, full / 1000, cpu, mib, codec
  e2e = rows / (full / 1000)
  printf "  1 end to end         %8.0f rows/s                      target >= 250000 rows/s           %s\n", e2e, verdict(e2e >= 250000)
  printf "  2 extract->stage     %8.0f rows/s (%5.2f s summed)     compressor alone %8.0f rows/s (%5.2f s): ratio %.2f, target >= 0.80  %s\n", rows / (ex / 1000), ex / 1000, rows / (comp / 1000), comp / 1000, comp / ex, verdict(comp / ex >= 0.8)
  printf "  3 load               %8.0f rows/s (%5.2f s summed)     DuckDB read_csv floor %8.0f rows/s (%5.2f s): ratio %.2f, target >= 0.80  %s\n", rows / (ld / 1000), ld / 1000, rows / (floor / 1000), floor / 1000, floor / ld, verdict(floor / ld >= 0.8)
  printf "  4 incremental        %.2f s wall for %d changed rows (%.1f%%)   full sync %.2f s: ratio %.3f, target <= 0.05  %s\n", inc / 1000, incr, 100 * incr / rows, full / 1000, inc / full, verdict(inc / full <= 0.05)
  if (large > 0) {
    printf "  5 memory             peak RSS %d MiB at %d rows (%.2f s, %.0f rows/s)   %d MiB at %d rows: ratio %.2f, target <= 1.30  %s; absolute target < 400 MiB  %s\n", large / 1024, lrows, lms / 1000, lrows / (lms / 1000), kib / 1024, small, large / kib, verdict(large / kib <= 1.3), verdict(large / 1024 < 400)
  } else {
    printf "  5 memory             peak RSS %d MiB at %d rows (the %d-row run skipped: --no-large); absolute target < 400 MiB  %s\n", kib / 1024, small, lrows, verdict(kib / 1024 < 400)
  }
}'
