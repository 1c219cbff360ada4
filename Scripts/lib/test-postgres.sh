# Sourced by Scripts/test.sh: one throwaway PostgreSQL for the integration suites that run
# a second time with the journal in PostgreSQL (SWHUB_TEST_POSTGRES; see
# Tests/HubServerTests/Support/TestHub.swift). initdb refuses root: under root the server
# runs as the `postgres` user that Debian's postgresql-common creates.
start_test_postgres() {
  local bindir port
  bindir=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)
  test_pg_dir=$(mktemp -d /tmp/swhub-pg-suite-XXXXXX)
  chmod 755 "$test_pg_dir"
  port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
  python3 -c 'import uuid; print(uuid.uuid4(), end="")' > "$test_pg_dir/password"
  chmod 644 "$test_pg_dir/password"
  test_pg_as=()
  if [ "$(id -u)" -eq 0 ]; then
    chown -R postgres:postgres "$test_pg_dir"
    test_pg_as=(runuser -u postgres --)
  fi
  "${test_pg_as[@]}" "$bindir/initdb" -D "$test_pg_dir/data" -U swhub --pwfile="$test_pg_dir/password" \
    --auth-local=trust --auth-host=scram-sha-256 -E UTF8 --locale=C >"$test_pg_dir/initdb.log"
  "${test_pg_as[@]}" "$bindir/pg_ctl" -D "$test_pg_dir/data" -l "$test_pg_dir/postgres.log" -w -t 120 \
    -o "-c listen_addresses=127.0.0.1 -c port=$port -c unix_socket_directories=$test_pg_dir -c fsync=on -c synchronous_commit=on -c max_connections=600 -c shared_buffers=64MB" \
    start >/dev/null
  test_pg_bindir=$bindir
  export SWHUB_TEST_POSTGRES="127.0.0.1:$port"
  export SWHUB_TEST_POSTGRES_PASSWORD_FILE="$test_pg_dir/password"
}

stop_test_postgres() {
  [ -n "${test_pg_dir:-}" ] || return 0
  "${test_pg_as[@]}" "$test_pg_bindir/pg_ctl" -D "$test_pg_dir/data" -m fast -w stop >/dev/null 2>&1 || true
  rm -rf "$test_pg_dir"
  unset SWHUB_TEST_POSTGRES SWHUB_TEST_POSTGRES_PASSWORD_FILE test_pg_dir
}
