#!/usr/bin/env bash
# Installs the SingleWindowHub hub and, optionally, department adapters on a Debian host
# with systemd, or into a staging root for packaging.
#
#   sudo bash Deploy/install.sh --config HUB.yaml [--adapter NAME=ADAPTER.yaml ...]
#                               [--binary FILE] [--static-stdlib] [--no-start]
#   DESTDIR=/tmp/root PREFIX=/usr bash Deploy/install.sh --config HUB.yaml --binary FILE ...
#
#   --config FILE       the hub config to install as /etc/swhub/hub.yaml (an existing one is kept)
#   --adapter NAME=FILE a department adapter to install (repeatable): NAME is the department
#                       (customs, tax, forex, post, bank: the unit runs `swhub adapter NAME`),
#                       FILE its config, installed as /etc/swhub/adapters/NAME.yaml
#   --binary FILE       an already built swhub; default: `swift build -c release --product swhub`
#   --static-stdlib     build with --static-swift-stdlib (no Swift toolchain needed at run time)
#   --no-start          enable the units but do not (re)start them
#
# Environment: PREFIX (default /usr/local: the binary goes to $PREFIX/bin/swhub, the units
# name it there); DESTDIR (default none): write everything under $DESTDIR, for packaging.
# With DESTDIR nothing outside it is touched: no packages, users, chown or systemctl. The
# owners are then only recorded, as systemd configs the package applies at install time:
# sysusers.d/swhub.conf (the users) and tmpfiles.d/swhub.conf (owner and mode of every
# folder, key and config: `systemd-sysusers && systemd-tmpfiles --create swhub.conf`), in
# /usr/lib when PREFIX=/usr (a package), else in /etc. Without DESTDIR (as root) they are
# applied at once as well, and written all the same.
#
# What the installed configs name is read from the program, never parsed here:
# `swhub config files FILE --relative-to /etc/swhub` lists the key files, journal, token
# and folders with the paths they will have once installed (relative paths in a config
# resolve against the folder it is installed into). The services may write only their state
# folders (ProtectSystem=strict), so the installer refuses, without changing anything:
#   - a hub config whose journal is not under /var/lib/swhub (write an absolute path, e.g.
#     `journal: /var/lib/swhub/journal.sqlite`; Deploy/hub.yaml's `var/journal.sqlite` is
#     for development runs and is refused);
#   - an adapter config whose folders are not under /var/lib/swhub-adapters (e.g.
#     `folder: /var/lib/swhub-adapters/customs`).
#
# What it installs:
#   - $PREFIX/bin/swhub; swhub.service and swhub-adapter@.service (in /etc/systemd/system, or
#     /usr/lib/systemd/system when PREFIX=/usr), naming $PREFIX/bin/swhub
#   - the user swhub (the hub) and one user swhub-NAME per adapter (its group is the one to
#     add the department's own system to: it drops files into in/ and takes them from out/)
#   - /etc/swhub/hub.yaml (root:swhub 0640), /var/lib/swhub (swhub 0750) with the journal's folder
#   - keys generated with `swhub keygen` when missing (none is ever shipped): the hub's and
#     the tap's key pairs (root:swhub 0640) with their public halves beside them (0644), the
#     monitor's bearer token (root:swhub 0640), each party's key pair: its public key where
#     the hub config names it (0644), its secret key in /etc/swhub/party-keys/ (root 0600)
#     to hand to that party and then delete — unless an adapter installed here is that
#     party: then the secret goes where the adapter config names it (root:swhub-NAME 0640)
#   - per adapter: /etc/swhub/adapters/NAME.yaml (root:swhub-NAME 0640), the hub's (and
#     tap's) public key where it names them, its folders under /var/lib/swhub-adapters
#     (swhub-NAME; in/ and out/ 2770, archive/ and errors/ 2750, state/ 0700)
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(dirname "$here")

config_src=""
adapters=()
binary=""
static_stdlib=0
start=1

DESTDIR=${DESTDIR:-}
DESTDIR=${DESTDIR%/}
PREFIX=${PREFIX:-/usr/local}
PREFIX=${PREFIX%/}
BIN_DIR=$PREFIX/bin
ETC_DIR=/etc/swhub
STATE_DIR=/var/lib/swhub
ADAPTER_STATE_DIR=/var/lib/swhub-adapters
PARTY_KEYS_DIR=$ETC_DIR/party-keys
SVC_USER=swhub
# A package (PREFIX=/usr) puts its systemd files under /usr/lib, a local install under /etc.
if [ "$PREFIX" = /usr ]; then SYSTEMD_DIR=/usr/lib; else SYSTEMD_DIR=/etc; fi
UNIT_DIR=$SYSTEMD_DIR/systemd/system
SYSUSERS_FILE=$SYSTEMD_DIR/sysusers.d/swhub.conf
TMPFILES_FILE=$SYSTEMD_DIR/tmpfiles.d/swhub.conf

die() { echo "install.sh: $*" >&2; exit 1; }
say() { echo "install.sh: $*"; }

while [ $# -gt 0 ]; do
  case "$1" in
    --config) config_src=${2:?--config needs a file}; shift 2 ;;
    --adapter) adapters+=("${2:?--adapter needs NAME=FILE}"); shift 2 ;;
    --binary) binary=${2:?--binary needs a file}; shift 2 ;;
    --static-stdlib) static_stdlib=1; shift ;;
    --no-start) start=0; shift ;;
    -h|--help) sed -n '2,/^set -euo/p' "$0" | sed '$d'; exit 0 ;;
    *) die "unknown argument: $1" ;;
  esac
done

[ -n "$config_src" ] || die "--config HUB.yaml is required (the hub config to install; see --help)"
[ -f "$config_src" ] || die "no config at $config_src"
[ -n "$DESTDIR" ] || [ "$(id -u)" -eq 0 ] || die "run as root (sudo bash $0), or set DESTDIR to install into a staging root"
case "$PREFIX" in /*) ;; *) die "PREFIX must be an absolute path, not '$PREFIX'" ;; esac
case "$DESTDIR" in ""|/*) ;; *) DESTDIR=$(pwd)/$DESTDIR ;; esac

for spec in ${adapters[@]+"${adapters[@]}"}; do
  name=${spec%%=*}
  file=${spec#*=}
  [ "$name" != "$spec" ] || die "--adapter $spec: expected NAME=FILE"
  case "$name" in customs|tax|forex|post|bank) ;; *) die "--adapter $name: not a department (customs, tax, forex, post, bank)" ;; esac
  [ -f "$file" ] || die "--adapter $name: no config at $file"
done

# --- packages and binary ------------------------------------------------------------------
need_pkgs() {
  [ -z "$DESTDIR" ] || return 0   # a package declares its dependencies instead
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

if [ -z "$binary" ]; then
  command -v swift >/dev/null || die "swift not found; build elsewhere and pass --binary FILE"
  need_pkgs libzmq3-dev libxxhash-dev libprotobuf-c-dev pkg-config libsqlite3-dev
  build_flags=(-c release --product swhub)
  if [ "$static_stdlib" -eq 1 ]; then build_flags+=(--static-swift-stdlib); fi
  say "building: swift build ${build_flags[*]}"
  (cd "$root" && swift build "${build_flags[@]}")
  binary="$(cd "$root" && swift build -c release --show-bin-path)/swhub"
fi
[ -x "$binary" ] || die "no executable at $binary"
swhub=$binary   # the installer runs the binary it installs: keygen, config files

# --- what the configs name (refused here before anything is written) ----------------------
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
"$swhub" config files "$config_src" --relative-to "$ETC_DIR" >"$tmp/hub.files" ||
  die "$config_src: not a hub config this swhub accepts (above); nothing was installed"
grep -q "^hub_key	" "$tmp/hub.files" || die "$config_src is not a hub config (no hub.key_file): use --adapter for an adapter's"
while IFS=$'\t' read -r kind name path; do
  if [ "$kind" = journal ] || [ "$kind" = vault ]; then
    case "$path" in
      "$STATE_DIR"/*) ;;
      *) key=hub.journal
         [ "$kind" = vault ] && key=keys.vault
         die "$config_src: $key would be $path once installed, but the service may write only under $STATE_DIR; write it there in the config to install (journal: $STATE_DIR/journal.sqlite, keys.vault: $STATE_DIR/keys.sqlite). Nothing was installed." ;;
    esac
  fi
done <"$tmp/hub.files"
for spec in ${adapters[@]+"${adapters[@]}"}; do
  name=${spec%%=*}
  "$swhub" config files "${spec#*=}" --relative-to "$ETC_DIR/adapters" >"$tmp/adapter-$name.files" ||
    die "--adapter $name: ${spec#*=} is not an adapter config this swhub accepts (above); nothing was installed"
  grep -q "^folder	" "$tmp/adapter-$name.files" || die "--adapter $name: ${spec#*=} has no adapter: section"
  while IFS=$'\t' read -r kind key path; do
    if [ "$kind" = folder ]; then
      case "$path" in
        "$ADAPTER_STATE_DIR"/*) ;;
        *) die "--adapter $name: adapter $key folder would be $path, but the adapter may write only under $ADAPTER_STATE_DIR; name its folders there (folder: $ADAPTER_STATE_DIR/$name). Nothing was installed." ;;
      esac
    fi
  done <"$tmp/adapter-$name.files"
done

# --- owners: applied now (as root), always recorded for packaging --------------------------
users=("$SVC_USER")
tmpfiles=()
# own USER GROUP MODE PATH: sets the mode, records owner and mode (systemd-tmpfiles `d` for a
# folder, `z` for a file), and chowns unless installing into DESTDIR.
own() {
  local user=$1 group=$2 mode=$3 path=$4 type=z
  [ -d "$DESTDIR$path" ] && type=d
  chmod "$mode" "$DESTDIR$path"
  tmpfiles+=("$type $path $mode $user $group -")
  if [ -z "$DESTDIR" ]; then chown "$user:$group" "$path"; fi
}
# forget PATH: drops the owner record of a file moved away.
forget() {
  local kept=() entry
  for entry in ${tmpfiles[@]+"${tmpfiles[@]}"}; do
    [ "$(echo "$entry" | cut -d' ' -f2)" = "$1" ] || kept+=("$entry")
  done
  tmpfiles=(${kept[@]+"${kept[@]}"})
}
# folder USER GROUP MODE PATH: makes the folder (missing parents: plain mkdir -p) if missing.
folder() {
  [ -d "$DESTDIR$4" ] || mkdir -p "$DESTDIR$4"
  own "$1" "$2" "$3" "$4"
}
# put SOURCE USER GROUP MODE PATH: installs a file where none is (never overwrites).
put() {
  mkdir -p "$DESTDIR$(dirname "$5")"
  if [ -e "$DESTDIR$5" ]; then return 1; fi
  (umask 077 && cp "$1" "$DESTDIR$5")
  own "$2" "$3" "$4" "$5"
}
# The public key file beside a key pair file: keys/hub.key_secret -> keys/hub.key.
public_of() { case "$1" in *.key_secret) echo "${1%_secret}" ;; *) echo "$(dirname "$1")/$2.key" ;; esac; }

make_user() {  # make_user NAME HOME COMMENT
  if [ -n "$DESTDIR" ] || getent passwd "$1" >/dev/null; then return 0; fi
  useradd --system --user-group --home-dir "$2" --no-create-home --shell /usr/sbin/nologin --comment "$3" "$1"
  say "created system user $1"
}
make_user "$SVC_USER" "$STATE_DIR" "SingleWindowHub"
for spec in ${adapters[@]+"${adapters[@]}"}; do
  make_user "swhub-${spec%%=*}" "$ADAPTER_STATE_DIR" "SingleWindowHub ${spec%%=*} adapter"
  users+=("swhub-${spec%%=*}")
done

# --- binary, units ------------------------------------------------------------------------
mkdir -p "$DESTDIR$BIN_DIR" "$DESTDIR$UNIT_DIR"
install -m 0755 "$binary" "$DESTDIR$BIN_DIR/swhub"
say "installed $DESTDIR$BIN_DIR/swhub"
for unit in swhub.service swhub-adapter@.service; do
  sed "s|/usr/local/bin/swhub|$BIN_DIR/swhub|g" "$here/$unit" >"$tmp/$unit"
  install -m 0644 "$tmp/$unit" "$DESTDIR$UNIT_DIR/$unit"
done
say "installed $DESTDIR$UNIT_DIR/swhub.service and swhub-adapter@.service"

# --- the hub ------------------------------------------------------------------------------
[ -d "$DESTDIR$ETC_DIR" ] || folder root root 0755 "$ETC_DIR"
folder "$SVC_USER" "$SVC_USER" 0750 "$STATE_DIR"
if put "$config_src" root "$SVC_USER" 0640 "$ETC_DIR/hub.yaml"; then
  say "installed $DESTDIR$ETC_DIR/hub.yaml"
else
  say "keeping the existing $DESTDIR$ETC_DIR/hub.yaml (the config checked above is $config_src)"
fi

keygen() {  # keygen NAME: a fresh key pair in $tmp/keys
  rm -rf "$tmp/keys"
  mkdir "$tmp/keys"
  "$swhub" keygen --out "$tmp/keys" --name "$1" >/dev/null
}
hub_public="" tap_public=""
while IFS=$'\t' read -r kind name path; do
  dir=$(dirname "$path")
  case "$kind" in
    journal|vault)
      [ -d "$DESTDIR$dir" ] || folder "$SVC_USER" "$SVC_USER" 0750 "$dir" ;;
    master_key)
      # The hub refuses a master key file not its user's own with mode 0600 or 0400.
      [ -d "$DESTDIR$dir" ] || folder root "$SVC_USER" 0750 "$dir"
      if [ ! -e "$DESTDIR$path" ]; then
        "$swhub" keys init --master-key-file "$tmp/master.key" >/dev/null
        put "$tmp/master.key" "$SVC_USER" "$SVC_USER" 0600 "$path"
        rm -f "$tmp/master.key"
        say "generated the master key of personal data at rest: $DESTDIR$path (back it up apart from the journal's backups)"
      fi ;;
    hub_key|tap_key)
      [ -d "$DESTDIR$dir" ] || folder root "$SVC_USER" 0750 "$dir"
      public=$(public_of "$path" "$name")
      if [ ! -e "$DESTDIR$path" ]; then
        keygen "$name"
        put "$tmp/keys/$name.key_secret" root "$SVC_USER" 0640 "$path"
        put "$tmp/keys/$name.key" root root 0644 "$public" || say "warning: kept the existing $DESTDIR$public: check it is the public half of $path"
        say "generated the $name key pair: $DESTDIR$path (public key: $DESTDIR$public)"
      fi
      if [ "$kind" = hub_key ]; then hub_public=$public; else tap_public=$public; fi ;;
    monitor_token)
      [ -d "$DESTDIR$dir" ] || folder root "$SVC_USER" 0750 "$dir"
      if [ ! -e "$DESTDIR$path" ]; then
        od -An -tx1 -N32 /dev/urandom | tr -d ' \n' >"$tmp/monitor.token"
        put "$tmp/monitor.token" root "$SVC_USER" 0640 "$path"
        say "generated the monitor's bearer token: $DESTDIR$path (give it to operators and Prometheus)"
      fi ;;
    party_key)
      [ -d "$DESTDIR$dir" ] || folder root "$SVC_USER" 0750 "$dir"
      if [ ! -e "$DESTDIR$path" ]; then
        keygen "$name"
        [ -d "$DESTDIR$PARTY_KEYS_DIR" ] || folder root root 0700 "$PARTY_KEYS_DIR"
        put "$tmp/keys/$name.key" root root 0644 "$path"
        put "$tmp/keys/$name.key_secret" root root 0600 "$PARTY_KEYS_DIR/$name.key_secret" ||
          die "$DESTDIR$PARTY_KEYS_DIR/$name.key_secret exists but $DESTDIR$path does not: remove the stale secret first"
        say "generated keys for $name: public $DESTDIR$path, secret $DESTDIR$PARTY_KEYS_DIR/$name.key_secret"
      fi ;;
  esac
done <"$tmp/hub.files"

# --- adapters -----------------------------------------------------------------------------
for spec in ${adapters[@]+"${adapters[@]}"}; do
  name=${spec%%=*}
  user=swhub-$name
  [ -d "$DESTDIR$ETC_DIR/adapters" ] || folder root root 0755 "$ETC_DIR/adapters"
  [ -d "$DESTDIR$ADAPTER_STATE_DIR" ] || folder root root 0755 "$ADAPTER_STATE_DIR"
  put "${spec#*=}" root "$user" 0640 "$ETC_DIR/adapters/$name.yaml" ||
    say "keeping the existing $DESTDIR$ETC_DIR/adapters/$name.yaml (the config checked above is ${spec#*=})"
  seen_hub=0 seen_tap=0
  while IFS=$'\t' read -r kind key path; do
    case "$kind" in
      client_key)
        party=$key
        [ "$party" != "-" ] || party=$name
        secret=$DESTDIR$PARTY_KEYS_DIR/$party.key_secret
        if [ -e "$DESTDIR$path" ]; then
          own root "$user" 0640 "$path"
        elif [ -e "$secret" ]; then
          put "$secret" root "$user" 0640 "$path"
          rm -f "$secret"
          forget "$PARTY_KEYS_DIR/$party.key_secret"
          say "installed $party's secret key for the $name adapter: $DESTDIR$path"
        else
          die "--adapter $name: no key pair for party $party: put its secret key at $DESTDIR$path (the hub config names no party '$party' whose key was made here)"
        fi ;;
      hub_public_key|tap_public_key)
        source_key=$hub_public
        [ "$kind" = hub_public_key ] || source_key=$tap_public
        [ -n "$source_key" ] || die "--adapter $name: names a tap public key, but the hub config has no tap"
        # A second file of one kind is the server's next key while its key is rotated
        # (hub_public_key_files: [current, next]): the .next.key swhub keygen --rotate wrote
        # beside the current one.
        if [ "$kind" = hub_public_key ]; then seen_hub=$((seen_hub + 1)); seen=$seen_hub; else seen_tap=$((seen_tap + 1)); seen=$seen_tap; fi
        if [ "$seen" -gt 1 ] && [ ! -e "$DESTDIR$path" ]; then
          source_key=${source_key%.key}.next.key
          [ -e "$DESTDIR$source_key" ] ||
            die "--adapter $name: names a second ${kind%_public_key} public key ($path), the next key of a rotation, but $DESTDIR$source_key does not exist: run swhub keygen --rotate --name ${kind%_public_key} beside the current key first, or name one key"
        fi
        put "$DESTDIR$source_key" root root 0644 "$path" || true ;;
      folder)
        parent=$(dirname "$path")
        [ "$parent" = "$ADAPTER_STATE_DIR" ] || [ -d "$DESTDIR$parent" ] || folder "$user" "$user" 0750 "$parent"
        case "$key" in
          inbox|outbox) mode=2770 ;;
          archive|errors) mode=2750 ;;
          *) mode=0700 ;;
        esac
        folder "$user" "$user" "$mode" "$path" ;;
    esac
  done <"$tmp/adapter-$name.files"
  if [ -z "$DESTDIR" ] && command -v runuser >/dev/null; then
    # What the adapter reads must be reachable by its user (a key under the hub's 0750 keys
    # folder would not be).
    while IFS=$'\t' read -r kind key path; do
      case "$kind" in
        client_key|hub_public_key|tap_public_key)
          runuser -u "$user" -- test -r "$path" || say "warning: $user cannot read $path ($kind): the $name adapter will not start; name a file it can reach (e.g. keys/... beside its config)" ;;
      esac
    done <"$tmp/adapter-$name.files"
  fi
  say "installed the $name adapter: $DESTDIR$ETC_DIR/adapters/$name.yaml, run as $user (add the department's system to group $user)"
done
if [ -d "$DESTDIR$PARTY_KEYS_DIR" ] && [ -n "$(ls -A "$DESTDIR$PARTY_KEYS_DIR")" ]; then
  say "secret keys to hand to their parties securely, then delete: $DESTDIR$PARTY_KEYS_DIR/*.key_secret"
fi

# --- owner records ------------------------------------------------------------------------
[ -d "$DESTDIR$(dirname "$SYSUSERS_FILE")" ] || mkdir -p "$DESTDIR$(dirname "$SYSUSERS_FILE")"
[ -d "$DESTDIR$(dirname "$TMPFILES_FILE")" ] || mkdir -p "$DESTDIR$(dirname "$TMPFILES_FILE")"
# merge FILE HEADER < LINES: this run's lines, then the earlier runs' for other paths or users.
merge() {
  { cat; [ ! -e "$1" ] || grep -v '^#' "$1"; } | awk '!seen[$2]++' >"$tmp/merged"
  { echo "$2"; cat "$tmp/merged"; } >"$1"
}
{
  echo "u $SVC_USER - \"SingleWindowHub\" $STATE_DIR"
  for user in "${users[@]:1}"; do echo "u $user - \"SingleWindowHub ${user#swhub-} adapter\" $ADAPTER_STATE_DIR"; done
} | merge "$DESTDIR$SYSUSERS_FILE" "# SingleWindowHub's users (written by Deploy/install.sh)"
printf '%s\n' "${tmpfiles[@]}" |
  merge "$DESTDIR$TMPFILES_FILE" "# Owner and mode of SingleWindowHub's folders, keys and configs (written by Deploy/install.sh)"
chmod 0644 "$DESTDIR$SYSUSERS_FILE" "$DESTDIR$TMPFILES_FILE"

if [ -n "$DESTDIR" ]; then
  say "installed into $DESTDIR; owners recorded in $SYSUSERS_FILE and $TMPFILES_FILE (apply: systemd-sysusers; systemd-tmpfiles --create swhub.conf)"
  exit 0
fi

# --- systemd ------------------------------------------------------------------------------
if command -v systemctl >/dev/null && [ -d /run/systemd/system ]; then
  systemctl daemon-reload
  units=(swhub.service)
  for spec in ${adapters[@]+"${adapters[@]}"}; do units+=("swhub-adapter@${spec%%=*}.service"); done
  systemctl enable "${units[@]}"
  if [ "$start" -eq 1 ]; then
    systemctl restart "${units[@]}"
    say "enabled and started ${units[*]} (journalctl -u swhub -f)"
  else
    say "enabled ${units[*]} (start: systemctl start ${units[*]})"
  fi
else
  say "systemd is not running here: installed the units but did not enable them"
fi
