#!/usr/bin/env bash
# CI check for the libFuzzer targets: builds every target (Tests/Fuzz/run.sh build), replays
# every committed input once — the seeds in Fixtures/fuzz/<target>/ and the crash regressions in
# Fixtures/fuzz/crashes/<target>/ (for the MIME targets, Fixtures/messages/ and its fuzz/) — then
# fuzzes each target for a few seconds from those seeds. Exits non-zero if any input crashes,
# trips an invariant, times out or leaks.
#
#   Tests/Fuzz/replay.sh [seconds per target, default 5]
#
# Inputs found during the short runs stay in .build-fuzz/replay-<target>/ (ignored by git);
# crashes are written to .build-fuzz/<target>-crash-*.
set -uo pipefail
cd "$(dirname "$0")/../.."
# libFuzzer prints the stack of a crash itself; Swift's symbolicating backtracer only slows it down.
export SWIFT_BACKTRACE=enable=no
# Swift's weak-reference side tables are invisible to LeakSanitizer (see the file's comment).
export LSAN_OPTIONS="suppressions=$PWD/Tests/Fuzz/lsan-suppressions.txt${LSAN_OPTIONS:+:$LSAN_OPTIONS}"
seconds="${1:-5}"
started=$SECONDS
Tests/Fuzz/run.sh build || exit 1
failed=()
# The leak detection itself (LeakCheckProbe.swift): a weakly referenced object that is still alive
# is not a leak, and a real leak is still reported.
Tests/Fuzz/run.sh probe || exit 1
probe_corpus=$(mktemp -d)
if ! .build-fuzz/leak-check-probe -runs=100 -artifact_prefix=.build-fuzz/leak-check- "$probe_corpus" > .build-fuzz/leak-check.log 2>&1; then
    echo "FAIL leak check: an object alive with a weak reference is reported as a leak"
    tail -20 .build-fuzz/leak-check.log; failed+=(leak-check)
elif PROBE_LEAK=1 .build-fuzz/leak-check-probe -runs=100 -artifact_prefix=.build-fuzz/leak-check- "$probe_corpus" >> .build-fuzz/leak-check.log 2>&1 \
    || ! grep -q "detected memory leaks" .build-fuzz/leak-check.log; then
    echo "FAIL leak check: a real leak went unreported"; failed+=(leak-check)
else
    echo "ok   leak check: side tables of live objects pass, a real leak is reported"
fi
rm -rf "$probe_corpus"
for target in $(Tests/Fuzz/run.sh list); do
    dirs=()
    if [ "$target" = headers ] || [ "$target" = tree ]; then
        candidates=(Fixtures/messages Fixtures/messages/fuzz)
    else
        candidates=("Fixtures/fuzz/$target" "Fixtures/fuzz/crashes/$target")
    fi
    for dir in "${candidates[@]}"; do if [ -d "$dir" ]; then dirs+=("$dir"); fi; done
    binary=".build-fuzz/fuzz-$target"
    flags=(-rss_limit_mb=2048 -timeout=10 -max_len=65536 -artifact_prefix=".build-fuzz/$target-")
    log=".build-fuzz/replay-$target.log"
    # Every committed input once (-runs=0: read the corpora, execute each, stop).
    if ! "$binary" "${flags[@]}" -runs=0 "${dirs[@]}" > "$log" 2>&1; then
        echo "FAIL $target: a committed input crashes (see $log)"; tail -30 "$log"; failed+=("$target"); continue
    fi
    # A short run from the seeds.
    work=".build-fuzz/replay-$target"
    mkdir -p "$work"
    if ! "$binary" "${flags[@]}" -max_total_time="$seconds" -print_final_stats=1 "$work" "${dirs[@]}" >> "$log" 2>&1; then
        echo "FAIL $target: fuzzing found a crash (see $log)"; tail -30 "$log"; failed+=("$target"); continue
    fi
    echo "ok   $target: $(grep -m1 -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$') executions"
done
echo "fuzz replay: $(( SECONDS - started )) s"
if [ ${#failed[@]} -gt 0 ]; then echo "fuzz replay failed: ${failed[*]}"; exit 1; fi
