#!/usr/bin/env bash
# setup.sh -- install liq's build and test dependencies on Debian 12, then build liq
#
#   scripts/setup.sh              install what is missing, configure, build: build/liq
#   scripts/setup.sh --check      the same, then the whole test suite: make check with -Werror,
#                                 make check again in an ASan+UBSan build (build-asan/), and
#                                 the unit and golden tests (threads, concurrent runs) in a
#                                 ThreadSanitizer build (build-tsan/)
#   scripts/setup.sh --deps-only  install what --check needs, build nothing
#
# Idempotent: packages already installed are not touched, an existing build is reused.
# Works as root or through sudo. Quiet unless something fails.
# Another package manager at work (unattended-upgrades at boot, a second setup.sh) is waited
# for, up to SETUP_LOCK_WAIT seconds (default 600), instead of failing at once.
# SPDX-License-Identifier: Apache-2.0
set -euo pipefail
started=$(date +%s)

top=$(cd "$(dirname "$0")/.." && pwd)
check=0
deps_only=0
for a in "$@"; do
    case "$a" in
    --check) check=1 ;;
    --deps-only) deps_only=1 ;;
    -h | --help)
        sed -n '2,14p' "$0"
        exit 0
        ;;
    *)
        echo "setup.sh: unknown argument '$a' (try --help)" >&2
        exit 2
        ;;
    esac
done

packages=(
    build-essential autoconf autoconf-archive automake libtool pkg-config flex bison
    libpcre2-dev libapr1-dev libaprutil1-dev libcmocka-dev zlib1g-dev libzstd-dev
    libcurl4-openssl-dev libisal-dev libdeflate-dev libssl-dev libmicrohttpd-dev
    jq gawk sqlite3 tzdata
)

# ===== apt-get, waiting for another package manager =====
# apt and dpkg take fcntl locks on these files for as long as they work. apt-get install waits
# for dpkg's (lock-frontend) with DPkg::Lock::Timeout; apt-get update does not for the lists'
# lock (apt 2.6), nor does anything for the archives' lock. So before each apt-get, setup.sh
# waits while /proc/locks shows a lock on one of them, and an apt-get that still fails on a
# lock (taken in between) is run again after the wait: every 5 s, up to $lock_wait seconds.
lock_wait=${SETUP_LOCK_WAIT:-600}
case "$lock_wait" in '' | *[!0-9]*) echo "setup.sh: SETUP_LOCK_WAIT must be seconds" >&2; exit 2 ;; esac
# (SETUP_APT_LOCKS replaces the list: tests/repo/setup_lock.sh watches a file of its own)
apt_locks=${SETUP_APT_LOCKS:-/var/lib/dpkg/lock-frontend /var/lib/dpkg/lock /var/lib/apt/lists/lock /var/cache/apt/archives/lock}
sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"

# lock_holder: "process PID (COMMAND) holding FILE" for the first of $apt_locks locked now
# (as /proc/locks, readable by anyone, shows it), else nothing
lock_holder() {
    [ -r /proc/locks ] || return 0
    local f dev ino id pid comm
    for f in $apt_locks; do
        [ -e "$f" ] || continue
        read -r dev ino < <(stat -L -c '%d %i' "$f") || continue
        # /proc/locks names a file MAJOR:MINOR:INODE, the device numbers in hex
        id=$(printf '%02x:%02x:%s' $(((dev >> 8) & 0xfff)) $(((dev & 0xff) | ((dev >> 12) & 0xfff00))) "$ino")
        pid=$(awk -v id="$id" '{ for (i = 2; i <= NF; i++) if ($i == id) { print $(i - 1); exit } }' /proc/locks)
        if [ -n "$pid" ]; then
            comm=$(cat "/proc/$pid/comm" 2>/dev/null || echo '?')
            echo "process $pid ($comm) holding $f"
            return 0
        fi
    done
}

# apt_get ARGS...: apt-get -qq ARGS (as root or through sudo), waiting for another package
# manager as above; apt-get's errors on stderr when it fails for another reason
apt_get() {
    local tries=0 max=$(((lock_wait + 4) / 5)) rc holder said="" err
    err=$(mktemp "${TMPDIR:-/tmp}/setup-apt.XXXXXX")
    while :; do
        holder=$(lock_holder)
        if [ -z "$holder" ]; then
            rc=0
            $sudo env LC_ALL=C DEBIAN_FRONTEND=noninteractive \
                apt-get -o DPkg::Lock::Timeout="$lock_wait" -qq "$@" >/dev/null 2>"$err" || rc=$?
            if [ $rc -eq 0 ]; then
                rm -f "$err"
                return 0
            fi
            if ! grep -qE 'Could not get lock|Unable to lock|Unable to acquire' "$err"; then
                cat "$err" >&2
                rm -f "$err"
                return $rc
            fi
            holder=$(sed -n 's/.*Could not get lock \([^ ]*\)\. It is held by process \([0-9]*\).*/process \2 holding \1/p' "$err" | awk 'NR == 1')
            holder=${holder:-another package manager}
        fi
        if [ $tries -ge $max ]; then
            [ ! -s "$err" ] || cat "$err" >&2
            rm -f "$err"
            echo "setup: gave up waiting for $holder after $lock_wait s (SETUP_LOCK_WAIT)" >&2
            return 1
        fi
        if [ -z "$said" ]; then
            echo "setup: waiting for $holder to finish (up to $lock_wait s)" >&2
            said=1
        fi
        sleep 5
        tries=$((tries + 1))
    done
}

# apt_install LABEL PACKAGE...: apt-get update, then install the packages
apt_install() {
    echo "setup: installing ${*:2}$1" >&2
    apt_get update
    apt_get install -y --no-install-recommends "${@:2}"
}

# ===== packages =====
missing=()
for p in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] || apt_install "" "${missing[@]}"

# The S3 tests (tests/s3) need node and npm (they install s3rver from npm themselves) and
# python3-botocore (signature checks); the tests of liq serve run the real AWS CLI and boto3;
# the tests of liq watch run Debian's prometheus and its promtool (tests/watch); the
# scale-out tests (tests/dask) run liq-dask on Debian's python3-distributed (a real Dask
# scheduler and workers) and GNU parallel; scripts/valgrind.sh runs memcheck. Only the test
# path installs them.
if [ $check -eq 1 ] || [ $deps_only -eq 1 ]; then
    s3_missing=()
    command -v node >/dev/null 2>&1 || s3_missing+=(nodejs)
    command -v npm >/dev/null 2>&1 || s3_missing+=(npm)
    dpkg-query -W -f='${Status}' python3-botocore 2>/dev/null | grep -q "install ok installed" ||
        s3_missing+=(python3-botocore)
    for p in awscli python3-boto3 valgrind prometheus python3-distributed parallel; do
        dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || s3_missing+=("$p")
    done
    [ ${#s3_missing[@]} -eq 0 ] || apt_install " for the S3 tests" "${s3_missing[@]}"
fi
[ $deps_only -eq 0 ] || exit 0

jobs=$(nproc 2>/dev/null || echo 2)

# build DIR CONFIGURE-ARGS...: configure (once) and make in DIR
build() {
    local dir=$1
    shift
    mkdir -p "$top/$dir"
    cd "$top/$dir"
    if [ ! -f Makefile ] || [ "$top/configure" -nt Makefile ]; then
        "$top/configure" -q "$@" >/dev/null
    fi
    make -s -j"$jobs" >/dev/null
}

cd "$top"
if [ ! -x configure ] || [ configure.ac -nt configure ] || [ Makefile.am -nt configure ]; then
    autoreconf -fi >/dev/null 2>&1 || autoreconf -fi
fi

if [ $check -eq 0 ]; then
    build build
    echo "setup: built $top/build/liq" >&2
    exit 0
fi

# check LABEL [TESTS]: make check in the current build directory (only TESTS when given, a
# list make expands); each test's result line as it ends (so a CI log that stops short shows
# how far the run got), on failure the failing logs, then the slowest tests (test-times.txt,
# written by scripts/bounded.sh) and one "LABEL: N passed, N failed (N s)" line
check() {
    local label=$1 rc=0 t0
    t0=$(date +%s)
    rm -f test-times.txt
    if [ $# -gt 1 ]; then
        make -s -j"$jobs" check TESTS="$2" 2>&1 | tee check.out |
            grep --line-buffered -E '^(PASS|FAIL|ERROR|XPASS|SKIP):' || rc=$?
    else
        make -s -j"$jobs" check 2>&1 | tee check.out |
            grep --line-buffered -E '^(PASS|FAIL|ERROR|XPASS|SKIP):' || rc=$?
    fi
    if [ $rc -ne 0 ]; then
        cat check.out
        for log in $(grep -lE '^(FAIL|ERROR)' $(find . -name '*.log' -path './tests/*') 2>/dev/null); do
            echo "===== $log"
            cat "$log"
        done
    fi
    if [ -s test-times.txt ]; then
        echo "$label: the slowest tests (seconds):"
        # (awk reads to the end: head would leave sort writing to a closed pipe, and under
        # pipefail its SIGPIPE ended the whole run with 141)
        sort -rn test-times.txt | awk 'NR <= 8 { print "    " $0 }'
    fi
    local pass fail
    pass=$(grep -cE '^(PASS|XFAIL|SKIP):' check.out || true)
    fail=$(grep -cE '^(FAIL|ERROR|XPASS):' check.out || true)
    echo "$label: $pass passed, $fail failed ($(($(date +%s) - t0)) s)"
    return $rc
}

build build --enable-werror
check "tests"
echo "setup: running the test suite again under ASan+UBSan (build-asan/)" >&2
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
build build-asan --enable-werror --enable-sanitizers
# tests/dask/golden.sh: every 6th golden case here (each liq run is several times slower under
# the sanitizers; the first stage ran them all)
LIQ_DASK_EVERY=6 check "sanitizer tests"
# ThreadSanitizer (a build of its own: it cannot share one with ASan): the tests that run
# threads in-process and quickly -- the unit tests (two runs of one compiled query at once,
# snapshots from another thread: tests/unit/test_run.c) and the golden tests (every case at
# 1 and N threads); a race fails the test (halt_on_error). The shell tests stay out: they
# start liq processes by the hundred (slow under TSan), and some bound peak RSS, which TSan's
# shadow memory exceeds.
#
# The ThreadSanitizer and valgrind stages check again code the two stages above ran. CI stops
# a run at 90 minutes, on a machine that may be several times slower than a quiet one (23
# minutes here; a tree that took 26 here once ran past 90 there). Each of the two starts only
# while the run is younger than LIQ_CHECK_BUDGET minutes (default 55); otherwise a line says
# it was skipped and why, and the run ends with the verdict of the stages that ran.
in_budget() { # STAGE
    local age=$((($(date +%s) - started) / 60)) budget=${LIQ_CHECK_BUDGET:-55}
    [ "$age" -lt "$budget" ] && return 0
    echo "setup: $1 skipped: the run is $age minutes old (LIQ_CHECK_BUDGET=$budget); CI stops at 90" >&2
    return 1
}
unset ASAN_OPTIONS UBSAN_OPTIONS
if in_budget "the ThreadSanitizer stage"; then
    echo "setup: the unit and golden tests again under ThreadSanitizer (build-tsan/)" >&2
    export TSAN_OPTIONS=halt_on_error=1:second_deadlock_stack=1
    build build-tsan --enable-werror --enable-tsan
    check "thread sanitizer tests" \
        '$(UNIT_TESTS) $(GOLDEN_TESTS) $(FUNCTION_TESTS) $(ENGINE_TESTS) $(DOCS_TESTS)'
    unset TSAN_OPTIONS
fi
if in_budget "the valgrind stage"; then
    echo "setup: valgrind memcheck over a sample of the suite in build/ (scripts/valgrind.sh)" >&2
    "$top/scripts/valgrind.sh" "$top/build"
fi
