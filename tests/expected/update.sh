#!/usr/bin/env bash
# Regenerate tests/expected/<trace>.events.jsonl: the --events-out of `mpusim replay --engine
# guest` on every bundled trace (traces/<name>/trace.json or trace.jsonl), which
# tests/cli/expected_test.c compares byte for byte. Run it only when a change of the results is
# intended (a new field, a fixed bug), and say why in the commit; a speed-up must never need it.
# Usage: tests/expected/update.sh [NAME...]   (default: every bundled trace)
set -euo pipefail
cd "$(dirname "$0")/../.."
[ -x build/mpusim ] || { echo "update.sh: build/mpusim missing: run make first" >&2; exit 2; }
names=("$@")
if [ ${#names[@]} -eq 0 ]; then
    for t in traces/*/trace.json traces/*/trace.jsonl; do
        [ -e "$t" ] && names+=("$(basename "$(dirname "$t")")")
    done
fi
for n in "${names[@]}"; do
    t=traces/$n/trace.json
    [ -e "$t" ] || t=traces/$n/trace.jsonl
    [ -e "$t" ] || { echo "update.sh: no trace traces/$n/trace.json[l]" >&2; exit 2; }
    tmp=$(mktemp tests/expected/.$n.XXXXXX)
    if ! ./build/mpusim replay "$t" --engine guest --quiet --events-out "$tmp"; then
        rm -f "$tmp"; echo "update.sh: replay of $t failed" >&2; exit 1
    fi
    chmod "$(printf %o $((0666 & ~0$(umask))))" "$tmp"
    mv "$tmp" "tests/expected/$n.events.jsonl"
    echo "tests/expected/$n.events.jsonl: $(wc -l <"tests/expected/$n.events.jsonl") events"
done
