#!/usr/bin/python3
"""jsontestsuite.py -- what liq makes of each file of JSONTestSuite's test_parsing/ (issue 15)

Usage: jsontestsuite.py LIQ SUITE_DIR DOC       check: exit 0, or 1 and what differs
       jsontestsuite.py --print LIQ SUITE_DIR   print the table rows docs/jsontestsuite.md holds

Each file is one input of its own: `liq --fields --format tsv FILE` (the discovered fields) and
`liq --format tsv 'fields @message' FILE` (the records). Checked for every file, whatever the
table says:
  - y_ files whose top value is an object: the fields are the object's leaves flattened as
    engine/data/json.h says (dots, array indexes, @@ for a top-level @key, null absent, an empty
    object or array the string {} or [], the last of a repeated key), with their types; the one
    record's @message is the file's text;
  - n_ files: no field but the system ones (@message, @log, @logStream, @timestamp,
    @ingestionTime), and the records are the file's lines as they are (text), or none when the
    file holds no line; but a text longer than the 64 KiB liq sniffs that starts as an array of
    records and never closes (n_structure_open_array_object) is cut at its first record, which
    the end of the input leaves open: that record is the rest of the text, read as text, and
    liq says so (exit 3, as for any input that ends inside a JSON value); and one that starts
    as an array of records and never closes it (n_array_unclosed_with_object_inside, [{}) has
    the records the array holds, and liq says the input ends inside the array (exit 3);
  - every file: no crash, no hang (20 s), no sanitizer report: an exit code of 0 or 3 and
    nothing on stderr but liq's own lines.
Then the row of each file (records, fields with types, warnings and exit code) must equal the
row of the table in DOC (between the lines <!-- jsontestsuite begin --> and <!-- ... end -->).

SPDX-License-Identifier: Apache-2.0
"""
import json
import os
import subprocess
import sys

SYSTEM = {b"@message", b"@log", b"@logStream", b"@timestamp", b"@ingestionTime"}
BEGIN, END = "<!-- jsontestsuite begin -->", "<!-- jsontestsuite end -->"


def run(liq, args):
    p = subprocess.run([liq] + args, stdin=subprocess.DEVNULL, capture_output=True, timeout=20)
    return p.returncode, p.stdout, p.stderr


def unescape(b):
    """A TSV value as liq writes it (L25: \\t \\n \\r \\\\) back to its bytes."""
    out, i = bytearray(), 0
    while i < len(b):
        if b[i:i + 1] == b"\\" and i + 1 < len(b):
            out += {b"t": b"\t", b"n": b"\n", b"r": b"\r", b"\\": b"\\"}.get(b[i + 1:i + 2],
                                                                           b[i:i + 2])
            i += 2
        else:
            out.append(b[i])
            i += 1
    return bytes(out)


def tsv_rows(out):
    lines = out.split(b"\n")
    if lines and lines[-1] == b"":
        lines.pop()
    return [[unescape(c) for c in line.split(b"\t")] for line in lines[1:]]  # no header


def flatten(v, name, top, out):
    """json.h's flattening of a Python value; out: name (bytes) -> type."""
    if isinstance(v, dict):
        if not v and not top:
            out[name] = "string"
        for k, x in v.items():
            k = k.encode("utf-8", "surrogatepass")
            if top:
                flatten(x, b"@" + k if k.startswith(b"@") else k, False, out)
            else:
                flatten(x, name + b"." + k, False, out)
    elif isinstance(v, list):
        if not v:
            out[name] = "string"
        for i, x in enumerate(v):
            flatten(x, name + b"." + str(i).encode(), False, out)
    elif v is None:
        out.pop(name, None)  # absent; a repeated key's null hides the earlier value
    elif isinstance(v, bool):
        out[name] = "bool"
    elif isinstance(v, (int, float)):
        out[name] = "number"
    else:
        out[name] = "string"


def text_lines(data):
    """The records of a text input: its lines, without a UTF-8 byte order mark, CR LF ends."""
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    lines = data.split(b"\n")
    if lines and lines[-1] == b"":
        lines.pop()
    return [line[:-1] if line.endswith(b"\r") else line for line in lines]


def short(v):
    r = repr(v)
    return r if len(r) <= 200 else r[:200] + "..."


def show_name(n):
    s = json.dumps(n.decode("utf-8", "backslashreplace"))
    return s.replace("|", "\\|")


def behaviour(liq, path):
    """The table row of one file, and the rule violations found."""
    bad = []
    name = os.path.basename(path)
    with open(path, "rb") as f:
        data = f.read()
    try:
        rc1, out1, err1 = run(liq, ["--fields", "--format", "tsv", path])
        rc2, out2, err2 = run(liq, ["--format", "tsv", "fields @message", path])
    except subprocess.TimeoutExpired:
        return "| %s | hang | | |" % name, ["%s: liq ran for more than 20 s" % name]
    for rc, err in ((rc1, err1), (rc2, err2)):
        if rc not in (0, 3):
            bad.append("%s: exit %d" % (name, rc))
        for line in err.decode("utf-8", "replace").splitlines():
            if not line.startswith("liq: "):
                bad.append("%s: stderr: %s" % (name, line))
    fields = [(r[0], r[2].decode()) for r in tsv_rows(out1) if len(r) == 3 and r[0] not in SYSTEM]
    msgs = [r[0] for r in tsv_rows(out2)]

    top = None
    if name.startswith("y_"):  # valid JSON: the value Python reads
        top = json.loads(data.decode("utf-8"))
    if name.startswith("y_") and isinstance(top, dict):
        want = {}
        flatten(top, b"", True, want)
        if dict(fields) != want:
            bad.append("%s: fields %s, the object has %s" % (name, short(dict(fields)), short(want)))
        if msgs != [data.rstrip(b"\n")]:
            bad.append("%s: @message %s is not the text" % (name, short(msgs)))
    if name.startswith("n_"):
        if fields:
            bad.append("%s: invented fields %s" % (name, short(fields)))
        if b"ends inside a JSON value" in err2:
            # a text longer than the 64 KiB sniffed that starts as an array of records and
            # never closes: the rest from the open record on is its last record, as text
            if len(msgs) != 1 or not data.rstrip(b"\n").endswith(msgs[0]) or rc2 != 3:
                bad.append("%s: the record cut by the end is not the text" % name)
        elif b"ends inside a JSON array of records" in err2:
            # a text that starts as an array of records and never closes it: the records it
            # holds are read (none has a field here), and liq says so (exit 3)
            if rc2 != 3:
                bad.append("%s: an array that never closes, exit %d" % (name, rc2))
        elif msgs != text_lines(data):
            bad.append("%s: records %s are not the lines %s" % (name, short(msgs), short(text_lines(data))))

    notes = []
    if b"looks like a JSON object but is not valid JSON" in err1 + err2:
        notes.append("warning: looks like a JSON object")
    if b"ends inside a JSON value" in err1 + err2:
        notes.append("error: ends inside a JSON value")
    if b"ends inside a JSON array of records" in err1 + err2:
        notes.append("error: ends inside a JSON array")
    if rc1 or rc2:
        notes.append("exit %d" % max(rc1, rc2))
    row = "| %s | %d | %s | %s |" % (name, len(msgs),
                                      ", ".join("%s %s" % (show_name(n), t) for n, t in fields),
                                      "; ".join(notes))
    return row, bad


def main(argv):
    printing = argv[1:2] == ["--print"]
    if printing:
        argv = argv[1:]
    if len(argv) < 3 or (not printing and len(argv) < 4):
        sys.stderr.write(__doc__)
        return 2
    liq, suite = argv[1], argv[2]
    files = sorted(f for f in os.listdir(suite) if f.endswith(".json"))
    rows, bad = [], []
    for f in files:
        row, b = behaviour(liq, os.path.join(suite, f))
        rows.append(row)
        bad += b
    if printing:
        print("\n".join(rows))
        return 0
    with open(argv[3], encoding="utf-8") as f:
        doc = f.read()
    if BEGIN not in doc or END not in doc:
        print("not ok - %s has no table between %s and %s" % (argv[3], BEGIN, END))
        return 1
    table = doc.split(BEGIN, 1)[1].split(END, 1)[0]
    want = [line for line in table.splitlines() if line.startswith("| ") and
            line.split(" ")[1].endswith(".json")]
    n = 0
    for b in bad:
        n += 1
        print("not ok %d - %s" % (n, b))
    if not bad:
        n += 1
        print("ok %d - the rules hold for the %d files" % (n, len(files)))
    n += 1
    if want == rows:
        print("ok %d - every file does what the table of %s says" % (n, os.path.basename(argv[3])))
    else:
        print("not ok %d - the table of %s differs from what liq does:" % (n, argv[3]))
        for w, r in zip(want, rows):
            if w != r:
                print("  table: %s\n  liq:   %s" % (w, r))
        if len(want) != len(rows):
            print("  the table has %d rows, the suite %d files" % (len(want), len(rows)))
        bad.append("table")
    print("1..%d" % n)
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
