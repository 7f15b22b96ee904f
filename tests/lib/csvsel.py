#!/usr/bin/env python3
"""Print selected columns of a CSV file (RFC 4180) as CSV, optionally only
the rows whose column COL starts with PREFIX.  Used by the stories to
compare the product's outputs with expected files on the columns the
contract fixes.

usage: csvsel.py FILE COLS [COL=PREFIX ...]
"""
import csv
import sys


def main():
    path, cols = sys.argv[1], sys.argv[2].split(",")
    filters = [a.split("=", 1) for a in sys.argv[3:]]
    with open(path, newline="", encoding="utf-8") as f:
        rows = list(csv.reader(f))
    head = rows[0]
    idx = [head.index(c) for c in cols]
    fidx = [(head.index(c), p) for c, p in filters]
    out = csv.writer(sys.stdout, lineterminator="\n")
    out.writerow(cols)
    for r in rows[1:]:
        if all(r[i].startswith(p) for i, p in fidx):
            out.writerow([r[i] for i in idx])


main()
