#!/bin/sh
# Story: a GP file larger than settle ingest's memory budget for held rows.
# The rows spill to a temporary file and come back in (operator, charge_id)
# order: the same file with its records shuffled gives the same rows (only
# source_line differs), and a temporary folder that cannot be written is a
# clean exit 74 with a message and no rows at all.
#
#   sh tests/stories/ingest_spill.sh BUILD_DIR      (from the repository root)
set -u
BUILD=${1:-build}
top=$(pwd)
bin=$top/$BUILD/bin
gen=$top/$BUILD/tools/settle-gen
tmp=$(mktemp -d "${TMPDIR:-/tmp}/settle-spill.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
pass=0
fail=0

ok() {
	pass=$((pass + 1))
	echo "ok   $1"
}

bad() {
	fail=$((fail + 1))
	echo "FAIL $1"
}

# 200,000 GP rows hold about 27 MB: more than the 16 MB budget.
"$gen" --date 2026-11-26 --charges 200000 --mix 100:0:0:0 --out "$tmp/day" \
    2>/dev/null || { echo "FAIL settle-gen"; exit 1; }
gp=$tmp/day/inbox/GP_DCB_20261126.csv.gz
python3 - "$gp" "$tmp/shuffled.csv.gz" <<'EOF'
import gzip, random, sys
lines = gzip.open(sys.argv[1], 'rb').read().split(b'\n')
head, body, tail = lines[0], lines[1:-2], lines[-2:]
random.Random(26).shuffle(body)
gzip.open(sys.argv[2], 'wb', compresslevel=1).write(b'\n'.join([head] + body + tail))
EOF

ingest() {
	"$bin/settle-ingest" -q --schema "$top/schemas/gp.yaml" \
	    --name GP_DCB_20261126.csv.gz "$@"
}

ingest "$gp" >"$tmp/sorted.csv"
s1=$?
ingest "$tmp/shuffled.csv.gz" >"$tmp/shuffled.csv"
s2=$?
if [ $s1 -eq 0 ] && [ $s2 -eq 0 ] && python3 - "$tmp/sorted.csv" \
    "$tmp/shuffled.csv" <<'EOF'
import sys
a = open(sys.argv[1], 'rb').read().split(b'\n')
b = open(sys.argv[2], 'rb').read().split(b'\n')
keys = [tuple(r.split(b',')[:2]) for r in a[1:-1]]
assert len(a) == 200002, len(a)
assert keys == sorted(keys), 'rows out of key order'
assert [r.rsplit(b',', 1)[0] for r in a] == \
    [r.rsplit(b',', 1)[0] for r in b], 'shuffled input gives other rows'
EOF
then
	ok "spilled rows come back in key order, shuffled or not"
else
	bad "spilled rows come back in key order, shuffled or not"
fi

TMPDIR=$tmp/missing ingest "$tmp/shuffled.csv.gz" >"$tmp/out" 2>"$tmp/err"
s=$?
if [ $s -eq 74 ] && [ ! -s "$tmp/out" ] &&
    grep -q "^settle ingest: cannot create a temporary file in '$tmp/missing'" \
    "$tmp/err"; then
	ok "no temporary folder: exit 74, a message, no rows"
else
	bad "no temporary folder: exit 74, a message, no rows (exit $s)"
	cat "$tmp/err"
fi

echo "$pass passed, $fail failed"
[ $fail -eq 0 ]
