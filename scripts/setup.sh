#!/usr/bin/env bash
# setup.sh -- install liq's build and test dependencies on Debian 12, then build liq
#
#   scripts/setup.sh           install what is missing, configure, build: build/liq
#   scripts/setup.sh --check   the same, then the whole test suite: make check with -Werror,
#                              and make check again in an ASan+UBSan build (build-asan/)
#
# Idempotent: packages already installed are not touched, an existing build is reused.
# Works as root or through sudo. Quiet unless something fails.
# SPDX-License-Identifier: Apache-2.0
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
check=0
for a in "$@"; do
    case "$a" in
    --check) check=1 ;;
    -h | --help)
        sed -n '2,10p' "$0"
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
    libcurl4-openssl-dev libisal-dev libdeflate-dev libssl-dev
    jq gawk sqlite3 tzdata
)

missing=()
for p in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
    sudo=""
    [ "$(id -u)" -eq 0 ] || sudo="sudo"
    echo "setup: installing ${missing[*]}" >&2
    export DEBIAN_FRONTEND=noninteractive
    $sudo apt-get update -qq >/dev/null
    $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

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

# The S3 tests (tests/s3) need node and npm (they install s3rver from npm themselves) and
# python3-botocore (signature checks); only the test path installs them.
s3_missing=()
command -v node >/dev/null 2>&1 || s3_missing+=(nodejs)
command -v npm >/dev/null 2>&1 || s3_missing+=(npm)
dpkg-query -W -f='${Status}' python3-botocore 2>/dev/null | grep -q "install ok installed" ||
    s3_missing+=(python3-botocore)
if [ ${#s3_missing[@]} -gt 0 ]; then
    sudo=""
    [ "$(id -u)" -eq 0 ] || sudo="sudo"
    echo "setup: installing ${s3_missing[*]} for the S3 tests" >&2
    export DEBIAN_FRONTEND=noninteractive
    $sudo apt-get update -qq >/dev/null
    $sudo apt-get install -y -qq --no-install-recommends "${s3_missing[@]}" >/dev/null
fi

# check LABEL: make check in the current build directory; on failure show the failing logs;
# always end with one "LABEL: N passed, N failed" line
check() {
    local label=$1 rc=0
    make -s -j"$jobs" check >check.out 2>&1 || rc=$?
    grep -E '^(PASS|FAIL|ERROR|XPASS|SKIP):' check.out || true
    if [ $rc -ne 0 ]; then
        cat check.out
        for log in $(grep -lE '^(FAIL|ERROR)' $(find . -name '*.log' -path './tests/*') 2>/dev/null); do
            echo "===== $log"
            cat "$log"
        done
    fi
    local pass fail
    pass=$(grep -cE '^(PASS|XFAIL|SKIP):' check.out || true)
    fail=$(grep -cE '^(FAIL|ERROR|XPASS):' check.out || true)
    echo "$label: $pass passed, $fail failed"
    return $rc
}

build build --enable-werror
check "tests"
echo "setup: running the test suite again under ASan+UBSan (build-asan/)" >&2
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
build build-asan --enable-werror --enable-sanitizers
check "sanitizer tests"
