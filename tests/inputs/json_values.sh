#!/bin/sh
# json_values.sh -- JSON that is not one object per line (issue 14, engine/input/fmt.h
# FMT_JSONSEQ), in the shapes golden bodies cannot hold: inputs of many morsels, read from
# files, standard input and gzip at several thread counts and batch sizes; records longer than
# a block and than --max-line; UTF-16. The inputs are made here with awk, and the expected
# values are known by construction (record i has i = 1..N), never taken from liq.
# Env: LIQ (the binary). Exit 0 pass, 1 fail, 77 skip.
set -u
command -v gzip >/dev/null || exit 77
LC_ALL=C
export LC_ALL
t=$(mktemp -d) && trap 'rm -rf "$t"' EXIT
fails=0
check() { # name expected actual
    if [ "$2" = "$3" ]; then echo "ok - $1"; else
        echo "not ok - $1: expected [$2] got [$3]"; fails=$((fails + 1)); fi
}
N=100000
want="$N,$((N * (N + 1) / 2)),$N"
q='stats count(*), sum(i), sum(deep.list.1.j)'

# pretty objects one after another; an array of them, pretty; a minified array on one line
awk -v n=$N 'BEGIN { for (i = 1; i <= n; i++)
    printf "{\n  \"i\": %d,\n  \"s\": \"a } ] \\\" \\\\ {\",\n  \"deep\": {\"list\": [0, {\"j\": 1}]}\n}\n", i }' >"$t/pretty.json"
awk -v n=$N 'BEGIN { print "["; for (i = 1; i <= n; i++)
    printf "  {\n    \"i\": %d,\n    \"deep\": {\"list\": [0, {\"j\": 1}]}\n  }%s\n", i, i < n ? "," : "";
    print "]" }' >"$t/array.json"
awk -v n=$N 'BEGIN { printf "["; for (i = 1; i <= n; i++)
    printf "{\"i\":%d,\"deep\":{\"list\":[0,{\"j\":1}]}}%s", i, i < n ? "," : ""; print "]" }' \
    >"$t/mini.json"
for f in pretty array mini; do
    for th in 1 2 4; do
        check "$f, --threads $th" "$want" \
            "$("$LIQ" --threads "$th" --format csv --no-header "$q" "$t/$f.json")"
    done
    check "$f on standard input, tiny batches" "$want" \
        "$("$LIQ" --threads 3 --debug-batch-rows 7 --format csv --no-header "$q" <"$t/$f.json")"
    gzip -c "$t/$f.json" >"$t/$f.json.gz"
    check "$f, gzip" "$want" "$("$LIQ" --format csv --no-header "$q" "$t/$f.json.gz")"
    # every record once, in input order
    check "$f: records in order" "$(seq 1 $N | cksum)" \
        "$("$LIQ" --threads 4 --format csv --no-header 'fields i' "$t/$f.json" | cksum)"
done
check "a limit: the first records" "1 2 3 " \
    "$("$LIQ" --threads 4 --format csv --no-header 'fields i | limit 3' "$t/array.json" | tr '\n' ' ')"
check "--fields: the fields of the records" "deep.list.0,deep.list.1.j,i,s" \
    "$("$LIQ" --fields --format csv --no-header "$t/pretty.json" | cut -d, -f1 | grep -v '^@' | sort | tr '\n' ',' | sed 's/,$//')"

# CRLF line ends and a UTF-8 mark
printf '\357\273\277[\r\n  {"i": 1},\r\n  {"i": 2}\r\n]\r\n' >"$t/crlf.json"
check "CRLF and a UTF-8 mark" "2,3" "$("$LIQ" --format csv --no-header 'stats count(*), sum(i)' "$t/crlf.json")"

# a record longer than a block (1 MiB): read whole when --max-line allows it
awk 'BEGIN { printf "[{\"i\": 1, \"big\": \""; for (k = 0; k < 30000; k++) printf "0123456789abcdefghijklmnopqrstuvwxyz0123456789abcdefghijklmnopqrstuvwxyz"; print "\"},"
    print "{\"i\": 2}]" }' >"$t/long.json"
check "a record of 2 MiB: read whole" "1,2160019 2,8 " \
    "$("$LIQ" --format csv --no-header 'fields i, strlen(@message)' "$t/long.json" | tr '\n' ' ')"
check "a record of 2 MiB on standard input" "1,2160019 2,8 " \
    "$("$LIQ" --format csv --no-header 'fields i, strlen(@message)' <"$t/long.json" | tr '\n' ' ')"
# ... and cut at --max-line: the rest (over several blocks) skipped, the next record whole
out=$("$LIQ" --max-line 4096 --format csv --no-header 'fields i, strlen(@message)' "$t/long.json" 2>"$t/err")
rc=$?
check "cut at --max-line: records" ",4096 2,8 " "$(echo "$out" | tr '\n' ' ')"
check "cut at --max-line: exit 3" 3 "$rc"
check "cut at --max-line: said once" \
    "liq: error: $t/long.json: 1 JSON record longer than --max-line (4096 bytes) was cut there" \
    "$(head -n 1 "$t/err")"

# UTF-16 pretty JSON: decoded, then read as JSON values
if command -v iconv >/dev/null; then
    head -n 10 "$t/pretty.json" | iconv -f UTF-8 -t UTF-16 >"$t/pretty16.json"
    check "UTF-16, pretty" "2,3,2" "$("$LIQ" --format csv --no-header "$q" "$t/pretty16.json")"
fi

[ "$fails" -eq 0 ] || { echo "$fails failed"; exit 1; }
exit 0
