#!/usr/bin/env bash
# Runs the test suite: installs missing Debian packages, builds with warnings as errors,
# runs `swift test`. Extra arguments go to `swift test`, e.g.
#   bash Scripts/test.sh --filter HubServerTests
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

packages=(libzmq3-dev pkg-config protobuf-compiler python3-zmq python3-protobuf libsqlite3-dev)
missing=()
for p in "${packages[@]}"; do
  dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  sudo=""
  if [ "$(id -u)" -ne 0 ]; then sudo=sudo; fi
  echo "test.sh: installing ${missing[*]}"
  $sudo apt-get update
  $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y "${missing[@]}"
fi

swift build -Xswiftc -warnings-as-errors
# The same flags as the build, so `swift test` reuses it instead of rebuilding everything.
swift test -Xswiftc -warnings-as-errors "$@"
