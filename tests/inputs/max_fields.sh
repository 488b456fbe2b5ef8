#!/bin/sh
# max_fields.sh -- the JSON field cap (issue 14): 200 leaves of a record give fields, as
# CloudWatch; the records with more are said once per input on stderr (how many, and how many
# leaves had no field), -q silences it; --max-fields N raises the cap, for queries and --fields.
# Env: LIQ (the binary). Exit 0 pass, 1 fail.
set -u
t=$(mktemp -d) && trap 'rm -rf "$t"' EXIT
fails=0
check() { # name expected actual
    if [ "$2" = "$3" ]; then echo "ok - $1"; else echo "not ok - $1: expected [$2] got [$3]"; fails=$((fails + 1)); fi
}
wide() { # a JSON object with keys k0 .. k(N-1)
    i=0; s='{'
    while [ $i -lt "$1" ]; do s="$s\"k$i\":$i,"; i=$((i + 1)); done
    printf '%s"end":1}\n' "$s"
}
{ wide 250; printf '{"a":1}\n'; wide 203; } > "$t/wide.json" # 251 and 204 leaves
printf '{"a":1}\n' > "$t/narrow.json"
warn="liq: warning: $t/wide.json: 2 records have more than 200 fields: 55 fields past the 200th have no value (CloudWatch reads at most 200 fields of a JSON event)
  hint: --max-fields N reads up to N fields of a record (or take them from @message with parse or jsonParse)"
q='stats count(k199) as a, count(k200) as b, count(end) as c, count(*) as n'
for threads in 1 4; do
    out=$("$LIQ" --threads $threads --format csv "$q" "$t/wide.json" "$t/narrow.json" 2>"$t/err")
    check "default cap, $threads threads" "a,b,c,n
2,0,0,4" "$out"
    check "one warning, for the input with wide records, $threads threads" "$warn" "$(cat "$t/err")"
done
check "-q" "" "$("$LIQ" -q --format csv "$q" "$t/wide.json" 2>&1 >/dev/null)"
check "--max-fields 300" "a,b,c,n
2,2,2,3" "$("$LIQ" --max-fields 300 --format csv "$q" "$t/wide.json" 2>"$t/err")"
check "--max-fields 300: no warning" "" "$(cat "$t/err")"
check "--max-fields 220: the 251-leaf record still over" "a,b,c,n
2,2,1,3" "$("$LIQ" --max-fields 220 --format csv "$q" "$t/wide.json" 2>"$t/err")"
check "--max-fields 220: warning" "liq: warning: $t/wide.json: 1 record has more than 220 fields: 31 fields past the 220th have no value (CloudWatch reads at most 200 fields of a JSON event)
  hint: --max-fields N reads up to N fields of a record (or take them from @message with parse or jsonParse)" "$(cat "$t/err")"
check "--fields: 200 leaves" "200" "$("$LIQ" --fields --format csv "$t/wide.json" 2>/dev/null | grep -c '^k')"
check "--fields --max-fields 300" "250" "$("$LIQ" --fields --max-fields 300 --format csv "$t/wide.json" | grep -c '^k')"
check "--max-fields 0 is refused" "2" "$("$LIQ" --max-fields 0 'fields a' "$t/narrow.json" >/dev/null 2>&1; echo $?)"
[ "$fails" -eq 0 ] || exit 1
