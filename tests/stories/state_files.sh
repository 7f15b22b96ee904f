#!/bin/sh
# Story: the files of the state folder (settle-state(5)) over fourteen
# generated dates with a two-day dedup window.  Each run writes a snapshot
# (format 2, no charge ids) and an id file of its own; a charge resent on a
# later date within the window is a DUPLICATE_ID found through the id file
# of the date that accepted it; the snapshots of the last nine dates and
# the id files their windows need are kept, older ones removed; --force of
# the oldest date that can still be recomputed gives the same bytes; a
# missing id file, or a snapshot of the old format, is a damaged state
# (exit 65) and nothing is written.
#
#   sh tests/stories/state_files.sh BUILD_DIR      (from the repository root)
set -u
BUILD=${1:-build}
top=$(pwd)
bin=$top/$BUILD/bin
gen=$top/$BUILD/tools/settle-gen
tmp=$(mktemp -d "${TMPDIR:-/tmp}/settle-state.XXXXXX")
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

# check NAME COMMAND...: ok when the command succeeds.
check() {
	name=$1
	shift
	if "$@"; then ok "$name"; else bad "$name"; fi
}

day() {	# N: the Nth date from 2026-11-20, as YYYY-MM-DD
	date -u -d "2026-11-20 + $(($1 - 1)) days" +%Y-%m-%d
}

"$gen" --date 2026-11-20 --days 14 --charges 300 --anomalies 0.05 \
    --config --out "$tmp/d" 2>/dev/null || { bad "settle-gen"; exit 1; }
cd "$tmp/d" || exit 1
sed -e 's/^dedup_days: .*/dedup_days: 2/' settle.yaml >settle.new &&
    mv settle.new settle.yaml
cp -R "$top/schemas" schemas
mkdir -p keys
cp "$top/tests/keys/TEST-ONLY-bpo-ed25519.pem" keys/bpo-ed25519.pem
run() { "$bin/settle-run" --config settle.yaml "$@" 2>>"$tmp/err"; }

# A record of date 1 sent again in the file of date 2: DUPLICATE_ID.
g1=inbox/GP_DCB_20261120.csv.gz
g2=inbox/GP_DCB_20261121.csv.gz
gzip -dc "$g1" >"$tmp/g1"
gzip -dc "$g2" >"$tmp/g2"
python3 - "$tmp/g1" "$tmp/g2" <<'EOF'
import sys
from decimal import Decimal
dup = open(sys.argv[1]).read().splitlines()[1]
lines = open(sys.argv[2]).read().splitlines()
head, rows, trailer = lines[0], lines[1:-1] + [dup], lines[-1]
amount = head.split(",").index("AMOUNT_BDT")
t = trailer.split(",")
t[1] = str(int(t[1]) + 1)
t[2] = "%.2f" % (Decimal(t[2]) + Decimal(dup.split(",")[amount]))
open(sys.argv[2], "w").write("\n".join([head] + rows + [",".join(t)]) + "\n")
EOF
gzip -n -c "$tmp/g2" >"$g2"

n=1
while [ $n -le 14 ]; do
	run --date "$(day $n)" || bad "run $(day $n): exit $?: $(tail -n 1 "$tmp/err")"
	n=$((n + 1))
done
grep -q "DUPLICATE_ID" outbox/2026-11-21/rejects.csv &&
    ok "a record of the day before, sent again: DUPLICATE_ID" ||
    bad "no DUPLICATE_ID on 2026-11-21 ($(tail -n 2 "$tmp/err"))"

# Snapshots: the last nine dates.  Id files: from the window of the oldest
# date that can be recomputed (day 7 needs days 5 and 6), and one more.
want=
n=6
while [ $n -le 14 ]; do want="$want state-$(day $n).txt"; n=$((n + 1)); done
got=$(cd state && echo state-*.txt)
[ "$got" = "${want# }" ] && ok "nine snapshots kept" ||
    bad "snapshots: $got, want ${want# }"
want=
n=4
while [ $n -le 14 ]; do want="$want ids-$(day $n).txt"; n=$((n + 1)); done
got=$(cd state && echo ids-*.txt)
[ "$got" = "${want# }" ] && ok "id files of the windows kept" ||
    bad "id files: $got, want ${want# }"

check "a snapshot is format 2 and holds no ids" \
    sh -c '[ "$(head -n 1 state/state-'"$(day 14)"'.txt)" = \
    "$(printf "settle-state\t2")" ] &&
    ! grep -q "^id	" state/state-'"$(day 14)"'.txt'
check "an id file lists its run's ids" \
    sh -c '[ "$(sed -n 2p state/ids-'"$(day 14)"'.txt)" = \
    "$(printf "run_date\t'"$(day 14)"'")" ] &&
    [ "$(grep -c "^id	" state/ids-'"$(day 14)"'.txt)" -gt 250 ]'

# --force of day 7, the oldest date with the snapshot before it kept.
cp -R outbox "$tmp/outbox.ref"
cp -R state "$tmp/state.ref"
if run --date "$(day 7)" --force; then
	diff -r "$tmp/outbox.ref" outbox >/dev/null &&
	    diff -r -x LOCK "$tmp/state.ref" state >/dev/null &&
	    ok "--force of $(day 7): the same bytes" ||
	    bad "--force of $(day 7) changed the outbox or the state"
else
	bad "--force of $(day 7): exit $?"
fi

# A missing id file of the window: a damaged state, nothing written.
mv "state/ids-$(day 12).txt" "$tmp/ids12"
run --date "$(day 13)" --force
rc=$?
[ $rc = 65 ] && grep -q "state damaged" "$tmp/err" &&
    ok "a missing id file: exit 65, state damaged" ||
    bad "a missing id file: exit $rc"
diff -r "$tmp/outbox.ref" outbox >/dev/null &&
    ok "nothing written" || bad "the outbox changed"
mv "$tmp/ids12" "state/ids-$(day 12).txt"

# A bad line of an id file: exit 65 with the file and the line.
cp "state/ids-$(day 12).txt" "$tmp/ids12"
sed -e '3s/\t[0-9a-f]*\t/\tnot-a-hash\t/' "$tmp/ids12" \
    >"state/ids-$(day 12).txt"
: >"$tmp/err"
run --date "$(day 13)" --force
rc=$?
[ $rc = 65 ] && grep -q "ids-$(day 12).txt:3: state file: bad 'id' line" \
    "$tmp/err" && ok "a bad id line: exit 65 at its file and line" ||
    bad "a bad id line: exit $rc: $(cat "$tmp/err")"
diff -r "$tmp/outbox.ref" outbox >/dev/null &&
    ok "nothing written" || bad "the outbox changed"
mv "$tmp/ids12" "state/ids-$(day 12).txt"

# A snapshot of the old format is refused with its line.
sed -e '1s/.*/settle-state	1/' "state/state-$(day 13).txt" >"$tmp/old"
cp "$tmp/old" "state/state-$(day 13).txt"
: >"$tmp/err"
run --date "$(day 14)" --force
rc=$?
[ $rc = 65 ] && grep -q "state-$(day 13).txt:1: .*version 2" "$tmp/err" &&
    ok "a snapshot of format 1: exit 65 at its first line" ||
    bad "a snapshot of format 1: exit $rc: $(cat "$tmp/err")"

# A group of a record without a reference must hold that record.
sed -e '1s/.*/settle-state	2/' -e '$d' "$tmp/old" >"$tmp/empty"
printf 'group\t0\t0\t\nend\n' >>"$tmp/empty"
cp "$tmp/empty" "state/state-$(day 13).txt"
: >"$tmp/err"
run --date "$(day 14)" --force
rc=$?
[ $rc = 65 ] && grep -q "without an order has no 'rec' line" "$tmp/err" &&
    ok "a group without reference nor record: exit 65" ||
    bad "a group without reference nor record: exit $rc: $(cat "$tmp/err")"

# Nor may a reopened group, or one whose reference has no order.
for g in 'group\t1\t1\tX-NO-RECORD' 'group\t1\t0\tX-NO-RECORD'; do
	sed -e '$d' "$tmp/old" | sed -e '1s/.*/settle-state	2/' >"$tmp/empty"
	printf "ref\tX-NO-RECORD\t1\t0\t$(day 13)\t0\n$g\nend\n" \
	    >>"$tmp/empty"
	cp "$tmp/empty" "state/state-$(day 13).txt"
	: >"$tmp/err"
	run --date "$(day 14)" --force
	rc=$?
	[ $rc = 65 ] && grep -q "without an order has no 'rec'" "$tmp/err" &&
	    ok "$g without a record: exit 65" ||
	    bad "$g without a record: exit $rc: $(cat "$tmp/err")"
done

# IDS_FIRST names the first id file pruning kept: a dedup window made
# longer afterwards starts there instead of finding the state damaged.
cp "$tmp/state.ref/state-$(day 13).txt" "state/state-$(day 13).txt"
[ "$(cat state/IDS_FIRST)" = "$(day 4)" ] && ok "IDS_FIRST is $(day 4)" ||
    bad "IDS_FIRST: $(cat state/IDS_FIRST 2>&1)"
sed -e 's/^dedup_days: .*/dedup_days: 20/' settle.yaml >settle.new &&
    mv settle.new settle.yaml
: >"$tmp/err"
run --date "$(day 14)" --force
rc=$?
[ $rc = 0 ] && ok "a longer dedup window after pruning: the run goes on" ||
    bad "a longer dedup window after pruning: exit $rc: $(cat "$tmp/err")"

echo "state files: $pass passed, $fail failed"
[ $fail -eq 0 ]
