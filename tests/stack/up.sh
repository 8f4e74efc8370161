#!/usr/bin/env bash
# Starts the local stand-ins the integration tests use, each on a free loopback port: moto_server (S3 and
# DynamoDB, one process; moto 5.2.1, preinstalled with Python — not installed here) and a throwaway
# PostgreSQL 15 cluster (the SQL engine behind the Redshift Data API test double), installing PostgreSQL when
# missing. Prints `export NAME=value` lines on stdout for the caller
# to eval; everything else goes to stderr. It also installs the state-machine tools the workflow tests run
# (asl-validator, aws-local-stepfunctions) and exports where they are (SSYNC_TEST_NODE_MODULES). Stop it all with `bash tests/stack/down.sh "$SSYNC_STACK_DIR"`.
#
#   eval "$(bash tests/stack/up.sh)"
#   dotnet test ...
#   bash tests/stack/down.sh "$SSYNC_STACK_DIR"
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
log() { echo "stack: $*" >&2; }

moto_python=python3
if ! command -v moto_server >/dev/null || ! "$moto_python" -c 'import moto.moto_server.werkzeug_app' 2>/dev/null; then
  log "moto_server is missing: install moto 5.2.1 with its server (pip install 'moto[server]==5.2.1')"; exit 1
fi

pg_bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1 || true)
if [ -z "$pg_bin" ] || [ ! -x "$pg_bin/initdb" ]; then
  log "installing PostgreSQL (apt)"
  if [ "$(id -u)" -ne 0 ]; then log "PostgreSQL is missing and installing it needs root: apt-get install -y postgresql"; exit 1; fi
  DEBIAN_FRONTEND=noninteractive apt-get update -qq >&2
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >&2
  # Debian starts a cluster of its own on 5432; the tests use their own throwaway cluster only.
  (service postgresql stop || true) >/dev/null 2>&1
  pg_bin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)
fi
if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
  if [ "$(id -u)" -ne 0 ]; then log "Node.js is missing and installing it needs root: apt-get install -y nodejs npm"; exit 1; fi
  log "installing Node.js (apt)"
  DEBIAN_FRONTEND=noninteractive apt-get update -qq >&2
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nodejs npm >&2
fi

# The Status page's browser tests drive Debian's chromium through Playwright (no browser download).
if [ ! -x /usr/bin/chromium ]; then
  if [ "$(id -u)" -ne 0 ]; then log "chromium is missing and installing it needs root: apt-get install -y chromium"; exit 1; fi
  log "installing chromium (apt)"
  DEBIAN_FRONTEND=noninteractive apt-get update -qq >&2
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >&2
fi

if [ ! -x "$here/node_modules/.bin/asl-validator" ] || [ ! -d "$here/node_modules/aws-local-stepfunctions" ]; then
  log "installing asl-validator and aws-local-stepfunctions (npm)"
  (cd "$here" && npm ci --no-audit --no-fund --loglevel=error >&2)
fi

free_port() { node -e "const s=require('net').createServer();s.listen(0,'127.0.0.1',()=>{console.log(s.address().port);s.close()})"; }
wait_port() { # name port pid
  for _ in $(seq 1 200); do
    if (exec 3<>"/dev/tcp/127.0.0.1/$2") 2>/dev/null; then return 0; fi
    kill -0 "$3" 2>/dev/null || { log "$1 exited at start; its log:"; cat "$dir/$1.log" >&2; return 1; }
    sleep 0.05
  done
  log "$1 did not listen on port $2"; return 1
}

dir=$(mktemp -d /tmp/ssync-stack.XXXXXX)
chmod 755 "$dir"
# Whatever started before a failure is stopped again: the caller gets no variables to do it with.
trap 'status=$?; if [ "$status" -ne 0 ]; then bash "$here/down.sh" "$dir"; fi' EXIT

# One moto process serves S3 and DynamoDB (and STS): any credentials. moto-serial.py runs moto_server's app one
# request at a time, so that DynamoDB's conditional writes are atomic (see there).
moto_port=$(free_port)
"$moto_python" "$here/moto-serial.py" 127.0.0.1 "$moto_port" >"$dir/moto.log" 2>&1 &
echo $! >"$dir/moto.pid"
wait_port moto "$moto_port" "$(cat "$dir/moto.pid")"

pg_port=$(free_port)
mkdir -p "$dir/pg"
as_pg=()
if [ "$(id -u)" -eq 0 ]; then chown postgres: "$dir/pg"; as_pg=(runuser -u postgres --); fi
"${as_pg[@]}" "$pg_bin/initdb" -D "$dir/pg/data" -U postgres -A trust -E UTF8 --no-locale --no-sync >"$dir/initdb.log" 2>&1 \
  || { cat "$dir/initdb.log" >&2; exit 1; }
"${as_pg[@]}" "$pg_bin/pg_ctl" -D "$dir/pg/data" -l "$dir/pg/log" -w -o "-c listen_addresses=127.0.0.1 -p $pg_port -c unix_socket_directories=$dir/pg -c fsync=off -c max_connections=200" start >&2
echo "$pg_bin" >"$dir/pg_bin"

log "moto :$moto_port, postgres :$pg_port (state in $dir)"
cat <<VARS
export SSYNC_STACK_DIR=$dir
export SSYNC_TEST_S3_ENDPOINT=http://127.0.0.1:$moto_port
export SSYNC_TEST_DYNAMODB_ENDPOINT=http://127.0.0.1:$moto_port
export SSYNC_MOTO_ENDPOINT=http://127.0.0.1:$moto_port
export SSYNC_TEST_POSTGRES='Host=127.0.0.1;Port=$pg_port;Username=postgres;Database=postgres'
export SSYNC_TEST_NODE_MODULES=$here/node_modules
VARS
