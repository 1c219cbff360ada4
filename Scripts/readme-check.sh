#!/usr/bin/env bash
# Runs the shell blocks of README.md, so the README cannot drift from the program.
#
#   bash Scripts/readme-check.sh [README.md]      (after `swift build`; Scripts/test.sh runs it)
#
# A shell block is a fenced block marked sh, bash, shell or console, or any fenced block
# whose first line starts with "$ " (a transcript). Each one is either
#   - marked not runnable, on the line right before its fence (blank lines between are
#     fine), with a reason:   <!-- not run: needs root and systemd -->
#     (a marker without a reason is a failure);
#   - or run, in a scratch directory of its own holding copies of Deploy/, Kits/ (and
#     Examples/ if there is one), with the built swhub on PATH and as .build/debug/ (a
#     plain `swift build` in a block is a no-op here: the blocks are run after the
#     build), under `set -euo pipefail`:
#       sh / bash / shell: the block is a script that must exit 0;
#       console, or "$ " transcripts: each "$ COMMAND" is run in turn in one shell (a
#       command ending in "&" runs in the background, its output discarded, stopped at
#       the block's end) and what it prints (stdout and stderr) must be the lines shown
#       after it: "<anything>" in a shown line matches any text, and a line "..." any
#       number of lines.
# Background processes a block starts are stopped when it ends (SIGTERM, SIGKILL 5 s
# later). Each block has 60 seconds. Exits 1 if a block failed, listing every failure with
# its README line. SWHUB_BIN_DIR overrides where the built swhub is.
set -euo pipefail
readme=$(realpath "${1:-$(dirname "${BASH_SOURCE[0]}")/../README.md}")
cd "$(dirname "${BASH_SOURCE[0]}")/.."
repo=$(pwd)
bin=${SWHUB_BIN_DIR:-$(swift build --show-bin-path)}
[ -x "$bin/swhub" ] || { echo "readme-check: no swhub in $bin: run swift build first" >&2; exit 1; }

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# Splits the README into $work/blocks/N.{kind,line,text}; kind is "run:LANG",
# "skip:REASON", or "noreason" for a marker without a reason.
mkdir -p "$work/blocks"
awk -v out="$work/blocks" '
  function flush_marker() { marker = "" }
  !infence && /^```/ {
    lang = substr($0, 4); gsub(/[[:space:]]/, "", lang)
    infence = 1; n++; start = NR; text = ""; first = ""
    next
  }
  infence && /^```[[:space:]]*$/ {
    infence = 0
    shell = (lang == "sh" || lang == "bash" || lang == "shell" || lang == "console")
    if (!shell && lang == "" && first ~ /^\$ /) { shell = 1; lang = "console" }
    if (shell) {
      if (marker == "?") kind = "noreason"
      else if (marker != "") kind = "skip:" marker
      else kind = "run:" lang
      printf "%s\n", kind > (out "/" n ".kind")
      printf "%d\n", start > (out "/" n ".line")
      printf "%s", text > (out "/" n ".text")
      close(out "/" n ".kind"); close(out "/" n ".line"); close(out "/" n ".text")
    }
    flush_marker()
    next
  }
  infence { if (text == "") first = $0; text = text $0 "\n"; next }
  /^<!-- not run:.*-->[[:space:]]*$/ {
    marker = $0; sub(/^<!-- not run:[[:space:]]*/, "", marker); sub(/[[:space:]]*-->[[:space:]]*$/, "", marker)
    if (marker == "") marker = "?"
    next
  }
  /^[[:space:]]*$/ { next }
  { flush_marker() }
' "$readme"

# The prelude of every block: swhub on PATH, a no-op `swift build`, background jobs stopped.
cat >"$work/prelude.sh" <<PRELUDE
set -euo pipefail
export PATH="$bin:\$PATH"
swift() {
  case "\$*" in
    build|"build --product "*) return 0 ;;
    *) echo "readme-check: 'swift \$*' is not run by the README check" >&2; return 1 ;;
  esac
}
# SIGTERM, then SIGKILL after 5 s for a job that ignores it (or inherited it blocked).
stop_jobs() {
  local p i
  for p in \$(jobs -p); do kill -TERM "\$p" 2>/dev/null || true; done
  for ((i = 0; i < 50; i++)); do
    [ -n "\$(jobs -pr)" ] || break
    sleep 0.1
  done
  for p in \$(jobs -pr); do kill -KILL "\$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
}
trap stop_jobs EXIT
PRELUDE

# match EXPECTED ACTUAL: whether the actual output file matches the shown lines.
match() {
  local -a want got
  mapfile -t want <"$1"
  mapfile -t got <"$2"
  match_from 0 0
}
match_from() {
  local i=$1 j=$2 pattern line
  while [ "$i" -lt "${#want[@]}" ]; do
    line=${want[$i]}
    if [ "$line" = "..." ] || [ "$line" = "…" ]; then
      local k
      for ((k = j; k <= ${#got[@]}; k++)); do
        if match_from $((i + 1)) "$k"; then return 0; fi
      done
      return 1
    fi
    [ "$j" -lt "${#got[@]}" ] || return 1
    pattern=$(printf '%s' "$line" | sed -e 's/[][\.|$(){}?+*^]/\\&/g' -e 's/<[^>]*>/.*/g')
    [[ "${got[$j]}" =~ ^${pattern}$ ]] || return 1
    i=$((i + 1)); j=$((j + 1))
  done
  [ "$j" -eq "${#got[@]}" ]
}

failures=0 ran=0 skipped=0
for kind_file in $(ls "$work/blocks"/*.kind 2>/dev/null | sort -t/ -k1 -V); do
  n=$(basename "$kind_file" .kind)
  kind=$(cat "$kind_file")
  line=$(cat "$work/blocks/$n.line")
  text="$work/blocks/$n.text"
  case "$kind" in
    skip:*)
      skipped=$((skipped + 1))
      echo "readme-check: line $line: not run (${kind#skip:})"
      continue ;;
    noreason)
      failures=$((failures + 1))
      echo "readme-check: line $line: FAILED: marked not run without a reason (<!-- not run: why -->)" >&2
      continue ;;
  esac
  dir="$work/run-$n"
  mkdir -p "$dir/.build"
  for d in Deploy Kits Examples; do
    if [ -e "$repo/$d" ]; then cp -r "$repo/$d" "$dir/"; fi
  done
  ln -s "$bin" "$dir/.build/debug"
  ran=$((ran + 1))
  if [ "$kind" = run:console ]; then
    # One script running each command in turn, its output to out.N, then compared.
    script="$dir/.block.sh"
    cp "$work/prelude.sh" "$script"
    mkdir -p "$dir/.expected" "$dir/.got"
    c=0
    while IFS= read -r l || [ -n "$l" ]; do
      if [[ "$l" == '$ '* ]]; then
        c=$((c + 1))
        cmd=${l#\$ }
        : >"$dir/.expected/$c"
        if [[ "$cmd" =~ \&[[:space:]]*$ ]]; then
          printf '{ %s } >/dev/null 2>&1\n' "${cmd%&*} &" >>"$script"
          echo "-" >"$dir/.expected/$c.bg"
        else
          printf '{ %s\n} >%q 2>&1 || true\n' "$cmd" "$dir/.got/$c" >>"$script"
        fi
      elif [ "$c" -gt 0 ]; then
        printf '%s\n' "$l" >>"$dir/.expected/$c"
      fi
    done <"$text"
    status=0
    (cd "$dir" && timeout -k 5 60 bash "$script") >"$dir/.log" 2>&1 || status=$?
    failed=""
    [ "$status" -eq 0 ] || failed="the block's shell exited $status: $(tail -n 5 "$dir/.log")"
    for ((k = 1; k <= c; k++)); do
      [ -z "$failed" ] || break
      [ ! -e "$dir/.expected/$k.bg" ] || continue
      touch "$dir/.got/$k"
      if ! match "$dir/.expected/$k" "$dir/.got/$k"; then
        failed="command $k: $(grep -m$k '^\$ ' "$text" | tail -n1)
--- shown in the README:
$(cat "$dir/.expected/$k")
--- printed:
$(cat "$dir/.got/$k")"
      fi
    done
  else
    status=0
    (cd "$dir" && timeout -k 5 60 bash -c "source $(printf %q "$work/prelude.sh"); source $(printf %q "$text")") >"$dir/.log" 2>&1 || status=$?
    failed=""
    [ "$status" -eq 0 ] || failed="exited $status:
$(tail -n 20 "$dir/.log")"
  fi
  if [ -n "$failed" ]; then
    failures=$((failures + 1))
    echo "readme-check: line $line: FAILED: $failed" >&2
  else
    echo "readme-check: line $line: ok"
  fi
done
echo "readme-check: $ran block(s) run, $skipped marked not run, $failures failed"
[ "$failures" -eq 0 ]
