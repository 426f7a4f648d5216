#!/usr/bin/env bash
# Run every benchmark program in build/bench/ (or those named: bench/run.sh guest lookup),
# collect their RESULT lines (bench/bench.h) into bench/results.json and print the table with
# each figure's goal. A benchmark that fails (missing input, error) fails the whole run, and
# bench/results.json is then left as it was.
#
# bench/results.json:
#   {"machine": {"cpu": "...", "cores": N, "mem_gib": M, "kernel": "...", "load_before": L,
#                "load_after": L, "date": "...", "commit": "..."},
#    "benchmarks": {"<name>": {"value": V, "unit": "...", "baseline": B|null, "ratio": R|null,
#                              "better": "higher"|"lower", "goal": "ratio>=0.7"|null,
#                              "met": true|false|null}, ...}}
# value and baseline are medians of at least 3 runs; ratio is the median of the per-run ratios
# (value and baseline measured in the same run); met says whether the goal is reached.
set -euo pipefail
cd "$(dirname "$0")/.."
tmp=$(mktemp)
trap 'rm -f "$tmp" "$tmp.json"' EXIT INT TERM
progs=()
# --progress / --no-progress: the progress line on stderr (default: when stderr is a terminal)
progress=auto
names=()
for n in "$@"; do
    case "$n" in
        --progress) progress=1 ;;
        --no-progress) progress=0 ;;
        *) names+=("$n") ;;
    esac
done
if [ "$progress" = auto ]; then if [ -t 2 ]; then progress=1; else progress=0; fi; fi
mmss() { printf '%d:%02d' $(($1 / 60)) $(($1 % 60)); }
if [ ${#names[@]} -gt 0 ]; then
    for n in "${names[@]}"; do progs+=("build/bench/$n"); done
else
    for b in build/bench/*; do [ -x "$b" ] && [ -f "$b" ] && progs+=("$b"); done
fi
[ ${#progs[@]} -gt 0 ] || { echo "bench: no benchmark programs in build/bench (make bench)" >&2; exit 1; }
load1() { cut -d' ' -f1 /proc/loadavg 2>/dev/null || echo 0; }
load_before=$(load1)
start=$SECONDS; done_n=0
for b in "${progs[@]}"; do
    [ -x "$b" ] || { echo "bench: $b is missing" >&2; exit 1; }
    if [ "$progress" = 1 ]; then
        el=$((SECONDS - start)); left=?
        [ $done_n -gt 0 ] && left=$(mmss $((el * (${#progs[@]} - done_n) / done_n)))
        printf '\r\033[Kbench: %d/%d %s, %s elapsed, %s left' $((done_n + 1)) ${#progs[@]} \
            "${b#build/bench/}" "$(mmss $el)" "$left" >&2
    else
        echo "running $b ..." >&2
    fi
    if ! "$b" >"$tmp.out"; then
        echo "bench: $b FAILED (see its message above); bench/results.json not written" >&2
        rm -f "$tmp.out"; exit 1
    fi
    if ! grep -q '^RESULT ' "$tmp.out"; then
        echo "bench: $b printed no RESULT line" >&2; rm -f "$tmp.out"; exit 1
    fi
    grep '^RESULT ' "$tmp.out" >>"$tmp"
    rm -f "$tmp.out"
    done_n=$((done_n + 1))
done
[ "$progress" = 1 ] && printf '\r\033[K' >&2
cpu=$(sed -n 's/^model name[[:space:]]*:[[:space:]]*//p' /proc/cpuinfo 2>/dev/null | head -n1)
[ -n "$cpu" ] || cpu=$(uname -m)
cores=$(nproc 2>/dev/null || echo 0)
mem=$(awk '/^MemTotal:/ { printf "%.1f", $2 / 1048576 }' /proc/meminfo 2>/dev/null)
[ -n "$mem" ] || mem=0
kernel=$(uname -sr)
load_after=$(load1)
commit=$(git rev-parse --short HEAD 2>/dev/null || echo unknown)
git diff --quiet HEAD -- . ':!bench/results.json' 2>/dev/null || commit="$commit-dirty"
date=$(date -u +%Y-%m-%dT%H:%M:%SZ)
# met: the goal "ratio>=X", "ratio<=X", "value>=X" or "value<=X" against the figure.
awk -v cpu="$cpu" -v cores="$cores" -v commit="$commit" -v date="$date" -v table="$tmp.table" \
    -v mem="$mem" -v kernel="$kernel" -v lb="$load_before" -v la="$load_after" '
    function met(goal, value, ratio,   what, op, x, v) {
        if (goal == "-") return "null"
        what = substr(goal, 1, 5); op = substr(goal, 6, 2); x = substr(goal, 8) + 0
        v = what == "ratio" ? ratio : value
        if (v == "null") return "false"
        v += 0
        return (op == ">=" ? v >= x : v <= x) ? "true" : "false"
    }
    function jstr(s) { gsub(/\\/, "\\\\", s); gsub(/"/, "\\\"", s); return "\"" s "\"" }
    BEGIN { printf("{\n  \"machine\": {\"cpu\": %s, \"cores\": %d, \"mem_gib\": %s, \"kernel\": %s, \"load_before\": %s, \"load_after\": %s, \"date\": %s, \"commit\": %s},\n  \"benchmarks\": {\n",
                   jstr(cpu), cores, mem + 0, jstr(kernel), lb + 0, la + 0, jstr(date), jstr(commit)); n = 0 }
    { m = met($8, $3, $6)
      if (n++) printf(",\n")
      printf("    %s: {\"value\": %s, \"unit\": %s, \"baseline\": %s, \"ratio\": %s, \"better\": %s, \"goal\": %s, \"met\": %s}",
             jstr($2), $3, jstr($4), $5, $6, jstr($7), $8 == "-" ? "null" : jstr($8), m)
      status = m == "null" ? "" : m == "true" ? "met" : "MISSED"
      printf("%-42s %12.4g %-9s %12s %8s %-6s %-12s %s\n", $2, $3, $4,
             $5 == "null" ? "-" : sprintf("%.4g", $5), $6 == "null" ? "-" : sprintf("%.3f", $6),
             $7, $8, status) >table }
    END { print "\n  }\n}" }' "$tmp" >"$tmp.json"
chmod "$(printf %o $((0666 & ~0$(umask))))" "$tmp.json"
mv "$tmp.json" bench/results.json
echo "machine: $cpu, $cores cores, $mem GiB, $kernel; load $load_before before, $load_after after; commit $commit"
printf '%-42s %12s %-9s %12s %8s %-6s %-12s %s\n' benchmark value unit baseline ratio better goal status
cat "$tmp.table"; rm -f "$tmp.table"
echo "written: bench/results.json" >&2
