#!/bin/sh
# The four sample days through settle ingest and settle orders: canonical
# charges must equal the expected charges.csv rows of each file, and the
# rejects must agree on file, line, reason and raw text.  Days after the
# first are read together with the earlier days' files, so that duplicates
# resent across days are found as the nightly run finds them.
set -u
BUILD=${1:-build}
top=$(pwd)
bin=$top/$BUILD/bin
S=$top/fixtures/samples
sel="python3 $top/tests/lib/csvsel.py"
tmp=$(mktemp -d "${TMPDIR:-/tmp}/settle-samples.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
pass=0
fail=0

check() {	# name, got, want
	if cmp -s "$2" "$3"; then
		pass=$((pass + 1))
	else
		fail=$((fail + 1))
		echo "FAIL $1"
		diff "$3" "$2" | head -10
	fi
}

files_for() {	# op, days... -> file names
	op=$1
	shift
	for d in "$@"; do
		case $op in
		gp) echo "$S/data/inbox/GP_DCB_202611$d.csv.gz" ;;
		robi) echo "$S/data/inbox/robi_dcb_2026-11-$d.txt" ;;
		bl) echo "$S/data/inbox/BL-DCB-${d}112026.csv" ;;
		tt) echo "$S/data/inbox/TT_DCB_202611$d.dat" ;;
		esac
	done
}

days=""
for d in 26 27 28 29; do
	days="$days $d"
	exp=$S/expected/2026-11-$d
	for op in gp robi bl tt; do
		last=$(files_for $op $d)
		base=$(basename "$last")
		# shellcheck disable=SC2046
		"$bin/settle-ingest" -q --schema "$top/schemas/$op.yaml" \
		    --date 2026-11-$d --rejects "$tmp/rej.csv" \
		    $(files_for $op $days) >"$tmp/ch.csv" || {
			fail=$((fail + 1)); echo "FAIL ingest $base"; continue; }
		cols=operator,charge_id,msisdn,amount_poisha,charged_at,order_ref,kind,status,source_file,source_line
		$sel "$tmp/ch.csv" $cols source_file="$base" >"$tmp/got"
		$sel "$exp/charges.csv" $cols source_file="$base" >"$tmp/want"
		check "charges $base" "$tmp/got" "$tmp/want"
		$sel "$tmp/rej.csv" source_file,source_line,reason,raw \
		    source_file="$base" >"$tmp/got"
		$sel "$exp/rejects.csv" source_file,source_line,reason,raw \
		    source_file="$base" >"$tmp/want"
		check "rejects $base" "$tmp/got" "$tmp/want"
	done
	"$bin/settle-orders" -q --rejects "$tmp/orej.csv" \
	    "$S/data/inbox/bpo_orders_202611$d.csv" \
	    "$S/data/inbox/ecab_orders_202611$d.csv" >/dev/null || {
		fail=$((fail + 1)); echo "FAIL orders $d"; continue; }
	for k in bpo ecab; do
		base=${k}_orders_202611$d.csv
		$sel "$tmp/orej.csv" source_file,source_line,reason,raw \
		    source_file="$base" | grep -v ',DUPLICATE_REF,' >"$tmp/got"
		$sel "$exp/rejects.csv" source_file,source_line,reason,raw \
		    source_file="$base" | grep -v ',DUPLICATE_REF,' >"$tmp/want"
		check "order rejects $base" "$tmp/got" "$tmp/want"
	done
done
echo "samples: $pass passed, $fail failed"
[ $fail -eq 0 ]
