#!/usr/bin/env bash
# Run every benchmark program in build/bench/, collect its RESULT lines into
# bench/results.json (name -> {value, unit, baseline, ratio}) and print them as a table.
set -euo pipefail
cd "$(dirname "$0")/.."
tmp=$(mktemp)
trap 'rm -f "$tmp" "$tmp.json"' EXIT
for b in build/bench/*; do
    [ -x "$b" ] || continue
    echo "running $b ..." >&2
    "$b" | grep '^RESULT ' >>"$tmp"
done
awk 'BEGIN { print "{"; n = 0 }
     { if (n++) printf(",\n");
       printf("  \"%s\": {\"value\": %s, \"unit\": \"%s\", \"baseline\": %s, \"ratio\": %s}", $2, $3, $4, $5, $6) }
     END { print "\n}" }' "$tmp" >"$tmp.json"
mv "$tmp.json" bench/results.json
printf '%-40s %14s %-12s %14s %8s\n' benchmark value unit baseline ratio
awk '{ printf("%-40s %14.4g %-12s %14.4g %8.2f\n", $2, $3, $4, $5, $6) }' "$tmp"
echo "written: bench/results.json" >&2
