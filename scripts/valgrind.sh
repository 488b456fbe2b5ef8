#!/usr/bin/env bash
# scripts/valgrind.sh -- valgrind memcheck over a sample of the test suite (issue 15)
#
#   scripts/valgrind.sh [BUILD_DIR]     default BUILD_DIR: build (configured, built)
#
# Runs under `valgrind --error-exitcode=99 --leak-check=full` (memcheck): every cmocka unit
# test binary, a sample of golden test files through tests/golden_run (in-process, at its
# several thread counts and batch sizes: every input format liq tells by content, every
# command, the functions, filter patterns), and the liq binary itself on a few command lines
# (--fields, the table output with 2 threads, a gzip file, standard input).
# Errors of memcheck (invalid reads/writes, uses of uninitialised values, bad frees, definite
# and possible leaks) fail the run; "still reachable" memory at exit is not an error.
# scripts/valgrind.supp holds the suppressions, each one documented third-party noise.
# ASan+UBSan (scripts/setup.sh --check) see most of what memcheck sees; memcheck adds
# uninitialised reads, and checks the build CI ships, without instrumentation.
# Exit: 0 clean, 1 some run failed (its log is printed), 2 usage, 77 valgrind missing.
#
# SPDX-License-Identifier: Apache-2.0
set -uo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-build}
case $build in /*) ;; *) build=$top/$build ;; esac
if ! command -v valgrind >/dev/null 2>&1; then
    echo "valgrind.sh: valgrind not found (apt-get install valgrind)" >&2
    exit 77
fi
if [ ! -f "$build/Makefile" ]; then
    echo "valgrind.sh: $build is not a configured build directory" >&2
    exit 2
fi
if grep -qE '^  \$ .*configure.* --enable-(sanitizers|tsan)' "$build/config.log" 2>/dev/null; then
    echo "valgrind.sh: $build is a sanitizer build; valgrind needs a plain one" >&2
    exit 2
fi
jobs=$(nproc 2>/dev/null || echo 2)
make -s -C "$build" -j"$jobs" liq >/dev/null && make -s -C "$build" -j"$jobs" check TESTS= >/dev/null ||
    { echo "valgrind.sh: the build failed" >&2; exit 1; }

logs=$(mktemp -d "${TMPDIR:-/tmp}/liq-valgrind.XXXXXX")
trap 'rm -rf "$logs"' EXIT
vg=(valgrind -q --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite,possible
    --show-leak-kinds=definite,possible --track-origins=yes --num-callers=30
    --suppressions="$top/scripts/valgrind.supp")

# the sample of golden files: every input format, every command, functions, filter patterns
golden=(
    basics/filter basics/input basics/nulls basics/output basics/sort_limit basics/stats
    engine/formats engine/columns engine/encodings engine/json_lenient engine/json_values
    engine/multiline engine/syslog engine/lambda engine/pattern engine/anomaly engine/topn
    engine/structures engine/parse_modes engine/commands engine/source engine/timestamps
    fpat/json fpat/delimited functions/string functions/general lang/pct lang/commands2025
    docs/cloudtrail corpora/lnav
)
units=$(sed -n 's/^\t\(tests\/unit\/test_[a-z0-9_]*\).*/\1/p' "$top/tests/unit/local.mk")

# check NAME CMD...: queue CMD to run under memcheck (from the build directory). The queued
# checks run in $jobs lanes at once (valgrind runs one thread at a time: a lane per core),
# lane K the checks whose number modulo $jobs is K; each leaves N.res and N.log in $logs, and
# the results are reported in the order the checks were queued.
names=()
check() {
    names+=("$1")
    printf '%s\0' "$@" >"$logs/cmd.${#names[@]}"
}
run_lane() { # K
    local i=$(($1 + 1)) n=${#names[@]} argv
    while [ $i -le "$n" ]; do
        mapfile -d '' argv <"$logs/cmd.$i"
        if (cd "$build" && "${vg[@]}" "${argv[@]:1}") >"$logs/$i.log" 2>&1; then
            echo PASS >"$logs/$i.res"
        else
            echo FAIL >"$logs/$i.res"
        fi
        i=$((i + jobs))
    done
}

start=$(date +%s)
for u in $units; do
    check "$u" "./$u"
done
for g in "${golden[@]}"; do
    check "golden $g" ./tests/golden_run --srcdir "$top" "$top/tests/golden/$g.test"
done
# the command line: --fields, the table, stdin, gzip, a query file
corpus=$top/corpora/lnav/gharchive_log.jsonl
check "liq --fields" ./liq --fields "$corpus"
check "liq table" ./liq --format table --threads 2 \
    'filter ispresent(repo.name) | stats count(*) as n, max(payload.size) as m by type | sort n desc' \
    "$corpus"
gzip -c "$corpus" >"$logs/in.jsonl.gz"
check "liq gzip" ./liq --format json 'stats count(*) by bin(1h)' "$logs/in.jsonl.gz"
check "liq stdin" sh -c "./liq --format ndjson 'fields @timestamp, type | limit 5' < '$corpus'"

lanes=()
for ((k = 0; k < jobs; k++)); do
    run_lane $k &
    lanes+=($!)
done
wait "${lanes[@]}"
pass=0
fail=0
for ((i = 1; i <= ${#names[@]}; i++)); do
    if [ "$(cat "$logs/$i.res" 2>/dev/null)" = PASS ]; then
        pass=$((pass + 1))
        echo "PASS: ${names[i - 1]}"
    else
        fail=$((fail + 1))
        echo "FAIL: ${names[i - 1]}"
        sed 's/^/  | /' "$logs/$i.log" | head -150
    fi
done
end=$(date +%s)
echo "valgrind: $pass passed, $fail failed ($((end - start)) s)"
[ "$fail" -eq 0 ]
