#!/bin/sh
# shrink.sh -- files truncated (or grown) while liq reads them (issue 11): logrotate's
# copytruncate on a live log. liq used to die of SIGBUS reading the mapped file; now the file
# ends at its new size: the records before are kept, the line cut there is dropped, nothing
# is invented, and the run exits 3 naming the file. A file that grows is read up to the size
# it had when opened, exit 0.
#
# No timing: each case runs liq with --threads 1 and its output into a FIFO the test reads.
# Once the first output line arrives liq has read the start of the file; it then cannot read
# further than its output buffers allow (at most its 1 MiB stdio buffer, the 64 KiB pipe and
# the morsels whose text fills them: under 4 MiB of these inputs; in practice the first 1 MiB
# morsel) until the test drains the FIFO, which it does only after changing the file. So every change happens while the file is being read,
# at a point liq cannot have reached, on any machine and under any load. Expected records are
# computed with head/zcat/awk on copies of the inputs, never taken from liq.
# Env: LIQ (the binary). Exit 0 pass, 1 fail, 77 skip.
#
# SPDX-License-Identifier: Apache-2.0
set -u
command -v mkfifo >/dev/null && command -v truncate >/dev/null && command -v timeout >/dev/null ||
    exit 77
t=$(mktemp -d) && trap 'rm -rf "$t"' EXIT
fails=0
check() { # name expected actual
    if [ "$2" = "$3" ]; then echo "ok - $1"; else echo "not ok - $1: expected [$2] got [$3]"; fails=$((fails + 1)); fi
}

# Runs liq --threads 1 ARGS... on the input, reads its first output line, runs the shell
# command in $change, then drains the rest: $t/out (all output), $t/err, $rc.
during() {
    rm -f "$t/fifo" && mkfifo "$t/fifo"
    timeout 60 "$LIQ" --threads 1 "$@" </dev/null >"$t/fifo" 2>"$t/err" &
    pid=$!
    exec 4<"$t/fifo"
    IFS= read -r first <&4 || first=
    eval "$change"
    { [ -n "$first" ] && printf '%s\n' "$first"; cat <&4; } >"$t/out"
    exec 4<&-
    wait "$pid"
    rc=$?
}

# 130,000 records (about 16 MiB): {"i":N,"pad":"..."} with 100 bytes of padding
awk 'BEGIN { for (i = 1; i <= 130000; i++)
    printf("{\"i\":%d,\"pad\":\"%s\"}\n", i, "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx") }' \
    >"$t/orig.json"
size=$(wc -c <"$t/orig.json" | tr -d ' ')
# the output must be records 1..K in order, each whole (no cut, no invented record): prints K
prefix() {
    awk -F, '$1 != NR || length($2) != 100 { print "bad line " NR ": " substr($0, 1, 60); exit 1 }
             END { print NR }' "$t/out"
}
Q='fields i, pad'
OPTS='--format csv --no-header'

# truncated mid-line at 8 MiB + 37: every whole line before the new end, none after
cp "$t/orig.json" "$t/app.json"
cut=$((8 * 1048576 + 37))
want=$(head -c "$cut" "$t/orig.json" | wc -l | tr -d ' ')
change="truncate -s $cut '$t/app.json'"
during $OPTS "$Q" "$t/app.json"
check "truncated mid-line: exit 3" 3 "$rc"
check "truncated mid-line: records up to the new end, whole and in order" "$want" "$(prefix)"
check "truncated mid-line: message" \
    "liq: error: $t/app.json: file shrank while being read ($size bytes when opened, $cut now): records after byte $cut may be missing" \
    "$(grep shrank "$t/err")"

# copytruncate: truncated to 0, then the application writes on. What was read before stays;
# the new lines (below the point reached) are not read, nothing is invented.
cp "$t/orig.json" "$t/app.json"
change="truncate -s 0 '$t/app.json'; printf '{\"i\":\"new\",\"pad\":\"n\"}\n%.0s' 1 2 3 4 5 >>'$t/app.json'"
during $OPTS "$Q" "$t/app.json"
check "copytruncate: exit 3" 3 "$rc"
k=$(prefix)
case $k in
[1-9]*) if [ "$k" -lt 130000 ]; then echo "ok - copytruncate: records read before, whole and in order ($k)"; else
        echo "not ok - copytruncate: all $k records, the truncation was not seen"; fails=$((fails + 1)); fi ;;
*) echo "not ok - copytruncate: output: $k"; fails=$((fails + 1)) ;;
esac
check "copytruncate: message (the size after the new lines)" \
    "liq: error: $t/app.json: file shrank while being read ($size bytes when opened, 110 now): records after byte 110 may be missing" \
    "$(grep shrank "$t/err")"

# a file that grows while read (a live log) is read up to the size it had when opened
cp "$t/orig.json" "$t/app.json"
change="head -n 1000 '$t/orig.json' >>'$t/app.json'"
during $OPTS "$Q" "$t/app.json"
check "grown: exit 0" 0 "$rc"
check "grown: the records it had when opened" 130000 "$(prefix)"
check "grown: no message" "" "$(cat "$t/err")"

# entered by the time seek (--start): truncated past the first morsel read
awk 'BEGIN { for (i = 1; i <= 130000; i++)
    printf("{\"i\":%d,\"pad\":\"%s\",\"t\":%d}\n", i, "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx", 1700000000000 + i * 1000) }' \
    >"$t/sorted.orig"
cp "$t/sorted.orig" "$t/sorted.json"
ssize=$(wc -c <"$t/sorted.orig" | tr -d ' ')
cut=$((9 * 1048576 + 11))
want=$(($(head -c "$cut" "$t/sorted.orig" | wc -l) - 5000 + 1)) # records 5000.. before the cut
change="truncate -s $cut '$t/sorted.json'"
during $OPTS --timestamp-field t --start 1700005000000 --stats "$Q" "$t/sorted.json"
check "time seek, truncated: exit 3" 3 "$rc"
check "time seek, truncated: the records in range up to the new end" "$want,5000" \
    "$(awk -F, 'NR == 1 { first = $1 } $1 != first + NR - 1 || length($2) != 100 { print "bad"; exit 1 }
               END { print NR "," first }' "$t/out")"
grep -q "sorted.json: file shrank while being read ($ssize bytes when opened, $cut now)" "$t/err" &&
    echo "ok - time seek, truncated: message" ||
    { echo "not ok - time seek, truncated: message: $(cat "$t/err")"; fails=$((fails + 1)); }
if grep -q "time seek: .* skipped in 1 sorted input" "$t/err"; then
    echo "ok - time seek, truncated: the seek entered the file"
else
    echo "not ok - time seek, truncated: the seek did not enter the file: $(cat "$t/err")"; fails=$((fails + 1))
fi

# gzip truncated while read: the decompressor finds the end early; the shrink is the damage
if command -v gzip >/dev/null; then
    # less regular records, so that the compressed file is several MiB
    awk 'BEGIN { srand(11); for (i = 1; i <= 130000; i++) { p = ""
        while (length(p) < 100) p = p sprintf("%04x", int(rand() * 65536))
        printf("{\"i\":%d,\"pad\":\"%s\"}\n", i, substr(p, 1, 100)) } }' | gzip -c >"$t/orig.gz"
    cp "$t/orig.gz" "$t/app.gz"
    gsize=$(wc -c <"$t/orig.gz" | tr -d ' ')
    cut=$((gsize * 2 / 3))
    want=$(head -c "$cut" "$t/orig.gz" | zcat 2>/dev/null | wc -l | tr -d ' ')
    change="truncate -s $cut '$t/app.gz'"
    during $OPTS "$Q" "$t/app.gz"
    check "gzip truncated: exit 3" 3 "$rc"
    check "gzip truncated: the whole records zcat finds in what is left" "$want" "$(prefix)"
    check "gzip truncated: message" \
        "liq: error: $t/app.gz: file shrank while being read ($gsize bytes when opened, $cut now): records after byte $cut may be missing" \
        "$(grep shrank "$t/err")"
fi

[ "$fails" -eq 0 ] || { echo "$fails failed"; exit 1; }
exit 0
