#!/usr/bin/env bash
# Measures the two ways of numbering a shared journal's records on PostgreSQL that
# Docs/cluster.md compares: every append locking the head row (what the hub does), and
# appends taking numbers from a sequence without a lock (readers must then stay below the
# oldest running transaction). Batches of 100 records of 1 KB, 1, 2 and 4 concurrent
# writers, 10 s each, with pgbench.
#   bash Scripts/pg-sequencing/run.sh HOST PORT USER   (a database swhub_sequencing is made and dropped)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"
host=${1:-127.0.0.1} port=${2:-5432} user=${3:-postgres}
psql=(psql -h "$host" -p "$port" -U "$user" -v ON_ERROR_STOP=1 -q)
"${psql[@]}" -d postgres -c "DROP DATABASE IF EXISTS swhub_sequencing" -c "CREATE DATABASE swhub_sequencing"
trap '"${psql[@]}" -d postgres -c "DROP DATABASE IF EXISTS swhub_sequencing"' EXIT
"${psql[@]}" -d swhub_sequencing <<'SQL'
CREATE TABLE head (id int PRIMARY KEY, seq bigint NOT NULL, chain bytea NOT NULL);
INSERT INTO head VALUES (1, 0, '\x00');
CREATE TABLE m_lock (seq bigint PRIMARY KEY, body bytea NOT NULL);
CREATE SEQUENCE s;
CREATE TABLE m_seq (seq bigint PRIMARY KEY, body bytea NOT NULL, xid xid8 NOT NULL DEFAULT pg_current_xact_id());
SQL
for writers in 1 2 4; do
    for script in head-lock sequence; do
        tps=$(pgbench -h "$host" -p "$port" -U "$user" -n -f "$script.sql" -c "$writers" -j "$writers" -T 10 swhub_sequencing 2>&1 |
            awk '/^tps/ {print $3}')
        printf '%-9s writers=%d  batches/s %8.1f  records/s %8.0f\n' "$script" "$writers" "$tps" "$(echo "$tps * 100" | bc)"
    done
done
