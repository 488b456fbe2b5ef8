# partial_lib.sh -- what the tests of liq --partial / --merge share (tests/cli/partial*.sh):
# one run of a query against the partials of its inputs cut into units, merged every way.
# Sourced (not run) after tests/cli/out_lib.sh, with LIQ set and the working directory the
# test's temporary one (files p.*, one.*, merged.*, ... are written there).
#
# SPDX-License-Identifier: Apache-2.0

# units FILE LINE...: a units file, one unit a line (a unit's inputs separated by blanks, as
# liq --splits prints them)
units() { _u=$1; shift; printf '%s\n' "$@" >"$_u"; }

# damaged GOOD OTHER CUT AT QUERY: GOOD (a partial of QUERY) cut after CUT bytes, merged after
# the partial OTHER, is truncated; GOOD with byte AT changed is corrupt (its checksum): exit 3,
# the message, nothing written (docs/partial-format.md). Uses out_lib.sh's run.
damaged() {
    head -c "$3" "$1" >cut.part
    run --merge --format csv "$5" "$2" cut.part
    expect_rc 3 "a truncated partial"
    expect_err_has "cut.part: partial 1 is truncated" "a truncated partial"
    expect_out_empty "a truncated partial: nothing written, not even a header"
    cp "$1" flip.part
    printf 'Z' | dd of=flip.part bs=1 seek="$4" conv=notrunc 2>/dev/null
    run --merge --format csv "$5" flip.part "$2"
    expect_rc 3 "a flipped byte"
    expect_err_has "is corrupt (its checksum does not match)" "a flipped byte"
    expect_out_empty "a flipped byte: nothing written"
}

# same DESC QUERY UNITS INPUTS [OPTION...]: `liq QUERY INPUTS` (once) against the partials of
# UNITS (`--partial --part-index K` of the K-th line), which must give its stdout, stderr and
# exit code when merged in a shuffled order (the odd parts backwards, then the even ones), and
# its stdout concatenated on one stdin (backwards); with 3 units or more, merged as a tree
# (the last two into one partial with --merge --partial, then with the rest) and merged into
# one partial first (--merge --partial of all, which must save and load again).
same() {
    desc=$1 q=$2 _units=$3 _inputs=$4
    shift 4
    # shellcheck disable=SC2086
    "$LIQ" --format csv "$@" "$q" $_inputs >one.csv 2>one.err
    one_rc=$?
    rm -f p.*
    k=0
    while read -r line; do
        # shellcheck disable=SC2086
        "$LIQ" --partial --part-index $k "$@" "$q" $line >p.$k 2>p.$k.err ||
            { not_ok "$desc: --partial of unit $k ($line) exits $?"; show p.$k.err; return; }
        k=$((k + 1))
    done <"$_units"
    order=$(awk -v k=$k 'BEGIN { for (i = k - 1; i >= 0; i--) if (i % 2) printf "p.%d ", i
        for (i = 0; i < k; i += 2) printf "p.%d ", i }')
    # shellcheck disable=SC2086
    "$LIQ" --merge --format csv "$@" "$q" $order >merged.csv 2>merged.err
    m_rc=$?
    if [ $m_rc -eq $one_rc ] && cmp -s one.csv merged.csv && cmp -s one.err merged.err; then
        ok "$desc ($k parts): merged partials give the bytes of one run ($(wc -l <one.csv) lines)"
    else
        not_ok "$desc ($k parts): merged partials differ (exit $m_rc, one run $one_rc)"
        diff one.csv merged.csv | head -10 | show /dev/stdin
        diff one.err merged.err | head -10 | show /dev/stdin
    fi
    # shellcheck disable=SC2046
    cat $(awk -v k=$k 'BEGIN { for (i = k - 1; i >= 0; i--) printf "p.%d ", i }') |
        "$LIQ" --merge --format csv "$@" "$q" >stdin.csv 2>stdin.err
    if cmp -s one.csv stdin.csv; then ok "$desc ($k parts): concatenated on stdin, the same"
    else not_ok "$desc ($k parts): concatenated on stdin, other bytes"; show stdin.err; fi
    [ $k -ge 3 ] || return 0
    rest=$(awk -v k=$k 'BEGIN { for (i = 0; i < k - 2; i++) printf "p.%d ", i }')
    # shellcheck disable=SC2086
    "$LIQ" --merge --partial "$@" "$q" p.$((k - 1)) p.$((k - 2)) >t.part 2>t.err &&
        "$LIQ" --merge --format csv "$@" "$q" t.part $rest >tree.csv 2>tree.err
    if [ $? -eq $one_rc ] && cmp -s one.csv tree.csv && cmp -s one.err tree.err; then
        ok "$desc ($k parts): merged as a tree, the same"
    else
        not_ok "$desc ($k parts): merged as a tree, other bytes"; show t.err; show tree.err
        diff one.csv tree.csv | head -10 | show /dev/stdin
    fi
    # shellcheck disable=SC2086
    "$LIQ" --merge --partial "$@" "$q" $order >all.part 2>all.err &&
        "$LIQ" --merge --format csv "$@" "$q" all.part >all.csv 2>>all.err
    if cmp -s one.csv all.csv; then ok "$desc ($k parts): merged into one partial first, the same"
    else not_ok "$desc ($k parts): merged into one partial first, other bytes"; show all.err; fi
}
