#!/usr/bin/env bash
# Runs the hub with the example configuration (Deploy/hub.yaml) on the embedded SQLite
# store: generates keys into var/example, starts `swhub serve`, a `swhub listen` for
# customs, and an enterprise that submits a few messages (one of them twice, one of an
# unknown type); prints what each side sees; stops the hub with SIGTERM.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
source Scripts/lib/packages.sh
ensure_packages libzmq3-dev libxxhash-dev zlib1g-dev libgcrypt20-dev libprotobuf-c-dev pkg-config libsqlite3-dev

swift build
bin=$(swift build --show-bin-path)/swhub
dir=var/example
mkdir -p "$dir/keys" "$dir/var"
cp Deploy/hub.yaml Deploy/client-customs.yaml Deploy/client-enterprise.yaml "$dir/"
for name in hub tap enterprise customs tax forex post bank; do
  [ -f "$dir/keys/$name.key_secret" ] || "$bin" keygen --out "$dir/keys" --name "$name" >/dev/null
done

"$bin" serve --config "$dir/hub.yaml" --log-level notice &
hub=$!
trap 'kill -TERM $hub 2>/dev/null || true; wait $hub 2>/dev/null || true' EXIT
"$bin" listen --config "$dir/client-customs.yaml" --count 3 >"$dir/listener.out" &
listener=$!
sleep 1

run=$(date +%s)
echo "== enterprise submits (demo.Note is delivered to its subscribers customs and tax)"
"$bin" submit --config "$dir/client-enterprise.yaml" --type demo.Note --id "note-$run-1" --body "registration of enterprise 3301960001"
"$bin" submit --config "$dir/client-enterprise.yaml" --type demo.Note --id "note-$run-2" --body "order 2026-0001 declared"
echo "== the same id again is journaled once: the original seq comes back"
"$bin" submit --config "$dir/client-enterprise.yaml" --type demo.Note --id "note-$run-2" --body "order 2026-0001 declared"
echo "== an explicit recipient besides the subscribers"
"$bin" submit --config "$dir/client-enterprise.yaml" --type demo.Note --to bank --id "note-$run-3" --body "payment 88 received"
echo "== an undeclared type is refused with a stable code"
"$bin" submit --config "$dir/client-enterprise.yaml" --type demo.Unknown --body "x" || true

wait $listener
echo "== customs received and acknowledged:"
cat "$dir/listener.out"
echo "== stopping the hub (SIGTERM: in-flight commits finish, then it exits)"
kill -TERM $hub
wait $hub
trap - EXIT
echo "done; the journal is $dir/var/journal.sqlite (run again: customs resumes after its last acknowledgement)"
