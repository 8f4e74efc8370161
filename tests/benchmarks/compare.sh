#!/usr/bin/env bash
# Compares a historical sync's wall time and peak RSS between an earlier revision and the working tree, measured in
# the same run on the same machine: both CLIs are published (Release), then each syncs the synthetic tenant into a
# fresh home, alternating BASE, HEAD, BASE, HEAD, … so that drift on the machine falls on both. Reports each run and
# the ratio of the medians (HEAD / BASE: below 1.00 is faster).
# Usage: bash tests/benchmarks/compare.sh BASE_REV [SCALE] [RUNS]   (defaults: 1000000 rows, 3 runs each)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
base=${1:?usage: compare.sh BASE_REV [SCALE] [RUNS]}
scale=${2:-1000000}
runs=${3:-3}
work=$(mktemp -d)
cleanup() { git worktree remove --force "$work/base-src" >/dev/null 2>&1 || true; rm -rf "$work"; }
trap cleanup EXIT

git worktree add --detach "$work/base-src" "$base" >/dev/null 2>&1
dotnet publish "$work/base-src/src/ServerlessSync.Cli" -c Release -o "$work/base" --nologo -v quiet >/dev/null
dotnet publish src/ServerlessSync.Cli -c Release -o "$work/head" --nologo -v quiet >/dev/null

peak_kib() { grep 'Maximum resident set size' "$1" | awk '{ print $NF }'; }
cpu_s() { awk '/User time|System time/ { s += $NF } END { print s }' "$1"; }
wall_s() { grep 'Elapsed (wall clock)' "$1" | awk '{ n = split($NF, t, ":"); s = 0; for (i = 1; i <= n; i++) s = s * 60 + t[i]; print s }'; }

echo "machine: $(nproc) cores, $(free -g | awk '/Mem:/ { print $2 }') GiB; $(date -u +%Y-%m-%dT%H:%MZ); scale $scale; base $(git rev-parse --short "$base"), head $(git rev-parse --short HEAD)$(git diff --quiet HEAD || echo '+changes')"
for i in $(seq 1 "$runs"); do
  for which in base head; do
    home="$work/home-$which-$i"
    /usr/bin/time -v "$work/$which/serverless-sync" sync --home "$home" --scale "$scale" >"$home.out" 2>"$home.time"
    grep -q 'SUCCEEDED' "$home.out" || { echo "$which run $i did not succeed:" >&2; cat "$home.out" "$home.time" >&2; exit 1; }
    printf '%s %s %s %s\n' "$which" "$(wall_s "$home.time")" "$(peak_kib "$home.time")" "$(cpu_s "$home.time")" >>"$work/results"
    printf '  %-4s run %d: %6.2f s wall, %6.2f s CPU (user + system), %4d MiB peak RSS; load average %s\n' "$which" "$i" "$(wall_s "$home.time")" "$(cpu_s "$home.time")" "$(( $(peak_kib "$home.time") / 1024 ))" "$(cut -d' ' -f1 /proc/loadavg)"
    rm -rf "$home"
  done
done
median() { grep "^$1 " "$work/results" | awk -v c="$2" '{ print $c }' | sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
awk -v bw="$(median base 2)" -v hw="$(median head 2)" -v br="$(median base 3)" -v hr="$(median head 3)" -v bc="$(median base 4)" -v hc="$(median head 4)" -v s="$scale" 'BEGIN {
  printf "median wall: base %.2f s (%.0f rows/s), head %.2f s (%.0f rows/s); head/base %.2f\n", bw, s / bw, hw, s / hw, hw / bw
  printf "median CPU (user + system; what a busy machine changes least): base %.2f s, head %.2f s; head/base %.2f\n", bc, hc, hc / bc
  printf "median peak RSS: base %d MiB, head %d MiB; head/base %.2f\n", br / 1024, hr / 1024, hr / br
}'
