#!/usr/bin/env bash
# Regenerates the committed code generated from Schemas/*.proto:
# - Swift, in Sources/HubProtocol/Generated: builds protoc-gen-swift alone from a
#   swift-protobuf checkout of the version Package.swift names (about 70 s) and runs
#   Debian's protoc (apt: protobuf-compiler);
# - C, in Sources/CHubClient (the C adapter kit; sources in generated/, headers in include/
#   beside swhub_client.h, so programs built on the kit can use the message types): Debian's protoc-c
#   (apt: protobuf-c-compiler), for the runtime libprotobuf-c (apt: libprotobuf-c-dev).
# `Scripts/generate-protos.sh --c-only` regenerates only the C code (no swift-protobuf build).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)

# C (protobuf-c): one NAME.pb-c.c / NAME.pb-c.h per proto, with a banner.
command -v protoc-c >/dev/null || { apt-get update -qq && apt-get install -y -qq protobuf-c-compiler libprotobuf-c-dev; }
c_out="$root/Sources/CHubClient/generated"
c_include="$root/Sources/CHubClient/include"
mkdir -p "$c_out" "$c_include"
rm -f "$c_out"/*.pb-c.c "$c_include"/*.pb-c.h
protoc-c -I "$root/Schemas" --c_out="$c_out" "$root"/Schemas/*.proto
mv "$c_out"/*.pb-c.h "$c_include"/
for f in "$c_out"/*.pb-c.c "$c_include"/*.pb-c.h; do
  src=$(basename "$f" | sed 's/\.pb-c\.[ch]$//').proto
  { printf '/* GENERATED FILE: do not edit.\n * Source: Schemas/%s\n * Regenerate with: Scripts/generate-protos.sh (%s)\n */\n\n' \
      "$src" "$(protoc-c --version | head -1)"; cat "$f"; } >"$f.tmp" && mv "$f.tmp" "$f"
done
echo "generated: $(ls "$c_out" "$c_include"/*.pb-c.h)"
[ "${1:-}" = "--c-only" ] && exit 0

version=$(grep -o 'swift-protobuf", from: "[0-9.]*"' "$root/Package.swift" | grep -o '[0-9][0-9.]*')
work=${SWHUB_PROTOGEN_DIR:-$root/.build-protogen}

command -v protoc >/dev/null || { apt-get update -qq && apt-get install -y -qq protobuf-compiler; }
if [ ! -x "$work/swift-protobuf/.build/release/protoc-gen-swift" ]; then
  rm -rf "$work/swift-protobuf"
  mkdir -p "$work"
  git clone -q --branch "$version" --depth 1 https://github.com/apple/swift-protobuf "$work/swift-protobuf" 2>/dev/null ||
    { git clone -q https://github.com/apple/swift-protobuf "$work/swift-protobuf" && git -C "$work/swift-protobuf" checkout -q "$version"; }
  (cd "$work/swift-protobuf" && swift build -c release --product protoc-gen-swift)
fi
out="$root/Sources/HubProtocol/Generated"
mkdir -p "$out"
rm -f "$out"/*.pb.swift "$out"/SchemaDescriptors.swift
protoc --plugin=protoc-gen-swift="$work/swift-protobuf/.build/release/protoc-gen-swift" \
  --swift_opt=Visibility=Public --swift_opt=FileNaming=DropPath --swift_opt=UseAccessLevelOnImports=true \
  -I "$root/Schemas" --swift_out="$out" "$root"/Schemas/*.proto
for f in "$out"/*.pb.swift; do
  src=$(basename "$f" .pb.swift).proto
  { printf '// GENERATED FILE: do not edit.\n// Source: Schemas/%s\n// Regenerate with: Scripts/generate-protos.sh (protoc %s, swift-protobuf %s)\n\n' \
      "$src" "$(protoc --version | cut -d' ' -f2)" "$version"; cat "$f"; } >"$f.tmp" && mv "$f.tmp" "$f"
done
# The schema itself, for code that works by field name (policy, redaction): a
# FileDescriptorSet of every proto, embedded as base64.
desc=$(mktemp)
protoc -I "$root/Schemas" --descriptor_set_out="$desc" "$root"/Schemas/*.proto
{
  printf '// GENERATED FILE: do not edit.\n// Source: Schemas/*.proto (protoc --descriptor_set_out)\n'
  printf '// Regenerate with: Scripts/generate-protos.sh (protoc %s)\n\n' "$(protoc --version | cut -d' ' -f2)"
  printf 'import Foundation\n\n/// The `google.protobuf.FileDescriptorSet` of every file in `Schemas/`.\npublic enum SchemaDescriptors {\n'
  printf '    /// Serialized `FileDescriptorSet`.\n    public static let set: [UInt8] = [UInt8](Data(base64Encoded: base64) ?? Data())\n\n'
  printf '    private static let base64 = "%s"\n}\n' "$(base64 -w0 "$desc")"
} >"$out/SchemaDescriptors.swift"
rm -f "$desc"
echo "generated: $(ls "$out")"
