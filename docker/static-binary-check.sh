#!/usr/bin/env bash
# Builds the release binary the Docker image ships (--static-swift-stdlib) and runs it from an
# otherwise empty directory with an empty environment, so a file it needs at run time but only the
# build tree has (a Swift runtime library, a resource bundle) is caught without Docker: it must
# link nothing from the toolchain, carry no ICU data, bind, answer `letterbox healthcheck`, and
# exit 0 on SIGTERM.
set -euo pipefail
cd "$(dirname "$0")/.."

say() { printf 'static-binary-check: %s\n' "$*"; }
scratch=.build-docker

say "swift build -c release --static-swift-stdlib --scratch-path $scratch --product letterbox -Xlinker -s"
swift build -c release --static-swift-stdlib --scratch-path "$scratch" --product letterbox -Xlinker -s
binary="$(swift build -c release --scratch-path "$scratch" --show-bin-path)/letterbox"

dir=$(mktemp -d "${TMPDIR:-/tmp}/letterbox-static.XXXXXX")
pid=""
cleanup() {
  if [ -n "$pid" ]; then kill -KILL "$pid" 2>/dev/null || true; fi
  rm -rf "$dir"
}
trap cleanup EXIT
cp "$binary" "$dir/letterbox"
cd "$dir"

if ldd ./letterbox | grep -E 'not found|libswift|libFoundation|lib_Foundation|libdispatch|libBlocksRuntime|libicu'; then
  say "FAIL: the binary loads a library the runtime image does not have (above)"
  exit 1
fi
# ICU's data (~35 MB: full Foundation's FoundationInternationalization links it in) must stay out;
# the server modules use FoundationEssentials only. Its package name (icudt76l-…) marks the data
# even in a stripped binary; the size limit catches anything else that large.
if grep -a -q -m1 -E 'icudt[0-9]+[lb]-' letterbox; then
  say "FAIL: the binary carries ICU data: a module the letterbox executable links imports full"
  say "      Foundation (or FoundationInternationalization); use FoundationEssentials"
  exit 1
fi
size_limit=30000000
if [ "$(stat -c %s letterbox)" -gt "$size_limit" ]; then
  say "FAIL: the binary is $(stat -c %s letterbox) bytes, over the $size_limit the image budget allows"
  exit 1
fi
say "links only: $(ldd ./letterbox | awk '{ print $1 }' | tr '\n' ' ')($(($(stat -c %s letterbox) / 1000000)) MB, no ICU)"

env -i PATH=/usr/bin:/bin ./letterbox --smtp-port 0 --pop3-port 0 --http-port 0 >stdout.txt 2>stderr.txt &
pid=$!
port=""
for _ in $(seq 1 200); do
  port=$(sed -n 's/^http listening on .*:\([0-9][0-9]*\)$/\1/p' stdout.txt)
  [ -n "$port" ] && break
  kill -0 "$pid" 2>/dev/null || break
  sleep 0.1
done
if [ -z "$port" ]; then
  say "FAIL: no 'http listening on' line within 20 s"
  cat stdout.txt stderr.txt
  exit 1
fi

if ! env -i ./letterbox healthcheck --http-port "$port"; then
  say "FAIL: letterbox healthcheck --http-port $port"
  cat stdout.txt stderr.txt
  exit 1
fi

kill -TERM "$pid"
status=0
wait "$pid" || status=$?
pid=""
if [ "$status" != 0 ]; then
  say "FAIL: exit status $status after SIGTERM"
  cat stdout.txt stderr.txt
  exit 1
fi
say "ok: started in an empty directory, healthy on port $port, exit 0 after SIGTERM"
