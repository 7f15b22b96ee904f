#!/bin/sh
# The four sample days through settle run from an empty state: every output
# agrees with the expected files (CSV files byte for byte; rejects and
# disputes on every column but the product's own detail wording), the
# conservation figures hold, every bundle verifies with settle verify and
# with stock tools, a done date is a no-op, --force gives byte-identical
# outputs, and dates out of order, a held lock, a missing input and a
# refused file all stop the run before anything is written.
set -u
BUILD=${1:-build}
top=$(pwd)
bin=$top/$BUILD/bin
S=$top/fixtures/samples
sel="python3 $top/tests/lib/csvsel.py"
tmp=$(mktemp -d "${TMPDIR:-/tmp}/settle-run.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
pass=0
fail=0

ok() { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "FAIL $*"; }
check() { if cmp -s "$2" "$3"; then ok; else bad "$1"; diff "$3" "$2" | head -6; fi; }

cp -r "$S/data" "$tmp/d"
chmod -R u+w "$tmp/d"
cp -r "$top/schemas" "$tmp/d/schemas"
cd "$tmp/d" || exit 1
run() { "$bin/settle-run" --config settle.yaml "$@" 2>>"$tmp/err"; }

for d in 26 27 28 29; do
	run --date 2026-11-$d || bad "run 2026-11-$d exit $?"
	out=outbox/2026-11-$d
	exp=$S/expected/2026-11-$d
	for f in charges.csv matches.csv payouts.csv offices.csv \
	    statement-GP.csv statement-ROBI.csv statement-BL.csv \
	    statement-TT.csv; do
		check "$d $f" "$out/$f" "$exp/$f"
	done
	$sel "$out/rejects.csv" source_file,source_line,reason,raw >"$tmp/g"
	$sel "$exp/rejects.csv" source_file,source_line,reason,raw >"$tmp/w"
	check "$d rejects" "$tmp/g" "$tmp/w"
	cols=dispute_id,operator,reason,order_ref,charge_ids,msisdn,amount_poisha
	$sel "$out/disputes.csv" $cols >"$tmp/g"
	$sel "$exp/disputes.csv" $cols >"$tmp/w"
	check "$d disputes" "$tmp/g" "$tmp/w"
	for op in GP ROBI BL TT; do
		b=$out/bundle-$op-2026-11-$d.tar.gz
		"$bin/settle-verify" -q --pubkey keys/TEST-ONLY-bpo-ed25519.pub.pem \
		    "$b" && ok || bad "settle verify $b"
		rm -rf "$tmp/x" && mkdir "$tmp/x" && tar -mxzf "$b" -C "$tmp/x" &&
		    (cd "$tmp/x" && sha256sum --strict -c MANIFEST >/dev/null &&
		    openssl pkeyutl -verify -pubin -inkey \
		    "$tmp/d/keys/TEST-ONLY-bpo-ed25519.pub.pem" -rawin \
		    -in MANIFEST -sigfile MANIFEST.sig >/dev/null) && ok ||
		    bad "stock tools on $b"
		$sel "$tmp/x/matches.csv" operator | grep -v "^operator$" |
		    grep -qv "^$op$" && bad "$b holds another operator's" \
		    "matches" || ok
		# the bundle's matches.csv: the outbox's rows of its operator,
		# byte for byte
		python3 -c 'import csv, sys
lines = open(sys.argv[1], "rb").read().decode().splitlines(True)
keep = [lines[0]] + [l for l in lines[1:]
    if next(csv.reader([l]))[2] == sys.argv[2]]
sys.stdout.write("".join(keep))' "$out/matches.csv" $op >"$tmp/w"
		check "$b matches.csv" "$tmp/x/matches.csv" "$tmp/w"
	done
done

# The conservation figures of the samples' README, date by date.
set -- \
 '"matched_net": 1399700, "goods": 1057798, "delivery": 193474, "postage": 148428, "operator_share": 228463, "dcb_fee": 158671, "merchant_payouts": 899127, "bpo_income": 272110, "ok": true' \
 '"matched_net": 1385614, "goods": 1053230, "delivery": 218250, "postage": 114134, "operator_share": 187878, "dcb_fee": 157984, "merchant_payouts": 895246, "bpo_income": 302490, "ok": true' \
 '"matched_net": 1624768, "goods": 1289746, "delivery": 195700, "postage": 139322, "operator_share": 193910, "dcb_fee": 193461, "merchant_payouts": 1096285, "bpo_income": 334573, "ok": true' \
 '"matched_net": 1667501, "goods": 1294064, "delivery": 204164, "postage": 169273, "operator_share": 209261, "dcb_fee": 194109, "merchant_payouts": 1099955, "bpo_income": 358285, "ok": true'
for d in 26 27 28 29; do
	grep -qF "$1" outbox/2026-11-$d/summary.json && ok ||
	    bad "conservation 2026-11-$d"
	shift
done
[ "$(grep -h '^pending_groups' outbox/2026-11-29/statement-*.csv |
    awk -F, '{s += $2} END {print s}')" = 19 ] && ok || bad "19 pending"

# A done date is a no-op; --force recomputes it byte for byte.
cp -r outbox/2026-11-28 "$tmp/before"
cp state/state-2026-11-29.txt "$tmp/state29"
run --date 2026-11-28 && ok || bad "no-op exit"
rm -rf outbox/2026-11-28/summary.json
run --date 2026-11-28 && [ ! -e outbox/2026-11-28/summary.json ] && ok ||
    bad "a done date was run again"
run --date 2026-11-28 --force && diff -r "$tmp/before" outbox/2026-11-28 \
    >/dev/null && ok || bad "--force of 2026-11-28 differs"
run --date 2026-11-29 --force && cmp -s "$tmp/state29" \
    state/state-2026-11-29.txt && ok || bad "--force of the last date"

# Dates in order: a gap is refused (64), nothing written.
run --date 2026-12-01; [ $? = 64 ] && [ ! -e outbox/2026-12-01 ] && ok ||
    bad "a gap in the dates"

# A date before the state's first date is refused (64), even without --force.
run --date 2026-11-20; [ $? = 64 ] && ok || bad "a date before the first"

# A bad configuration: 78 with file:line: and the key.
sed 's/^window_hours: 72/window_hours: 0/' settle.yaml >bad.yaml
"$bin/settle-run" --config bad.yaml --date 2026-11-30 2>"$tmp/cfg"
[ $? = 78 ] && grep -q "bad.yaml:[0-9]*: field 'window_hours'" "$tmp/cfg" &&
    ok || bad "bad configuration"
sed 's/{YYYYMMDD}.csv.gz/x.csv.gz/' settle.yaml >bad.yaml
"$bin/settle-run" --config bad.yaml --date 2026-11-30 2>/dev/null
[ $? = 78 ] && ok || bad "a pattern without a date"

# A held lock: exit 75 at once.
if command -v flock >/dev/null; then
	flock state/LOCK sh -c "'$bin/settle-run' --config settle.yaml \
	    --date 2026-11-30 2>/dev/null; echo \$? >'$tmp/lockrc'"
	[ "$(cat "$tmp/lockrc")" = 75 ] && ok || bad "lock: $(cat "$tmp/lockrc")"
fi

# A missing input: 66, nothing written, the state unmoved.
run --date 2026-11-30; [ $? = 66 ] && [ ! -e outbox/2026-11-30 ] &&
    grep -q 2026-11-29 state/LAST && ok || bad "missing input"

# A refused file: 65, nothing written, the state unmoved.
for f in inbox/*20261129* inbox/*2026-11-29* inbox/*29112026*; do
	n=$(echo "$f" | sed 's/29112026/30112026/; s/20261129/20261130/;
	    s/2026-11-29/2026-11-30/')
	cp "$f" "$n"
done
sed -i 's/^T\t\([0-9]*\)\t\([0-9]*\)$/T\t\1\t1\2/' inbox/TT_DCB_20261130.dat
sed -i 's/^H\tTELETALK\t20261129/H\tTELETALK\t20261130/' inbox/TT_DCB_20261130.dat
run --date 2026-11-30; [ $? = 65 ] && [ ! -e outbox/2026-11-30 ] &&
    grep -q 2026-11-29 state/LAST && ok || bad "refused file"
grep -q "TT_DCB_20261130.dat.*trailer sum" "$tmp/err" && ok ||
    bad "the refusal names the file and the trailer"

# The SPEC's defaults stand in for absent keys, and an encrypted signing
# key is opened with its passphrase file: the first date's outputs are
# the same.
mkdir "$tmp/e" && cp -r inbox schemas "$tmp/e/" && mkdir "$tmp/e/keys"
cp "$top/tests/keys/TEST-ONLY-bpo-ed25519.enc.pem" \
    "$top/tests/keys/TEST-ONLY-passphrase.txt" "$tmp/e/keys/"
grep -v '^window_hours\|^dedup_days\|^per_charge_cap_poisha\|^signing_key' \
    settle.yaml >"$tmp/e/settle.yaml"
printf 'signing_key: keys/TEST-ONLY-bpo-ed25519.enc.pem\n%s\n' \
    'signing_key_passphrase_file: keys/TEST-ONLY-passphrase.txt' \
    >>"$tmp/e/settle.yaml"
"$bin/settle-run" --config "$tmp/e/settle.yaml" --date 2026-11-26 \
    2>>"$tmp/err" && diff -r outbox/2026-11-26 "$tmp/e/outbox/2026-11-26" \
    >/dev/null && ok || bad "defaults and an encrypted key"

# Under SAN=1 a sanitizer report on stderr fails the story.
grep -q "Sanitizer\|runtime error" "$tmp/err" && bad "sanitizer report" || ok

echo "samples run: $pass passed, $fail failed"
[ $fail -eq 0 ]
