#!/usr/bin/env bash
# Installs the SingleWindowHub service on a Debian machine (run as root).
#
#   sudo bash Deploy/install.sh [--config FILE] [--binary FILE] [--static-stdlib] [--no-start]
#
#   --config FILE     hub configuration to install (default: Deploy/hub.yaml beside this
#                     script); an existing /etc/swhub/hub.yaml is never overwritten
#   --binary FILE     an already built swhub; default: `swift build -c release --product swhub`
#   --static-stdlib   build with --static-swift-stdlib, so the binary does not need the Swift
#                     toolchain that built it (by default it loads the Swift runtime from there)
#   --no-start        enable the unit but do not (re)start it
#
# What it does:
#   - installs /usr/local/bin/swhub
#   - creates the system user swhub, /etc/swhub (config, keys) and /var/lib/swhub (journal)
#   - copies the config to /etc/swhub/hub.yaml with the journal moved to /var/lib/swhub
#   - generates CURVE keys with `swhub keygen` for the hub (and its tap) and for every party whose key
#     file does not exist yet. No private key is ever shipped: they are made here.
#     The hub's secret key stays in /etc/swhub/keys (readable by swhub only); each party's
#     public key goes where the config says, its secret key to /etc/swhub/party-keys/
#     (root only) — hand NAME.key_secret to that party securely, then delete it here.
#   - installs and enables swhub.service (systemd)
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(dirname "$here")

config_src="$here/hub.yaml"
binary=""
static_stdlib=0
start=1

BIN_DIR=/usr/local/bin
ETC_DIR=/etc/swhub
STATE_DIR=/var/lib/swhub
PARTY_KEYS_DIR=$ETC_DIR/party-keys
SVC_USER=swhub
UNIT=/etc/systemd/system/swhub.service

die() { echo "install.sh: $*" >&2; exit 1; }
say() { echo "install.sh: $*"; }

while [ $# -gt 0 ]; do
  case "$1" in
    --config) config_src=${2:?--config needs a file}; shift 2 ;;
    --binary) binary=${2:?--binary needs a file}; shift 2 ;;
    --static-stdlib) static_stdlib=1; shift ;;
    --no-start) start=0; shift ;;
    -h|--help) sed -n '2,22p' "$0"; exit 0 ;;
    *) die "unknown argument: $1" ;;
  esac
done

[ "$(id -u)" -eq 0 ] || die "run as root (sudo bash $0)"
[ -f "$config_src" ] || die "no config at $config_src"

# --- packages -----------------------------------------------------------------------------
need_pkgs() {
  local missing=() p
  for p in "$@"; do
    dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p")
  done
  if [ ${#missing[@]} -gt 0 ]; then
    say "installing ${missing[*]}"
    apt-get update
    DEBIAN_FRONTEND=noninteractive apt-get install -y "${missing[@]}"
  fi
}
need_pkgs libzmq5 libprotobuf-c1 libsqlite3-0

# --- binary -------------------------------------------------------------------------------
if [ -z "$binary" ]; then
  command -v swift >/dev/null || die "swift not found; build elsewhere and pass --binary FILE"
  need_pkgs libzmq3-dev libprotobuf-c-dev pkg-config libsqlite3-dev
  build_flags=(-c release --product swhub)
  if [ "$static_stdlib" -eq 1 ]; then build_flags+=(--static-swift-stdlib); fi
  say "building: swift build ${build_flags[*]}"
  (cd "$root" && swift build "${build_flags[@]}")
  binary="$(cd "$root" && swift build -c release --show-bin-path)/swhub"
fi
[ -x "$binary" ] || die "no executable at $binary"
install -m 0755 "$binary" "$BIN_DIR/swhub"
say "installed $BIN_DIR/swhub"

# --- user and directories -----------------------------------------------------------------
if ! getent passwd "$SVC_USER" >/dev/null; then
  useradd --system --user-group --home-dir "$STATE_DIR" --no-create-home \
    --shell /usr/sbin/nologin --comment "SingleWindowHub" "$SVC_USER"
  say "created system user $SVC_USER"
fi
install -d -m 0755 -o root -g root "$ETC_DIR"
install -d -m 0750 -o root -g "$SVC_USER" "$ETC_DIR/keys"
install -d -m 0700 -o root -g root "$PARTY_KEYS_DIR"
install -d -m 0750 -o "$SVC_USER" -g "$SVC_USER" "$STATE_DIR"

# --- configuration ------------------------------------------------------------------------
config="$ETC_DIR/hub.yaml"
if [ -e "$config" ]; then
  say "keeping the existing $config"
else
  # The journal must live in the writable state directory (the unit makes /etc read-only).
  sed -E "s|^([[:space:]]+journal:[[:space:]]*)[^#[:space:]]+|\1$STATE_DIR/journal.sqlite|" \
    "$config_src" >"$config"
  chown root:"$SVC_USER" "$config"
  chmod 0640 "$config"
  say "installed $config"
fi

journal=$(awk '/^[^[:space:]#]/ { s = $1 } s == "hub:" && $1 == "journal:" { print $2 }' "$config" | tr -d "\"'")
case "$journal" in
  "$STATE_DIR"/*) ;;
  *) say "warning: journal '$journal' is not under $STATE_DIR; the service can only write there" ;;
esac

# --- keys ---------------------------------------------------------------------------------
# Prints "@hub<TAB>PATH" for hub.key_file, "@tap<TAB>PATH" for tap.key_file, "@monitor<TAB>PATH" for
# monitor.token_file, and "PARTY<TAB>PATH" for each party's key_file
# (parties given an inline public_key are skipped).
key_files() {
  awk '
    function val(s) { sub(/^[^:]*:[[:space:]]*/, "", s); sub(/[[:space:]]+#.*$/, "", s);
                      gsub(/^["\x27]|["\x27]$/, "", s); return s }
    function flush() { if (id != "" && key != "") print id "\t" key; id = ""; key = "" }
    /^[^[:space:]#]/ { flush(); section = $1; next }
    {
      line = $0
      if (section == "parties:" && line ~ /^[[:space:]]*-/) flush()   # a new list item
      sub(/^[[:space:]]*-?[[:space:]]*/, "", line)
      if (section == "hub:" && line ~ /^key_file:/) print "@hub\t" val(line)
      if (section == "tap:" && line ~ /^key_file:/) print "@tap\t" val(line)
      if (section == "monitor:" && line ~ /^token_file:/) print "@monitor\t" val(line)
      if (section == "parties:" && line ~ /^id:/) id = val(line)
      if (section == "parties:" && line ~ /^key_file:/) key = val(line)
    }
    END { flush() }' "$1"
}

resolve() { case "$1" in /*) echo "$1" ;; *) echo "$ETC_DIR/$1" ;; esac; }

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

while IFS=$'\t' read -r name path; do
  [ -n "$name" ] && [ -n "$path" ] || continue
  file=$(resolve "$path")
  if [ -e "$file" ]; then continue; fi
  rm -f "$tmp"/*
  dir=$(dirname "$file")
  [ -d "$dir" ] || install -d -m 0750 -o root -g "$SVC_USER" "$dir"
  if [ "$name" = "@monitor" ]; then
    # The web monitor's bearer token: 32 random bytes in hex, readable by the service only.
    od -An -tx1 -N32 /dev/urandom | tr -d ' \n' >"$tmp/monitor.token"
    install -m 0600 -o "$SVC_USER" -g "$SVC_USER" "$tmp/monitor.token" "$file"
    say "generated the monitor's bearer token: $file (give it to operators and Prometheus)"
  elif [ "$name" = "@tap" ]; then
    "$BIN_DIR/swhub" keygen --out "$tmp" --name tap >/dev/null
    # The monitoring tap's key pair, like the hub's; subscribers need its public half.
    install -m 0600 -o "$SVC_USER" -g "$SVC_USER" "$tmp/tap.key_secret" "$file"
    public="$(dirname "$file")/tap.key"
    [ -e "$public" ] || install -m 0644 -o root -g root "$tmp/tap.key" "$public"
    say "generated the tap key pair: $file (public key: $public)"
  elif [ "$name" = "@hub" ]; then
    "$BIN_DIR/swhub" keygen --out "$tmp" --name hub >/dev/null
    # The hub's key pair, readable by the service only; its public half beside it for clients.
    install -m 0600 -o "$SVC_USER" -g "$SVC_USER" "$tmp/hub.key_secret" "$file"
    public="$(dirname "$file")/hub.key"
    [ -e "$public" ] || install -m 0644 -o root -g root "$tmp/hub.key" "$public"
    say "generated the hub key pair: $file (public key: $public)"
  else
    "$BIN_DIR/swhub" keygen --out "$tmp" --name "$name" >/dev/null
    install -m 0644 -o root -g "$SVC_USER" "$tmp/$name.key" "$file"
    install -m 0600 -o root -g root "$tmp/$name.key_secret" "$PARTY_KEYS_DIR/$name.key_secret"
    say "generated keys for $name: public $file, secret $PARTY_KEYS_DIR/$name.key_secret (hand it to $name, then delete it)"
  fi
done < <(key_files "$config")

# --- systemd ------------------------------------------------------------------------------
install -m 0644 "$here/swhub.service" "$UNIT"
if command -v systemctl >/dev/null && [ -d /run/systemd/system ]; then
  systemctl daemon-reload
  systemctl enable swhub.service
  if [ "$start" -eq 1 ]; then
    systemctl restart swhub.service
    say "swhub.service enabled and started (journalctl -u swhub -f)"
  else
    say "swhub.service enabled (start it with: systemctl start swhub)"
  fi
else
  say "systemd is not running here: installed $UNIT but did not enable it"
fi
