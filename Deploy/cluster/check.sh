#!/usr/bin/env bash
# Checks the files of Deploy/cluster/ on this one machine, so they cannot rot:
#
#   bash Deploy/cluster/check.sh          the configs (a few seconds)
#   bash Deploy/cluster/check.sh --run    and starts the cluster for real (a minute or two)
#
# Every file is used as written, adapted only in addresses and paths: the machines
# 10.0.0.11-13 become the loopback addresses 127.R.0.11-13 (R picked at random, so two runs
# do not meet; ports unchanged), pg_hba's 10.0.0.1N/32 becomes 127.0.0.1/32 (where local
# connections come from), /etc, /var paths go into a temporary directory, the CHANGE-ME
# passwords become random ones. Then:
#   - the three hub configs differ only in hub.endpoint and hub.node, and `swhub config
#     check` passes on each (with throwaway keys, a password file and a CA certificate);
#   - the three etcd members start from their /etc/default/etcd files and form a cluster;
#   - `patroni --validate-config` passes on both Patroni files (it needs etcd reachable);
#   - `systemd-analyze verify` passes on Deploy/swhub.service with swhub-cluster.conf (etcd
#     and Patroni run from the Debian packages' own units);
#   - with --run: both Patroni nodes start (as the user postgres when run as root), one
#     leads with the other as synchronous standby, the swhub role and database are made
#     as the README says, three `swhub serve` nodes start on them over TLS (verify-full
#     against the database certificates' IP addresses), a client submits through the
#     client config's hub_endpoints, `swhub status --cluster` shows the nodes and the
#     synchronous standby; then the primary is killed (SIGKILL of Patroni and PostgreSQL)
#     and the time until the standby is promoted and a submission is ACCEPTED again is
#     printed; then every hub node must report to the new primary and one run the flows.
# Needs swhub on PATH (or SWHUB=path), etcd, patroni, PostgreSQL 15 and openssl.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
deploy=$(dirname "$here")
run=0
[ "${1:-}" != --run ] || run=1
swhub=${SWHUB:-$(command -v swhub || true)}
[ -n "$swhub" ] && [ -x "$swhub" ] || { echo "check.sh: no swhub on PATH (swift build; PATH=.build/debug:\$PATH)" >&2; exit 1; }
for tool in etcd etcdctl patroni openssl; do
  command -v "$tool" >/dev/null || { echo "check.sh: $tool is missing (apt-get install etcd-server etcd-client patroni openssl)" >&2; exit 1; }
done

say() { echo "check.sh: $*"; }
fail() { echo "check.sh: FAILED: $*" >&2; exit 1; }

tmp=$(mktemp -d /tmp/swhub-cluster-check.XXXXXX)
chmod 0755 "$tmp"
pids=()
cleanup() {
  local p i
  for p in ${pids[@]+"${pids[@]}"}; do kill -TERM "$p" 2>/dev/null || true; done
  for ((i = 0; i < 300; i++)); do
    local alive=0
    for p in ${pids[@]+"${pids[@]}"}; do kill -0 "$p" 2>/dev/null && alive=1; done
    [ "$alive" -eq 1 ] || break
    sleep 0.1
  done
  for p in ${pids[@]+"${pids[@]}"}; do kill -KILL "$p" 2>/dev/null || true; done
  # A PostgreSQL left by a killed Patroni.
  for pidfile in "$tmp"/pg-*/data/postmaster.pid; do
    [ -e "$pidfile" ] || continue
    p=$(head -n1 "$pidfile")
    grep -qs "$tmp" "/proc/$p/cmdline" && kill -KILL "$p" 2>/dev/null || true
  done
  if [ -n "${KEEP:-}" ]; then echo "check.sh: kept $tmp" >&2; else rm -rf "$tmp"; fi
}
trap cleanup EXIT

net=127.$((RANDOM % 240 + 10)).0
secret() { od -An -tx1 -N12 /dev/urandom | tr -d ' \n'; }
restapi_pw=$(secret) superuser_pw=$(secret) replication_pw=$(secret) rewind_pw=$(secret) swhub_pw=$(secret)

# adapt N < FILE > FILE: the file for machine N on loopback, in $tmp.
adapt() {
  sed -e "s#10\.0\.0\.1[123]/32#127.0.0.1/32#g" \
    -e "s#10\.0\.0\.#$net.#g" \
    -e "s#/var/lib/etcd/swhub#$tmp/etcd-$1#g" \
    -e "s#/var/lib/postgresql/15/swhub#$tmp/pg-$1/data#g" \
    -e "s#/var/lib/postgresql/patroni.pgpass#$tmp/pg-$1/pgpass#g" \
    -e "s#/var/run/postgresql#$tmp/pg-$1/sock#g" \
    -e "s#/etc/patroni/tls#$tmp/pg-$1/tls#g" \
    -e "s#CHANGE-ME-restapi#$restapi_pw#g" \
    -e "s#CHANGE-ME-superuser#$superuser_pw#g" \
    -e "s#CHANGE-ME-replication#$replication_pw#g" \
    -e "s#CHANGE-ME-rewind#$rewind_pw#g"
}

# as_postgres CMD...: PostgreSQL refuses to run as root; Patroni runs as postgres then.
as_postgres() {
  if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

# --- the hub configs ---------------------------------------------------------------------
for n in 2 3; do
  changed=$(diff "$here/hub-swhub-1.yaml" "$here/hub-swhub-$n.yaml" | grep '^[<>]' | grep -v '^[<>] #' |
    grep -vE '^[<>]   (endpoint|node): ' || true)
  [ -z "$changed" ] || fail "hub-swhub-$n.yaml differs from hub-swhub-1.yaml beyond hub.endpoint and hub.node:
$changed"
done

# A CA and one certificate per database machine naming its address (subjectAltName IP),
# as the README's openssl commands make them.
mkdir -p "$tmp/ca"
openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=swhub check CA" \
  -keyout "$tmp/ca/ca.key" -out "$tmp/ca/ca.crt" 2>/dev/null
for n in 1 2; do
  mkdir -p "$tmp/pg-$n/tls" "$tmp/pg-$n/sock"
  openssl req -newkey rsa:2048 -nodes -subj "/CN=swhub-$n" -keyout "$tmp/pg-$n/tls/server.key" \
    -out "$tmp/pg-$n/tls/server.csr" 2>/dev/null
  printf 'subjectAltName = IP:%s.1%s, DNS:swhub-%s\n' "$net" "$n" "$n" >"$tmp/pg-$n/tls/san.ext"
  openssl x509 -req -in "$tmp/pg-$n/tls/server.csr" -CA "$tmp/ca/ca.crt" -CAkey "$tmp/ca/ca.key" -CAcreateserial \
    -days 2 -extfile "$tmp/pg-$n/tls/san.ext" -out "$tmp/pg-$n/tls/server.crt" 2>/dev/null
  chmod 0600 "$tmp/pg-$n/tls/server.key"
done

# One set of keys (the hub's and every party's), shared by the three nodes as in production.
"$swhub" keygen --out "$tmp/keys" --name hub >/dev/null
for party in enterprise customs tax forex post bank; do "$swhub" keygen --out "$tmp/keys" --name "$party" >/dev/null; done
printf '%s\n' "$swhub_pw" >"$tmp/keys/pg-password"
cp "$tmp/ca/ca.crt" "$tmp/keys/pg-ca.pem"
for n in 1 2 3; do
  mkdir -p "$tmp/hub-$n"
  cp -r "$tmp/keys" "$tmp/hub-$n/keys"
  adapt "$n" <"$here/hub-swhub-$n.yaml" >"$tmp/hub-$n/hub.yaml"
  "$swhub" config check "$tmp/hub-$n/hub.yaml" >"$tmp/hub-$n/check.out" 2>&1 ||
    fail "swhub config check hub-swhub-$n.yaml: $(cat "$tmp/hub-$n/check.out")"
done
mkdir -p "$tmp/client"
cp "$tmp/keys/hub.key" "$tmp/keys/customs.key_secret" "$tmp/keys/enterprise.key_secret" "$tmp/client/"
mkdir -p "$tmp/client/keys" && mv "$tmp/client/"*.key* "$tmp/client/keys/"
adapt 1 <"$here/client-customs.yaml" >"$tmp/client/client-customs.yaml"
"$swhub" config check "$tmp/client/client-customs.yaml" >"$tmp/client/check.out" 2>&1 ||
  fail "swhub config check client-customs.yaml: $(cat "$tmp/client/check.out")"
say "swhub config check: hub-swhub-1.yaml, hub-swhub-2.yaml, hub-swhub-3.yaml, client-customs.yaml ok"

# --- etcd ---------------------------------------------------------------------------------
for n in 1 2 3; do
  adapt "$n" <"$here/etcd-swhub-$n.env" >"$tmp/etcd-$n.env"
  (
    set -a
    # shellcheck disable=SC1090
    . "$tmp/etcd-$n.env"
    set +a
    exec etcd
  ) >"$tmp/etcd-$n.log" 2>&1 &
  pids+=($!)
done
etcdctl3() { ETCDCTL_API=3 etcdctl --dial-timeout=1s --command-timeout=2s "$@"; }
healthy=0
deadline=$((SECONDS + 30))
while [ "$SECONDS" -lt "$deadline" ]; do
  if etcdctl3 --endpoints="$net.11:2379,$net.12:2379,$net.13:2379" endpoint health >/dev/null 2>&1; then
    healthy=1
    break
  fi
  sleep 0.2
done
[ "$healthy" -eq 1 ] || fail "the three etcd members did not become healthy within 30 s: $(tail -n 3 "$tmp"/etcd-*.log | cut -c1-300)"
members=$(etcdctl3 --endpoints="$net.11:2379" member list | wc -l)
[ "$members" -eq 3 ] || fail "etcd has $members members, not 3"
say "etcd: 3 members from etcd-swhub-1.env, etcd-swhub-2.env, etcd-swhub-3.env, healthy"

# --- Patroni ------------------------------------------------------------------------------
for n in 1 2; do
  adapt "$n" <"$here/patroni-swhub-$n.yml" >"$tmp/patroni-$n.yml"
  out=$(patroni --validate-config "$tmp/patroni-$n.yml" 2>&1) || fail "patroni --validate-config patroni-swhub-$n.yml: $out"
  [ -z "$out" ] || fail "patroni --validate-config patroni-swhub-$n.yml: $out"
done
say "patroni --validate-config: patroni-swhub-1.yml, patroni-swhub-2.yml ok"

# --- systemd ------------------------------------------------------------------------------
if command -v systemd-analyze >/dev/null; then
  root=$tmp/root
  mkdir -p "$root/usr/lib/systemd/system" "$root/etc/systemd/system/swhub.service.d" "$root/usr/local/bin"
  cp -r /usr/lib/systemd/system/. "$root/usr/lib/systemd/system/"
  [ ! -d /lib/systemd/system ] || cp -rn /lib/systemd/system/. "$root/usr/lib/systemd/system/" 2>/dev/null || true
  cp "$deploy/swhub.service" "$root/etc/systemd/system/"
  cp "$here/swhub-cluster.conf" "$root/etc/systemd/system/swhub.service.d/cluster.conf"
  cp "$swhub" "$root/usr/local/bin/swhub"
  out=$(systemd-analyze verify --root="$root" swhub.service 2>&1) || fail "systemd-analyze verify swhub.service: $out"
  say "systemd-analyze verify: swhub.service with swhub-cluster.conf ok"
else
  say "systemd-analyze is missing: units not verified"
fi

[ "$run" -eq 1 ] || exit 0

# --- --run: the cluster for real ----------------------------------------------------------
[ "$(id -u)" -eq 0 ] || fail "--run needs root (PostgreSQL runs as the user postgres, as on the machines)"
chown -R postgres:postgres "$tmp/pg-1" "$tmp/pg-2"
chmod 0644 "$tmp"/patroni-*.yml
now() { date +%s.%N; }
since() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.1f", b - a }'; }
# members: "name role state" per line, from the first Patroni REST API that answers.
members() {
  local n
  for n in 1 2; do
    curl -sf --max-time 2 "http://$net.1$n:8008/cluster" 2>/dev/null |
      python3 -c 'import json,sys; [print(m["name"], m["role"], m["state"]) for m in json.load(sys.stdin)["members"]]' 2>/dev/null &&
      return 0
  done
  return 1
}
# wait_for SECONDS WHAT COMMAND...: polls COMMAND every 0.2 s.
wait_for() {
  local limit=$1 what=$2 start
  shift 2
  start=$(now)
  until "$@"; do
    awk -v a="$start" -v b="$(now)" -v l="$limit" 'BEGIN { exit !(b - a > l) }' && { diagnose; fail "$what after $limit s"; }
    sleep 0.2
  done
}
# diagnose: what each part says, for a failure of --run.
diagnose() {
  local n
  echo "check.sh: Patroni members: $(members | tr '\n' ';')" >&2
  status | sed 's/^/check.sh:     /' >&2
  [ ! -s "$tmp/after.out" ] || echo "check.sh: last submission: $(cat "$tmp/after.out")" >&2
  for n in 1 2 3; do
    [ -e "$tmp/hub-$n/serve.log" ] || continue
    sed "s/^hub_endpoints: .*/hub_endpoints: [tcp:\/\/$net.1$n:5570]/" "$tmp/client/client-customs.yaml" >"$tmp/client/only-$n.yaml"
    echo "check.sh: swhub-$n alone: $("$swhub" submit --config "$tmp/client/only-$n.yaml" --type demo.Note --id "probe-$n" --body x --timeout 10 2>&1)" >&2
    echo "check.sh: swhub-$n log tail:" >&2
    tail -n 4 "$tmp/hub-$n/serve.log" | cut -c1-400 >&2
  done
}
patroni_pid=()
start_patroni() {
  runuser -u postgres -- patroni "$tmp/patroni-$1.yml" >>"$tmp/patroni-$1.log" 2>&1 &
  patroni_pid[$1]=$!
  pids+=($!)
}
leads() { members | grep -q "^swhub-$1 leader running$"; }
synchronous() { members | grep -qE "^swhub-$1 sync_standby (running|streaming)$"; }

start_patroni 1
wait_for 120 "swhub-1 did not lead" leads 1
start_patroni 2
wait_for 120 "swhub-2 did not become the synchronous standby" synchronous 2
say "Patroni: swhub-1 leads, swhub-2 is its synchronous standby"

# The role and database, as the README makes them (on the primary, through its socket).
runuser -u postgres -- psql -q -h "$tmp/pg-1/sock" -v ON_ERROR_STOP=1 -v pw="$swhub_pw" >/dev/null <<'SQL'
CREATE ROLE swhub LOGIN PASSWORD :'pw';
GRANT pg_monitor TO swhub;
CREATE DATABASE swhub OWNER swhub;
SQL

for n in 1 2 3; do
  "$swhub" serve --config "$tmp/hub-$n/hub.yaml" >"$tmp/hub-$n/serve.log" 2>&1 &
  pids+=($!)
done
status() { "$swhub" status --cluster --config "$tmp/hub-1/hub.yaml" 2>&1; }
nodes_up() { [ "$(status | grep -c '  up  ')" -eq 3 ]; }
wait_for 120 "the three hub nodes did not come up: $(status; tail -n 5 "$tmp"/hub-*/serve.log)" nodes_up
submit() { "$swhub" submit --config "$tmp/client/client-customs.yaml" --type demo.Note --id "$1" --body "check $1" 2>&1; }
out=$(submit before-failover) || fail "submit through hub_endpoints: $out"
say "submitted through client-customs.yaml: $out"
say "swhub status --cluster:"
status | sed 's/^/    /'
status | grep -q "standby swhub-2 .* sync" || fail "status --cluster shows no synchronous standby swhub-2"

# The primary's machine dies: SIGKILL of its Patroni and PostgreSQL.
postmaster=$(head -n1 "$tmp/pg-1/data/postmaster.pid")
victims=("${patroni_pid[1]}" "$(pgrep -P "${patroni_pid[1]}" || true)" "$postmaster" $(pgrep -P "$postmaster" || true))
killed=$(now)
for p in "${victims[@]}"; do [ -z "$p" ] || kill -KILL "$p" 2>/dev/null || true; done
: >"$tmp/after.out"
accepted() { "$swhub" submit --config "$tmp/client/client-customs.yaml" --type demo.Note --id after-failover --body x --timeout 10 >"$tmp/after.out" 2>&1; }
if ! wait_for 120 "no submission ACCEPTED after the primary's loss" accepted; then :; fi
say "primary killed: a submission was ACCEPTED again after $(since "$killed") s: $(cat "$tmp/after.out")"
leads 2 || fail "swhub-2 does not lead after the failover: $(members)"
# Every node reports to the new primary again, and one runs the flows.
recovered() { [ "$(status | grep -c '  up  ')" -eq 3 ] && status | grep -q "^flows run on: swhub-"; }
wait_for 60 "the hub nodes did not all report to the new primary with a flows leader" recovered
say "all three hub nodes up again, flows leader elected, $(since "$killed") s after the primary's loss"
say "swhub status --cluster after the failover:"
status | sed 's/^/    /'
