#!/bin/bash
# setup_lock.sh -- scripts/setup.sh waits for another package manager instead of failing
#
# scripts/setup.sh --deps-only runs with stand-ins for apt-get, dpkg-query (every package
# missing), sudo and sleep first on PATH, and SETUP_APT_LOCKS naming a file of this test, so
# nothing is installed and no system lock is touched. The stand-ins log each call, in order,
# with whether the lock is held at that moment:
# - a lock held when setup.sh starts (flock(1) on the file, seen in /proc/locks) is waited for:
#   setup.sh says who holds it and sleeps; the stand-in sleep lets the holder go; every
#   apt-get runs after that, with -o DPkg::Lock::Timeout=600, update before install;
# - an apt-get that fails on a lock ("Could not get lock", what apt-get update does when
#   another update runs) is run again after a sleep;
# - an apt-get that fails for another reason fails setup.sh at once, its error shown;
# - a lock never let go: setup.sh gives up after SETUP_LOCK_WAIT (one sleep per 5 s), without
#   having run apt-get.
# No clock is read: what is checked is the order of the calls (the stand-in sleep returns at
# once).
# Environment (set by make check): SRCDIR = the source tree.
# Exit: 0 all checks passed, 1 a check failed, 77 flock(1) or /proc/locks missing.
#
# SPDX-License-Identifier: Apache-2.0
set -u
: "${SRCDIR:?set SRCDIR to the source tree}"
LC_ALL=C
export LC_ALL
if ! command -v flock >/dev/null 2>&1 || ! command -v timeout >/dev/null 2>&1 ||
    [ ! -r /proc/locks ]; then
    echo "SKIP: flock(1), timeout(1) and /proc/locks are needed"
    exit 77
fi
tmp=$(mktemp -d "${TMPDIR:-/tmp}/liq-setup.XXXXXX")
holder=""
cleanup() {
    [ -z "$holder" ] || release
    rm -rf "$tmp"
}
trap cleanup EXIT
n=0
failures=0
ok() { n=$((n + 1)); echo "ok $n - $1"; }
not_ok() { n=$((n + 1)); failures=$((failures + 1)); echo "not ok $n - $1"; }
show() { sed 's/^/  | /' "$1"; }
sleep_bin=$(command -v sleep)

export LOCKFILE="$tmp/lock" EVENTS="$tmp/events" FIFO="$tmp/release" STUB_STATE="$tmp/state"
export REAL_SLEEP="$sleep_bin"
: >"$LOCKFILE"
mkdir -p "$tmp/bin"
# the lock's state now, as a word
cat >"$tmp/bin/lockstate" <<'EOF'
#!/bin/bash
if flock -n "$LOCKFILE" true; then echo free; else echo held; fi
EOF
cat >"$tmp/bin/apt-get" <<'EOF'
#!/bin/bash
# stand-in: logs the call; STUB_APT=ok, lockfail-once (the first call fails on a lock) or broken
echo "apt-get $* lock=$(lockstate)" >>"$EVENTS"
case "$STUB_APT" in
lockfail-once)
    if [ ! -e "$STUB_STATE" ]; then
        : >"$STUB_STATE"
        echo "E: Could not get lock /var/lib/apt/lists/lock. It is held by process 4242 (apt-get)" >&2
        echo "E: Unable to lock directory /var/lib/apt/lists/" >&2
        exit 100
    fi ;;
broken)
    echo "E: Unable to locate package no-such-package" >&2
    exit 100 ;;
esac
exit 0
EOF
cat >"$tmp/bin/dpkg-query" <<'EOF'
#!/bin/bash
exit 1
EOF
cat >"$tmp/bin/sudo" <<'EOF'
#!/bin/bash
exec "$@"
EOF
cat >"$tmp/bin/sleep" <<'EOF'
#!/bin/bash
# stand-in: logs the call and returns at once; with STUB_RELEASE=1 it first lets the holder go
# and waits (at most 20 s, a hang guard) until the lock is free
echo "sleep $* lock=$(lockstate)" >>"$EVENTS"
if [ "${STUB_RELEASE:-0}" = 1 ] && [ "$(lockstate)" = held ]; then
    echo go >"$FIFO"
    i=0
    while [ "$(lockstate)" = held ] && [ $i -lt 400 ]; do "$REAL_SLEEP" 0.05; i=$((i + 1)); done
    echo "released" >>"$EVENTS"
fi
exit 0
EOF
chmod +x "$tmp/bin"/*
if [ "$(PATH="$tmp/bin:$PATH" command -v apt-get)" != "$tmp/bin/apt-get" ]; then
    echo "Bail out! the stand-in apt-get is not the one on PATH"
    exit 1
fi

# hold: flock(1) takes the lock and keeps it until release (one line into the FIFO)
hold() {
    rm -f "$FIFO"
    mkfifo "$FIFO"
    flock "$LOCKFILE" cat "$FIFO" >/dev/null &
    holder=$!
    local i=0
    while [ "$("$tmp/bin/lockstate")" = free ] && [ $i -lt 400 ]; do "$sleep_bin" 0.05; i=$((i + 1)); done
}
release() {
    [ "$("$tmp/bin/lockstate")" = free ] || echo go >"$FIFO"
    wait "$holder" 2>/dev/null
    holder=""
}
# setup ENV...: scripts/setup.sh --deps-only with the stand-ins (hang guard: 60 s); $rc,
# $tmp/err, $EVENTS
setup() {
    rm -f "$EVENTS" "$STUB_STATE"
    : >"$EVENTS"
    env PATH="$tmp/bin:$PATH" SETUP_APT_LOCKS="$LOCKFILE" "$@" \
        timeout 60 bash "$SRCDIR/scripts/setup.sh" --deps-only </dev/null >/dev/null 2>"$tmp/err"
    rc=$?
}
expect_rc() {
    if [ "$rc" -eq "$1" ]; then ok "$2: exit $1"; else
        not_ok "$2: exit $rc, expected $1"; show "$tmp/err"; fi
}
expect_err_has() {
    if grep -qF -- "$1" "$tmp/err"; then ok "$2: says '$1'"; else
        not_ok "$2: does not say '$1'"; show "$tmp/err"; fi
}
# apt_calls_ok LABEL: every apt-get call ran with the lock free and DPkg::Lock::Timeout, each
# install after an update, and at least one install
apt_calls_ok() {
    if awk '
        /^apt-get / {
            if ($0 !~ / lock=free$/ || $0 !~ /^apt-get -o DPkg::Lock::Timeout=600 -qq /) bad = 1
            if ($0 ~ / update /) upd = 1
            if ($0 ~ / install /) { if (!upd) bad = 1; upd = 0; inst++ }
        }
        END { exit bad || !inst }' "$EVENTS"; then
        ok "$1: every apt-get with the lock free and DPkg::Lock::Timeout, update then install"
    else
        not_ok "$1: apt-get calls"; show "$EVENTS"
    fi
}

# ===== a lock held when setup.sh starts =====
hold
setup STUB_APT=ok STUB_RELEASE=1
expect_rc 0 "lock held at the start"
expect_err_has "setup: waiting for process " "lock held at the start"
expect_err_has "holding $LOCKFILE to finish" "lock held at the start: names the lock"
if [ "$(sed -n 1p "$EVENTS")" = "sleep 5 lock=held" ] && [ "$(sed -n 2p "$EVENTS")" = released ] &&
    [ "$(grep -c '^sleep' "$EVENTS")" -eq 1 ]; then
    ok "lock held at the start: one wait, before any apt-get"
else
    not_ok "lock held at the start: the order of the calls"; show "$EVENTS"
fi
apt_calls_ok "lock held at the start"
release

# ===== apt-get fails on a lock taken after the check =====
setup STUB_APT=lockfail-once
expect_rc 0 "apt-get failing once on a lock"
expect_err_has "setup: waiting for process 4242 holding /var/lib/apt/lists/lock to finish" \
    "apt-get failing once on a lock"
if sed -n 1,3p "$EVENTS" | awk '{ print $1, $NF }' | tr '\n' ' ' |
    grep -qx 'apt-get lock=free sleep lock=free apt-get lock=free '; then
    ok "apt-get failing once on a lock: run again after a wait"
else
    not_ok "apt-get failing once on a lock: the order of the calls"; show "$EVENTS"
fi
grep -v '^sleep' "$EVENTS" | sed 1d >"$tmp/after" && EVENTS="$tmp/after" apt_calls_ok "after the retry"

# ===== apt-get fails for another reason =====
setup STUB_APT=broken
expect_rc 100 "apt-get failing for another reason"
expect_err_has "E: Unable to locate package no-such-package" "apt-get failing for another reason: shown"
if [ "$(grep -c '' "$EVENTS")" -eq 1 ] && ! grep -q '^sleep' "$EVENTS"; then
    ok "apt-get failing for another reason: no wait, no retry"
else
    not_ok "apt-get failing for another reason: calls"; show "$EVENTS"
fi

# ===== a lock never let go =====
hold
setup STUB_APT=ok SETUP_LOCK_WAIT=10
expect_rc 1 "a lock never let go"
expect_err_has "setup: gave up waiting for process " "a lock never let go"
if [ "$(grep -c '^sleep 5 lock=held$' "$EVENTS")" -eq 2 ] && ! grep -q '^apt-get' "$EVENTS"; then
    ok "a lock never let go: two waits of 5 s for SETUP_LOCK_WAIT=10, no apt-get"
else
    not_ok "a lock never let go: calls"; show "$EVENTS"
fi
release

echo "1..$n"
[ "$failures" -eq 0 ] || { echo "$failures of $n checks failed"; exit 1; }
exit 0
