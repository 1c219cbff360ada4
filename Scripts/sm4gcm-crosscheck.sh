#!/usr/bin/env bash
# Cross-checks HubCrypto's SM4-GCM (libgcrypt) against Python's `cryptography` (OpenSSL's
# SM4 with its own GCM) on random keys, nonces, associated data and plaintexts of 0-200
# bytes: Python writes the vectors, SM4GCMCrossCheckTests (run only when
# SWHUB_SM4GCM_VECTORS names a file) seals and opens each with HubCrypto and compares.
# Needs `pip install cryptography` and a test build (swift build --build-tests).
#   bash Scripts/sm4gcm-crosscheck.sh [COUNT]
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
count="${1:-500}"
vectors="$(mktemp --suffix=.json)"
trap 'rm -f "$vectors"' EXIT
python3 - "$count" "$vectors" <<'PY'
import json, os, random, sys
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
count, path = int(sys.argv[1]), sys.argv[2]
vectors = []
for _ in range(count):
    key, nonce = os.urandom(16), os.urandom(12)
    aad, plaintext = os.urandom(random.randint(0, 64)), os.urandom(random.randint(0, 200))
    encryptor = Cipher(algorithms.SM4(key), modes.GCM(nonce)).encryptor()
    encryptor.authenticate_additional_data(aad)
    ciphertext = encryptor.update(plaintext) + encryptor.finalize()
    vectors.append({k: v.hex() for k, v in dict(key=key, nonce=nonce, aad=aad, plaintext=plaintext,
                                                  ciphertext=ciphertext, tag=encryptor.tag).items()})
json.dump(vectors, open(path, "w"))
print(f"{count} SM4-GCM vectors from cryptography {__import__('cryptography').__version__}")
PY
SWHUB_SM4GCM_VECTORS="$vectors" swift test --skip-build --filter SM4GCMCrossCheckTests
