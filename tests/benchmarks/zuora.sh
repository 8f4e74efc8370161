#!/usr/bin/env bash
# Benchmarks the `zuora` source against the fake Zuora server (tests/FakeZuoraServer) at two tenant sizes, to show
# that its extract streams: peak RSS must stay flat while the tenant grows. Every figure is reported next to a
# baseline measured in the same run: the synthetic source synced at the same row count (`sync --scale ROWS`).
# The fake answers on 127.0.0.1 and runs in its own process; its memory (it holds the whole tenant) is shown apart.
# Streaming check: the same Zuora sync again with the .NET heap capped at 32 MiB (DOTNET_GCHeapHardLimit), next to the
# largest object's CSV, which would need twice its size in heap to be held as one string.
# A fake job completes on its second status poll, so with --zuora-poll-seconds 1 every object waits 1 s + 1.5 s.
# Usage: bash tests/benchmarks/zuora.sh [ACCOUNTS_SMALL] [ACCOUNTS_LARGE]   (defaults 17000 68000: ~200k and ~800k rows)
#
# With --jobs (issue 17, item 4): the CLI submits the selected objects' Zuora jobs at once (up to its job concurrency)
# and stages each object as its jobs complete. The fake's objects' AQuA jobs then take different times (the k-th of the
# tenant's n objects JOB_SECONDS·k/n seconds), and a historical sync of every object must take at most 1.2x its slowest
# object's job, where one object after another would take the sum of the jobs. Measured on the real clock from process
# start to exit; the poll waits grow x1.5 from 1 s, so the last check of the slowest job lands up to a wait after it
# completed (the ratio includes that).
# Usage: bash tests/benchmarks/zuora.sh --jobs [JOB_SECONDS] [ACCOUNTS]   (defaults 20 2000: about 24k rows)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
jobs_mode=0
if [ "${1:-}" = "--jobs" ]; then
  jobs_mode=1
  shift
  job_seconds=${1:-20}
  small=${2:-2000}
else
  small=${1:-17000}
  large=${2:-68000}
fi
poll_wait_ms=2500 # per object: the waits before the fake's two polls (1 s, then 1.5 s)
heap_cap=0x2000000 # 32 MiB
work=$(mktemp -d)
fake_pid=
stop_fake() {
  if [ -n "$fake_pid" ]; then
    kill "$fake_pid" 2>/dev/null || true
    wait "$fake_pid" 2>/dev/null || true
    fake_pid=
  fi
}
trap 'stop_fake; rm -rf "$work"' EXIT

dotnet publish src/ServerlessSync.Cli -c Release -o "$work/bin" --nologo -v quiet >/dev/null
dotnet publish tests/FakeZuoraServer -c Release -o "$work/fake" --nologo -v quiet >/dev/null
cli="$work/bin/serverless-sync"
export ZUORA_CLIENT_ID=test-client ZUORA_CLIENT_SECRET=test-secret

peak_kib() { grep 'Maximum resident set size' "$1" | awk '{ print $NF }'; }

# field FILE NAME: sum a numeric field over every object of the newest run in `status --json` (indented: the
# connector, then "runs", newest first, each {"connectorId", "run": {summary}, "objects": [records], "errors"})
field() {
  awk -v name="\"$2\": " '/"run": \{/ { run++ } run == 1 && /"objects": \[/ { inside = 1 } /"errors": / { inside = 0 }
    run == 1 && inside && index($0, name) { value = $0; sub(/.*": /, "", value); sub(/,$/, "", value); s += value }
    END { print s + 0 }' "$1"
}

# start_fake ACCOUNTS [FAKE ARGS...]: starts the fake in the background (stdin held open on a FIFO), sets url and objects
start_fake() {
  rm -f "$work/fake.in" && mkfifo "$work/fake.in"
  "$work/fake/fake-zuora" --accounts "$@" <"$work/fake.in" >"$work/fake.out" 2>"$work/fake.err" &
  fake_pid=$!
  exec 3>"$work/fake.in"
  for _ in $(seq 600); do
    grep -q '^FAKE_ZUORA_URL=' "$work/fake.out" 2>/dev/null && break
    kill -0 "$fake_pid" 2>/dev/null || { cat "$work/fake.err" >&2; exit 1; }
    sleep 0.2
  done
  url=$(sed -n 's/^FAKE_ZUORA_URL=//p' "$work/fake.out")
  [ -n "$url" ] || { echo "the fake Zuora did not print its URL" >&2; exit 1; }
  objects=$(sed -n 's/.* --objects \([a-z,]*\) .*/\1/p' "$work/fake.err" | head -1)
}

# measure NAME HOME: rows, extract ms, load ms, objects and peak RSS (KiB) of the sync whose time -v is HOME.time
measure() {
  "$cli" status --home "$2" --json >"$2.json"
  printf '%s %s %s %s %s\n' "$(field "$2.json" rowsExtracted)" "$(field "$2.json" extractMilliseconds)" \
    "$(field "$2.json" loadMilliseconds)" "$(grep -o '"extractMilliseconds"' "$2.json" | wc -l)" "$(peak_kib "$2.time")"
}

echo "machine: $(nproc) cores, $(free -g | awk '/Mem:/ { print $2 }') GiB; $(date -u +%Y-%m-%dT%H:%MZ)"
if [ "$jobs_mode" = 1 ]; then
  start_fake "$small" --job-seconds "$job_seconds"
  count=$(echo "$objects" | tr ',' '\n' | wc -l)
  echo "load average $(cut -d' ' -f1 /proc/loadavg) before"
  /usr/bin/time -v "$cli" sync --source zuora --zuora-env "$url" --objects "$objects" --zuora-poll-seconds 1 \
    --home "$work/jobs" >"$work/jobs.out" 2>"$work/jobs.time" || true
  grep -q SUCCEEDED "$work/jobs.out" || { echo "the sync did not succeed:" >&2; cat "$work/jobs.out" "$work/jobs.time" "$work/fake.err" >&2; exit 1; }
  wall=$(grep 'Elapsed (wall clock)' "$work/jobs.time" | awk '{ n = split($NF, t, ":"); s = 0; for (i = 1; i <= n; i++) s = s * 60 + t[i]; print s }')
  rows=$(grep -o '[0-9,]* rows extracted' "$work/jobs.out" | tr -d ',' | cut -d' ' -f1)
  awk -v w="$wall" -v j="$job_seconds" -v n="$count" -v r="$rows" 'BEGIN {
    printf "historical zuora sync of %d objects (%d rows): %.2f s wall; slowest job %d s, the jobs one after another %.0f s\n", n, r, w, j, j * (n + 1) / 2
    printf "  ratio to the slowest job %.2f, target <= 1.20  %s\n", w / j, (w / j <= 1.2) ? "PASS" : "MISS"
  }'
  exit 0
fi
for accounts in "$small" "$large"; do
  start_fake "$accounts"
  home="$work/zuora-$accounts"
  /usr/bin/time -v "$cli" sync --source zuora --zuora-env "$url" --objects "$objects" --zuora-poll-seconds 1 \
    --home "$home" >"$home.out" 2>"$home.time"
  capped="$work/zuora-capped-$accounts"
  capped_result=SUCCEEDED
  DOTNET_GCHeapHardLimit=$heap_cap /usr/bin/time -v "$cli" sync --source zuora --zuora-env "$url" --objects "$objects" \
    --zuora-poll-seconds 1 --keep-staged --home "$capped" >"$capped.out" 2>"$capped.time" || capped_result="FAILED (see $capped.time)"
  largest_csv=0
  for dir in "$capped"/staging/runs/*/*/*/; do
    bytes=$(cat "$dir"part-*.csv.gz | gzip -dc | wc -c)
    [ "$bytes" -gt "$largest_csv" ] && largest_csv=$bytes && largest_object=$(basename "$dir")
  done
  fake_kib=$(awk '/VmHWM/ { print $2 }' "/proc/$fake_pid/status")
  exec 3>&- # closing its stdin stops the fake
  wait "$fake_pid" || true
  fake_pid=
  read -r rows extract_ms load_ms object_count rss <<<"$(measure zuora "$home")"

  synthetic="$work/synthetic-$accounts"
  /usr/bin/time -v "$cli" sync --home "$synthetic" --scale "$rows" >"$synthetic.out" 2>"$synthetic.time"
  read -r s_rows s_extract_ms s_load_ms s_objects s_rss <<<"$(measure synthetic "$synthetic")"

  awk -v a="$accounts" -v r="$rows" -v e="$extract_ms" -v l="$load_ms" -v n="$object_count" -v w="$poll_wait_ms" \
      -v rss="$rss" -v fake="$fake_kib" -v sr="$s_rows" -v se="$s_extract_ms" -v sl="$s_load_ms" -v sn="$s_objects" \
      -v srss="$s_rss" 'BEGIN {
    zx = r / (e / 1000); znet = r / ((e - n * w) / 1000); zl = r / (l / 1000); sx = sr / (se / 1000); sl2 = sr / (sl / 1000)
    printf "zuora, %d accounts: %d rows in %d objects (fake server: %d MiB peak RSS, its own process)\n", a, r, n, fake / 1024
    printf "  zuora      extract+stage %8.0f rows/s (%8.0f less the fake'"'"'s poll waits, %.1f s)  load %8.0f rows/s  peak RSS %4d MiB\n", zx, znet, n * w / 1000, zl, rss / 1024
    printf "  synthetic  extract+stage %8.0f rows/s (--scale %d: %d rows in %d objects)        load %8.0f rows/s  peak RSS %4d MiB\n", sx, r, sr, sn, sl2, srss / 1024
    printf "  zuora / synthetic: extract+stage %.2f (%.2f less poll waits), load %.2f, peak RSS %.2f\n", zx / sx, znet / sx, zl / sl2, rss / srss
  }'
  awk -v cap="$((heap_cap / 1048576))" -v result="$capped_result" -v rss="$(peak_kib "$capped.time")" -v big="$largest_csv" -v obj="$largest_object" 'BEGIN {
    printf "  zuora with the .NET heap capped at %d MiB: %s, peak RSS %d MiB; largest object %s: %.0f MiB of CSV (%.0f MiB as one string)\n", cap, result, rss / 1024, obj, big / 1048576, 2 * big / 1048576
  }'
  echo "$rss $rows" >"$work/zuora-$accounts.summary"
done
read -r rss_small rows_small <"$work/zuora-$small.summary"
read -r rss_large rows_large <"$work/zuora-$large.summary"
awk -v a="$rss_small" -v b="$rss_large" -v rs="$rows_small" -v rl="$rows_large" -v s="$small" -v l="$large" \
  'BEGIN { printf "peak RSS ratio zuora %d / %d accounts: %.2f (tenant %.1fx larger: %d vs %d rows)\n", l, s, b / a, rl / rs, rl, rs }'
