#!/usr/bin/env bash
# The README's run command: a whole single window on this machine on the embedded SQLite
# store — `swhub demo` starts the hub, the five simulated departments (customs, tax,
# forex, post, a bank) as their own processes, and enterprises that file registrations and
# declarations (some deliberately mismatched, one blacklisted); then shows one
# declaration's unified feedback (`swhub status`) and its trace (`swhub trace`), checks the
# journal's hash chain (`swhub verify`) and prints the statistics (`swhub stats`); the demo
# itself ends by writing the month's report (`swhub report`, PDF and CSV) in its folder.
# Arguments go to `swhub demo` (e.g. --count 500, --json; --monitor 127.0.0.1:8080
# --linger 600 serves the web monitor and /metrics and keeps everything up 10 minutes
# after the filings, or until Ctrl-C).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
source Scripts/lib/packages.sh
ensure_packages libzmq3-dev libxxhash-dev zlib1g-dev libgcrypt20-dev libprotobuf-c-dev pkg-config libsqlite3-dev
# The demo ends by writing the month's report: charts by gnuplot, the PDF printed by chromium.
ensure_packages gnuplot-nox chromium

swift build --product swhub
bin=$(swift build --show-bin-path)/swhub
dir=var/demo-$(date +%Y%m%d-%H%M%S)
mkdir -p var
"$bin" demo --dir "$dir" "$@"
case " $* " in *" --json "*) exit 0 ;; esac
echo
echo "== swhub status inventory-1 --config $dir/hub.yaml"
"$bin" status inventory-1 --config "$dir/hub.yaml"
echo
echo "== swhub trace inventory-1 --config $dir/hub.yaml (first 12 events)"
"$bin" trace inventory-1 --config "$dir/hub.yaml" >"$dir/trace-inventory-1.txt"
head -n 13 "$dir/trace-inventory-1.txt"
echo "… (all of it in $dir/trace-inventory-1.txt)"
echo
echo "== swhub verify --config $dir/hub.yaml"
"$bin" verify --config "$dir/hub.yaml"
echo
echo "== swhub stats --config $dir/hub.yaml"
"$bin" stats --config "$dir/hub.yaml"
