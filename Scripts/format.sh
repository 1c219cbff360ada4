#!/usr/bin/env bash
# Formats the package's Swift files with the checked-in .swift-format (swift-format from the
# Swift toolchain: `swift format`).
#   bash Scripts/format.sh           # rewrites the files in place
#   bash Scripts/format.sh --check   # changes nothing; lists what is not formatted and exits 1
# Generated code (Sources/**/Generated/) is left as its generator writes it. Files are those
# git knows of, plus new ones not ignored, so .build/ and checkouts are never touched.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

mode=format
case "${1:-}" in
  --check) mode=check ;;
  "") ;;
  *) echo "usage: $0 [--check]" >&2; exit 2 ;;
esac

mapfile -t files < <(git ls-files --cached --others --exclude-standard -- '*.swift' | grep -v '/Generated/' | sort -u)
[ "${#files[@]}" -gt 0 ] || { echo "no Swift files" >&2; exit 1; }

if [ "$mode" = check ]; then
  # --strict: every finding is an error, so the exit status tells CI the tree is not formatted.
  swift format lint --strict --parallel --configuration .swift-format "${files[@]}"
  echo "format: ${#files[@]} files checked"
else
  swift format format --in-place --parallel --configuration .swift-format "${files[@]}"
  echo "format: ${#files[@]} files formatted"
fi
