#!/bin/bash
# credproc.sh -- S3 test: credential_process runs without a shell
#
# The command line is split into words as the AWS CLI splits it (Python's shlex.split: blanks,
# '...', "..." with \" and \\, backslashes) and its program run directly, found on PATH. A
# program whose path holds ';' and a space, and arguments holding '$(...)', backquotes, '>',
# '|' and '&' reach the program word for word (it records its arguments) and no shell acts on
# them: none of the files they would touch appears; the credentials it prints still sign the
# requests s3rver accepts. An unclosed quote, an empty command and a missing program are one
# clear line each; a line longer than 4096 bytes is read whole; 200 random command lines of
# quotes, backslashes, blanks and metacharacters split as Python's shlex.split splits them.
# Environment (set by make check): LIQ = the liq binary, SRCDIR = the source tree.
# Exit: 0 all checks passed, 1 a check failed, 77 node/npm missing.
#
# SPDX-License-Identifier: Apache-2.0
set -u
. "$SRCDIR/tests/s3/lib.sh"

s3_start
L="$tmp/local"
mkdir -p "$L/app"
printf '{"msg":"one"}\n{"msg":"two"}\n' >"$L/app/a.log"
s3_put logs "$L/" ""
ep="--endpoint-url $S3_URL"
unset AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY

# the credential program: records its arguments one a line, prints s3rver's credentials
mkdir -p "$tmp/bin"
prog="$tmp/bin/cred;touch pwned0" # a shell would make ./pwned0: runs are in $tmp
cd "$tmp"
cat >"$prog" <<EOF
#!/bin/sh
: >"$tmp/args"
for a in "\$@"; do printf '%s\n' "\$a" >>"$tmp/args"; done
printf '{"Version": 1, "AccessKeyId": "S3RVER", "SecretAccessKey": "S3RVER"}\n'
EOF
chmod +x "$prog"
cp "$prog" "$tmp/bin/credtool"
cat >"$tmp/config" <<EOF
[profile meta]
credential_process = "$prog" '\$(touch $tmp/pwned1)' \$(touch $tmp/pwned2) \`touch $tmp/pwned3\` >$tmp/pwned4 a\\ b "c\\"d \\\\ \\e" |touch $tmp/pwned5 ;touch $tmp/pwned6
[profile onpath]
credential_process = credtool  x'y'"z"  ''
[profile unclosed]
credential_process = "$prog
[profile empty]
credential_process = "" 
[profile missing]
credential_process = $tmp/bin/no-such-program arg
EOF
export AWS_CONFIG_FILE="$tmp/config" AWS_SHARED_CREDENTIALS_FILE="$tmp/nocreds"

AWS_PROFILE=meta run $ep --format csv 'fields msg' s3://logs/app/a.log
expect_rc 0 "a program path and arguments with shell metacharacters"
want msg one two
expect_out "credentials from a program named with ';' and a space"
pwned=$(ls "$tmp" | grep pwned)
if [ -z "$pwned" ]; then ok "no shell ran: none of the files touched"; else
    not_ok "a shell ran the command line: $pwned"; fi
printf '%s\n' "\$(touch $tmp/pwned1)" '$(touch' "$tmp/pwned2)" '`touch' "$tmp/pwned3\`" \
    ">$tmp/pwned4" 'a b' 'c"d \ \e' '|touch' "$tmp/pwned5" ';touch' "$tmp/pwned6" >"$tmp/want"
if cmp -s "$tmp/want" "$tmp/args"; then ok "the arguments split as the AWS CLI splits them"; else
    not_ok "the arguments"; diff -u "$tmp/want" "$tmp/args" | show /dev/stdin; fi

want msg one two
AWS_PROFILE=onpath PATH="$tmp/bin:$PATH" run $ep --format csv 'fields msg' s3://logs/app/a.log
expect_rc 0 "a program found on PATH"
expect_out "a program found on PATH"
printf '%s\n' xyz '' >"$tmp/want"
if cmp -s "$tmp/want" "$tmp/args"; then ok "quoted parts join, '' is an empty argument"; else
    not_ok "PATH program arguments"; diff -u "$tmp/want" "$tmp/args" | show /dev/stdin; fi

AWS_PROFILE=unclosed run $ep 'stats count(*)' s3://logs/app/a.log
expect_rc 3 "an unclosed quote"
expect_err_has "profile 'unclosed': credential_process: no closing quotation" "an unclosed quote"
expect_err_lines 2 "an unclosed quote: the error and the incomplete-input line"
AWS_PROFILE=empty run $ep 'stats count(*)' s3://logs/app/a.log
expect_rc 3 "an empty command"
expect_err_has "profile 'empty': credential_process: an empty command" "an empty command"
AWS_PROFILE=missing run $ep 'stats count(*)' s3://logs/app/a.log
expect_rc 3 "a missing program"
expect_err_has "profile 'missing': cannot run credential_process $tmp/bin/no-such-program: No such file or directory" \
    "a missing program"
expect_err_lines 2 "a missing program: the error and the incomplete-input line"
# ===== a line longer than 4096 bytes: read whole =====
long=$(printf 'a%.0s' $(seq 5000))
printf '[profile long]\ncredential_process = credtool %s tail\n' "$long" >>"$tmp/config"
want msg one two
AWS_PROFILE=long PATH="$tmp/bin:$PATH" run $ep --format csv 'fields msg' s3://logs/app/a.log
expect_rc 0 "a credential_process line of 5000 bytes"
printf '%s\n' "$long" tail >"$tmp/want"
if cmp -s "$tmp/want" "$tmp/args"; then ok "a 5000-byte argument passed whole"; else
    not_ok "a long line cut: $(wc -c <"$tmp/args") bytes of arguments"; fi

# ===== against Python's shlex.split: 200 random command lines =====
# each line: the program, then words of letters, blanks, quotes, backslashes and shell
# metacharacters; liq's arguments must be shlex.split's, or liq must refuse what shlex refuses
"$PY" - "$tmp/lines" <<'EOF'
import random, sys
rng = random.Random(15)
alpha = "ab  \t'\"\\$;|&()`<>*?~#=x"
with open(sys.argv[1], "w") as fp:
    for _ in range(200):
        tail = "".join(rng.choice(alpha) for _ in range(rng.randint(1, 24)))
        fp.write(tail.strip(" \t") + "\n")
EOF
i=0
: >"$tmp/rcs"
while IFS= read -r line; do
    i=$((i + 1))
    printf '[profile r]\ncredential_process = credtool %s\n' "$line" >"$tmp/rconfig"
    rm -f "$tmp/args"
    AWS_CONFIG_FILE="$tmp/rconfig" AWS_PROFILE=r PATH="$tmp/bin:$PATH" run $ep 'stats count(*)' s3://logs/app/a.log
    if [ -f "$tmp/args" ]; then mv "$tmp/args" "$tmp/args.$i"; fi
    echo "$rc" >>"$tmp/rcs"
done <"$tmp/lines"
# one Python checks every line (line i's arguments in args.i, its exit code on line i of rcs)
bad=$("$PY" - "$tmp/lines" "$tmp/rcs" "$tmp" 2>"$tmp/rdiff" <<'EOF'
import os, shlex, sys
lines = open(sys.argv[1]).read().split("\n")[:-1]
rcs = [int(r) for r in open(sys.argv[2]).read().split()]
bad = 0
for i, (line, rc) in enumerate(zip(lines, rcs), 1):
    try:
        want = shlex.split(line)
    except ValueError:
        want = None
    if want is None:
        if rc == 0:
            print("liq took %r, shlex refuses it" % line, file=sys.stderr)
            bad += 1
        continue
    path = os.path.join(sys.argv[3], "args.%d" % i)
    got = open(path).read().split("\n")[:-1] if rc == 0 and os.path.exists(path) else None
    if got != want:
        print("%r: shlex %r, liq %r (exit %d)" % (line, want, got, rc), file=sys.stderr)
        bad += 1
print(bad + 200 - len(rcs))
EOF
)
if [ "$bad" = 0 ] && [ "$i" -eq 200 ]; then ok "200 random lines split as shlex.split splits them"; else
    not_ok "${bad:-?} of $i random lines split otherwise"; head -20 "$tmp/rdiff" | show /dev/stdin; fi
finish
