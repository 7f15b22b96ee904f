#!/usr/bin/env python3
"""Compares two outbox trees date by date, printing the rows that differ.

usage: compare.py [--raw] EXPECTED_DIR ACTUAL_DIR DATE...
rejects.csv and disputes.csv are compared without `detail` (and rejects
without `raw` unless --raw); every other file byte for byte.
Exit 1 when something differs."""
import csv
import os
import sys

FILES = ['charges.csv', 'rejects.csv', 'matches.csv', 'disputes.csv',
         'payouts.csv', 'offices.csv']


def rows(path, drop):
    with open(path, encoding='utf-8', errors='surrogateescape', newline='') as f:
        return [tuple(v for i, v in enumerate(r) if i not in drop) for r in csv.reader(f)]


def main():
    args = sys.argv[1:]
    raw = False
    if args and args[0] == '--raw':
        raw = True
        args = args[1:]
    exp, act, dates = args[0], args[1], args[2:]
    bad = 0
    for d in dates:
        names = set(FILES)
        for base in (exp, act):
            p = os.path.join(base, d)
            if os.path.isdir(p):
                names.update(n for n in os.listdir(p) if n.startswith('statement-'))
        for n in sorted(names):
            a = os.path.join(exp, d, n)
            b = os.path.join(act, d, n)
            if not os.path.exists(a) or not os.path.exists(b):
                print('%s %s: missing in %s' % (d, n, exp if not os.path.exists(a) else act))
                bad += 1
                continue
            if n == 'rejects.csv':
                drop = {3} if raw else {3, 4}
            elif n == 'disputes.csv':
                drop = {7}
            else:
                drop = None
            if drop is None:
                if open(a, 'rb').read() == open(b, 'rb').read():
                    continue
                drop = set()
            ra, rb = rows(a, drop), rows(b, drop)
            if ra == rb and drop:
                continue
            bad += 1
            sa, sb = set(ra), set(rb)
            print('== %s %s' % (d, n))
            if ra != rb and sa == sb:
                print('   same rows, different order')
            for r in ra:
                if r not in sb:
                    print('   - %s' % ','.join(r))
            for r in rb:
                if r not in sa:
                    print('   + %s' % ','.join(r))
            if ra == rb:
                print('   rows equal, bytes differ (quoting or line ends)')
    sys.exit(1 if bad else 0)


main()
