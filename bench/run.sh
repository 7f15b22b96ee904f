#!/bin/sh
# Benchmarks (figures, not tests), run from the repository root by
# "make bench" as: sh bench/run.sh BUILD_DIR
#
# Generates a business day of 1,000,000 charges with settle-gen in a
# scratch folder, then for each operator file times settle-ingest against
# csvcount, a bare libcsv loop over the same bytes: the limit of any
# parser built on libcsv.  Then ingests 2,000,000 rows of one dialect to
# show whether memory grows with the size of the file.  Last, runs
# bench/run-bench.sh (the nightly run, "settle run"; see there).
#
# Environment: BENCH_CHARGES (default 1000000), BENCH_BIG (default
# 2000000), BENCH_RUNS (best of, default 3), TMPDIR.  A missing or failing
# settle-ingest is reported as n/a.

# Word splitting of command output and of the dialect table is wanted here.
# shellcheck disable=SC2046,SC2086

set -u

BUILD=${1:-build}
GEN=$BUILD/tools/settle-gen
CSVCOUNT=$BUILD/tools/csvcount
INGEST=$BUILD/bin/settle-ingest
CHARGES=${BENCH_CHARGES:-1000000}
BIG=${BENCH_BIG:-2000000}
RUNS=${BENCH_RUNS:-3}
DATE=2026-11-26
YMD=20261126
DMY=26112026
TIME=/usr/bin/time

for t in "$GEN" "$CSVCOUNT"; do
	if [ ! -x "$t" ]; then
		echo "bench: $t is missing; run make first" >&2
		exit 1
	fi
done

# GNU time gives CPU time and peak RSS; install it where we may.
have_gnu_time() {
	[ -x "$TIME" ] && "$TIME" -f %M -o /dev/null true >/dev/null 2>&1
}
if ! have_gnu_time; then
	if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
		echo "bench: installing GNU time (Debian package 'time')" >&2
		export DEBIAN_FRONTEND=noninteractive
		apt-get install -y -qq time >/dev/null 2>&1 ||
			{ apt-get update -qq >/dev/null 2>&1 &&
			  apt-get install -y -qq time >/dev/null 2>&1; }
	fi
	if ! have_gnu_time; then
		echo "bench: GNU time is missing; as root run:" >&2
		echo "  apt-get update && apt-get install -y time" >&2
		echo "bench: going on with wall times only" >&2
		TIME=
	fi
fi

SCRATCH=$(mktemp -d "${TMPDIR:-/tmp}/settle-bench.XXXXXX") || exit 1
trap 'rm -rf "$SCRATCH"' EXIT
trap 'exit 130' HUP INT PIPE TERM

# once NAME CMD...: run CMD once with stdout to /dev/null; sets WALL, CPU,
# RSS (MB) and STATUS; the command's stderr is kept in $SCRATCH/NAME.err.
once() {
	name=$1
	shift
	if [ -n "$TIME" ]; then
		"$TIME" -f '%e %U %S %M' -o "$SCRATCH/$name.time" "$@" \
		    >/dev/null 2>"$SCRATCH/$name.err"
		STATUS=$?
		set -- $(tail -n 1 "$SCRATCH/$name.time")
		WALL=$1
		CPU=$(awk -v u="$2" -v s="$3" 'BEGIN { printf "%.2f", u + s }')
		RSS=$(awk -v k="$4" 'BEGIN { printf "%.1f", k / 1024 }')
	else
		t0=$(date +%s.%N)
		"$@" >/dev/null 2>"$SCRATCH/$name.err"
		STATUS=$?
		t1=$(date +%s.%N)
		WALL=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.2f", b - a }')
		CPU=n/a
		RSS=n/a
	fi
}

# measure NAME CMD...: the fastest of $RUNS runs (a shared machine only
# ever slows a run down); stops at the first failure.
measure() {
	best_wall='' best_cpu='' best_rss=''
	i=0
	while [ "$i" -lt "$RUNS" ]; do
		once "$@"
		[ "$STATUS" -ne 0 ] && return
		if [ -z "$best_wall" ] || awk -v a="$WALL" -v b="$best_wall" \
		    'BEGIN { exit !(a < b) }'; then
			best_wall=$WALL best_cpu=$CPU best_rss=$RSS
		fi
		i=$((i + 1))
	done
	WALL=$best_wall CPU=$best_cpu RSS=$best_rss
}

# rate AMOUNT SECONDS: AMOUNT per second, or n/a.
rate() {
	awk -v a="$1" -v s="$2" 'BEGIN {
		if (s == "n/a" || a == "n/a") print "n/a";
		else if (s + 0 <= 0) print "inf";
		else printf "%.1f", a / s }'
}

# ingest NAME SCHEMA FILE: time settle-ingest; IWALL/ICPU/IRSS or n/a.
ingest() {
	IWALL=n/a ICPU=n/a IRSS=n/a
	if [ ! -x "$INGEST" ]; then
		INOTE="settle-ingest not built"
		return
	fi
	measure "$1" "$INGEST" --schema "$2" "$3"
	if [ "$STATUS" -ne 0 ]; then
		INOTE="settle-ingest exit $STATUS: $(head -n 1 "$SCRATCH/$1.err")"
		return
	fi
	IWALL=$WALL ICPU=$CPU IRSS=$RSS INOTE=
}

echo "settle bench: $CHARGES charges on $DATE, scratch $SCRATCH"
once gen "$GEN" --date "$DATE" --charges "$CHARGES" --out "$SCRATCH/day"
if [ "$STATUS" -ne 0 ]; then
	echo "bench: settle-gen failed:" >&2
	cat "$SCRATCH/gen.err" >&2
	exit 1
fi
echo "settle-gen: $WALL s wall, $CPU s cpu, $RSS MB peak RSS"
echo
INBOX=$SCRATCH/day/inbox
NOTES=

printf '%-7s %9s %7s | %-28s | %-20s | %7s\n' "" "" "" \
    "settle-ingest" "csvcount" "ingest/"
printf '%-7s %9s %7s | %6s %6s %7s %9s %6s | %6s %7s %6s | %7s\n' \
    dialect rows "MB" wall cpu "MB/s" "rows/s" RSS wall "MB/s" RSS \
    csvcount
for spec in "GP , GP_DCB_$YMD.csv.gz gp" \
    "ROBI | robi_dcb_$DATE.txt robi" \
    "BL ; BL-DCB-$DMY.csv bl" \
    "TT tab TT_DCB_$YMD.dat tt"; do
	set -- $spec
	op=$1 delim=$2 file=$INBOX/$3 schema=schemas/$4.yaml
	# a first pass reads the sizes and warms the page cache
	if ! out=$("$CSVCOUNT" -d "$delim" "$file" 2>&1); then
		echo "$op: csvcount failed: $out"
		continue
	fi
	set -- $out
	rows=$(($2 - 2))
	mb=$(awk -v b="$6" 'BEGIN { printf "%.1f", b / 1048576 }')
	measure "csv-$op" "$CSVCOUNT" -d "$delim" "$file"
	cwall=$WALL crss=$RSS
	cmbs=$(rate "$mb" "$cwall")
	ingest "ingest-$op" "$schema" "$file"
	imbs=$(rate "$mb" "$IWALL")
	irows=$(rate "$rows" "$IWALL")
	ratio=$(awk -v i="$imbs" -v c="$cmbs" 'BEGIN {
		if (i == "n/a" || c + 0 <= 0) print "n/a";
		else printf "%.0f%%", 100 * i / c }')
	printf '%-7s %9d %7s | %6s %6s %7s %9s %6s | %6s %7s %6s | %7s\n' \
	    "$op" "$rows" "$mb" "$IWALL" "$ICPU" "$imbs" \
	    "$(awk -v r="$irows" 'BEGIN { if (r == "n/a") print r;
		else printf "%.0f", r }')" "$IRSS" "$cwall" "$cmbs" "$crss" \
	    "$ratio"
	[ -n "$INOTE" ] && NOTES="$NOTES
  $op: $INOTE"
	if [ "$op" = GP ]; then
		GP_ROWS=$rows GP_MB=$mb GP_WALL=$IWALL GP_MBS=$imbs GP_RSS=$IRSS
	fi
done
echo
echo "Best of $RUNS run(s).  MB: uncompressed text (GP is read through gzip);"
echo "wall and cpu (user + sys) in s;"
echo "RSS: peak resident set in MB; ingest/csvcount: settle-ingest's"
echo "throughput as a share of the bare libcsv loop's."
[ -n "$NOTES" ] && echo "n/a:$NOTES"

# Memory against file size: the same dialect at BIG rows.
big_line() {
	printf '  %9s rows %7s MB: settle-ingest %6s s wall, %7s MB/s, ' \
	    "$1" "$2" "$3" "$4"
	printf 'peak RSS %s MB\n' "$5"
}
big_file() {
	rm -rf "$SCRATCH/day"
	echo
	echo "GP at $BIG rows (settle-gen --mix 100:0:0:0):"
	once gen2 "$GEN" --date "$DATE" --charges "$BIG" --mix 100:0:0:0 \
	    --out "$SCRATCH/big"
	if [ "$STATUS" -ne 0 ]; then
		echo "  settle-gen failed: $(head -n 1 "$SCRATCH/gen2.err")"
		return
	fi
	file=$SCRATCH/big/inbox/GP_DCB_$YMD.csv.gz
	rm -f "$SCRATCH/big/inbox/"*_orders_*
	if ! out=$("$CSVCOUNT" -d , "$file" 2>&1); then
		echo "  csvcount failed: $out"
		return
	fi
	set -- $out
	rows=$(($2 - 2))
	mb=$(awk -v b="$6" 'BEGIN { printf "%.1f", b / 1048576 }')
	ingest ingest-big schemas/gp.yaml "$file"
	big_line "${GP_ROWS:-n/a}" "${GP_MB:-n/a}" "${GP_WALL:-n/a}" \
	    "${GP_MBS:-n/a}" "${GP_RSS:-n/a}"
	big_line "$rows" "$mb" "$IWALL" "$(rate "$mb" "$IWALL")" "$IRSS"
	[ -n "$INOTE" ] && echo "  n/a: $INOTE"
	awk -v a="${GP_RSS:-n/a}" -v b="$IRSS" -v ra="${GP_ROWS:-0}" \
	    -v rb="$rows" '
	    BEGIN {
		if (a == "n/a" || b == "n/a" || ra == 0) exit;
		verdict = "memory grows with the file";
		if (b / a < 1.5)
			verdict = "memory does not grow with the file";
		printf "  rows x%.1f, peak RSS x%.2f: %s\n", rb / ra, b / a,
		    verdict
	    }'
}
big_file
rm -rf "$SCRATCH/big"

# The nightly run, whatever happened above: bench/run-bench.sh reports
# what it cannot measure, and its failure does not fail the bench.
echo
sh "$(dirname "$0")/run-bench.sh" "$BUILD" ||
	echo "bench: bench/run-bench.sh exited $?" >&2
exit 0
