#!/bin/sh
# Story: a GP file larger than settle ingest's memory budget for held rows.
# The rows spill to a temporary file and come back in (operator, charge_id)
# order: the same file with its records shuffled gives the same rows (only
# source_line differs), and a temporary folder that cannot be written is a
# clean exit 74 with a message and no rows at all.  settle run keeps each
# operator's accepted ids in a temporary file while it reads: a folder
# that is missing, or a disk that fills while those files are written, is
# an exit 74 with the reason, nothing published and the state unmoved, and
# the next run succeeds.
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

# settle run: a day large enough that the id files are written while the
# operators' files are read (the first flush comes after about 5,000 ids).
run=$tmp/run
if "$gen" --date 2026-11-26 --charges 20000 --config --out "$run" \
    2>/dev/null && cp -R "$top/schemas" "$run/schemas" &&
    mkdir "$run/keys" &&
    cp "$top/tests/keys/TEST-ONLY-bpo-ed25519.pem" "$run/keys/bpo-ed25519.pem"
then
	:
else
	echo "FAIL settle-gen for settle run"
	exit 1
fi
settle_run() {
	(cd "$run" && "$@" "$bin/settle-run" --config settle.yaml \
	    --date 2026-11-26 </dev/null)
}

# nothing_left WHAT: no outbox for the date, no state beyond the lock.
nothing_left() {
	if [ -e "$run/outbox/2026-11-26" ] ||
	    ls "$run/outbox" 2>/dev/null | grep -q . ||
	    ls "$run/state" 2>/dev/null | grep -v '^LOCK$' | grep -q .; then
		bad "$1: something was left: $(ls -A "$run/outbox" \
		    "$run/state" 2>/dev/null | tr '\n' ' ')"
		return 1
	fi
	return 0
}

settle_run env TMPDIR="$tmp/missing" 2>"$tmp/err"
s=$?
if [ $s -eq 74 ] && grep -q "^settle run: .*temporary file in $tmp/missing" \
    "$tmp/err" && nothing_left "settle run, no temporary folder"; then
	ok "settle run, no temporary folder: exit 74, a message, nothing left"
else
	bad "settle run, no temporary folder (exit $s): $(head -n 1 "$tmp/err")"
fi

if command -v strace >/dev/null 2>&1; then
	# The first write of every thread fails: while the files are read,
	# the only writers are the readers' id files (the message on stderr,
	# the main thread's first write, is lost too).
	# (LeakSanitizer cannot work under ptrace: off for this run.)
	settle_run env ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0" \
	    strace -f -o "$tmp/trace" -e trace=write \
	    -e inject=write:error=ENOSPC:when=1 2>"$tmp/err"
	s=$?
	if [ $s -eq 74 ] && grep -q 'write([0-9]*, "id\\t.*INJECTED' \
	    "$tmp/trace" && nothing_left "settle run, disk full in the id files"
	then
		ok "settle run, disk full in the id files: exit 74, nothing left"
	else
		bad "settle run, disk full in the id files (exit $s)"
	fi
else
	echo "skip settle run, disk full in the id files: no strace"
fi

settle_run env 2>"$tmp/err"
s=$?
if [ $s -eq 0 ] && [ "$(grep -c '^id	' \
    "$run/state/ids-2026-11-26.txt")" -eq "$(($(wc -l \
    <"$run/outbox/2026-11-26/charges.csv") - 1))" ]; then
	ok "settle run after the failures: one id line a charge row"
else
	bad "settle run after the failures (exit $s): $(head -n 1 "$tmp/err")"
fi

echo "$pass passed, $fail failed"
[ $fail -eq 0 ]
