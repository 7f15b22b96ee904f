#!/bin/sh
# The auditors' pipeline recomputes a day with filters: settle orders,
# then settle match over the outbox's charges from the state snapshot of
# the day before, then settle share; matches, disputes, payouts and offices
# must equal what the nightly run published, and the shares its statements.
set -u
BUILD=${1:-build}
top=$(pwd)
bin=$top/$BUILD/bin
tmp=$(mktemp -d "${TMPDIR:-/tmp}/settle-pipe.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
pass=0
fail=0
check() { if cmp -s "$2" "$3"; then pass=$((pass + 1)); else
	fail=$((fail + 1)); echo "FAIL $1"; diff "$3" "$2" | head -5; fi; }

cp -r "$top/fixtures/samples/data" "$tmp/d"
chmod -R u+w "$tmp/d"
cp -r "$top/schemas" "$tmp/d/schemas"
cd "$tmp/d" || exit 1
for d in 26 27 28 29; do
	"$bin/settle-run" --config settle.yaml --date 2026-11-$d 2>/dev/null ||
	    { echo "FAIL run $d"; exit 1; }
done
for d in 27 28 29; do
	prev=$((d - 1))
	out=outbox/2026-11-$d
	"$bin/settle-orders" -q inbox/bpo_orders_202611$d.csv \
	    inbox/ecab_orders_202611$d.csv >"$tmp/orders.csv"
	"$bin/settle" match --config settle.yaml --date 2026-11-$d \
	    --state state/state-2026-11-$prev.txt --orders "$tmp/orders.csv" \
	    --disputes "$tmp/disputes.csv" <"$out/charges.csv" >"$tmp/matches.csv"
	check "matches $d" "$tmp/matches.csv" "$out/matches.csv"
	check "disputes $d" "$tmp/disputes.csv" "$out/disputes.csv"
	"$bin/settle" share --config settle.yaml --date 2026-11-$d \
	    --state state/state-2026-11-$prev.txt --payouts "$tmp/payouts.csv" \
	    --offices "$tmp/offices.csv" - <"$tmp/matches.csv" \
	    >"$tmp/shares.csv" 2>"$tmp/share.err"
	check "payouts $d" "$tmp/payouts.csv" "$out/payouts.csv"
	check "offices $d" "$tmp/offices.csv" "$out/offices.csv"
	for op in BL GP ROBI TT; do
		grep "^$op," "$tmp/shares.csv" | cut -d, -f5 >"$tmp/g"
		grep '^operator_share,' "$out/statement-$op.csv" | cut -d, -f3 \
		    >"$tmp/w"
		check "share $op $d" "$tmp/g" "$tmp/w"
	done
	grep -q "conservation ok" "$tmp/share.err" && pass=$((pass + 1)) ||
	    { fail=$((fail + 1)); echo "FAIL conservation $d"; }
done
# bad canonical input to settle match: refused with its file and line, no
# matches written.
# refused WHAT FILE PATTERN: settle match of day 29 over orders FILE exits 65
# and says PATTERN.
refused() {
	"$bin/settle" match --config settle.yaml --date 2026-11-29 \
	    --state state/state-2026-11-28.txt --orders "$2" \
	    <outbox/2026-11-29/charges.csv >"$tmp/m.csv" 2>"$tmp/m.err"
	rc=$?
	if [ $rc -eq 65 ] && grep -q "$3" "$tmp/m.err" && [ ! -s "$tmp/m.csv" ]
	then
		pass=$((pass + 1))
	else
		fail=$((fail + 1))
		echo "FAIL $1: exit $rc: $(head -n 1 "$tmp/m.err")"
	fi
}
# an ECAB row whose payable is not goods plus delivery (the 2nd ECAB row)
awk -F, -v OFS=, '$1 == "ECAB" && ++n == 2 { $11 = $11 + 1; l = NR }
    { print } END { print l > "/dev/stderr" }' "$tmp/orders.csv" \
    >"$tmp/bad1.csv" 2>"$tmp/bad1.line"
refused "payable not goods plus delivery" "$tmp/bad1.csv" \
    "bad1.csv:$(cat "$tmp/bad1.line"):.*payable_poisha.*not goods plus delivery"
# a BPO row of an operator the configuration does not name
awk -F, -v OFS=, '$1 == "BPO" && ++n == 3 { $6 = "AIRTEL"; l = NR }
    { print } END { print l > "/dev/stderr" }' "$tmp/orders.csv" \
    >"$tmp/bad2.csv" 2>"$tmp/bad2.line"
refused "unknown operator" "$tmp/bad2.csv" \
    "bad2.csv:$(cat "$tmp/bad2.line"):.*operator 'AIRTEL' is not in the configuration"

echo "pipeline: $pass passed, $fail failed"
[ $fail -eq 0 ]
