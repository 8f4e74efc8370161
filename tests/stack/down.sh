#!/usr/bin/env bash
# Stops what tests/stack/up.sh started (by PID) and removes its state directory.
set -uo pipefail
dir=${1:-${SSYNC_STACK_DIR:-}}
[ -n "$dir" ] && [ -d "$dir" ] || exit 0
for name in moto; do
  [ -f "$dir/$name.pid" ] && kill "$(cat "$dir/$name.pid")" 2>/dev/null
done
if [ -f "$dir/pg_bin" ]; then
  as_pg=()
  [ "$(id -u)" -eq 0 ] && as_pg=(runuser -u postgres --)
  "${as_pg[@]}" "$(cat "$dir/pg_bin")/pg_ctl" -D "$dir/pg/data" -m immediate -w stop >/dev/null 2>&1
fi
rm -rf "$dir"
