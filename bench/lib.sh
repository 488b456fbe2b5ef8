# lib.sh -- what the bench scripts share (bench/run.sh, bench/decomp.sh); sourced by bash
#
#   bench_find_liq NAME TOP LIQ  prints LIQ when given, else TOP's build/liq or ./liq; says so
#                                (NAME: the script, for the message) and fails when there is none
#   bench_install NAME CMD:PKG ...
#                                apt-get installs the package of each command that is missing,
#                                waiting while another package manager holds the apt lock (as
#                                scripts/setup.sh's apt_get does), up to 5 minutes
#
# SPDX-License-Identifier: Apache-2.0

bench_find_liq() {
    local c liq=$3
    if [ -z "$liq" ]; then
        for c in "$2/build/liq" "$2/liq"; do [ -x "$c" ] && { liq=$c; break; }; done
    fi
    if [ -z "$liq" ] || [ ! -x "$liq" ]; then
        echo "$1: no liq binary: build it or pass --liq PATH" >&2; return 2
    fi
    echo "$liq"
}

# bench_apt NAME ARGS: apt-get -qq ARGS as root (or through sudo); while another package
# manager holds a lock, wait and try again
bench_apt() {
    local i out sudo="" name=$1
    shift
    [ "$(id -u)" -eq 0 ] || sudo=sudo
    for ((i = 0; i < 60; i++)); do
        out=$($sudo env LC_ALL=C DEBIAN_FRONTEND=noninteractive \
              apt-get -o DPkg::Lock::Timeout=5 -qq "$@" 2>&1 >/dev/null) && return 0
        grep -qE 'Could not get lock|Unable to lock|Unable to acquire' <<< "$out" ||
            { echo "$out" >&2; return 1; }
        [ "$i" -gt 0 ] || echo "$name: waiting for another package manager" >&2
        sleep 5
    done
    echo "$out" >&2; return 1
}

bench_install() {
    local p name=$1 need=()
    shift
    for p in "$@"; do
        command -v "${p%%:*}" >/dev/null || need+=("${p#*:}")
    done
    [ ${#need[@]} -eq 0 ] && return 0
    bench_apt "$name" update && bench_apt "$name" install -y --no-install-recommends "${need[@]}"
}
