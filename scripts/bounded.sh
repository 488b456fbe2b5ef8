#!/bin/sh
# bounded.sh -- run one test of make check with a ceiling on its time (the LOG_COMPILERs of
# tests/local.mk put it in front of every test)
#
#   scripts/bounded.sh COMMAND [ARG...]
#
# A test that hangs must fail and name itself, not stop the whole suite until CI gives up
# (every wait inside a test has its own guard; this is the one for the guard that was
# forgotten). COMMAND runs under timeout(1) in a process group of its own: past
# $LIQ_TEST_TIMEOUT seconds (default 1200) it gets SIGTERM, 30 s later SIGKILL, and the test
# fails with a line saying so. The ceiling asserts nothing about speed: it is far above what
# the slowest test needs on a loaded machine under ASan.
#
# Each test's wall seconds go, as "SECONDS TEST", to test-times.txt in the build directory,
# so scripts/setup.sh --check can print the slowest ones (a report, never a verdict).
#
# SPDX-License-Identifier: Apache-2.0
limit=${LIQ_TEST_TIMEOUT:-1200}
start=$(date +%s)
timeout --kill-after=30 "$limit" "$@"
rc=$?
end=$(date +%s)
# the test's name: its last argument (a script, a .test file or a unit test binary)
for name in "$@"; do :; done
echo "$((end - start)) $name" >>test-times.txt
case $rc in
124 | 137)
    echo "bounded.sh: $name ran longer than $limit s (LIQ_TEST_TIMEOUT) and was stopped" >&2
    exit 1
    ;;
esac
exit $rc
