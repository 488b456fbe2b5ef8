#!/bin/sh
# census.sh -- names the query reads that no record has (issue 14, engine/input/census.h): a
# typo in filter, stats by, sort and the rest, or a bare word meant as a value, is said once
# per run on stderr with the closest fields the records have; -q silences it. No warning for a
# field only some records have (even records an earlier filter dropped), for @-fields liq makes,
# for fields the query makes (parse, fields ... as, stats), for the columns of a positional
# format, or for a name only fields/display shows.
# Env: LIQ (the binary). Exit 0 pass, 1 fail.
set -u
t=$(mktemp -d) && trap 'rm -rf "$t"' EXIT
fails=0
check() { # name expected actual
    if [ "$2" = "$3" ]; then echo "ok - $1"; else echo "not ok - $1: expected [$2] got [$3]"; fails=$((fails + 1)); fi
}
err() { # stderr of liq ARGS..., stdout dropped
    "$LIQ" --format csv "$@" 2>&1 >/dev/null
}
printf '{"type":"PushEvent","level":"info","actor":{"login":"a"}}\n{"type":"IssuesEvent","level":"error","actor":{"login":"b"}}\n' > "$t/ev.json"
i=0; : > "$t/rare.json"
while [ $i -lt 5000 ]; do printf '{"a":%d,"n":%d}\n' $((i % 2)) $i >> "$t/rare.json"; i=$((i + 1)); done
printf '{"a":0,"rare":5}\n' >> "$t/rare.json" # the one record with rare: a = 0
printf '2024-01-01 10:00:00 one\n2024-01-01 11:00:00 two\n' > "$t/text.log"

for threads in 1 4; do
    check "by tpye, $threads threads" "liq: warning: no record has a field 'tpye': the query reads it as null everywhere
  hint: did you mean 'type'?" "$(err --threads $threads 'stats count(*) by tpye' "$t/ev.json")"
done
check "a bare word compared with a field" "liq: warning: no record has a field 'PushEvent': the query reads it as null everywhere
  hint: to compare with the text PushEvent, quote it: \"PushEvent\"" "$(err 'filter type = PushEvent' "$t/ev.json")"
check "filter lvel, sort actor.logn: each once, in the query's order" "liq: warning: no record has a field 'lvel': the query reads it as null everywhere
  hint: did you mean 'level'?
liq: warning: no record has a field 'actor.logn': the query reads it as null everywhere
  hint: did you mean 'actor.login'?" "$(err 'filter lvel = "x" or lvel = "y" | sort actor.logn' "$t/ev.json")"
check "nothing close: the closest fields" "liq: warning: no record has a field 'severity': the query reads it as null everywhere
  hint: the records have fields such as 'level', 'type', 'actor.login'" "$(err 'filter severity = "x"' "$t/ev.json")"
check "text records" "liq: warning: no record has a field 'level': the query reads it as null everywhere
  hint: the records are text without fields: take it out of @message with parse (parse @message \"...\" as level)" \
    "$(err 'stats count(*) by level' "$t/text.log")"
check "two inputs: one warning" "liq: warning: no record has a field 'tpye': the query reads it as null everywhere
  hint: did you mean 'type'?" "$(cp "$t/ev.json" "$t/ev2.json"; err 'stats count(*) by tpye' "$t/ev.json" "$t/ev2.json")"
check "-q" "" "$(err -q 'filter type = PushEvent | stats count(*) by tpye' "$t/ev.json")"
check "exit code" "0" "$("$LIQ" 'filter lvel = "x"' "$t/ev.json" >/dev/null 2>&1; echo $?)"

# no warning
for threads in 1 4; do
    check "a field only a record an earlier filter dropped has, $threads threads" "" \
        "$(err --threads $threads 'filter a = 1 | filter rare = 5' "$t/rare.json")"
done
check "a field in one input of two" "" "$(err 'filter level = "error"' "$t/text.log" "$t/ev.json")"
check "@-fields" "" "$(err 'filter @logStream = "x" or @log = "y" | stats count(*) by @message' "$t/ev.json")"
check "fields the query makes" "" \
    "$(err 'parse @message "* *" as x, y | fields strlen(y) as z | filter x = "1" and z > 0 | stats count(*) as n by y | sort n' "$t/text.log")"
check "jsonParse paths" "" "$(err 'fields jsonParse(@message) as j | filter j.zz = 1' "$t/ev.json")"
check "fields and display only" "" "$(err 'fields nosuch | display nosuch, type' "$t/ev.json")"
check "all records dropped before the name is read" "" \
    "$(err 'filter type = "none" | filter lvel = "x"' "$t/ev.json")"
check "unnest of a flattened array" "" \
    "$(printf '{"xs":[1,2]}\n' | "$LIQ" --format csv 'unnest xs into x | stats sum(x)' 2>&1 >/dev/null)"
check "columns of a positional format (ALB)" "" \
    "$(err 'filter ssl_cipher = "x" | stats count(*) by target_status_code' "${SRCDIR:-.}/corpora/aws-log-parser/loadbalancer_http_entry.csv")"
[ "$fails" -eq 0 ] || exit 1
