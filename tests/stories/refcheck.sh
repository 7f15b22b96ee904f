#!/bin/sh
# Cross-check of settle run against an independent model of the SPEC
# (tests/refcheck/refsettle.py): the sample days, hand-made edge cases with
# two window lengths, and generated days across a month boundary with
# anomalies and low share tiers.  Any difference fails.
set -u
BUILD=${1:-build}
export BUILD
tmp=$(mktemp -d "${TMPDIR:-/tmp}/settle-ref.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
export REFCHECK_TMP=$tmp
pass=0
fail=0
for args in "samples" "scen 72" "scen 24" "gen 5 0.05 800" "gen 11 0.2 400"; do
	# shellcheck disable=SC2086
	if sh tests/refcheck/run.sh $args >"$tmp/log" 2>&1; then
		pass=$((pass + 1))
	else
		fail=$((fail + 1))
		echo "FAIL refcheck $args"
		tail -20 "$tmp/log"
	fi
done
echo "refcheck: $pass passed, $fail failed"
[ $fail -eq 0 ]
