#!/bin/sh
# select.sh -- which files a directory gives (issue 5): --include and --exclude globs, matched
# against the path below the directory given and against the base name ('*' also matches
# '/'); an excluded directory is not entered; inputs named directly are always read. Expected
# lists worked out by hand from the tree below (files are read in sorted path order; each is
# listed by its @logStream, its path below the directory given: docs/log-groups.md).
# Env: LIQ (the binary). Exit 0 pass, 1 fail.
set -u
t=$(mktemp -d) && trap 'rm -rf "$t"' EXIT
fails=0
check() { # name expected actual
    if [ "$2" = "$3" ]; then echo "ok - $1"; else
        echo "not ok - $1: expected [$2] got [$3]"; fails=$((fails + 1)); fi
}
# the files' streams (paths below the directory given), one line, in the order liq read them
names() { "$LIQ" --format csv --no-header 'fields @logStream' "$@" 2>&1 | tr '\n' ' '; }

mkdir -p "$t/logs/2026/11" "$t/logs/2026/12" "$t/logs/archive"
for f in 2026/11/app.log 2026/11/app.json 2026/12/app.log 2026/12/db.log archive/old.log top.log; do
    echo "{\"f\":\"$f\"}" > "$t/logs/$f"
done

check "no globs: every file" \
    "2026/11/app.json 2026/11/app.log 2026/12/app.log 2026/12/db.log archive/old.log top.log " \
    "$(names "$t/logs")"
check "--include by base name" \
    "2026/11/app.log 2026/12/app.log 2026/12/db.log archive/old.log top.log " \
    "$(names --include '*.log' "$t/logs")"
check "--include by path ('*' crosses '/')" \
    "2026/11/app.json 2026/11/app.log 2026/12/app.log 2026/12/db.log " \
    "$(names --include '2026/*' "$t/logs")"
check "--include twice: either matches" \
    "2026/11/app.json 2026/12/db.log " "$(names --include '*.json' --include 'db.*' "$t/logs")"
check "--exclude a directory: not entered" \
    "2026/11/app.json 2026/11/app.log 2026/12/app.log 2026/12/db.log top.log " \
    "$(names --exclude archive "$t/logs")"
check "--exclude by path, with --include" \
    "2026/12/app.log 2026/12/db.log archive/old.log top.log " \
    "$(names --include '*.log' --exclude '2026/11/*' "$t/logs")"
check "a trailing slash on the directory" \
    "2026/12/db.log " "$(names --include '2026/12/db.log' "$t/logs/")"
check "a file named directly is read whatever the globs" \
    "app.json " "$(names --include '*.log' "$t/logs/2026/11/app.json")"
check "@log stays the directory given" "$t/logs" \
    "$("$LIQ" --format csv --no-header --include top.log 'fields @log' "$t/logs")"

# --input-format applies to files and to standard input alike
printf '{"x":1}\n' > "$t/one.json"
check "--input-format text, file" '"{""x"":1}",' \
    "$("$LIQ" --format csv --no-header --input-format text 'fields @message, x' "$t/one.json")"
check "--input-format text, pipe" '"{""x"":1}",' \
    "$("$LIQ" --format csv --no-header --input-format text 'fields @message, x' < "$t/one.json")"
# a CloudFront log needs its #Fields header: without one, the lines are read as text, exit 3
printf 'a b c\n' > "$t/cf.log"
out=$("$LIQ" --format csv --no-header --input-format cloudfront 'fields @message' "$t/cf.log" 2>"$t/err"); rc=$?
check "--input-format cloudfront without #Fields: exit 3" 3 "$rc"
check "--input-format cloudfront without #Fields: text lines" "a b c" "$out"
check "--input-format cloudfront without #Fields: message" \
    "liq: error: $t/cf.log: --input-format cloudfront: no #Fields header line; read as text lines" \
    "$(head -n 1 "$t/err")"

[ "$fails" -eq 0 ] || { echo "$fails failed"; exit 1; }
exit 0
