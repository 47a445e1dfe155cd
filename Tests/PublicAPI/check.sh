#!/usr/bin/env bash
# The public API of the library modules, from the symbol graphs the toolchain emits, against the
# checked-in list (Tests/PublicAPI/public-api.txt), so that a change to it is a visible decision.
#
#   Tests/PublicAPI/check.sh            fails with a diff when the API differs from the list
#   Tests/PublicAPI/check.sh --update   rewrites the list (commit it with the change)
set -euo pipefail
cd "$(dirname "$0")/../.."
folder=$(swift package dump-symbol-graph --skip-synthesized-members 2>&1 | sed -n 's/^Files written to //p')
[ -n "$folder" ] || { echo "dump-symbol-graph wrote nothing" >&2; exit 1; }
current=$(mktemp)
trap 'rm -f "$current"' EXIT
python3 Tests/PublicAPI/render.py "$folder" > "$current"
if [ "${1:-}" = --update ]; then
    cp "$current" Tests/PublicAPI/public-api.txt
    echo "public API: $(wc -l < Tests/PublicAPI/public-api.txt) declarations written to Tests/PublicAPI/public-api.txt"
    exit 0
fi
if ! diff -u Tests/PublicAPI/public-api.txt "$current"; then
    echo "The public API changed (diff above: - listed, + now). If that is on purpose, run" >&2
    echo "Tests/PublicAPI/check.sh --update and commit the list with the change." >&2
    exit 1
fi
echo "public API unchanged: $(wc -l < "$current") declarations"
