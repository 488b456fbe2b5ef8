#!/bin/sh
# text_awk.sh -- differential test: liq vs grep and gawk on text views of logs
#
# Regex filters against grep -c, timestamps against gawk's mktime, string lengths against
# awk's length(), on the generated application log (tests/diff/gen_app_log.sh) and on the
# bundled Apache access log (corpora/elastic-examples/apache_logs, CLF timestamps).
# liq runs with --threads 1 and --threads 2, which must print the same bytes (L1).
# Environment (set by make check): LIQ = the liq binary, SRCDIR = the source tree.
# Exit: 0 all equal, 1 a difference (both outputs are printed), 77 gawk missing.
#
# SPDX-License-Identifier: Apache-2.0
set -eu
: "${LIQ:?set LIQ to the liq binary}"
: "${SRCDIR:?set SRCDIR to the source tree}"
if ! command -v gawk >/dev/null 2>&1; then
    echo "text_awk: gawk not found, skipped"
    exit 77
fi
LC_ALL=C
export LC_ALL

tmp=$(mktemp -d "${TMPDIR:-/tmp}/liq-diff-awk.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
trap 'exit 1' INT TERM HUP
app=$tmp/app.log
sh "$SRCDIR/tests/diff/gen_app_log.sh" 5000 7 >"$app"
apache=$SRCDIR/corpora/elastic-examples/apache_logs

failures=0
checks=0

# check NAME FILE QUERY EXPECTED: liq --format csv --no-header on FILE must print EXPECTED
check() {
    checks=$((checks + 1))
    if ! "$LIQ" --threads 1 --format csv --no-header "$3" "$2" >"$tmp/liq.out" 2>"$tmp/liq.err"; then
        failures=$((failures + 1))
        echo "FAIL $1: liq failed"
        echo "  query: $3"
        cat "$tmp/liq.err"
        return 0
    fi
    "$LIQ" --threads 2 --format csv --no-header "$3" "$2" >"$tmp/liq2.out" 2>&1 || true
    if ! cmp -s "$tmp/liq.out" "$tmp/liq2.out"; then
        failures=$((failures + 1))
        echo "FAIL $1: --threads 1 and --threads 2 differ"
        echo "  query: $3"
        diff "$tmp/liq.out" "$tmp/liq2.out" | head -20
        return 0
    fi
    printf '%s\n' "$4" >"$tmp/want.out"
    if ! cmp -s "$tmp/want.out" "$tmp/liq.out"; then
        failures=$((failures + 1))
        echo "FAIL $1"
        echo "  query: $3"
        echo "  --- expected (grep/gawk) ---"
        cat "$tmp/want.out"
        echo "  --- liq ---"
        cat "$tmp/liq.out"
    fi
}

# 1. a regex with alternation against grep -E
check "regex alternation" "$app" \
    'filter @message like /timeout|refused/ | stats count(*)' \
    "$(grep -cE 'timeout|refused' "$app")"

# 2. (?i) against grep -i
check "case-insensitive regex" "$app" \
    'filter @message like /(?i)PAYMENT DECLINED/ | stats count(*)' \
    "$(grep -ci 'payment declined' "$app")"

# 3. not like against grep -v (every record has @message)
check "not like" "$app" \
    'filter @message not like "\"level\":\"DEBUG\"" | stats count(*)' \
    "$(grep -vc '"level":"DEBUG"' "$app")"

# 4. latency sum by service, computed by gawk from the JSON text: JSON numbers and numeric
#    strings count, "n/a" and missing values do not
check "latency sum by service" "$app" \
    'filter ispresent(service) and ispresent(level) | stats sum(latency) as s, count(*) as n by service' \
    "$(gawk '/^\{/ {
            match($0, /"service":"[a-z]+"/); s = substr($0, RSTART + 11, RLENGTH - 12)
            n[s]++
            if (match($0, /"latency":"?[0-9.]+"?/)) {
                v = substr($0, RSTART + 10, RLENGTH - 10); gsub(/"/, "", v); sum[s] += v
            }
        }
        END { for (s in n) printf "%s,%s,%d\n", s, (s in sum) ? sprintf("%.1f", sum[s]) : "", n[s] }' "$app" |
        sed 's/\.0,/,/' | sort)"

# 5. @timestamp from the ts key (JSON lines) and from the leading ISO time (text lines)
check "timestamps of the app log" "$app" \
    'stats min(@timestamp) as first, max(@timestamp) as last, count(@timestamp) as n' \
    "$(gawk '{
            if (!match($0, /2024-03-01T[0-9][0-9]:[0-9][0-9]:[0-9][0-9]\.[0-9][0-9][0-9]Z/)) next
            t = substr($0, RSTART, RLENGTH)
            ms = mktime("2024 03 01 " substr(t, 12, 2) " " substr(t, 15, 2) " " substr(t, 18, 2), 1) * 1000 + substr(t, 21, 3)
            if (n == 0 || ms < lo) lo = ms
            if (n == 0 || ms > hi) hi = ms
            n++
        }
        END { printf "%d,%d,%d\n", lo, hi, n }' "$app")"

# 6. Apache CLF timestamps ([17/May/2015:10:05:03 +0000]) against gawk
check "apache timestamps" "$apache" \
    'stats min(@timestamp) as first, max(@timestamp) as last, count(@timestamp) as n, count(*) as lines' \
    "$(gawk 'BEGIN { split("Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec", m, " ")
                     for (i = 1; i <= 12; i++) mon[m[i]] = i }
        {
            lines++
            if (!match($0, /\[[0-9][0-9]\/[A-Z][a-z][a-z]\/[0-9]{4}:[0-9][0-9]:[0-9][0-9]:[0-9][0-9] [-+][0-9]{4}\]/)) next
            t = substr($0, RSTART + 1, RLENGTH - 2)
            split(t, p, /[\/: ]/)
            off = (substr(p[7], 2, 2) * 60 + substr(p[7], 4, 2)) * 60
            if (substr(p[7], 1, 1) == "-") off = -off
            ms = (mktime(p[3] " " mon[p[2]] " " p[1] " " p[4] " " p[5] " " p[6], 1) - off) * 1000
            if (n == 0 || ms < lo) lo = ms
            if (n == 0 || ms > hi) hi = ms
            n++
        }
        END { printf "%d,%d,%d,%d\n", lo, hi, n, lines }' "$apache")"

# 7. a regex on the Apache log against grep -E
check "apache 404 and 5xx" "$apache" \
    'filter @message like /" (404|5[0-9][0-9]) / | stats count(*)' \
    "$(grep -cE '" (404|5[0-9][0-9]) ' "$apache")"

# 8. strlen against awk length (the file is ASCII)
check "apache line lengths" "$apache" \
    'stats sum(strlen(@message)) as chars, max(strlen(@message)) as longest, min(strlen(@message)) as shortest' \
    "$(gawk '{ n = length($0); s += n; if (NR == 1 || n > hi) hi = n; if (NR == 1 || n < lo) lo = n }
             END { printf "%d,%d,%d\n", s, hi, lo }' "$apache")"

# 9. sort + limit on a computed value against sort -rn | head
check "apache five longest lines" "$apache" \
    'fields strlen(@message) as n | sort n desc | limit 5 | fields n' \
    "$(gawk '{ print length($0) }' "$apache" | sort -rn | head -5)"

# 10. like "text" against grep -F
check "apache substring" "$apache" \
    'filter @message like "Googlebot" and @message like "GET /blog" | stats count(*)' \
    "$(grep -F 'Googlebot' "$apache" | grep -cF 'GET /blog')"

echo "text_awk: $checks comparisons, $failures failed"
[ "$failures" -eq 0 ]
