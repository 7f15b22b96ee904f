#!/bin/sh
# Nightly-run benchmark (figures, not tests), run from the repository root
# by bench/run.sh (so by "make bench") as: sh bench/run-bench.sh BUILD_DIR
#
# Times "settle run" (wall, user + sys CPU, peak RSS, with GNU time) on
# days made by settle-gen (the four operator dialects and the two order
# files, with matching orders):
#   1. a day of 1,000,000 charges from an empty state (and the next day
#      with only that day's ids behind it);
#   2. a day of 3,000,000 charges from an empty state: how memory grows;
#   3. a day of 1,000,000 charges with a full dedup window behind it: the
#      state of a real day D-1 with 79 synthetic days of 1,000,000 ids each
#      (business dates D-80 .. D-2), an id file each; scaled down to fewer
#      days when the free disk or memory is too small for it;
#   4. when Node.js and npm are there, the same day as 1 read by what an
#      auditor would write: DuckDB (npm package @duckdb/node-api, installed
#      into the scratch folder only) reading the successful charges of the
#      four operator files and the two order files with read_csv, a plain
#      join on the reference and per-operator count and amount;
#   5. the floor of case 1: libcsv reading its six files (csvcount), zlib
#      deflating its bundles' contents (floor deflate) and writing its
#      outbox and state with fsync (floor write), each timed alone; their
#      CPU over the cores is the least wall time of any run doing them.
#
# Each timed command starts after a sync, so that it does not pay for the
# writes of the steps before it.
#
# Environment: BENCH_RUN_CHARGES (default 1000000), BENCH_RUN_BIG (default
# 3000000), BENCH_WINDOW_DAYS (days in the dedup window of case 3, default
# 80; 0 skips it), BENCH_LEVEL (gzip level of the bundles, settle run's
# --level; default: settle run's own), BENCH_DUCKDB (0 skips case 4),
# TMPDIR.  Whatever is missing or fails is reported as n/a; the script
# always exits 0 once it has started.

# Word splitting of command output is wanted here.
# shellcheck disable=SC2046,SC2086

set -u

BUILD=${1:-build}
GEN=$BUILD/tools/settle-gen
RUN=$BUILD/bin/settle-run
CHARGES=${BENCH_RUN_CHARGES:-1000000}
BIG=${BENCH_RUN_BIG:-3000000}
WDAYS=${BENCH_WINDOW_DAYS:-80}
LEVEL=${BENCH_LEVEL:-}
DUCKDB=${BENCH_DUCKDB:-1}
DATE=2026-11-26			# D: the day measured with a window behind it
PREV=2026-11-25			# D - 1: the first day, from an empty state
TIME=/usr/bin/time
REPO=$(pwd)
KEY=$REPO/tests/keys/TEST-ONLY-bpo-ed25519.pem

echo "settle run bench: $CHARGES charges a day, $(nproc 2>/dev/null ||
    echo '?') CPUs"
for t in "$GEN" "$RUN"; do
	if [ ! -x "$t" ]; then
		echo "run-bench: $t is missing; run make first (skipped)"
		exit 0
	fi
done
if [ ! -d "$REPO/schemas" ] || [ ! -r "$KEY" ]; then
	echo "run-bench: run from the repository root (schemas/, tests/keys/)"
	exit 0
fi
if [ -x "$TIME" ] && "$TIME" -f %M -o /dev/null true >/dev/null 2>&1; then
	:
else
	echo "run-bench: GNU time is missing: wall times only"
	TIME=
fi

SCRATCH=$(mktemp -d "${TMPDIR:-/tmp}/settle-runbench.XXXXXX") || exit 0
trap 'rm -rf "$SCRATCH"' EXIT
trap 'exit 130' HUP INT PIPE TERM
ROWS=$SCRATCH/rows
NOTES=$SCRATCH/notes
: >"$ROWS"

say() {
	echo "run-bench: $*" >&2
}

# note CASE TEXT: a line under the table, grouped by case.
note() {
	k=$1
	shift
	printf '%-2s %s\n' "$k" "$*" >>"$NOTES.$k"
}

# once NAME CMD...: run CMD once with stdout to $SCRATCH/NAME.out and
# stderr to $SCRATCH/NAME.err; sets WALL, CPU (user + sys), RSS (MB) and
# STATUS.
once() {
	name=$1
	shift
	if [ -n "$TIME" ]; then
		"$TIME" -f '%e %U %S %M' -o "$SCRATCH/$name.time" "$@" \
		    >"$SCRATCH/$name.out" 2>"$SCRATCH/$name.err"
		STATUS=$?
		set -- $(tail -n 1 "$SCRATCH/$name.time")
		WALL=$1
		CPU=$(awk -v u="$2" -v s="$3" 'BEGIN { printf "%.2f", u + s }')
		RSS=$(awk -v k="$4" 'BEGIN { printf "%.1f", k / 1024 }')
	else
		t0=$(date +%s.%N)
		"$@" >"$SCRATCH/$name.out" 2>"$SCRATCH/$name.err"
		STATUS=$?
		t1=$(date +%s.%N)
		WALL=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.2f", b - a }')
		CPU=n/a
		RSS=n/a
	fi
}

# row CASE CHARGES WINDOW_IDS STATE_IN STATE_OUT: a table row from the
# last once (n/a when it failed).
row() {
	if [ "$STATUS" -ne 0 ]; then
		WALL=n/a CPU=n/a RSS=n/a
	fi
	printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$1" "$2" "$3" "$WALL" \
	    "$CPU" "$RSS" "$4" "$5" >>"$ROWS"
}

# failed CASE WHAT NAME: the note for a command that exited non-zero.
failed() {
	note "$1" "$2: exit $STATUS: $(head -n 1 "$SCRATCH/$3.err")"
}

# setup DIR: the schemas and the test key where DIR/settle.yaml expects
# them.
setup() {
	cp -R "$REPO/schemas" "$1/schemas" && mkdir -p "$1/keys" &&
	    cp "$KEY" "$1/keys/bpo-ed25519.pem"
}

# settle_run NAME CONFIG DATE: time settle run.
settle_run() {
	# what earlier steps wrote goes to disk first, not during the run
	sync
	if [ -n "$LEVEL" ]; then
		once "$1" "$RUN" --config "$2" --date "$3" --level "$LEVEL"
	else
		once "$1" "$RUN" --config "$2" --date "$3"
	fi
}

# ids FILE...: the number of 'id' lines of state id files.
ids() {
	cat "$@" 2>/dev/null | grep -c '^id	'
}

# statemb STATE DATE: the MB of the snapshot and id file a run of DATE
# wrote into the folder STATE.
statemb() {
	if [ -f "$1/state-$2.txt" ] && [ -f "$1/ids-$2.txt" ]; then
		awk -v b="$(cat "$1/state-$2.txt" "$1/ids-$2.txt" | wc -c)" \
		    'BEGIN { printf "%.1f", b / 1048576 }'
	else
		echo n/a
	fi
}

# summary NAME: settle run's summary line, shortened.
summary() {
	sed -n 's/^settle run: \(.*\); outputs in .*/\1/p' "$SCRATCH/$1.err" |
	    head -n 1
}

# ---- 1. a day from an empty state; then the next day with one behind

DAY=$SCRATCH/day
say "generating $PREV and $DATE at $CHARGES charges a day"
once gen "$GEN" --date "$PREV" --days 2 --charges "$CHARGES" --config \
    --out "$DAY"
if [ "$STATUS" -ne 0 ] || ! setup "$DAY"; then
	note 1 "settle-gen $CHARGES: exit $STATUS: $(head -n 1 "$SCRATCH/gen.err")"
	DAY=
fi
SNAP1=
if [ -n "$DAY" ]; then
	say "settle run $PREV (empty state)"
	settle_run run1 "$DAY/settle.yaml" "$PREV"
	SNAP1=$DAY/state/state-$PREV.txt
	row "1  empty state" "$CHARGES" 0 - "$(statemb "$DAY/state" "$PREV")"
	if [ "$STATUS" -ne 0 ]; then
		failed 1 "settle run" run1
		SNAP1=
	else
		R1_RSS=$RSS
		note 1 "$(summary run1)"
	fi
fi
if [ -n "$SNAP1" ]; then
	# a copy of the state, so that case 3 still starts from state D-1
	sed -e 's/^state: state$/state: state1/' \
	    -e 's/^outbox: outbox$/outbox: outbox1/' \
	    "$DAY/settle.yaml" >"$DAY/settle-1.yaml"
	cp -R "$DAY/state" "$DAY/state1"
	say "settle run $DATE (one day of ids behind)"
	settle_run run1b "$DAY/settle-1.yaml" "$DATE"
	row "1b one day behind" "$CHARGES" "$(ids "$DAY/state/ids-$PREV.txt")" \
	    "$(statemb "$DAY/state" "$PREV")" \
	    "$(statemb "$DAY/state1" "$DATE")"
	if [ "$STATUS" -ne 0 ]; then
		failed 1b "settle run" run1b
	else
		R1B_RSS=$RSS
		note 1b "$(summary run1b)"
	fi
	rm -rf "$DAY/state1" "$DAY/outbox1"
fi

# ---- 5. the floor: what the run of case 1 cannot do without, alone

# Three parts of the work whose cost no code of settle's can lower, each
# timed on its own over case 1's bytes: libcsv reading the six input
# files (csvcount), zlib deflating the bundles' contents at the run's
# level, and writing the outbox and the state (1 MiB writes, fsync).
# Their CPU summed, over the cores, is the least wall time any run that
# reads these files and writes these outputs can take.
floor_case() {
	FLOOR=$BUILD/tools/floor CSVCOUNT=$BUILD/tools/csvcount
	out=$DAY/outbox/$PREV
	if [ ! -x "$FLOOR" ] || [ ! -x "$CSVCOUNT" ]; then
		note 5 "skipped: $FLOOR or $CSVCOUNT not built"
		return
	fi
	if [ -z "$SNAP1" ] || [ ! -d "$out" ]; then
		note 5 "skipped: no outputs from case 1"
		return
	fi
	ymd=$(echo "$PREV" | tr -d -)
	dmy=$(echo "$PREV" | awk -F - '{ print $3 $2 $1 }')
	parse=0
	sync
	for spec in ", GP_DCB_$ymd.csv.gz" "| robi_dcb_$PREV.txt" \
	    "; BL-DCB-$dmy.csv" "tab TT_DCB_$ymd.dat" \
	    ", bpo_orders_$ymd.csv" ", ecab_orders_$ymd.csv"; do
		set -- $spec
		once "floor-$2" "$CSVCOUNT" -d "$1" "$DAY/inbox/$2"
		if [ "$STATUS" -ne 0 ] || [ "$CPU" = n/a ]; then
			note 5 "skipped: csvcount $2 failed or no CPU time"
			return
		fi
		parse=$(awk -v a="$parse" -v b="$CPU" 'BEGIN { print a + b }')
	done
	for b in "$out"/bundle-*.tar.gz; do
		gzip -dc "$b"
	done >"$SCRATCH/bundles.tar" || {
		note 5 "skipped: the bundles would not decompress"
		return
	}
	lv=${LEVEL:-1}
	sync
	if ! z=$("$FLOOR" deflate "$lv" "$SCRATCH/bundles.tar") ||
	    ! w=$("$FLOOR" write "$SCRATCH" "$out"/* \
	    "$DAY/state/state-$PREV.txt" "$DAY/state/ids-$PREV.txt"); then
		note 5 "skipped: floor failed"
		rm -f "$SCRATCH/bundles.tar"
		return
	fi
	rm -f "$SCRATCH/bundles.tar"
	set -- $z
	zin=$2 zcpu=$4
	set -- $w
	wbytes=$2 wcpu=$4
	ncpu=$(nproc 2>/dev/null || echo 1)
	FLOOR_CPU=$(awk -v a="$parse" -v b="$zcpu" -v c="$wcpu" \
	    'BEGIN { printf "%.2f", a + b + c }')
	FLOOR_WALL=$(awk -v t="$FLOOR_CPU" -v n="$ncpu" \
	    'BEGIN { printf "%.2f", t / n }')
	note 5 "libcsv reading the six files: $parse s CPU;" \
	    "zlib level $lv over the bundles' $((zin / 1048576)) MB: $zcpu s;"
	note 5 "writing and fsyncing the $((wbytes / 1048576)) MB of outbox" \
	    "and state: $wcpu s; sum $FLOOR_CPU s CPU, so at least" \
	    "$FLOOR_WALL s on $ncpu cores before any grouping, matching," \
	    "sorting or CSV formatting"
}
FLOOR_CPU=
floor_case

# ---- 4. DuckDB on the same day (done now, while its files are here)

YMD=$(echo "$PREV" | tr -d -)
DMY=$(echo "$PREV" | awk -F- '{ print $3 $2 $1 }')
duckdb_case() {
	if [ "$DUCKDB" = 0 ]; then
		note 4 "skipped (BENCH_DUCKDB=0)"
		return
	fi
	if [ -z "$DAY" ]; then
		note 4 "skipped: no generated day"
		return
	fi
	if ! nv=$(node --version 2>/dev/null); then
		note 4 "skipped: Node.js is not installed (node --version)"
		return
	fi
	if ! command -v npm >/dev/null 2>&1; then
		note 4 "skipped: Node.js $nv but no npm to install @duckdb/node-api"
		return
	fi
	DDIR=$SCRATCH/duckdb
	mkdir -p "$DDIR"
	say "npm install @duckdb/node-api (scratch folder only)"
	to=
	command -v timeout >/dev/null 2>&1 && to="timeout 600"
	$to npm install --prefix "$DDIR" --no-audit --no-fund --no-save \
	    --loglevel=error @duckdb/node-api >"$SCRATCH/npm.log" 2>&1
	st=$?
	if [ "$st" -ne 0 ]; then
		why="exit $st"
		[ "$st" = 124 ] && [ -n "$to" ] && why="timed out after 600 s"
		note 4 "skipped: npm install @duckdb/node-api failed ($why):"
		# its messages, without stack frames and object dumps
		grep -v -e '^npm error *$' -e '^npm error  ' \
		    -e '^npm error }' "$SCRATCH/npm.log" | head -n 4 |
		    sed 's/^/     /' >>"$NOTES.4"
		return
	fi
	dv=$(sed -n 's/^ *"version": *"\([^"]*\)".*/\1/p' \
	    "$DDIR/node_modules/@duckdb/node-api/package.json" | head -n 1)
	cat >"$DDIR/audit.js" <<'EOF'
'use strict';
// An auditor's plain join: successful charges of the four operator files
// joined to the two order files on the reference, count and amount (poisha)
// per operator.  Arguments: inbox folder, YYYYMMDD, YYYY-MM-DD, DDMMYYYY.
const { DuckDBInstance } = require('@duckdb/node-api');

const [inbox, ymd, iso, dmy] = process.argv.slice(2);
const f = (name) => `'${inbox}/${name}'`;
const sql = `
WITH gp AS (
  SELECT 'GP' AS op, MERCHANT_REF AS ref,
         CAST(round(CAST(AMOUNT_BDT AS DECIMAL(18,2)) * 100) AS BIGINT) AS amt
  FROM read_csv(${f(`GP_DCB_${ymd}.csv.gz`)}, delim=',', header=true,
                all_varchar=true, null_padding=true)
  WHERE TXN_ID <> 'TRAILER' AND TXN_TYPE = 'CHARGE' AND RESULT = '0'),
robi AS (
  SELECT 'ROBI' AS op, ref, CAST(amount_poisha AS BIGINT) AS amt
  FROM read_csv(${f(`robi_dcb_${iso}.txt`)}, delim='|', header=true,
                all_varchar=true, null_padding=true)
  WHERE id <> '#EOF' AND type = 'C' AND status = 'SUCCESS'),
bl AS (
  SELECT 'BL' AS op, "Reference" AS ref,
         CAST(round(CAST("Amount" AS DECIMAL(18,2)) * 100) AS BIGINT) AS amt
  FROM read_csv(${f(`BL-DCB-${dmy}.csv`)}, delim=';', header=true,
                all_varchar=true, null_padding=true)
  WHERE "Transaction ID" <> 'TOTAL' AND "Type" = 'DEBIT'
    AND "Status" = 'Charged'),
tt AS (
  SELECT 'TT' AS op, ref, CAST(amount AS BIGINT) AS amt
  FROM read_csv(${f(`TT_DCB_${ymd}.dat`)}, delim='\t', header=false,
                all_varchar=true, null_padding=true,
                names=['tag', 'id', 'msisdn', 'amount', 'at', 'ref', 'kind',
                       'status'])
  WHERE tag = 'D' AND kind = 'CHG' AND status = '00'),
charges AS (
  SELECT * FROM gp UNION ALL SELECT * FROM robi
  UNION ALL SELECT * FROM bl UNION ALL SELECT * FROM tt),
orders AS (
  SELECT tracking_no AS ref
  FROM read_csv(${f(`bpo_orders_${ymd}.csv`)}, header=true, all_varchar=true)
  UNION ALL
  SELECT order_ref AS ref
  FROM read_csv(${f(`ecab_orders_${ymd}.csv`)}, header=true, all_varchar=true))
SELECT c.op, count(*) AS n, sum(c.amt) AS amount_poisha
FROM charges c JOIN orders o ON c.ref = o.ref
GROUP BY c.op ORDER BY c.op`;

(async () => {
  process.chdir(__dirname);		// any spill files stay in scratch
  const db = await DuckDBInstance.create(':memory:');
  const con = await db.connect();
  const rows = (await con.runAndReadAll(sql)).getRowObjectsJson();
  for (const r of rows)
    console.log(`${r.op}\t${r.n}\t${r.amount_poisha}`);
})().catch((e) => {
  console.error(String((e && e.message) || e).split('\n')[0]);
  process.exit(1);
});
EOF
	say "DuckDB plain join on $PREV"
	sync
	once duck node "$DDIR/audit.js" "$DAY/inbox" "$YMD" "$PREV" "$DMY"
	DUCK_WALL=$WALL DUCK_CPU=$CPU DUCK_RSS=$RSS DUCK_STATUS=$STATUS
	if [ "$STATUS" -ne 0 ]; then
		failed 4 "node (DuckDB)" duck
		return
	fi
	note 4 "Node.js $nv, @duckdb/node-api $dv; join rows and poisha:"
	awk -F '\t' '{ printf "     %-5s %9s %15s\n", $1, $2, $3 }' \
	    "$SCRATCH/duck.out" >>"$NOTES.4"
}
DUCK_STATUS=
duckdb_case
rm -rf "$SCRATCH/duckdb"

# ---- 2. a bigger day from an empty state

if [ "$BIG" -gt 0 ] 2>/dev/null; then
	BDIR=$SCRATCH/big
	say "generating $DATE at $BIG charges"
	once genbig "$GEN" --date "$DATE" --charges "$BIG" --config \
	    --out "$BDIR"
	if [ "$STATUS" -ne 0 ] || ! setup "$BDIR"; then
		note 2 "settle-gen $BIG: exit $STATUS: $(head -n 1 \
		    "$SCRATCH/genbig.err")"
	else
		say "settle run $DATE at $BIG charges (empty state)"
		settle_run run2 "$BDIR/settle.yaml" "$DATE"
		row "2  empty state" "$BIG" 0 - \
		    "$(statemb "$BDIR/state" "$DATE")"
		if [ "$STATUS" -ne 0 ]; then
			failed 2 "settle run" run2
		else
			R2_RSS=$RSS
			note 2 "$(summary run2)"
		fi
	fi
	rm -rf "$BDIR"
else
	note 2 "skipped (BENCH_RUN_BIG=$BIG)"
fi

# ---- 3. a full dedup window behind the day

# Bytes an id is budgeted: on disk, its line in its id file; in memory,
# its slot in the dedup table with room.
DISK_PER_ID=60
MEM_PER_ID=100
window_case() {
	if [ "$WDAYS" -le 0 ] 2>/dev/null; then
		note 3 "skipped (BENCH_WINDOW_DAYS=$WDAYS)"
		return
	fi
	if [ -z "$SNAP1" ]; then
		note 3 "skipped: no state from case 1"
		return
	fi
	days=$WDAYS
	free_kb=$(df -Pk "$SCRATCH" | awk 'NR == 2 { print $4 }')
	mem_kb=$(awk '$1 == "MemAvailable:" { print $2 }' /proc/meminfo \
	    2>/dev/null)
	fit=$(awk -v d="$days" -v c="$CHARGES" -v f="${free_kb:-0}" \
	    -v m="${mem_kb:-0}" -v dp="$DISK_PER_ID" -v mp="$MEM_PER_ID" '
	    BEGIN {
		n = d;
		if (f > 0) { k = int(0.8 * f * 1024 / (dp * c)); if (k < n) n = k }
		if (m > 0) { k = int(0.8 * m * 1024 / (mp * c)); if (k < n) n = k }
		print n }')
	if [ "$fit" -lt "$days" ]; then
		note 3 "scaled down from $days to $fit days:" \
		    "$((free_kb / 1048576)) GB free on disk," \
		    "$((${mem_kb:-0} / 1048576)) GB memory available" \
		    "(budget: $DISK_PER_ID B of disk, $MEM_PER_ID B of memory" \
		    "an id)"
		days=$fit
	fi
	if [ "$days" -lt 2 ]; then
		note 3 "skipped: too little disk or memory for even 2 days"
		return
	fi
	# Synthetic ids: the operator's prefix, 'S' (never in a generated
	# id), YYMMDD and a 7-digit count, as long as settle-gen's own;
	# the day split like settle-gen's default mix; a made-up 16-hex
	# content hash.
	n=1
	dates=
	while [ "$n" -lt "$days" ]; do
		n=$((n + 1))
		d=$(date -u -d "$DATE - $n days" +%Y-%m-%d 2>/dev/null) || {
			note 3 "skipped: date -d (GNU date) is needed"
			return
		}
		dates="$d $dates"
	done
	SD=$DAY/state
	real_ids=$(ids "$SD/ids-$PREV.txt")
	say "adding $((days - 1)) synthetic days of $CHARGES ids to the state"
	t0=$(date +%s)
	st=0
	for d in $dates; do
		echo "$d" | awk -v per="$CHARGES" '
		BEGIN {
			split("BL GP ROBI TT", op, " ");
			split("BL-S GPS R-S TTS", pf, " ");
			split("25 40 25 10", share, " ");
		}
		{
			printf "settle-ids\t1\nrun_date\t%s\n", $1;
			yymmdd = substr($1, 3, 2) substr($1, 6, 2) \
			    substr($1, 9, 2);
			for (k = 1; k <= 4; k++) {
				n = int(per * share[k] / 100);
				for (i = 1; i <= n; i++) {
					h = (i * 2654435761 + NR * 40503) % \
					    4294967296;
					printf "id\t%s\t%s%s%07d\t%08x%08x\t%s\n",
					    op[k], pf[k], yymmdd, i, h,
					    (h * 69069 + k) % 4294967296, $1;
				}
			}
			print "end";
		}' >"$SD/ids-$d.txt" || st=1
	done
	# the state now starts with the first synthetic date
	echo $dates | cut -d ' ' -f 1 >"$SD/FIRST" || st=1
	t1=$(date +%s)
	if [ "$st" -ne 0 ]; then
		note 3 "skipped: writing the synthetic state failed"
		return
	fi
	wids=$(ids "$SD"/ids-*.txt)
	win_mb=$(awk -v b="$(cat "$SNAP1" "$SD"/ids-*.txt | wc -c)" \
	    'BEGIN { printf "%.1f", b / 1048576 }')
	note 3 "$days days in the window: $real_ids ids of $PREV (real)" \
	    "+ $((wids - real_ids)) synthetic ($((days - 1)) days from" \
	    "$(echo $dates | cut -d ' ' -f 1)), added in $((t1 - t0)) s"
	rm -rf "$DAY/outbox"	# only the state is needed from here on
	say "settle run $DATE with $wids ids in the window"
	settle_run run3 "$DAY/settle.yaml" "$DATE"
	row "3  ${days}-day window" "$CHARGES" "$wids" "$win_mb" \
	    "$(statemb "$SD" "$DATE")"
	if [ "$STATUS" -ne 0 ]; then
		failed 3 "settle run" run3
	else
		R3_RSS=$RSS R3_IDS=$wids R3_REAL=$real_ids
		note 3 "$(summary run3)"
	fi
}
window_case
rm -rf "$DAY"

# ---- the table

if [ -n "$DUCK_STATUS" ]; then
	STATUS=$DUCK_STATUS WALL=$DUCK_WALL CPU=$DUCK_CPU RSS=$DUCK_RSS
	row "4  DuckDB plain join" "$CHARGES" - - -
fi
if [ -n "$FLOOR_CPU" ]; then
	STATUS=0 WALL=$FLOOR_WALL CPU=$FLOOR_CPU RSS=-
	row "5  floor of case 1" "$CHARGES" - - -
fi
echo
printf '%-20s %9s %10s %8s %8s %9s %9s %9s\n' case charges "window ids" \
    "wall s" "cpu s" "RSS MB" "state in" "state out"
awk -F '\t' '{
	printf "%-20s %9s %10s %8s %8s %9s %9s %9s\n", $1, $2, $3, $4, $5,
	    $6, $7, $8 }' "$ROWS"
echo
echo "settle run unless said otherwise, one run each; wall and cpu (user +"
echo "sys, over all threads) in s; RSS: peak resident set; state in/out: the"
echo "state read (snapshot and id files of the window) and written (snapshot"
echo "and the run's id file), in MB.  Cases 1-3 write every output"
echo "(bundles signed and gzipped, files fsynced); case 4 only reads and joins;"
echo "case 5 is not a run: its cpu is the sum of the three parts timed alone"
echo "(see its notes), its wall that sum over the cores."
awk -v a="${R1_RSS:-n/a}" -v b="${R2_RSS:-n/a}" -v ca="$CHARGES" \
    -v cb="$BIG" 'BEGIN {
	if (a == "n/a" || b == "n/a" || a + 0 <= 0) exit;
	printf "Memory against day size: charges x%.1f, peak RSS x%.2f\n",
	    cb / ca, b / a }'
awk -v a="${R1B_RSS:-n/a}" -v b="${R3_RSS:-n/a}" -v ia="${R3_REAL:-0}" \
    -v ib="${R3_IDS:-0}" 'BEGIN {
	if (a == "n/a" || b == "n/a" || ib <= ia) exit;
	printf "Memory against the window: %d more ids, %.0f MB more peak RSS",
	    ib - ia, b - a;
	printf " (%.0f bytes an id)\n", (b - a) * 1048576 / (ib - ia) }'
if ls "$NOTES".* >/dev/null 2>&1; then
	echo
	echo "Notes:"
	for k in 1 1b 2 3 4 5; do
		[ -f "$NOTES.$k" ] && sed 's/^/  /' "$NOTES.$k"
	done
fi
exit 0
