#!/usr/bin/env bash
# Builds and runs a libFuzzer target over the LetterboxMIME sources.
#
#   Tests/Fuzz/run.sh headers|tree [seconds] [extra libFuzzer flags…]
#
# The binary goes to .build-fuzz/ and the working corpus to .build-fuzz/corpus-<target>/ (both
# ignored by git), seeded from Fixtures/messages/. Crashes are written to .build-fuzz/ as
# crash-<sha1>; copy each into Fixtures/messages/fuzz/ as a regression fixture (the tests parse
# every file there). Needs the swift toolchain's libFuzzer (`swiftc -sanitize=fuzzer`), Linux.
set -euo pipefail
cd "$(dirname "$0")/../.."
target="${1:?usage: Tests/Fuzz/run.sh headers|tree [seconds]}"
seconds="${2:-600}"
shift $(( $# > 1 ? 2 : 1 ))
case "$target" in
    headers) entry=Tests/Fuzz/FuzzHeaders.swift ;;
    tree) entry=Tests/Fuzz/FuzzMIMETree.swift ;;
    *) echo "unknown target: $target (headers or tree)" >&2; exit 2 ;;
esac
mkdir -p .build-fuzz
binary=".build-fuzz/fuzz-$target"
# Compile a snapshot, so that editing the sources meanwhile cannot break the build.
sources=".build-fuzz/sources-$target"
rm -rf "$sources" && mkdir -p "$sources"
cp Sources/LetterboxMIME/*.swift "$entry" "$sources"/
swiftc -sanitize=fuzzer,address -parse-as-library -O -g -module-name LetterboxMIMEFuzz \
    "$sources"/*.swift -o "$binary" 2> >(grep -v "Cannot export local symbol" >&2)
corpus=".build-fuzz/corpus-$target"
mkdir -p "$corpus"
cp -n Fixtures/messages/*.eml "$corpus"/ 2>/dev/null || true
if [ -d Fixtures/messages/fuzz ]; then cp -n Fixtures/messages/fuzz/* "$corpus"/ 2>/dev/null || true; fi
exec "$binary" "$corpus" -max_total_time="$seconds" -max_len=65536 -timeout=10 -rss_limit_mb=2048 \
    -artifact_prefix=.build-fuzz/ -print_final_stats=1 "$@"
