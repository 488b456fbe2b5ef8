#!/bin/bash
# lint_timing.sh -- make check lint: no test may assert how long something took (issue 11)
#
#   tests/repo/lint_timing.sh FILE...   lint these files: one "FILE:LINE: why: text" line per
#                                       finding, exit 1 when there is any
#   tests/repo/lint_timing.sh           (make check) first a self-test on planted files, then
#                                       every test file under $SRCDIR/tests; TAP-style lines
#
# A test that compares a measured duration with a limit fails on a loaded machine and passes
# on a broken program that happens to be fast: a test states what happened instead (a server
# logs that the body was not sent in full, a counter, an order of events; tests/s3/proxy.py
# --hold and --hang). Hang guards stay: `timeout 60 liq ...` or a polling loop that gives up
# after N tries bounds a run that never ends and asserts nothing about speed.
#
# Rejected, by file kind (lines that are only a comment are skipped):
#   shell (*.sh, *.bash, *.mk; also the Python and awk in their heredocs): reading the clock
#     (`date` with a %s or %N format and no -d/-r, $SECONDS, $EPOCHREALTIME, $EPOCHSECONDS,
#     printf '%(...)T', gawk systime()), the `time` keyword and TIMEFORMAT, time(1) reporting
#     times (anything but `-f` formats without %e %E %U %S %P: `/usr/bin/time -f %M`, peak
#     memory, is allowed), and a variable named like a duration (ms, secs, elapsed, took,
#     duration, *_ms, ...) compared with -lt/-le/-gt/-ge, < or >
#   Python (*.py) and JavaScript (*.js): time.time/monotonic/perf_counter/process_time(),
#     datetime.now/utcnow/today(), timeit; Date.now(), performance.now(), process.hrtime
#   C (*.c, *.h): clock_gettime, gettimeofday, timespec_get, time(NULL), clock(), apr_time_now
#   golden tests (*.test): `%% args` with --stats (it prints elapsed time and throughput)
#
# Escape: a comment "lint-timing: allow REASON" on the line, or on the line just above it,
# lets that line through; REASON must say why it is no speed assertion (a deadline for a hang
# guard, say). A marker without a reason is itself a finding. No test needs one today.
# Environment (set by make check): SRCDIR = the source tree.
# Exit: 0 clean, 1 a finding (or a failed self-test), 2 usage.
#
# SPDX-License-Identifier: Apache-2.0
set -u
LC_ALL=C
export LC_ALL

# lint FILE...: print the findings, return 1 when there is any
lint() {
    awk '
    BEGIN { DUR = "([a-z0-9_]*_)?(ms|msec|msecs|millis|elapsed|duration|took|secs|seconds|nsec|nsecs|usec|usecs)" }
    function kind(f) {
        if (f ~ /\.(sh|bash|mk)$/) return "sh"
        if (f ~ /\.py$/) return "py"
        if (f ~ /\.js$/) return "js"
        if (f ~ /\.[ch]$/) return "c"
        if (f ~ /\.test$/) return "test"
        return ""
    }
    function report(why) {
        printf "%s:%d: %s: %s\n", FILENAME, FNR, why, $0
        found = 1
    }
    # the finding of Python/JavaScript rules on line l, or ""
    function py_rule(l) {
        if (l ~ /time\.(time|time_ns|monotonic|monotonic_ns|perf_counter|perf_counter_ns|process_time|process_time_ns)[ \t]*\(/ ||
            l ~ /(^|[^A-Za-z0-9_.])(monotonic|monotonic_ns|perf_counter|perf_counter_ns)[ \t]*\(/)
            return "reads a clock (Python)"
        if (l ~ /(datetime|date)\.(now|utcnow|today)[ \t]*\(/)
            return "reads the date (Python)"
        if (l ~ /(^|[^A-Za-z0-9_])timeit([^A-Za-z0-9_]|$)/)
            return "times code (timeit)"
        if (l ~ /Date\.now[ \t]*\(|performance\.now[ \t]*\(|process\.hrtime/)
            return "reads a clock (JavaScript)"
        return ""
    }
    function sh_rule(l,    d, f) {
        # date printing "now" as seconds or nanoseconds (with -d/-r it converts a given time)
        if (match(l, /(^|[^A-Za-z0-9_.\/-])date([ \t][^|;&)`]*)?[+][^ \t;|&)`]*%[sN]/)) {
            d = substr(l, RSTART, RLENGTH)
            if (d !~ /[ \t](-d|--date|-r|--reference)([ \t=]|$)/)
                return "reads the clock (date)"
        }
        if (l ~ /\$\{?(SECONDS|EPOCHREALTIME|EPOCHSECONDS)([^A-Za-z0-9_]|$)/ ||
            l ~ /(^|[^A-Za-z0-9_])SECONDS=/)
            return "reads the clock (bash)"
        if (l ~ /%\([^)]*\)T/)
            return "reads the clock (printf %(...)T)"
        if (l ~ /(^|[^A-Za-z0-9_])systime[ \t]*\(/)
            return "reads the clock (gawk systime)"
        if (l ~ /(^|[;&|({!]|\$\(|(^|[^A-Za-z0-9_])(then|do|else))[ \t]*time([ \t]|$)/ ||
            l ~ /TIMEFORMAT/)
            return "times a command (time)"
        if (match(l, /(\/usr\/bin\/|command[ \t]+|env[ \t]+|\\)time[ \t].*/)) {
            d = substr(l, RSTART, RLENGTH)
            f = ""
            if (match(d, /(-f|--format)[ =\t]*[^ \t]+/))
                f = substr(d, RSTART, RLENGTH)
            if (f == "" || f ~ /%[eEUSP]/ || d ~ /[ \t](-p|-v|--verbose|--portability)([ \t]|$)/)
                return "times a command (time(1) reporting times)"
        }
        # a variable named like a duration, compared (< and > only with a number: else they
        # are redirections)
        l = tolower(l)
        if (l ~ ("\\$\\{?" DUR "\\}?\"?[ \t]*(-lt|-le|-gt|-ge|(<|>)=?[ \t]*[0-9])") ||
            l ~ ("(-lt|-le|-gt|-ge|[0-9][ \t]*(<|>)=?)[ \t]*\"?\\$\\{?" DUR "([^a-z0-9_]|$)"))
            return "compares a duration"
        return py_rule(l)
    }
    function c_rule(l) {
        if (l ~ /(clock_gettime|gettimeofday|timespec_get|apr_time_now)[ \t]*\(/ ||
            l ~ /(^|[^A-Za-z0-9_])time[ \t]*\([ \t]*(NULL|0|&)/ ||
            l ~ /(^|[^A-Za-z0-9_])clock[ \t]*\([ \t]*\)/)
            return "reads a clock (C)"
        return ""
    }
    FNR == 1 { k = kind(FILENAME); allow = 0 }
    k == "" { next }
    {
        why = ""
        here = allow
        allow = 0
        if (match($0, /lint-timing:[ \t]*allow/)) {
            if (substr($0, RSTART + RLENGTH) !~ /[A-Za-z]/) {
                report("lint-timing: allow without a reason")
                next
            }
            here = 1
            allow = 1 # and the next line
        }
        if (k == "c" ? $0 ~ /^[ \t]*(\/\/|\/\*|\*)/ : $0 ~ /^[ \t]*#/)
            next
        if (k == "sh") why = sh_rule($0)
        else if (k == "py" || k == "js") why = py_rule($0)
        else if (k == "c") why = c_rule($0)
        else if (k == "test" && $0 ~ /^%%[ \t]*args.*--stats/) why = "pins --stats (elapsed time)"
        if (why != "" && !here)
            report(why)
    }
    END { exit found }
    ' "$@"
}

if [ $# -gt 0 ]; then
    case "$1" in
    -h | --help) sed -n '2,30p' "$0"; exit 0 ;;
    esac
    lint "$@"
    exit $?
fi

: "${SRCDIR:?set SRCDIR to the source tree (or name the files to lint)}"
self="$SRCDIR/tests/repo/lint_timing.sh"
tmp=$(mktemp -d "${TMPDIR:-/tmp}/liq-lint.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
n=0
failures=0
ok() { n=$((n + 1)); echo "ok $n - $1"; }
not_ok() { n=$((n + 1)); failures=$((failures + 1)); echo "not ok $n - $1"; }

# ===== self-test: every planted timing assertion is found, and nothing else =====
# rejects NAME EXT LINE...: the body on stdin plants timing assertions on these lines: found
# there and nowhere else
rejects() {
    local name=$1 ext=$2 got want
    shift 2
    cat >"$tmp/bad.$ext"
    got=$(lint "$tmp/bad.$ext")
    local rc=$?
    want=$(printf '%s\n' "$@")
    if [ $rc -eq 1 ] && [ "$(printf '%s\n' "$got" | sed -n "s|^$tmp/bad\.$ext:\([0-9]*\): .*|\1|p")" = "$want" ]; then
        ok "self-test: rejects $name"
    else
        not_ok "self-test: does not reject $name (on lines $*, and only there)"
        printf '%s\n' "$got" | sed 's/^/  | /'
    fi
}
# accepts NAME EXT: the body on stdin holds no timing assertion
accepts() {
    cat >"$tmp/good.$2"
    local got
    got=$(lint "$tmp/good.$2")
    if [ $? -eq 0 ] && [ -z "$got" ]; then ok "self-test: accepts $1"; else
        not_ok "self-test: rejects $1"; printf '%s\n' "$got" | sed 's/^/  | /'; fi
}

rejects 'the wall-clock check stream.sh had' sh 1 3 <<'EOF'
t0=$(date +%s.%N)
run --format csv 'fields i | limit 1' s3://logs/s/big.log
t1=$(date +%s.%N)
EOF
rejects 'date +%s%N in an arithmetic expansion' sh 1 <<'EOF'
ms=$((($(date +%s%N) - t0) / 1000000))
EOF
rejects "date '+%s' quoted" sh 1 <<'EOF'
start=$(date -u '+%s')
EOF
rejects 'a measured duration compared with -lt' sh 1 <<'EOF'
if [ "$ms" -lt 4000 ]; then ok "fast"; fi
EOF
rejects 'a *_secs variable compared with >' sh 1 <<'EOF'
(( ${run_secs} > 7 )) && not_ok slow
EOF
rejects '$SECONDS' sh 1 <<'EOF'
[ $SECONDS -le 10 ]
EOF
rejects 'SECONDS=0' sh 1 <<'EOF'
SECONDS=0
EOF
rejects '$EPOCHREALTIME' sh 1 <<'EOF'
t=${EPOCHREALTIME/./}
EOF
rejects "printf '%(%s)T'" sh 1 <<'EOF'
printf -v now '%(%s)T' -1
EOF
rejects 'the time keyword' sh 2 <<'EOF'
x=1
time "$LIQ" 'stats count(*)' big.log
EOF
rejects 'the time keyword after &&' sh 1 <<'EOF'
cd "$tmp" && time make
EOF
rejects 'TIMEFORMAT' sh 1 <<'EOF'
TIMEFORMAT=%R
EOF
rejects 'time(1) with the elapsed time' sh 1 <<'EOF'
/usr/bin/time -f %e -o "$tmp/secs" "$LIQ" q big.log
EOF
rejects 'time(1) in its default format' sh 1 <<'EOF'
command time "$LIQ" q big.log
EOF
rejects 'gawk systime()' sh 1 <<'EOF'
awk 'BEGIN { t = systime() }'
EOF
rejects 'Python in a heredoc of a shell test' sh 3 <<'EOF'
"$PY" - <<'PYEOF'
import time
t0 = time.monotonic()
PYEOF
EOF
rejects 'time.time() in Python' py 2 <<'EOF'
import time
if time.time() - start > 7:
EOF
rejects 'perf_counter() imported by name' py 2 <<'EOF'
from time import perf_counter
t = perf_counter()
EOF
rejects 'datetime.now()' py 1 <<'EOF'
stamp = datetime.datetime.now()
EOF
rejects 'Date.now() in JavaScript' js 1 <<'EOF'
const t0 = Date.now();
EOF
rejects 'clock_gettime in a unit test' c 2 <<'EOF'
/* test_x.c */
    clock_gettime(CLOCK_MONOTONIC, &t0);
EOF
rejects 'time(NULL) in a unit test' c 1 <<'EOF'
    assert_true(time(NULL) - t < 2);
EOF
rejects 'a golden test pinning --stats' test 3 <<'EOF'
%% query
stats count(*)
%% args --stats
EOF
rejects 'an escape marker without a reason' sh 1 <<'EOF'
t=$(date +%s) # lint-timing: allow
EOF

accepts 'hang guards, bounded polling loops, sleeps, timeouts of liq' sh <<'EOF'
timeout 20 "$LIQ" 'fields a' "$tmp/fifo"
run_guarded 60 --format csv "$q" s3://logs/a
while [ ! -s "$1" ] && [ $i -lt 200 ]; do sleep 0.1; i=$((i + 1)); done
run --s3-read-timeout 1 "$q" s3://logs/a
(printf 'slow1\n'; sleep 1; printf 'slow2\n') >"$tmp/fifo" &
EOF
accepts 'peak memory with time(1) -f %M' sh <<'EOF'
/usr/bin/time -f %M -o "$tmp/rss" "$LIQ" --threads 4 "$q" big.log
if [ "$kb" -lt $((size / 1024 / 2)) ]; then ok "memory"; fi
EOF
accepts 'dates converted, not read: date -d, time fields of logs, words like items' sh <<'EOF'
day=$(date -u -d 2026-01-01 +%s)
ts=$(date -r "$f" +%s)
expect_err_has "time range: 5000 rows in" "--stats=verbose: time range"
[ "$items" -lt 3 ] && [ "$timestamps" -gt 0 ]
want 'liq: stats: [0] time range' "$ms_field"
EOF
accepts 'comments about timing' sh <<'EOF'
# no t0=$(date +%s) here, and no `time liq`: a comment
EOF
accepts 'an escape marker with a reason' sh <<'EOF'
# lint-timing: allow a deadline for the hang guard below, nothing is asserted on it
end=$(($(date +%s) + 60))
t=$SECONDS # lint-timing: allow printed for the log only
EOF
accepts 'Python sleeping and a fixed datetime' py <<'EOF'
import datetime, time
T0 = datetime.datetime(2026, 11, 23, tzinfo=datetime.timezone.utc)
time.sleep(0.1)
EOF
accepts 'C working on given timestamps' c <<'EOF'
    int64_t ms = ts_floor(now, 60000);
    assert_int_equal(ts_parse_user("now", DAY + HOUR, &ms), 1);
EOF
accepts 'a golden test with other args' test <<'EOF'
%% args --tz UTC --format csv
EOF

# ===== the tests of this tree =====
files=$(find "$SRCDIR/tests" -type f \( -name '*.sh' -o -name '*.bash' -o -name '*.mk' \
    -o -name '*.py' -o -name '*.js' -o -name '*.c' -o -name '*.h' -o -name '*.test' \) \
    -not -path "$self" -not -path '*/node_modules/*' | sort)
count=$(printf '%s\n' "$files" | grep -c .)
if [ "$count" -lt 10 ]; then
    not_ok "only $count test files found under $SRCDIR/tests"
else
    # shellcheck disable=SC2086 # file names of this tree have no blanks
    if got=$(lint $files); then ok "no timing assertion in the $count test files"; else
        not_ok "timing assertions in tests (state what happened instead; see the top of $0)"
        printf '%s\n' "$got" | sed 's/^/  | /'
    fi
fi

echo "1..$n"
[ "$failures" -eq 0 ] || { echo "$failures of $n checks failed"; exit 1; }
exit 0
