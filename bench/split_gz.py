#!/usr/bin/env python3
# split_gz.py -- cut a log read from standard input into many small gzipped files.
#
# usage: split_gz.py DIR FILES < log
#
# Writes DIR/access-00000.log.gz ... DIR/access-(FILES-1).log.gz, each holding a run of
# consecutive whole lines (the input is read whole, then cut into FILES parts of nearly equal
# line counts). gzip level 6 with mtime 0 and no file name in the header, so the same input
# gives the same bytes.
import gzip
import os
import sys


def main():
    out_dir, nfiles = sys.argv[1], int(sys.argv[2])
    lines = sys.stdin.buffer.read().splitlines(keepends=True)
    os.makedirs(out_dir, exist_ok=True)
    per, extra = divmod(len(lines), nfiles)
    pos = 0
    for i in range(nfiles):
        n = per + (1 if i < extra else 0)
        data = b"".join(lines[pos:pos + n])
        pos += n
        with open(os.path.join(out_dir, "access-%05d.log.gz" % i), "wb") as f:
            f.write(gzip.compress(data, compresslevel=6, mtime=0))


if __name__ == "__main__":
    main()
