#!/bin/sh
# out_var.sh -- CLI test: --var NAME=VALUE quoting (L26)
#
# $name becomes a string literal in expressions (a value can never change the query: quotes,
# backslashes, pipes and line breaks stay data), escaped literal text inside a /regex/ (regex
# metacharacters and '/' lose their meaning), a bare number right after 'limit'. Inside string
# literals, comments and backtick names '$' is plain text; an unknown $name is an error in an
# expression and left alone inside a regex (an anchor there). A '/' after $name divides.
# The lexer fills the values in (the text is read once), so every error points into the query as
# the user wrote it, while column names, --explain and chart titles show the values.
# Environment (set by make check): LIQ = the liq binary, SRCDIR = the source tree.
# Exit: 0 all checks passed, 1 a check failed (each check prints an ok/not ok line).
#
# SPDX-License-Identifier: Apache-2.0
set -u
: "${LIQ:?set LIQ to the liq binary}"
: "${SRCDIR:?set SRCDIR to the source tree}"
LC_ALL=C
export LC_ALL
unset COLUMNS

tmp=$(mktemp -d "${TMPDIR:-/tmp}/liq-out-var.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
trap 'exit 1' INT TERM HUP

# ===== helpers =====
. "$SRCDIR/tests/cli/out_lib.sh"

# ===== input =====
# path 1 is   /a"b'c/\d   (quotes, slashes, a backslash); line 5 holds a real newline
{
    printf '%s\n' '{"id":1,"s":"/a\"b'"'"'c/\\d"}'
    printf '%s\n' '{"id":2,"s":"/x"}'
    printf '%s\n' '{"id":3,"s":"abc"}'
    printf '%s\n' '{"id":4,"s":"a.c"}'
    printf '%s\n' '{"id":5,"s":"two\nlines"}'
    printf '%s\n' '{"id":6,"s":"$v"}'
    printf '%s\n' '{"id":7,"s":"p|q","n":8}'
} >"$tmp/in.log"
tricky='/a"b'"'"'c/\d'

# ===== expressions: a quoted string literal =====
run --format csv --var "p=$tricky" 'filter s = $p | fields id' "$tmp/in.log"
expect_rc 0 "quotes and slashes in an expression"
want 'id' '1'
expect_out "quotes and slashes in an expression"
expect_err_empty "quotes and slashes in an expression"

# the literal the query got, as --explain shows it
run --var "p=$tricky" --explain 'filter s = $p' "$tmp/in.log"
expect_out_has 'filter s = "/a\"b\'"'"'c/\\d"' "--explain shows the quoted literal"

# an injection attempt stays one string: no row has that value
run --format csv --var 'p=x" or id > 0 or s = "' 'filter s = $p | fields id' "$tmp/in.log"
want 'id'
expect_out "injection stays data"

# two single quotes in a row stay two (the literal escapes them)
printf '%s\n' '{"id":8,"s":"it'"''"'s"}' >>"$tmp/in.log"
run --format csv --var "p=it''s" 'filter s = $p | fields id' "$tmp/in.log"
want 'id' '8'
expect_out "two single quotes"

# a pipe and a real line break in the value
run --format csv --var 'p=p|q' 'filter s = $p | fields id' "$tmp/in.log"
want 'id' '7'
expect_out "a pipe in the value"
run --format csv --var "p=two
lines" 'filter s = $p | fields id' "$tmp/in.log"
want 'id' '5'
expect_out "a newline in the value"

# ${name}, several uses, the last --var of a name wins, an empty value
run --format csv --var v=zzz --var v=a.c --var e= \
    'filter s = ${v} or s = $e | fields id, concat($v, "!") as bang' "$tmp/in.log"
want 'id,bang' '4,a.c!'
expect_out "\${name}, last --var wins"

# numbers: a string literal still compares numerically (L5); '/' after $n divides
run --format csv --var n=8 --var two=2 \
    'filter n = $n | fields id, $n / $two as half, $n * 1 as same' "$tmp/in.log"
want 'id,half,same' '7,4,8'
expect_out "numeric strings and division"

# limit $n: a number token
run --format csv --var n=2 'fields id | limit $n' "$tmp/in.log"
want 'id' '1' '2'
expect_out "limit \$n"

# ===== regex literals: escaped literal text =====
# 'a.c' must not match 'abc': the dot is escaped
run --format csv --var v=a.c 'filter s like /^$v$/ | fields id' "$tmp/in.log"
want 'id' '4'
expect_out "regex: metacharacters escaped"
run --format csv --var "p=$tricky" 'filter s =~ /^$p$/ | fields id' "$tmp/in.log"
want 'id' '1'
expect_out "regex: quotes, slashes and a backslash"
run --var "p=$tricky" --explain 'filter s =~ /^$p$/' "$tmp/in.log"
expect_out_has 'filter s =~ /^\/a\"b\'"'"'c\/\\d$/' "regex: the escaped text"
run --format csv --var v=p --var w='|' 'filter s like /${v}${w}q/ | fields id' "$tmp/in.log"
want 'id' '7'
expect_out "regex: '|' escaped"
# an unknown name inside a regex is left alone ('$' anchors); \$ is an escaped dollar
run --format csv 'filter s like /^\$v$/ or s like /a$zz/ | fields id' "$tmp/in.log"
expect_rc 0 "regex: unknown \$name left alone"
want 'id' '6'
expect_out "regex: unknown \$name left alone"

# ===== where '$' is plain text =====
run --format csv --var v=zzz 'filter s = "$v" | fields id # $v and $undefined in a comment' \
    "$tmp/in.log"
want 'id' '6'
expect_out "string literals and comments keep \$"
run --format csv 'filter s = '"'"'$v'"'"' | fields `$v`' "$tmp/in.log"
want '$v' ''
expect_out "single-quoted strings and backtick names keep \$"

# ===== errors and warnings =====
run --format csv 'filter s = $who or s = $what' "$tmp/in.log"
expect_rc 2 "two unknown names"
printf '%s\n' "liq: error at 1:12: no value for '\$who'" \
    '  filter s = $who or s = $what' \
    '             ^^^^' \
    '  hint: pass --var who=VALUE' \
    "liq: error at 1:24: no value for '\$what'" \
    '  filter s = $who or s = $what' \
    '                         ^^^^^' \
    '  hint: pass --var what=VALUE' \
    'liq: 2 errors in query' >"$tmp/want"
if cmp -s "$tmp/want" "$tmp/err"; then ok "two unknown names: stderr"; else
    not_ok "two unknown names: stderr"; diff -u "$tmp/want" "$tmp/err" | show /dev/stdin; fi

# other errors point into the query as written, not into a text with the values in it
run --format csv --var p=abc 'filter s = $p +' "$tmp/in.log"
expect_rc 2 "an error after \$p"
printf '%s\n' 'liq: error at 1:16: unexpected end of query, expected an expression' \
    '  filter s = $p +' \
    '                 ^' >"$tmp/want"
if cmp -s "$tmp/want" "$tmp/err"; then ok "an error after \$p: caret in the query as written"; else
    not_ok "an error after \$p: stderr"; diff -u "$tmp/want" "$tmp/err" | show /dev/stdin; fi
run --format csv --var p=abc 'filter s = $p $p' "$tmp/in.log"
expect_rc 2 "a syntax error at \$p"
expect_err_has "liq: error at 1:15: expected end of query, found '\$p'" "a syntax error at \$p"
run --format csv --var n=x 'fields id | limit $n' "$tmp/in.log"
expect_rc 2 "limit \$n, not a number"
printf '%s\n' 'liq: error at 1:19: limit takes a positive whole number' \
    '  fields id | limit $n' \
    '                    ^^' \
    "  hint: for example 'limit 20'" >"$tmp/want"
if cmp -s "$tmp/want" "$tmp/err"; then ok "limit \$n, not a number: the caret"; else
    not_ok "limit \$n, not a number: stderr"; diff -u "$tmp/want" "$tmp/err" | show /dev/stdin; fi
# an unknown name and a syntax error are both reported
run --format csv 'filter s = $who | fields id id' "$tmp/in.log"
expect_rc 2 "unknown name and a syntax error"
expect_err_has "liq: error at 1:12: no value for '\$who'" "unknown name and a syntax error"
expect_err_has "liq: error at 1:29: expected end of query, found 'id'" \
    "unknown name and a syntax error"
expect_err_has "liq: 2 errors in query" "unknown name and a syntax error"

# column names and a chart's title show the values, as if typed
run --format csv --var v=a.c 'filter s = $v | fields concat($v, "!")' "$tmp/in.log"
want '"concat(""a.c"", ""!"")"' 'a.c!'
expect_out "the column name shows the value"
run --chart-svg - --var v=a.c 'filter s = $v | stats count(*) by id' "$tmp/in.log"
expect_out_has '<title>filter s = &quot;a.c&quot; | stats count(*) by id</title>' \
    "the chart title shows the value"

run --format csv --var unused=1 'fields id | limit 1' "$tmp/in.log"
expect_rc 0 "unused --var"
expect_err_has "liq: warning: --var unused is not used: the query has no \$unused" "unused --var"
run --format csv -q --var unused=1 'fields id | limit 1' "$tmp/in.log"
expect_err_empty "unused --var, --quiet"

# the values go through a query file and a saved query the same way
printf 'filter s = $p\n| fields id\n' >"$tmp/q.liq"
run --format csv -f "$tmp/q.liq" --var "p=$tricky" "$tmp/in.log"
want 'id' '1'
expect_out "-f with --var"

finish
