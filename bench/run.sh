#!/usr/bin/env bash
# run.sh -- the liq benchmark: generate the inputs, run liq and its peers, print the report.
#
# usage: bench/run.sh [--quick] [--json-mb N] [--text-mb N] [--small-files N] [--small-mb N]
#                     [--wide-mb N] [--sort-rows N] [--reps N] [--slow-reps N] [--slow-secs S]
#                     [--queries Q1,...] [--tools liq,...] [--no-scaling] [--timeout S] [--liq PATH]
#                     [--install] [--clean]
#
#   --quick          50 MiB inputs, 1,000 small files (20 MiB), 1,000,000 rows to sort,
#                    1 repetition: a smoke test (a few minutes, mostly jq and mlr; under a minute
#                    with --tools liq,duckdb,rg,gawk,mawk)
#   --json-mb/--text-mb N   size of the JSON-lines and access logs (default 1024 each)
#   --small-files N / --small-mb N   the gzipped small files (default 10000 files, 300 MiB)
#   --wide-mb N      size of the wide records (31 keys a line) for Q7 (default 512)
#   --sort-rows N    rows of the narrow records Q10 sorts whole (default 10,000,000)
#   --reps N         interleaved repetitions, median reported (default 3)
#   --slow-reps N    repetitions for the slow peers: jq, mlr, and any peer whose first run
#                    took over --slow-secs S (default 30): default 1
#   --queries, --tools   run a subset (ids Q1 Q2 Q3 Q4a Q4b Q4c Q5 Q6 Q7 Q8 Q9 Q10; tools liq
#                    duckdb rg gawk mawk jq mlr)
#   --no-scaling     leave out the liq --threads 1 runs (by default every liq query also runs at
#                    one thread, right after its 2-thread run, for the scaling table)
#   --liq PATH       the binary to measure (default: $LIQ, else build/liq, else ./liq)
#   --install        apt-get install the missing peers (ripgrep gawk mawk jq miller nodejs npm,
#                    and isal's igzip for bench/decomp.sh) and npm-install DuckDB's Node API
#                    into bench/node_modules
#   --clean          delete the generated inputs afterwards
#
# Inputs go under $BENCH_DIR (default /tmp/liq-bench; about 3 GB for the defaults) and are
# reused while their parameters are unchanged. The report (machine, load, table, targets) is
# printed and written to $BENCH_DIR/report.md; exit status 1 when any tool's answer differed
# from liq's or a run failed.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
top=$(dirname "$here")
export BENCH_DIR=${BENCH_DIR:-/tmp/liq-bench}
gen_args=() bench_args=() install=0 clean=0
liq=${LIQ:-}
while [ $# -gt 0 ]; do
    case $1 in
        --quick) gen_args+=(--json-mb 50 --text-mb 50 --small-files 1000 --small-mb 20 --wide-mb 50
                            --sort-rows 1000000)
                 bench_args+=(--reps 1); shift ;;
        --json-mb|--text-mb|--small-files|--small-mb|--wide-mb|--sort-rows) gen_args+=("$1" "$2"); shift 2 ;;
        --reps|--slow-reps|--slow-secs|--queries|--tools|--timeout) bench_args+=("$1" "$2"); shift 2 ;;
        --no-scaling) bench_args+=("$1"); shift ;;
        --liq) liq=$2; shift 2 ;;
        --install) install=1; shift ;;
        --clean) clean=1; shift ;;
        -h|--help) sed -n '2,/^set /p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
        *) echo "run.sh: unknown option $1 (see --help)" >&2; exit 2 ;;
    esac
done
# shellcheck source=bench/lib.sh
. "$here/lib.sh"
liq=$(bench_find_liq run.sh "$top" "$liq") || exit 2
if [ $install = 1 ]; then
    bench_install run.sh rg:ripgrep gawk:gawk mawk:mawk jq:jq mlr:miller node:nodejs npm:npm igzip:isal || exit 1
fi
if [ ! -d "$here/node_modules/@duckdb/node-api" ] && command -v npm >/dev/null; then
    (cd "$here" && npm install --no-audit --no-fund --silent) ||
        echo "run.sh: npm install of @duckdb/node-api failed: DuckDB will be skipped" >&2
fi

df -h "$(dirname "$BENCH_DIR")" | tail -1 | awk '{print "run.sh: disk free where the inputs go: " $4}' >&2
"$here/gen.sh" "${gen_args[@]}"

# the machine and the tools
ver() { "$@" 2>&1 | head -1; }
{
    echo "## Machine"
    echo
    echo "- CPU: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//'), nproc $(nproc)"
    echo "- memory: $(awk '/MemTotal/ {printf "%.1f GiB", $2 / 1048576}' /proc/meminfo); kernel $(uname -r)"
    echo "- liq: $(ver "$liq" --version) ($liq)"
    echo "- DuckDB: $(cd "$here" && node -e "import('@duckdb/node-api').then(async m => { const i = await m.DuckDBInstance.create(':memory:'); const c = await i.connect(); const r = await c.runAndReadAll('select version()'); console.log(r.getRows()[0][0] + ' (@duckdb/node-api ' + require('./node_modules/@duckdb/node-api/package.json').version + ', node ' + process.version + ')') })" 2>/dev/null || echo absent)"
    echo "- $(ver rg --version); $(ver gawk --version | cut -d, -f1); $(ver mawk -W version); $(ver jq --version); mlr $(ver mlr --version | sed 's/^mlr //')"
    echo "- uptime at start: $(uptime)"
    echo
} > "$BENCH_DIR/machine.md"
cat "$BENCH_DIR/machine.md"

status=0
python3 "$here/bench.py" --liq "$liq" --report "$BENCH_DIR/table.md" "${bench_args[@]}" || status=$?
{ cat "$BENCH_DIR/machine.md"; echo "## Results"; echo; cat "$BENCH_DIR/table.md" 2>/dev/null; } > "$BENCH_DIR/report.md"
echo "run.sh: report written to $BENCH_DIR/report.md" >&2
if [ $clean = 1 ]; then
    rm -rf "$BENCH_DIR"/app.jsonl "$BENCH_DIR"/access.log "$BENCH_DIR"/small "$BENCH_DIR"/wide.jsonl \
        "$BENCH_DIR"/sort.jsonl "$BENCH_DIR"/.*.stamp "$BENCH_DIR"/out
fi
exit $status
