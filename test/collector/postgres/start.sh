#!/usr/bin/env bash
# Starts a throwaway PostgreSQL server for the collector tests on a loopback port and prints its
# URL (postgres://…) on the first line of stdout and its data directory on the second.
# PostgreSQL refuses to run as root, so as root the cluster is created and run by the `postgres`
# system user. Stop it with SIGINT to the pid on the first line of <data-dir>/postmaster.pid.
#   usage: start.sh [data-dir] [port]
set -euo pipefail
bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n1)
[ -x "$bin/initdb" ] || { echo "PostgreSQL server binaries not found (apt-get install -y postgresql)" >&2; exit 1; }
dir=${1:-$(mktemp -d /tmp/edgewatch-pg.XXXXXX)}
mkdir -p "$dir"
given_port=${2:-}
as_owner=()
if [ "$(id -u)" = 0 ]; then
  chown postgres "$dir"
  as_owner=(runuser -u postgres --)
fi
if [ ! -f "$dir/PG_VERSION" ]; then
  "${as_owner[@]}" "$bin/initdb" -D "$dir" -U edgewatch --auth=trust -E UTF8 >/dev/null
fi
# Sockets go to the data dir: /var/run/postgresql may not exist or be writable. Without a given
# port, a random one; another server may hold it, so try a few.
for attempt in 1 2 3 4 5; do
  port=${given_port:-$((20000 + RANDOM % 20000))}
  if "${as_owner[@]}" "$bin/pg_ctl" -D "$dir" -l "$dir/server.log" -w -o "-h 127.0.0.1 -p $port -k $dir" start >/dev/null; then
    break
  fi
  [ -z "$given_port" ] && [ "$attempt" -lt 5 ] || { echo "PostgreSQL did not start (see $dir/server.log)" >&2; exit 1; }
done
echo "postgres://edgewatch@127.0.0.1:$port/postgres"
echo "$dir"
