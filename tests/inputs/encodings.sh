#!/bin/sh
# encodings.sh -- inputs in UTF-16 and UTF-32, and with byte order marks (issue 14): decoded
# into UTF-8 before anything reads them (engine/input/enc.h), on files, standard input and
# compressed inputs, at several thread counts. The inputs are made here from UTF-8 text with
# iconv(1); expected values are that text (or awk over it), never taken from liq.
# Env: LIQ (the binary). Exit 0 pass, 1 fail, 77 skip (no iconv).
set -u
command -v iconv >/dev/null || exit 77
command -v gzip >/dev/null || exit 77
LC_ALL=C
export LC_ALL
t=$(mktemp -d) && trap 'rm -rf "$t"' EXIT
fails=0
check() { # name expected actual
    if [ "$2" = "$3" ]; then echo "ok - $1"; else
        echo "not ok - $1: expected [$2] got [$3]"; fails=$((fails + 1)); fi
}
msgs() { "$LIQ" --format csv --no-header 'fields @message' "$@"; }

# a short text: plain and JSON lines, a non-ASCII character (é: U+00E9) and one outside the
# Basic Multilingual Plane (U+1F600: a surrogate pair in UTF-16)
printf '2024-01-01T00:00:00Z first line\n{"k":"caf\303\251","n":2}\nsmile \360\237\230\200 end\n' \
    >"$t/u8.txt"
want=$(msgs "$t/u8.txt")
for enc in UTF-16LE UTF-16BE UTF-32LE UTF-32BE; do
    iconv -f UTF-8 -t "$enc" "$t/u8.txt" >"$t/nobom.$enc"
done
# with marks: U+FEFF first, in each encoding
printf '\377\376' | cat - "$t/nobom.UTF-16LE" >"$t/bom.UTF-16LE"
printf '\376\377' | cat - "$t/nobom.UTF-16BE" >"$t/bom.UTF-16BE"
printf '\377\376\000\000' | cat - "$t/nobom.UTF-32LE" >"$t/bom.UTF-32LE"
printf '\000\000\376\377' | cat - "$t/nobom.UTF-32BE" >"$t/bom.UTF-32BE"
for f in bom.UTF-16LE bom.UTF-16BE bom.UTF-32LE bom.UTF-32BE nobom.UTF-16LE nobom.UTF-16BE; do
    check "$f: the lines of the text" "$want" "$(msgs "$t/$f")"
    check "$f on standard input" "$want" "$(msgs <"$t/$f")"
    gzip -c "$t/$f" >"$t/$f.gz"
    check "$f, gzip" "$want" "$(msgs "$t/$f.gz")"
done
check "UTF-16: JSON fields and timestamps" "2024-01-01 00:00:00.000,,
,café,2
,," "$("$LIQ" --format csv --no-header 'fields @timestamp, k, n' "$t/bom.UTF-16LE")"
check "UTF-16: @message length in characters" "31,18,11" \
    "$("$LIQ" --format csv --no-header 'fields strlen(@message)' "$t/nobom.UTF-16BE" | tr '\n' ',' | sed 's/,$//')"

# CRLF line ends in UTF-16: the CR goes as in UTF-8 inputs
printf 'a\r\nb\r\n' | iconv -f UTF-8 -t UTF-16LE >"$t/crlf16"
check "UTF-16 with CRLF" "a|b" "$(msgs "$t/crlf16" | tr '\n' '|' | sed 's/|$//')"

# what is no character becomes U+FFFD (EF BF BD): a lone surrogate, an odd last byte
printf '\377\376a\000\000\330b\000\n\000z' >"$t/bad16"
check "a lone surrogate and an odd last byte: U+FFFD" \
    "$(printf 'a\357\277\275b|\357\277\275')" "$(msgs "$t/bad16" | tr '\n' '|' | sed 's/|$//')"

# a long input: 300,000 lines (about 13 MB in UTF-16), converted a block at a time; lines fall
# across the converter's blocks and the morsels; every line once, in order, at any thread count
awk 'BEGIN { for (i = 1; i <= 300000; i++) printf("line %06d caf\303\251 %s\n", i, i % 3 ? "x" : "yy") }' \
    >"$t/big.txt"
iconv -f UTF-8 -t UTF-16 "$t/big.txt" >"$t/big16" # with a mark, in the machine's order
want_sum=$(cksum <"$t/big.txt")
for th in 1 2 4; do
    check "long UTF-16, --threads $th: the same lines" "$want_sum" \
        "$("$LIQ" --threads "$th" --format csv --no-header 'fields @message' "$t/big16" | cksum)"
done
check "long UTF-16 on standard input, tiny batches" "$want_sum" \
    "$("$LIQ" --threads 3 --debug-batch-rows 7 --format csv --no-header 'fields @message' <"$t/big16" | cksum)"
check "long UTF-16: a filter" "$(grep -c yy "$t/big.txt")" \
    "$("$LIQ" --format csv --no-header 'filter @message like "yy" | stats count(*)' "$t/big16")"

# UTF-8 with a mark: the mark is no part of the first record (its timestamp is found, a
# JSON record's fields too), on files and standard input; a CloudTrail document read whole
printf '\357\273\2772024-01-01T00:00:00Z hello\nsecond\n' >"$t/bom8.log"
check "UTF-8 mark: the first line's timestamp and text" "2024-01-01 00:00:00.000,2024-01-01T00:00:00Z hello" \
    "$("$LIQ" --format csv --no-header 'fields @timestamp, @message | limit 1' "$t/bom8.log")"
check "UTF-8 mark on standard input" "2024-01-01 00:00:00.000,2024-01-01T00:00:00Z hello" \
    "$("$LIQ" --format csv --no-header 'fields @timestamp, @message | limit 1' <"$t/bom8.log")"
printf '\357\273\277{"Records":[{"eventTime":"2024-01-01T00:00:00Z","eventName":"A"}]}\n' >"$t/bom8.ct"
check "UTF-8 mark on a CloudTrail file" "2024-01-01 00:00:00.000,A" \
    "$("$LIQ" --format csv --no-header 'fields @timestamp, eventName' "$t/bom8.ct")"
printf '\357\273\277version account-id interface-id srcaddr dstaddr srcport dstport protocol packets bytes start end action log-status\n2 1 eni-1 10.0.0.1 10.0.0.2 1 2 6 1 40 1418530010 1418530070 ACCEPT OK\n' >"$t/bom8.vpc"
check "UTF-8 mark before a VPC header" "eni-1,ACCEPT" \
    "$("$LIQ" --format csv --no-header 'fields interfaceId, action' "$t/bom8.vpc")"

[ "$fails" -eq 0 ] || { echo "$fails failed"; exit 1; }
exit 0
