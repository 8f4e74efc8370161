#!/usr/bin/env bash
# Benchmarks the embedded sync: throughput of extract→stage and of load, and peak memory of `sync` at two
# tenant sizes. Every figure is reported next to a baseline measured in the same run:
#   - throughput: `gzip -1` compressing the very CSV the sync staged (the floor of extract→stage's work);
#   - memory: peak RSS of `sync` at the small scale, and of `status` (the process's floor).
# Usage: bash tests/benchmarks/run.sh [SMALL_SCALE] [LARGE_SCALE]   (defaults 1000000 3000000)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
small=${1:-1000000}
large=${2:-3000000}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

dotnet publish src/ServerlessSync.Cli -c Release -o "$work/bin" --nologo -v quiet >/dev/null
cli="$work/bin/serverless-sync"

peak_kib() { grep 'Maximum resident set size' "$1" | awk '{ print $NF }'; }

run_sync() { # scale home -> writes $home.time, keeps staged files
  /usr/bin/time -v "$cli" sync --home "$2" --scale "$1" --keep-staged >"$2.out" 2>"$2.time"
}

# field FILE NAME: sum a numeric field over every object of the newest run in `status --json` (indented: the
# connector, then "runs", newest first, each {"connectorId", "run": {summary}, "objects": [records], "errors"})
field() {
  awk -v name="\"$2\": " '/"run": \{/ { run++ } run == 1 && /"objects": \[/ { inside = 1 } /"errors": / { inside = 0 }
    run == 1 && inside && index($0, name) { value = $0; sub(/.*": /, "", value); sub(/,$/, "", value); s += value }
    END { print s + 0 }' "$1"
}

echo "machine: $(nproc) cores, $(free -g | awk '/Mem:/ { print $2 }') GiB; $(date -u +%Y-%m-%dT%H:%MZ)"
for scale in "$small" "$large"; do
  home="$work/home-$scale"
  run_sync "$scale" "$home"
  "$cli" status --home "$home" --json >"$home.json"
  /usr/bin/time -v "$cli" status --home "$home" >/dev/null 2>"$home.status.time"
  rows=$(field "$home.json" rowsExtracted)
  extract_ms=$(field "$home.json" extractMilliseconds)
  load_ms=$(field "$home.json" loadMilliseconds)
  # Baseline: gzip -1 over the same CSV the sync staged.
  find "$home/staging" -name 'part-*.csv.gz' -print0 | xargs -0 cat | gzip -dc >"$work/raw.csv"
  raw_bytes=$(stat -c %s "$work/raw.csv")
  start=$(date +%s%N); gzip -1 -c "$work/raw.csv" >/dev/null; end=$(date +%s%N)
  gzip_ms=$(( (end - start) / 1000000 ))
  rm -f "$work/raw.csv"
  awk -v s="$scale" -v r="$rows" -v e="$extract_ms" -v l="$load_ms" -v g="$gzip_ms" -v b="$raw_bytes" \
      -v rss="$(peak_kib "$home.time")" -v floor="$(peak_kib "$home.status.time")" 'BEGIN {
    printf "scale %d: %d rows, %.0f MiB of CSV\n", s, r, b / 1048576
    printf "  extract+stage: %8.0f rows/s  (baseline gzip -1 alone on the same CSV: %8.0f rows/s; ratio %.2f)\n", r / (e / 1000), r / (g / 1000), (r / (e / 1000)) / (r / (g / 1000))
    printf "  load (COPY + merge): %8.0f rows/s  (ratio to the gzip baseline %.2f)\n", r / (l / 1000), (r / (l / 1000)) / (r / (g / 1000))
    printf "  peak RSS of sync: %d MiB (status command floor: %d MiB)\n", rss / 1024, floor / 1024
  }'
  echo "$(peak_kib "$home.time")" >"$work/rss-$scale"
done
awk -v a="$(cat "$work/rss-$small")" -v b="$(cat "$work/rss-$large")" -v s="$small" -v l="$large" \
  'BEGIN { printf "peak RSS ratio scale %d / scale %d: %.2f (tenant %.0fx larger)\n", l, s, b / a, l / s }'
