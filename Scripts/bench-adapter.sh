#!/usr/bin/env bash
# Measures a department file adapter: one inbox file of N hub-JSON messages (credit notices),
# from the moment it appears in the inbox until the adapter archived it (every message
# journaled durably). Usage: bash Scripts/bench-adapter.sh PATH/TO/swhub [N]
set -euo pipefail
bin=$(readlink -f "${1:?swhub binary}"); n=${2:-20000}
d=$(mktemp -d /tmp/adbench.XXXX); cd "$d"
"$bin" keygen --out . --name hub >/dev/null; "$bin" keygen --out . --name tax >/dev/null; "$bin" keygen --out . --name office >/dev/null
port=$(python3 -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1])')
cat > hub.yaml <<Y
hub: {endpoint: "tcp://127.0.0.1:$port", key_file: hub.key_secret, journal: journal.sqlite}
types: [{name: credit.Notice, message: swhub.v1.CreditNotice}]
parties:
  - {id: tax, key_file: tax.key}
  - {id: office, key_file: office.key, subscribes: [credit.Notice]}
Y
cat > tax.yaml <<Y
party: tax
hub_endpoint: tcp://127.0.0.1:$port
hub_public_key_file: hub.key
key_file: tax.key_secret
adapter: {folder: tax, poll_ms: 20}
Y
mkdir -p tax/in
"$bin" serve --config hub.yaml --log-level warning & hub=$!
"$bin" adapter tax --config tax.yaml --log-level warning > adapter.log 2>&1 & adapter=$!
sleep 1
python3 - "$n" > tax/in/.notices.json.tmp <<'P'
import sys
for i in range(int(sys.argv[1])):
    print('{"type": "credit.Notice", "body": {"social_credit_code": "91330100MA%07dX", "rating": "A", "name": "企业 %d"}}' % (i, i))
P
start=$(date +%s.%N)
mv tax/in/.notices.json.tmp tax/in/notices.json
while [ ! -f tax/archive/notices.json ]; do sleep 0.01; done
end=$(date +%s.%N)
python3 -c "e=$end-$start; print(f'{$n} messages from one file journaled and archived in {e:.2f} s: {$n/e:,.0f} msgs/s')"
kill $adapter $hub; wait 2>/dev/null || true
rm -rf "$d"
