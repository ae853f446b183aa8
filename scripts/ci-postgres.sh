#!/usr/bin/env bash
# Starts a throwaway PostgreSQL cluster for the system tests: initdb in a temporary directory, a free port
# on 127.0.0.1, trust authentication (it only listens on loopback and lives for one run), one database.
# Prints the variables the tests read, one KEY=VALUE a line, on stdout (progress goes to stderr):
#
#   REGATE_PG_URL   postgres://regate@127.0.0.1:<port>/regate_test
#   REGATE_PG_DATA  the data directory
#   REGATE_PG_CTL   a pg_ctl for this cluster: `$REGATE_PG_CTL stop -m immediate`, `$REGATE_PG_CTL start`,
#                   and `$REGATE_PG_CTL destroy` (stop and delete everything)
#
# Use:  export $(scripts/ci-postgres.sh) && trap '"$REGATE_PG_CTL" destroy' EXIT
#
# PostgreSQL refuses to run as root, so as root the cluster belongs to the `postgres` user (the Debian
# package creates it; REGATE_PG_USER picks another). PG_BIN picks the binaries (default: the newest
# /usr/lib/postgresql/*/bin).
set -euo pipefail

say() { echo "ci-postgres: $*" >&2; }

PG_BIN=${PG_BIN:-$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)}
if [ -z "$PG_BIN" ] || [ ! -x "$PG_BIN/initdb" ]; then
  say "no PostgreSQL server binaries found: install the Debian package postgresql (or set PG_BIN)"
  exit 1
fi

dir=$(mktemp -d "${TMPDIR:-/tmp}/regate-pg.XXXXXX")
if [ "$(id -u)" -eq 0 ]; then
  user=${REGATE_PG_USER:-postgres}
  if ! id "$user" >/dev/null 2>&1; then
    say "running as root, and there is no user '$user' to run PostgreSQL as: create one or set REGATE_PG_USER"
    exit 1
  fi
  chown "$user" "$dir"
  as_user=(runuser -u "$user" --)
else
  as_user=()
fi
chmod 700 "$dir"

port=$(node -e 'const s=require("net").createServer().listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})')

say "initdb in $dir/data ($PG_BIN)"
"${as_user[@]}" "$PG_BIN/initdb" -D "$dir/data" -U regate --auth=trust --encoding=UTF8 --no-locale \
  >"$dir/initdb.log" 2>&1 || {
  cat "$dir/initdb.log" >&2
  exit 1
}
cat >>"$dir/data/postgresql.conf" <<EOF
listen_addresses = '127.0.0.1'
port = $port
unix_socket_directories = '$dir'
EOF

# The pg_ctl the tests call: the right user, data directory and log file are filled in.
cat >"$dir/pg_ctl" <<EOF
#!/usr/bin/env bash
set -euo pipefail
if [ "\${1:-}" = destroy ]; then
  ${as_user[*]} "$PG_BIN/pg_ctl" -D "$dir/data" stop -m immediate >/dev/null 2>&1 || true
  rm -rf "$dir"
  exit 0
fi
exec ${as_user[*]} "$PG_BIN/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w "\$@"
EOF
chmod 755 "$dir/pg_ctl"

say "starting on 127.0.0.1:$port"
"$dir/pg_ctl" start >/dev/null || {
  cat "$dir/server.log" >&2
  exit 1
}
"${as_user[@]}" "$PG_BIN/createdb" -h 127.0.0.1 -p "$port" -U regate regate_test

echo "REGATE_PG_URL=postgres://regate@127.0.0.1:$port/regate_test"
echo "REGATE_PG_DATA=$dir/data"
echo "REGATE_PG_CTL=$dir/pg_ctl"
