#!/bin/sh
# out_svg.sh -- CLI test: --chart-svg writes a standalone SVG that an XML parser accepts
#
# python3's xml.etree parses each document; the test counts what the data says there must be:
# one <circle class="point"> per (series, bin) with a value, polylines through the runs of
# adjacent bins, one legend entry per series, one <rect class="bar"> per bar; the
# title is the query. Keys full of XML specials, a control character and invalid UTF-8 must
# not break the document. With a file, stdout keeps the rows; with '-', stdout is the SVG.
# Environment (set by make check): LIQ = the liq binary, SRCDIR = the source tree.
# Exit: 0 all checks passed, 1 a check failed (each check prints an ok/not ok line); 77 when
# python3 is missing.
#
# SPDX-License-Identifier: Apache-2.0
set -u
: "${LIQ:?set LIQ to the liq binary}"
: "${SRCDIR:?set SRCDIR to the source tree}"
LC_ALL=C
export LC_ALL
unset COLUMNS

tmp=$(mktemp -d "${TMPDIR:-/tmp}/liq-out-svg.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
trap 'exit 1' INT TERM HUP

# ===== helpers =====
. "$SRCDIR/tests/cli/out_lib.sh"

if ! command -v python3 >/dev/null 2>&1; then
    echo "skip: python3 is missing"
    exit 77
fi

# svg_check FILE DESC PYTHON: parse FILE, then run the python assertions on `root` (the <svg>
# element), `q` (its elements with class C: q("point")), `ns` (the SVG namespace)
svg_check() {
    if python3 - "$1" "$3" >"$tmp/py" 2>&1 <<'PY'
import sys
import xml.etree.ElementTree as ET
ns = "{http://www.w3.org/2000/svg}"
root = ET.parse(sys.argv[1]).getroot()
assert root.tag == ns + "svg", root.tag
def q(cls):
    return [e for e in root.iter() if e.get("class") == cls]
exec(sys.argv[2])
PY
    then ok "$2"; else not_ok "$2"; show "$tmp/py"; fi
}

# ===== a time series: error in 2 bins, info in 3 =====
{
    printf '%s\n' '{"ts":"2024-03-05T00:10:00Z","level":"info"}' \
        '{"ts":"2024-03-05T00:20:00Z","level":"error"}' \
        '{"ts":"2024-03-05T01:00:00Z","level":"info"}' \
        '{"ts":"2024-03-05T02:59:59Z","level":"info"}' \
        '{"ts":"2024-03-05T02:00:00Z","level":"error"}' \
        '{"ts":"2024-03-05T02:30:00Z","level":"error"}'
} >"$tmp/hour.log"
q='stats count(*) as n by bin(1h) as hour, level'
run --format csv --chart-svg "$tmp/c.svg" "$q" "$tmp/hour.log"
expect_rc 0 "line chart"
expect_err_empty "line chart"
want 'hour,level,n' \
    '2024-03-05 00:00:00.000,error,1' \
    '2024-03-05 00:00:00.000,info,1' \
    '2024-03-05 01:00:00.000,info,1' \
    '2024-03-05 02:00:00.000,error,2' \
    '2024-03-05 02:00:00.000,info,1'
expect_out "line chart: the rows still go to stdout"
svg_check "$tmp/c.svg" "line chart: 5 points in 2 series" '
pts = q("point")
assert len(pts) == 5, len(pts)
series = q("series")
assert [s.get("data-name") for s in series] == ["error", "info"], series
assert [len(s.findall(ns + "circle")) for s in series] == [2, 3]
# a line through adjacent bins only: error (00:00, 02:00) is two pieces, info one
lines = [[len(l.get("points").split()) for l in s.findall(ns + "polyline")] for s in series]
assert lines == [[1, 1], [3]], lines
assert len(q("legend-item")) == 2
assert q("title")[0].text == "stats count(*) as n by bin(1h) as hour, level"
'
# the points lie inside the plot and go up with the value: error has 1 then 2
svg_check "$tmp/c.svg" "line chart: geometry" '
w, h = float(root.get("width")), float(root.get("height"))
for c in q("point"):
    assert 0 < float(c.get("cx")) < w and 0 < float(c.get("cy")) < h
e = q("series")[0].findall(ns + "circle")
assert float(e[0].get("cx")) < float(e[1].get("cx"))
assert float(e[0].get("cy")) > float(e[1].get("cy"))
'

# '-': the SVG is stdout, instead of the rows
run --chart-svg - "$q" "$tmp/hour.log"
expect_rc 0 "--chart-svg -"
cp "$tmp/out" "$tmp/d.svg"
svg_check "$tmp/d.svg" "--chart-svg -: stdout is the SVG" 'assert len(q("point")) == 5'
if cmp -s "$tmp/c.svg" "$tmp/d.svg"; then ok "--chart-svg -: same document"; else
    not_ok "--chart-svg -: documents differ"; fi

# with --chart, the terminal chart on stdout and the SVG in its file
run --chart --chart-svg "$tmp/e.svg" "$q" "$tmp/hour.log"
expect_out_has "n by hour: 3 bins of 1h" "--chart with --chart-svg"
svg_check "$tmp/e.svg" "--chart with --chart-svg: the file" 'assert len(q("point")) == 5'

# one bin only: one point, still a valid document
run --chart-svg "$tmp/one.svg" 'filter level = "info" | stats count(*) by bin(1d)' "$tmp/hour.log"
svg_check "$tmp/one.svg" "one bin: one point" 'assert len(q("point")) == 1'

# ===== bars =====
{
    printf '%s\n' '{"k":"a<b>&\"q\"","v":3}' '{"k":"tab\there","v":-2}' '{"k":"ctl\u0001","v":1}'
    printf '{"k":"bad\377","v":5}\n'
} >"$tmp/keys.log"
run --format csv --chart-svg "$tmp/bars.svg" 'stats sum(v) as total, count(*) as n by k' \
    "$tmp/keys.log"
expect_rc 0 "bar chart"
svg_check "$tmp/bars.svg" "bar chart: 4 groups x 2 aggregates" '
bars = q("bar")
assert len(bars) == 8, len(bars)
assert [s.get("data-name") for s in q("series")] == ["total", "n"]
labels = [t.text for t in q("labels")[0]]
assert "a<b>&\"q\"" in labels, labels
assert "bad\ufffd" in labels and "ctl\ufffd" in labels, labels
'
# a negative value draws leftwards from 0: its bar ends where the others start
svg_check "$tmp/bars.svg" "bar chart: negative bar" '
total = q("series")[0].findall(ns + "rect")
xs = sorted((float(r.get("x")), float(r.get("width"))) for r in total)
neg = xs[0]
assert all(abs(neg[0] + neg[1] - x) < 0.01 for x, _ in xs[1:]), xs
'

# ===== the title is the query on one line, escaped =====
printf 'stats count(*) as n\n    by bin(1h) # "quoted" & <tagged>\n' >"$tmp/q.liq"
run -f "$tmp/q.liq" --chart-svg "$tmp/t.svg" "$tmp/hour.log"
svg_check "$tmp/t.svg" "title from a query file" '
assert q("title")[0].text == "stats count(*) as n by bin(1h) # \"quoted\" & <tagged>", q("title")[0].text
assert root.find(ns + "title").text.startswith("stats count(*) as n by bin(1h)")
'

finish
