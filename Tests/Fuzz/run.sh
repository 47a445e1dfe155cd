#!/usr/bin/env bash
# Builds and runs the libFuzzer targets (Linux, the swift toolchain's `-sanitize=fuzzer`).
#
#   Tests/Fuzz/run.sh <target> [seconds] [extra libFuzzer flags…]   fuzz one target
#   Tests/Fuzz/run.sh build [target…]                              only build (all by default)
#   Tests/Fuzz/run.sh list                                         the targets
#   Tests/Fuzz/run.sh probe                                        build the leak check's probe
#
# The library modules a target needs are compiled one by one with swiftc, in dependency order,
# instrumented (`-sanitize=fuzzer,address`) and for testing (`-enable-testing`, so an entry file
# can `@testable import` them), with the same package name, so `package` and internal API keep
# working across module boundaries; each target's entry file is then its own module, linked with
# libFuzzer's main. SwiftPM's own builds are untouched. Everything goes to .build-fuzz/ (ignored by
# git): modules, objects, binaries, and the working corpus .build-fuzz/corpus-<target>/, which
# libFuzzer grows; the committed seeds in Fixtures/fuzz/<target>/ are read as a second corpus.
# A crash is written to .build-fuzz/<target>-crash-<sha1>; commit it as
# Fixtures/fuzz/<target>/crashes/<name> (replay.sh and the swift tests replay that folder).
set -euo pipefail
cd "$(dirname "$0")/../.."
# libFuzzer prints the stack of a crash itself; Swift's symbolicating backtracer only slows it down.
export SWIFT_BACKTRACE=enable=no
# Swift's weak-reference side tables are invisible to LeakSanitizer (see the file's comment).
export LSAN_OPTIONS="suppressions=$PWD/Tests/Fuzz/lsan-suppressions.txt${LSAN_OPTIONS:+:$LSAN_OPTIONS}"
out=.build-fuzz
targets=(headers tree smtp-command smtp-session pop3 imap-parser imap-session http sasl fault-rules maildir-names envelope-log)
modules=(LetterboxThreads LetterboxText LetterboxNet LetterboxTLS LetterboxMIME LetterboxStore LetterboxFaults LetterboxSMTP LetterboxPOP3
    LetterboxIMAP LetterboxHTTP)

# The entry file and the shared files of each target.
files() {
    case "$1" in
        headers) echo FuzzHeaders.swift ;;
        tree) echo FuzzMIMETree.swift ;;
        smtp-command) echo FuzzSMTPCommand.swift SMTPChecks.swift FuzzSupport.swift ;;
        smtp-session) echo FuzzSMTPSession.swift SMTPChecks.swift FuzzSupport.swift ;;
        pop3) echo FuzzPOP3Session.swift FuzzSupport.swift ;;
        imap-parser) echo FuzzIMAPParser.swift IMAPChecks.swift FuzzSupport.swift ;;
        imap-session) echo FuzzIMAPSession.swift IMAPChecks.swift FuzzSupport.swift ;;
        http) echo FuzzHTTP.swift FuzzSupport.swift ;;
        sasl) echo FuzzSASL.swift SMTPChecks.swift IMAPChecks.swift FuzzSupport.swift ;;
        fault-rules) echo FuzzFaultRules.swift SMTPChecks.swift FuzzSupport.swift ;;
        maildir-names) echo FuzzMaildirNames.swift FuzzSupport.swift ;;
        envelope-log) echo FuzzEnvelopeLog.swift FuzzSupport.swift ;;
        *) echo "unknown target: $1 (one of: ${targets[*]})" >&2; exit 2 ;;
    esac
}

swift_flags=(-parse-as-library -package-name letterbox -swift-version 6 -enable-upcoming-feature ExistentialAny
    -enable-upcoming-feature InternalImportsByDefault -enable-upcoming-feature MemberImportVisibility
    -O -g -sanitize=fuzzer,address -I "$out/modules" -I "$out/include")
# The linker's complaint about local symbols in instrumented Swift objects is noise.
quiet() { "$@" 2> >(grep -v "Cannot export local symbol" >&2); }

build_modules() {
    mkdir -p "$out/modules" "$out/objects" "$out/include"
    # One build at a time: targets started side by side share the modules.
    exec 9> "$out/build.lock"
    flock 9
    cat > "$out/include/module.modulemap" <<MAP
module CSystemShims {
    header "$PWD/Sources/CSystemShims/include/CSystemShims.h"
    export *
}
MAP
    local previous="" module object
    for module in "${modules[@]}"; do
        object="$out/objects/$module.o"
        # Rebuilt when a source, or a module built before it, is newer than the object.
        if [ ! -f "$object" ] || [ -n "$(find "Sources/$module" -newer "$object" -name '*.swift' | head -1)" ] \
            || { [ -n "$previous" ] && [ "$previous" -nt "$object" ]; }; then
            echo "fuzz build: $module" >&2
            # Every source of the module, in its subfolders too (LetterboxHTTP/WebInbox/, …).
            local sources=()
            mapfile -t sources < <(find "Sources/$module" -name '*.swift' | sort)
            quiet swiftc "${swift_flags[@]}" -wmo -enable-testing -module-name "$module" \
                -emit-module -emit-module-path "$out/modules/$module.swiftmodule" \
                -c "${sources[@]}" -o "$object.tmp"
            mv "$object.tmp" "$object"
        fi
        previous="$object"
    done
    flock -u 9
}

build_target() {
    local target="$1" binary="$out/fuzz-$1" sources=()
    for file in $(files "$target"); do sources+=("Tests/Fuzz/$file"); done
    local newest
    newest=$(ls -t "${sources[@]}" "$out"/objects/*.o | head -1)
    if [ -f "$binary" ] && [ "$binary" -nt "$newest" ]; then return; fi
    echo "fuzz build: $target" >&2
    quiet swiftc "${swift_flags[@]}" -module-name "Fuzz_${target//-/_}" \
        "${sources[@]}" "$out"/objects/*.o -o "$binary.tmp"
    mv "$binary.tmp" "$binary"
}

command="${1:?usage: Tests/Fuzz/run.sh <target>|build|list [seconds] [libFuzzer flags…]}"
case "$command" in
    list) printf '%s\n' "${targets[@]}"; exit 0 ;;
    probe)
        # LeakCheckProbe.swift, with the targets' flags and nothing of Letterbox.
        quiet swiftc "${swift_flags[@]}" -module-name LeakCheckProbe Tests/Fuzz/LeakCheckProbe.swift \
            -o "$out/leak-check-probe"
        exit 0 ;;
    build)
        shift
        build_modules
        for target in "${@:-${targets[@]}}"; do build_target "$target"; done
        exit 0 ;;
esac

target="$command"
files "$target" > /dev/null
seconds="${2:-600}"
shift $(( $# > 1 ? 2 : 1 ))
build_modules
build_target "$target"
corpus="$out/corpus-$target"
mkdir -p "$corpus"
seeds=("Fixtures/fuzz/$target")
if [ "$target" = headers ] || [ "$target" = tree ]; then seeds=(Fixtures/messages Fixtures/messages/fuzz); fi
existing=()
for dir in "${seeds[@]}"; do if [ -d "$dir" ]; then existing+=("$dir"); fi; done
exec "$out/fuzz-$target" "$corpus" "${existing[@]}" -max_total_time="$seconds" -max_len=65536 -timeout=10 \
    -rss_limit_mb=2048 -artifact_prefix="$out/$target-" -print_final_stats=1 "$@"
