#!/bin/sh
# groups.sh -- log groups and streams (issue 14, docs/log-groups.md): @logStream is a file's
# path below the directory given (so host1/app.log and host2/app.log are two streams);
# --log-group NAME=PATH names the group of PATH's files (@log), read before the other inputs;
# SOURCE reads only the groups it selects, never opening the others (a FIFO without a writer
# would hang a run that opened it: timeout guards against that hang only); records that carry
# their own group and stream keep them. Expected values worked out by hand from the tree below.
# Env: LIQ (the binary). Exit 0 pass, 1 fail.
set -u
LC_ALL=C
export LC_ALL
t=$(mktemp -d) && trap 'rm -rf "$t"' EXIT
fails=0
check() { # name expected actual
    if [ "$2" = "$3" ]; then echo "ok - $1"; else
        echo "not ok - $1: expected [$2] got [$3]"; fails=$((fails + 1)); fi
}
# rows of a query, one line, rows separated by spaces; stderr dropped
rows() { "$LIQ" --format csv --no-header "$@" </dev/null 2>/dev/null | tr '\n' ' '; }

mkdir -p "$t/fn/host1" "$t/fn/host2" "$t/ecs/svc"
echo '{"m":"a"}' >"$t/fn/host1/app.log"
printf '{"m":"b"}\n{"m":"c"}\n' >"$t/fn/host2/app.log"
echo '{"m":"d"}' >"$t/ecs/svc/task.log"

# ===== streams: paths below the directory given =====
check "two hosts' app.log are two streams" "host1/app.log,1 host2/app.log,2 " \
    "$(rows 'stats count(*) by @logStream' "$t/fn")"
check "a trailing slash changes nothing" "host1/app.log,1 host2/app.log,2 " \
    "$(rows 'stats count(*) by @logStream' "$t/fn/")"
check "@log without --log-group: the input as given" "$t/fn,3 " \
    "$(rows 'stats count(*) by @log' "$t/fn")"
check "a file named: its name is its stream" "$t/fn/host2/app.log,app.log " \
    "$(rows 'fields @log, @logStream | limit 1' "$t/fn/host2/app.log")"
check "standard input: the stream stdin" "stdin,stdin " \
    "$(echo '{"m":"x"}' | "$LIQ" --format csv --no-header 'fields @log, @logStream' - | tr '\n' ' ')"

# ===== --log-group =====
check "--log-group names the group; streams below its directory" \
    "/aws/lambda/fn,host1/app.log,a /aws/lambda/fn,host2/app.log,b /aws/lambda/fn,host2/app.log,c " \
    "$(rows --log-group "/aws/lambda/fn=$t/fn" 'fields @log, @logStream, m')"
check "groups in the order given, then the other inputs" \
    "/aws/ecs/x,svc/task.log,d /aws/lambda/fn,app.log,a $t/fn/host2/app.log,app.log,b " \
    "$(rows --log-group "/aws/ecs/x=$t/ecs" --log-group "/aws/lambda/fn=$t/fn/host1" 'fields @log, @logStream, m | dedup @log' "$t/fn/host2/app.log")"
check "a group of one file, and of standard input" "g1,app.log,a g2,stdin,s " \
    "$(echo '{"m":"s"}' | "$LIQ" --format csv --no-header --log-group "g1=$t/fn/host1/app.log" --log-group g2=- 'fields @log, @logStream, m' | tr '\n' ' ')"
check "with --log-group and no INPUT, standard input is not read" "a " \
    "$(echo '{"m":"s"}' | "$LIQ" --format csv --no-header --log-group "g=$t/fn/host1" 'fields m' | tr '\n' ' ')"
check "a file in a group and named again: read once, in its group" "g,1 " \
    "$(rows --log-group "g=$t/fn/host1" 'stats count(*) by @log' "$t/fn/host1/app.log")"

# ===== SOURCE selects groups; the others are never opened =====
mkfifo "$t/fifo" # opening it for reading would wait for a writer forever
check "SOURCE 'name': only that group" "/aws/lambda/fn,3 " \
    "$(timeout 60 "$LIQ" --format csv --no-header --log-group "/aws/lambda/fn=$t/fn" \
        --log-group "/aws/ecs/x=$t/fifo" "SOURCE '/aws/lambda/fn' | stats count(*) by @log" </dev/null | tr '\n' ' ')"
timeout 60 "$LIQ" --format csv --no-header --log-group "/aws/lambda/fn=$t/fn" \
    --log-group "/aws/ecs/x=$t/missing" --log-group "/aws/ecs/y=$t/fifo" \
    "SOURCE logGroups(namePrefix: ['/aws/lambda']) | stats count(*)" </dev/null >"$t/out" 2>"$t/err"
rc=$?
check "SOURCE logGroups(namePrefix): a missing and a FIFO group left alone: exit 0" 0 "$rc"
check "... their records" 3 "$(cat "$t/out")"
check "... nothing said about them" "" "$(cat "$t/err")"
check "SOURCE with two commands: the union" "/aws/ecs/x,1 /aws/lambda/fn,3 " \
    "$(rows --log-group "/aws/lambda/fn=$t/fn" --log-group "/aws/ecs/x=$t/ecs" --log-group "other=$t/fifo" \
        "SOURCE '/aws/ecs/x' | SOURCE '/aws/lambda/fn' | stats count(*) by @log")"
check "an account with the name: accountIdentifiers select it" "111122223333:/aws/ecs/x,d " \
    "$(rows --log-group "111122223333:/aws/ecs/x=$t/ecs" --log-group "999988887777:/aws/ecs/y=$t/fifo" \
        "SOURCE logGroups(accountIdentifiers: ['111122223333']) | fields @log, m")"
"$LIQ" --format csv --no-header --log-group "g=$t/fn" "SOURCE 'h' | fields m" </dev/null >"$t/out" 2>"$t/err"
rc=$?
check "SOURCE selecting none of the groups: exit 0, no rows" "0," "$rc,$(cat "$t/out")"
check "... and a warning" \
    "liq: warning: SOURCE selects none of the 1 log group --log-group names: nothing is read from them" \
    "$(cat "$t/err")"
"$LIQ" --format csv --no-header --log-group "g=$t/missing" "SOURCE 'g' | fields m" </dev/null >"$t/out" 2>"$t/err"
check "a selected group that is missing: exit 3" 3 "$?"

# ===== records with their own group and stream keep them =====
mkdir -p "$t/fh/2024/05/09/10"
printf '{"messageType":"DATA_MESSAGE","owner":"1","logGroup":"/aws/lambda/own","logStream":"2024/05/09/[$LATEST]s","subscriptionFilters":[],"logEvents":[{"id":"1","timestamp":1,"message":"x"}]}\n' \
    >"$t/fh/2024/05/09/10/fh-1"
check "subscription records in a group: their own @log and @logStream" "1:/aws/lambda/own,2024/05/09/[\$LATEST]s " \
    "$(rows --log-group "g=$t/fh" 'fields @log, @logStream')"
mkdir -p "$t/exp/exportedlogs/a1b2c3d4-5678-90ab-cdef-example11111/2024/05/09/[\$LATEST]abc"
printf '2024-05-09T10:00:00.000Z hello\n' >"$t/exp/exportedlogs/a1b2c3d4-5678-90ab-cdef-example11111/2024/05/09/[\$LATEST]abc/000000"
check "export-task objects in a group: the group named, the stream of the export layout" \
    "/aws/lambda/f,2024/05/09/[\$LATEST]abc " \
    "$(rows --log-group "/aws/lambda/f=$t/exp" 'fields @log, @logStream')"

# ===== usage =====
for bad in x =dir x=; do
    "$LIQ" --log-group "$bad" 'fields m' </dev/null >/dev/null 2>"$t/err"
    check "--log-group '$bad': exit 2" 2 "$?"
done
check "--log-group without '=': the message" \
    "liq: error: --log-group takes NAME=PATH (a log group name such as /aws/lambda/fn, and a file, directory or S3 prefix), not 'x='" \
    "$(head -n 1 "$t/err")"

[ "$fails" -eq 0 ] || { echo "$fails failed"; exit 1; }
exit 0
