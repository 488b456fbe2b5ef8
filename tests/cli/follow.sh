#!/bin/sh
# follow.sh -- CLI test: liq --follow (-F) over files and directories (issue 18, docs/follow.md)
#
# Each case starts liq -F in the background on files this script then changes, and waits for
# what liq must write (a bounded polling loop on the output file, never a clock): lines
# appended to a file; a rotation by rename (the old file still written to after the rename,
# then a new file of the same name); copytruncate (the file emptied and written again); a new
# file in a followed directory and in a new subdirectory (--include picks *.log: a .txt file
# next to it is never read); stats by bin(1m) with --lateness 0 (bins written once closed, a
# late record as a correction row, the open bin at SIGTERM; a gzip file's records, which each
# pass of a read decompresses again); stats without bins (a whole
# result again once records come, --every); a limit counts across reads and ends the follow;
# SIGINT and SIGTERM end a follower with exit 0.
# Usage errors: standard input, an S3 URI, --poll without --follow (exit 2).
# Environment (set by make check): LIQ = the liq binary, SRCDIR = the source tree.
# Exit: 0 all checks passed, 1 a check failed, 77 a tool (python3, timeout, tail) missing.
#
# SPDX-License-Identifier: Apache-2.0
set -u
: "${LIQ:?set LIQ to the liq binary}"
LC_ALL=C
export LC_ALL
for tool in python3 timeout tail; do
    if ! command -v "$tool" >/dev/null 2>&1; then
        echo "follow: $tool not found, skipped"
        exit 77
    fi
done

tmp=$(mktemp -d "${TMPDIR:-/tmp}/liq-cli-follow.XXXXXX")
pid=
trap 'if [ -n "$pid" ]; then kill -KILL "$pid" 2>/dev/null; fi; rm -rf "$tmp"' EXIT
trap 'exit 1' INT TERM HUP

fail=0
n=0
ok() { n=$((n + 1)); echo "ok $n - $1"; }
bad() {
    n=$((n + 1))
    echo "not ok $n - $1"
    fail=1
    if [ -f "$tmp/out" ]; then sed 's/^/#   out: /' "$tmp/out"; fi
    if [ -f "$tmp/err" ]; then sed 's/^/#   err: /' "$tmp/err"; fi
}

# a background job of sh starts with SIGINT ignored, and liq keeps a signal ignored on entry:
# run it with SIGINT and SIGTERM at their default action
dfl='import os, signal, sys
for s in (signal.SIGINT, signal.SIGTERM):
    signal.signal(s, signal.SIG_DFL)
os.execv(sys.argv[1], sys.argv[1:])'

# start ARGS...: liq ARGS in the background, stdout in $tmp/out, stderr in $tmp/err
start() {
    rm -f "$tmp/out" "$tmp/err"
    : >"$tmp/out"
    python3 -c "$dfl" "$LIQ" "$@" >"$tmp/out" 2>"$tmp/err" &
    pid=$!
}
# wait_for TEXT [COUNT]: polls until $tmp/out holds COUNT (default 1) lines with TEXT, or liq
# ended (at most 3000 tries); fails otherwise
wait_for() {
    _i=0
    _want=${2:-1}
    while [ "$(grep -cF -- "$1" "$tmp/out" 2>/dev/null)" -lt "$_want" ] &&
        kill -0 "$pid" 2>/dev/null && [ $_i -lt 3000 ]; do
        sleep 0.02
        _i=$((_i + 1))
    done
    [ "$(grep -cF -- "$1" "$tmp/out")" -ge "$_want" ]
}
# stop SIG: sends SIG to liq and waits for it under a hang guard; sets $rc (999: it hung)
stop() {
    kill "-$1" "$pid" 2>/dev/null
    if timeout 60 tail --pid="$pid" -f /dev/null; then wait "$pid"; rc=$?; else
        kill -KILL "$pid" 2>/dev/null; wait "$pid"; rc=999; fi
    pid=
}

# ----- appends, rotation by rename, copytruncate (one file named) -----
mkdir "$tmp/a"
printf '{"n":1}\n' >"$tmp/a/app.log"
start -F --format ndjson 'fields n' "$tmp/a/app.log"
if wait_for '{"n":1}'; then ok "the file's lines"; else bad "the file's lines"; fi
printf '{"n":2}\n{"n"' >>"$tmp/a/app.log" # a line being written waits for its end
if wait_for '{"n":2}'; then ok "an appended line"; else bad "an appended line"; fi
printf ':3}\n' >>"$tmp/a/app.log"
if wait_for '{"n":3}'; then ok "a line finished later"; else bad "a line finished later"; fi
mv "$tmp/a/app.log" "$tmp/a/app.log.1"
printf '{"n":4}\n' >>"$tmp/a/app.log.1" # the writer has not reopened its log yet
printf '{"n":5}\n' >"$tmp/a/app.log"
if wait_for '{"n":4}' && wait_for '{"n":5}'; then ok "rotation: the old file's last lines and the new file"
else bad "rotation: the old file's last lines and the new file"; fi
printf '{"n":6}\n' >>"$tmp/a/app.log"
wait_for '{"n":6}'
cp "$tmp/a/app.log" "$tmp/a/app.log.2"
: >"$tmp/a/app.log" # copytruncate
printf '{"n":7}\n' >>"$tmp/a/app.log"
if wait_for '{"n":7}'; then ok "copytruncate: read again from the start"; else bad "copytruncate: read again from the start"; fi
stop TERM
printf '{"n":%d}\n' 1 2 3 4 5 6 7 >"$tmp/want"
if [ "$rc" = 0 ] && cmp -s "$tmp/out" "$tmp/want"; then ok "SIGTERM: exit 0, every line once"
else bad "SIGTERM: exit 0, every line once (exit $rc)"; fi
if grep -q 'truncated; reading it again' "$tmp/err"; then ok "the truncation is said"
else bad "the truncation is said"; fi

# ----- new files in a followed directory (--include), SIGINT -----
mkdir -p "$tmp/d"
printf '{"f":"x"}\n' >"$tmp/d/x.log"
printf '{"f":"never"}\n' >"$tmp/d/notes.txt"
start -F --include '*.log' --format csv 'fields f, @logStream' "$tmp/d"
wait_for 'x,x.log'
printf '{"f":"y"}\n' >"$tmp/d/y.log"
printf '{"f":"never2"}\n' >"$tmp/d/y.txt"
if wait_for 'y,y.log'; then ok "a new file in the directory"; else bad "a new file in the directory"; fi
mkdir "$tmp/d/sub"
printf '{"f":"z"}\n' >"$tmp/d/sub/z.log"
if wait_for 'z,sub/z.log'; then ok "a file in a new subdirectory"; else bad "a file in a new subdirectory"; fi
stop INT
if [ "$rc" = 0 ] && ! grep -q never "$tmp/out" && [ "$(wc -l <"$tmp/out")" -eq 4 ]; then
    ok "SIGINT: exit 0; --include left the .txt files out"
else bad "SIGINT: exit 0; --include left the .txt files out (exit $rc)"; fi

# ----- stats by bin(1m): closed bins, a correction, the open bin at the end -----
mkdir "$tmp/b"
ts() { printf '{"@timestamp":"2026-03-01T10:%s","n":%s}\n' "$1" "$2"; }
{ ts 01:10 1; ts 01:50 2; ts 02:05 4; } >"$tmp/b/b.log"
start -F --lateness 0 --format csv 'stats count(*) as c, sum(n) as s by bin(1m)' "$tmp/b/b.log"
if wait_for '10:01:00.000,2,3'; then ok "bins: a closed bin written"; else bad "bins: a closed bin written"; fi
ts 03:30 8 >>"$tmp/b/b.log"
if wait_for '10:02:00.000,1,4'; then ok "bins: the next bin once the newest timestamp passes it"
else bad "bins: the next bin once the newest timestamp passes it"; fi
ts 01:59 100 >>"$tmp/b/b.log"
if wait_for '10:01:00.000,1,100'; then ok "bins: a late record as a correction row"
else bad "bins: a late record as a correction row"; fi
stop TERM
cat >"$tmp/want" <<'EOF'
bin(1m),c,s
2026-03-01 10:01:00.000,2,3
2026-03-01 10:02:00.000,1,4
2026-03-01 10:01:00.000,1,100
2026-03-01 10:03:00.000,1,8
EOF
if [ "$rc" = 0 ] && cmp -s "$tmp/out" "$tmp/want"; then ok "bins: each once, the open one at SIGTERM"
else bad "bins: each once, the open one at SIGTERM (exit $rc)"; fi

# ----- a gzip file under a bins query: read whole by every pass of a read -----
# (each pass of a bins read reads the file again; the decompressor starts at its byte 0)
mkdir -p "$tmp/z"
printf '{"@timestamp":"2026-03-01T10:00:%02dZ","n":1}\n' 1 2 3 | gzip >"$tmp/z/a.log.gz"
start -F --lateness 0s --format csv 'stats count(*) as c by bin(1m)' "$tmp/z/"
printf '{"@timestamp":"2026-03-01T10:05:00Z","n":1}\n' >"$tmp/z/b.log"
if wait_for '10:00:00.000,3'; then ok "bins: a gzip file's records counted"
else bad "bins: a gzip file's records counted"; fi
stop TERM

# ----- stats without bins: the whole result again while records come -----
printf '{"k":"a"}\n{"k":"b"}\n{"k":"a"}\n' >"$tmp/s.log"
start -F --every 50ms --format csv 'stats count(*) as c by k' "$tmp/s.log"
wait_for 'a,2'
printf '{"k":"b"}\n{"k":"c"}\n' >>"$tmp/s.log"
if wait_for 'c,1'; then ok "stats: a new result once records came"; else bad "stats: a new result once records came"; fi
stop TERM
# Each result is whole: the header, then every group so far. How many results come between
# the first and the last depends on when --every ticks against the reads (a loaded machine
# may see b before c), so any whole result of a prefix of the records may come between them,
# in record order: the first is a,2 b,1, the last a,2 b,2 c,1.
whole=$(awk 'BEGIN { s["a,2|b,1"] = 1; s["a,2|b,2"] = 2; s["a,2|b,2|c,1"] = 3 }
    function end_block() { if (blk == "") return; i = s[blk]
        if (!i || i < last || (first == 0 && i != 1)) bad = 1
        if (first == 0) first = i; last = i; nb++ }
    $0 == "k,c" { end_block(); blk = ""; next }
    NR == 1 { bad = 1 }
    { blk = blk == "" ? $0 : blk "|" $0 }
    END { end_block(); print (!bad && first == 1 && last == 3) ? "yes " nb : "no" }' "$tmp/out")
case $whole in
yes*) [ "$rc" = 0 ] && ok "stats: whole results, each with its header (${whole#yes } results)" ||
    bad "stats: whole results, each with its header (exit $rc)" ;;
*) bad "stats: whole results, each with its header (exit $rc)" ;;
esac

# ----- a limit counts across reads; once written, the follow ends (as tail -F | head) -----
mkdir -p "$tmp/l"
printf '{"n":1}\n{"n":2}\n' >"$tmp/l/app.log"
start -F --format ndjson 'filter n > 0 | fields n | limit 3' "$tmp/l/app.log"
wait_for '{"n":2}'
printf '{"n":3}\n{"n":4}\n{"n":5}\n' >>"$tmp/l/app.log" # one read past the limit
if timeout 60 tail --pid="$pid" -f /dev/null; then wait "$pid"; rc=$?; else
    kill -KILL "$pid" 2>/dev/null; wait "$pid"; rc=999; fi
pid=
printf '{"n":%d}\n' 1 2 3 >"$tmp/want"
if [ "$rc" = 0 ] && cmp -s "$tmp/out" "$tmp/want"; then ok "limit 3 over two reads: 3 rows, then exit 0"
else bad "limit 3 over two reads: 3 rows, then exit 0 (exit $rc)"; fi

# ----- multi-line records whose continuation lines come in a later read -----
# --poll 1h: a held record goes out only once a line that starts a record follows it (or at
# the end), never because the file was quiet. m.log is written after a.log, so once its first
# line is out a.log's first bytes have been looked at too.
mkdir -p "$tmp/ml"
: >"$tmp/ml/a.log"
: >"$tmp/ml/m.log"
start -F --poll 1h --format ndjson 'fields @message' "$tmp/ml"
printf '2026-12-07T10:00:00Z ERROR boom\n\tat A.a(A.java:1)\n' >>"$tmp/ml/a.log"
printf '2026-12-07T10:00:00Z mark1\n2026-12-07T10:00:01Z mark2\n' >>"$tmp/ml/m.log"
wait_for mark1
printf '\tat B.b(B.java:2)\n2026-12-07T10:00:02Z INFO next\n2026-12-07T10:00:03Z INFO last\n' \
    >>"$tmp/ml/a.log"
wait_for 'INFO next'
if [ "$(grep -c boom "$tmp/out")" = 1 ] && grep boom "$tmp/out" | grep -qF 'A.java:1)\n\tat B.b' &&
    ! grep -q '"\\tat B' "$tmp/out"; then
    ok "a stack trace whose last line came in a later read is one record"
else bad "a stack trace whose last line came in a later read is one record"; fi
printf 'START one\ncontinued 1\n' >>"$tmp/ml/m.log" # (the default rule: "START" starts one)
stop TERM
if [ "$rc" = 0 ] && grep -q 'INFO last' "$tmp/out" && grep -q mark2 "$tmp/out"; then
    ok "records held back are read at SIGTERM"
else bad "records held back are read at SIGTERM (exit $rc)"; fi
mkdir -p "$tmp/ms"
: >"$tmp/ms/a.log"
: >"$tmp/ms/m.log"
start -F --poll 1h --multiline-start '^START' --format ndjson 'fields @message' "$tmp/ms"
printf 'START one\nmore 1\n' >>"$tmp/ms/a.log"
printf 'START mark1\nSTART mark2\n' >>"$tmp/ms/m.log"
wait_for mark1
printf 'more 2\nSTART two\nSTART three\n' >>"$tmp/ms/a.log"
wait_for 'START two'
if grep -qF '"START one\nmore 1\nmore 2"' "$tmp/out" && ! grep -q '"more 2' "$tmp/out"; then
    ok "--multiline-start: a record whose lines came in two reads is one"
else bad "--multiline-start: a record whose lines came in two reads is one"; fi
stop TERM

# a record held when its file is rotated: the lines written to the old file after the rename
# are its own; it is read whole (here at SIGTERM: --poll 1h keeps the old file open)
mkdir -p "$tmp/mr"
: >"$tmp/mr/a.log"
: >"$tmp/mr/m.log"
start -F --poll 1h --multiline-start '^START' --format ndjson 'fields @message' "$tmp/mr/a.log" \
    "$tmp/mr/m.log"
printf 'START one\nmore 1\n' >>"$tmp/mr/a.log"
printf 'START mark1\nSTART mark2\n' >>"$tmp/mr/m.log"
wait_for mark1
mv "$tmp/mr/a.log" "$tmp/mr/a.log.1"
printf 'more 2\n' >>"$tmp/mr/a.log.1"
printf 'START two\nSTART three\n' >"$tmp/mr/a.log"
wait_for 'START two'
stop TERM
if [ "$rc" = 0 ] && [ "$(grep -c 'START one' "$tmp/out")" = 1 ] &&
    grep -qF '"START one\nmore 1\nmore 2"' "$tmp/out" && grep -q 'START three' "$tmp/out"; then
    ok "--multiline-start: a record held across a rotation is one"
else bad "--multiline-start: a record held across a rotation is one (exit $rc)"; fi
# a record held when liq is killed (-9): the state's offset is before it, and the restart
# reads it whole, once
mkdir -p "$tmp/mk"
: >"$tmp/mk/a.log"
: >"$tmp/mk/m.log"
: >"$tmp/mk/out"
mk() {
    python3 -c "$dfl" "$LIQ" -F --poll 1h --multiline-start '^START' --state-file "$tmp/mk/state" \
        --format ndjson 'fields @message' "$tmp/mk/a.log" "$tmp/mk/m.log" >>"$tmp/mk/out" \
        2>"$tmp/err" &
    pid=$!
}
mk
printf 'START one\nmore 1\n' >>"$tmp/mk/a.log"
printf 'START mark1\nSTART mark2\n' >>"$tmp/mk/m.log"
_i=0
while ! grep -q mark1 "$tmp/mk/out" && kill -0 "$pid" 2>/dev/null && [ $_i -lt 3000 ]; do
    sleep 0.02
    _i=$((_i + 1))
done
kill -KILL "$pid"
wait "$pid" 2>/dev/null
printf 'more 2\nSTART two\nSTART three\n' >>"$tmp/mk/a.log"
mk
_i=0
while ! grep -q 'START two' "$tmp/mk/out" && kill -0 "$pid" 2>/dev/null && [ $_i -lt 3000 ]; do
    sleep 0.02
    _i=$((_i + 1))
done
cp "$tmp/mk/out" "$tmp/out"
stop TERM
if [ "$(grep -c 'START one' "$tmp/out")" = 1 ] && grep -qF '"START one\nmore 1\nmore 2"' "$tmp/out" &&
    [ "$(grep -c mark1 "$tmp/out")" = 1 ]; then
    ok "--multiline-start: a record held at a kill -9 is read whole, once, by the restart"
else bad "--multiline-start: a record held at a kill -9 is read whole, once, by the restart"; fi

# ----- a columns format with a header line keeps it: VPC flow logs with custom fields -----
mkdir -p "$tmp/v"
printf 'version account-id action srcaddr dstaddr bytes start end log-status\n' >"$tmp/v/f.log"
printf '5 123 ACCEPT 10.0.0.1 10.0.0.2 100 1733565600 1733565660 OK\n' >>"$tmp/v/f.log"
start -F --format csv 'fields action, bytes' "$tmp/v/f.log"
wait_for 'ACCEPT,100'
printf '5 123 REJECT 10.0.0.3 10.0.0.4 200 1733565600 1733565660 OK\n' >>"$tmp/v/f.log"
if wait_for 'REJECT,200'; then ok "an appended VPC flow log line: the header's columns"
else bad "an appended VPC flow log line: the header's columns"; fi
stop TERM

# ----- usage errors -----
if "$LIQ" -F 'fields a' - </dev/null >"$tmp/out" 2>"$tmp/err"; then rc=0; else rc=$?; fi
if [ "$rc" = 2 ] && grep -q 'standard input' "$tmp/err" && [ ! -s "$tmp/out" ]; then
    ok "--follow - is a usage error"; else bad "--follow - is a usage error (exit $rc)"; fi
if "$LIQ" --poll 2s 'fields a' "$tmp/s.log" >"$tmp/out" 2>"$tmp/err"; then rc=0; else rc=$?; fi
if [ "$rc" = 2 ] && grep -q 'option of --follow' "$tmp/err"; then ok "--poll without --follow"
else bad "--poll without --follow (exit $rc)"; fi
if "$LIQ" -F --every 0 'fields a' "$tmp/s.log" >"$tmp/out" 2>"$tmp/err"; then rc=0; else rc=$?; fi
if [ "$rc" = 2 ] && grep -q 'takes a duration' "$tmp/err"; then ok "--every 0 is refused"
else bad "--every 0 is refused (exit $rc)"; fi

echo "1..$n"
exit $fail
