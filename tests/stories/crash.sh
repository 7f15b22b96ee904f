#!/bin/sh
# The nightly run is safe to kill and to starve of disk (SPEC §8).
#
# A reference copy runs the four sample dates uninterrupted.  A second copy
# runs 2026-11-26..28, and then 2026-11-29 again and again from that same
# state under strace, which kills the run (SIGKILL) at the Nth call of one
# system call: every create, write, fsync, rename, mkdir and rmdir of the
# run, and a spread of the unlinks.
# After each kill the outbox holds 2026-11-29 complete or not at all, the
# state is the one before the date unless it moved after the outputs were
# in place, and a plain rerun succeeds with an outbox and a state folder
# byte-identical to the reference, nothing temporary left.  The same with
# failing calls (ENOSPC on write, create and mkdir, EIO on fsync and
# rename): the run exits 73 or 74 with a message, leaves no partial outbox
# and the previous state, and the next run puts everything right.  A
# --force of the last date is killed and failed the same way; that date is
# done throughout, so its outbox must stay in place.  Last, two runs on one
# state: the second exits 75 at once, and a holder killed with SIGKILL
# releases the lock.
#
# strace counts calls thread by thread: when=N stops the first thread to
# make its Nth call.  The points are numbered on the main thread's calls;
# writes and fsyncs of files with a name that stays the same from run to
# run, and the files other threads write (the rows, the bundles, the state
# snapshot), are reached through a path filter (-P), which counts only the
# calls on that file.
#
# Needs strace; without it (or without ptrace) the story is skipped.
set -u
BUILD=${1:-build}
top=$(pwd)
S=$top/fixtures/samples
# The points are kills of the process, not power cuts, so a file system in
# memory proves as much as a disk and spares the story thousands of slow
# fsyncs; TMPDIR, when set, decides.
scratch=/tmp
[ -d /dev/shm ] && [ -w /dev/shm ] && scratch=/dev/shm
tmp=$(mktemp -d "${TMPDIR:-$scratch}/settle-crash.XXXXXX") || exit 1
holder=
tracer=
# The lock holders this story starts, should it stop while they run.
cleanup() {
	for p in $holder $tracer; do
		kill -9 "$p" 2>/dev/null
	done
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 1' HUP INT PIPE TERM
pass=0
fail=0
ref=$tmp/ref
base=$tmp/base28
D=2026-11-29
start=$(date +%s)

if ! command -v strace >/dev/null 2>&1; then
	echo "skipped: strace not installed"
	exit 0
fi
if ! strace -f -o /dev/null true 2>/dev/null; then
	echo "skipped: strace cannot trace here (ptrace refused)"
	exit 0
fi
# Filtering with seccomp speeds up the failing calls; strace then delivers
# no injected signal, so the kills go without it.
bpf=
strace -f --seccomp-bpf -o /dev/null -e trace=write true 2>/dev/null &&
    bpf=--seccomp-bpf

# LeakSanitizer (SAN=1) stops the threads with ptrace at exit, which a
# traced program cannot; the traced runs go without it.
san="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0"
st() { ASAN_OPTIONS=$san strace "$@"; }

# A copy of the program, so that a rebuild meanwhile changes nothing here.
mkdir "$tmp/bin" && cp "$top/$BUILD/bin/settle-run" "$tmp/bin/" || exit 1
prog=$tmp/bin/settle-run

problems=
# why MSG: note one problem of the current case.
why() { problems="$problems; $*"; }

# verdict CASE: count the case, one line when it failed.
verdict() {
	if [ -z "$problems" ]; then
		pass=$((pass + 1))
	else
		fail=$((fail + 1))
		printf 'FAIL %s: %s\n' "$1" "${problems#; }" | cut -c1-700
	fi
	problems=
}

# What a folder holds, on one line.
listing() { (cd "$1" 2>/dev/null && ls -A | tr '\n' ' '); }
# The first differences between two trees, on one line.
differs() {
	diff -rq "$1" "$2" 2>&1 | head -3 | tr '\n' ' ' | sed "s#$tmp/##g"
}

settle() { "$prog" --config settle.yaml "$@" </dev/null; }

# traced SPEC ONLY ARGS: settle run with one strace fault injection, on
# every file or (ONLY not "-") on that file alone.
traced() {
	spec=$1
	only=$2
	shift 2
	case $spec in
	*:error=*) f=$bpf ;;
	*) f= ;;
	esac
	if [ "$only" = - ]; then
		st -f $f -o /dev/null -e trace="${spec%%:*}" \
		    -e inject="$spec" "$prog" --config settle.yaml "$@" \
		    </dev/null
	else
		st -f $f -o /dev/null -P "./$only" -P "$here/$only" \
		    -e trace="${spec%%:*}" -e inject="$spec" \
		    "$prog" --config settle.yaml "$@" </dev/null
	fi
}

# restore DIR: the scratch copy's outbox and state as saved in DIR.
restore() {
	rm -rf outbox state
	cp -R "$1/outbox" "$1/state" .
}

calls='/^(write|fsync|fdatasync|rename|renameat|renameat2|open|openat|'`
    `'mkdir|mkdirat|unlink|unlinkat|rmdir)$'

# The reference: four dates uninterrupted, the last one traced; then a
# traced --force of the last date, which must change nothing.
cp -R "$S/data" "$tmp/d"
chmod -R u+w "$tmp/d"
cp -R "$top/schemas" "$tmp/d/schemas"
cd "$tmp/d" || exit 1
here=$(pwd -P)
for d in 2026-11-26 2026-11-27 2026-11-28 $D; do
	if [ $d = $D ]; then
		mkdir "$base" && cp -R outbox state "$base/" || exit 1
		st -f -o "$tmp/trace" -e trace="$calls" \
		    "$prog" --config settle.yaml --date $d 2>"$tmp/err" \
		    </dev/null
	else
		settle --date $d 2>"$tmp/err"
	fi
	rc=$?
	[ $rc = 0 ] || why "exit $rc: $(head -1 "$tmp/err")"
	verdict "reference run of $d"
done
mkdir "$ref" && cp -R outbox state "$ref/" || exit 1
st -f -o "$tmp/ftrace" -e trace="$calls" \
    "$prog" --config settle.yaml --date $D --force 2>"$tmp/err" </dev/null
rc=$?
if [ $rc != 0 ]; then
	why "exit $rc: $(head -1 "$tmp/err")"
elif ! diff -r "$ref/outbox" outbox >/dev/null ||
    ! diff -r "$ref/state" state >/dev/null; then
	why "$(differs "$ref/outbox" outbox) $(differs "$ref/state" state)"
fi
verdict "reference --force of $D"
if [ $fail -gt 0 ]; then
	echo "$pass passed, $fail failed"
	exit 1
fi
nref=$(ls "$ref/outbox/$D" | wc -l)

# number TRACE: the points of a traced run, one a line: NAME N ONLY WHAT.
# The main thread's calls are numbered by name, ONLY "-"; the files other
# threads create get their own numbers, ONLY their path.
number() {
	LC_ALL=C awk '
	function quoted(s) {
		return match(s, /"[^"]*"/) ? substr(s, RSTART + 1,
		    RLENGTH - 2) : ""
	}
	function opened(pid, s) {
		if (match(s, /= [0-9]+$/))
			fd[substr(s, RSTART + 2)] = pend[pid]
	}
	# the main thread counts all its calls, as strace does
	function point(name, only, what, pid) {
		if (pid == main)
			++c[name]
		if (only == "-")
			print name, c[name], "-", what
		else
			print name, ++k[only, name], only, what
	}
	{
		pid = $1
		if (main == "")
			main = pid
		s = $0
		sub(/^[0-9]+ +/, "", s)
		if (s ~ /^(\+\+\+|---)/)
			next
		if (s ~ /^<\.\.\. open/) {
			opened(pid, s)
			next
		}
		if (s ~ /^<\.\.\. /)
			next
		name = s
		sub(/\(.*/, "", name)
		a = s
		sub(/^[^(]*\(/, "", a)
		n = a
		sub(/[^0-9].*/, "", n)
		only = "-"
		if (name ~ /^open/) {
			pend[pid] = quoted(a)
			what = (s ~ /O_CREAT/ ? "create " : "open ") pend[pid]
			opened(pid, s)
			# the unlinked temporary files of other threads
			# (settle-TAG.tmp.XXXXXX) change names from run to
			# run: not points (ingest_spill.sh fails them)
			if (pid != main && s ~ /O_CREAT/ &&
			    pend[pid] !~ /\/settle-[a-z]+\.tmp\./) {
				only = pend[pid]
				sub(/^\.\//, "", only)
				mine[only] = 1
			}
		} else if (name ~ /^(write|fsync|fdatasync)$/) {
			what = name " " ((n in fd) ? fd[n] : "fd " n)
			only = (n in fd) ? fd[n] : ""
			sub(/^\.\//, "", only)
			# a file of the main thread under a name that
			# stays the same from run to run is reached by its
			# path too, so that calls of the other threads do
			# not take the fault
			if (pid == main && only != "" &&
			    only !~ /\.tmp\.[^\/]*$/)
				mine[only] = 1
			if (!(only in mine))
				only = "-"
		} else {
			what = s
			sub(/\) += .*/, ")", what)
		}
		if (pid == main || only != "-")
			point(name, only, what, pid)
	}' "$1"
}
number "$tmp/trace" >"$tmp/calls"
number "$tmp/ftrace" >"$tmp/fcalls"

# kill_points CALLS: the points where the disk can change: every create,
# write, fsync, rename, mkdir and rmdir (a kill before an open for reading
# leaves what a kill before the next of these leaves), the first two and
# the last unlink.
kill_points() {
	awk '$1 ~ /^(write|fsync|fdatasync|rename|renameat|renameat2|mkdir|'`
	    `'mkdirat|rmdir)$/ || ($1 ~ /^open/ && $4 == "create") {
		print; next }
	    $1 ~ /^unlink/ { u[$2] = $0; nu = $2 }
	    END {
		for (i = 1; i <= nu; i++)
			if (i <= 2 || i == nu)
				print u[i]
	    }' "$1"
}

# fault_points CALLS: where a full or failing disk is injected, NAME N ONLY
# ERRNO WHAT: every write but the diagnostics, every create and mkdir
# (ENOSPC); every fsync and rename (EIO).
fault_points() {
	awk 'function out(e,  s) {
		s = $0
		sub(/^[^ ]+ [^ ]+ [^ ]+ /, "", s)
		print $1, $2, $3, e, s
	    }
	    $1 == "write" && !($5 == "fd" && $6 ~ /^[0-2]$/) {
		out("ENOSPC"); next }
	    $1 ~ /^open/ && $4 == "create" { out("ENOSPC"); next }
	    $1 ~ /^mkdir/ { out("ENOSPC"); next }
	    $1 ~ /^(fsync|fdatasync|rename|renameat|renameat2)$/ {
		out("EIO") }' "$1"
}

# settled FORCE: after a killed or failed run of the date, the outbox holds
# it complete or not at all, the earlier dates and states are untouched,
# and the state moved only after the outputs were in place.  A --force of
# a done date leaves it done, outputs in place.
settled() {
	last=$(cat state/LAST 2>/dev/null)
	if [ -e outbox/$D ] && ! diff -r "$ref/outbox/$D" outbox/$D \
	    >/dev/null 2>&1; then
		why "partial outbox/$D left ($(ls outbox/$D | wc -l) of" \
		    "$nref files: $(listing outbox/$D))"
	fi
	case $last in
	2026-11-28)
		[ -z "$1" ] || why "LAST went back to 2026-11-28" ;;
	"$D")
		[ -d outbox/$D ] || why "LAST says $D but outbox/$D is" \
		    "missing (outbox: $(listing outbox))" ;;
	*)
		why "LAST is '$last'" ;;
	esac
	diff -r -x $D -x ".tmp-*" -x ".old-*" "$ref/outbox" outbox \
	    >/dev/null 2>&1 || why "earlier dates' outboxes changed"
	diff -r -x LAST -x "state-$D.txt" -x "ids-$D.txt" -x "*.tmp.*" \
	    "$ref/state" state \
	    >/dev/null 2>&1 || why "earlier states changed: $(differs \
	    "$ref/state" state | grep -v "$D\|LAST\|\.tmp\.")"
	[ ! -e state/state-$D.txt ] || cmp -s "$ref/state/state-$D.txt" \
	    state/state-$D.txt || why "a partial state-$D.txt"
	[ ! -e state/ids-$D.txt ] || cmp -s "$ref/state/ids-$D.txt" \
	    state/ids-$D.txt || why "a partial ids-$D.txt"
	[ ! -e state/state-$D.txt ] || [ -e state/ids-$D.txt ] ||
	    why "state-$D.txt without ids-$D.txt"
}

# rerun FORCE: the next run succeeds, and the outbox and the state are
# byte for byte the reference's, nothing temporary left.  After a --force,
# a plain run of the done date first: a no-op that must find it in place.
rerun() {
	if [ -n "$1" ]; then
		settle --date $D 2>"$tmp/err"
		rc=$?
		[ $rc = 0 ] || why "the plain rerun exits $rc"
		diff -r "$ref/outbox/$D" outbox/$D >/dev/null 2>&1 ||
		    why "after a plain rerun outbox/$D is still not in place" \
		    "(outbox: $(listing outbox))"
	fi
	settle --date $D ${1:+"$1"} 2>"$tmp/err"
	rc=$?
	[ $rc = 0 ] || why "the rerun exits $rc: $(head -1 "$tmp/err")"
	diff -r "$ref/outbox" outbox >/dev/null 2>&1 ||
	    why "after the rerun the outbox differs: $(differs \
	    "$ref/outbox" outbox)"
	diff -r "$ref/state" state >/dev/null 2>&1 ||
	    why "after the rerun the state differs: $(differs \
	    "$ref/state" state)"
}

# kill_case SAVED FORCE NAME N ONLY WHAT
kill_case() {
	restore "$1"
	traced "$3:signal=KILL:when=$4" "$5" --date $D ${2:+"$2"} 2>/dev/null
	rc=$?
	[ $rc = 137 ] || why "the run was not killed (exit $rc)"
	settled "$2"
	rerun "$2"
	verdict "kill${2:+ $2} at $3 #$4${5#-} ($6)"
}

# fault_case SAVED FORCE NAME N ONLY ERRNO WHAT
fault_case() {
	restore "$1"
	traced "$3:error=$6:when=$4" "$5" --date $D ${2:+"$2"} 2>"$tmp/err"
	rc=$?
	case $rc in
	73|74)
		grep -q "^settle run: ." "$tmp/err" ||
		    why "exit $rc with no message on stderr" ;;
	*)
		why "exit $rc (expected 73 or 74): $(tail -1 "$tmp/err" |
		    cut -c1-50)" ;;
	esac
	settled "$2"
	rerun "$2"
	verdict "$6${2:+ $2} at $3 #$4${5#-} ($7)"
}

nkill=0
nfault=0
kill_points "$tmp/calls" >"$tmp/points"
while read -r name n only what <&3; do
	kill_case "$base" "" "$name" "$n" "$only" "$what"
	nkill=$((nkill + 1))
done 3<"$tmp/points"
fault_points "$tmp/calls" >"$tmp/points"
while read -r name n only errno what <&3; do
	fault_case "$base" "" "$name" "$n" "$only" "$errno" "$what"
	nfault=$((nfault + 1))
done 3<"$tmp/points"

# A --force of the done last date: every rename, fsync, mkdir and rmdir,
# where the earlier outputs are swapped out and the state rewritten, and
# a spread of the main thread's writes.
kill_points "$tmp/fcalls" | awk '$3 == "-" && ($1 ~ /^(rename|fsync|mkdir|'`
    `'rmdir)/ || ($1 == "write" && $2 % 4 == 1))' >"$tmp/points"
while read -r name n only what <&3; do
	kill_case "$ref" --force "$name" "$n" "$only" "$what"
	nkill=$((nkill + 1))
done 3<"$tmp/points"
fault_points "$tmp/fcalls" | awk '$1 ~ /^(rename|fsync|mkdir)/' \
    >"$tmp/points"
while read -r name n only errno what <&3; do
	fault_case "$ref" --force "$name" "$n" "$only" "$errno" "$what"
	nfault=$((nfault + 1))
done 3<"$tmp/points"

# ms: milliseconds since the epoch.
ms() { echo $(($(date +%s%N) / 1000000)); }

# locked: a second run while the lock is held exits 75 at once, with a
# message, and writes nothing.
locked() {
	t0=$(ms)
	settle --date $D 2>"$tmp/err"
	rc=$?
	t=$(($(ms) - t0))
	[ $rc = 75 ] || why "the second run exits $rc, expected 75"
	[ $t -lt 1000 ] || why "the second run took $t ms"
	grep -q "lock" "$tmp/err" || why "no word of the lock on stderr"
	[ ! -e outbox/$D ] || why "the second run wrote outbox/$D"
}

# A lock held by another process, which then dies by SIGKILL.
restore "$base"
if command -v flock >/dev/null 2>&1; then
	(exec 9>>state/LOCK && flock -x 9 && exec sleep 30) &
	holder=$!
	i=0
	while flock -n state/LOCK true && [ $i -lt 50 ]; do
		sleep 0.1
		i=$((i + 1))
	done
	locked
	kill -9 $holder
	wait $holder 2>/dev/null
	holder=
	rerun ""
	verdict "a lock held by another process"
fi

# A lock held by a run stalled in its first fsync, then killed.
restore "$base"
st -f -o /dev/null -e trace=fsync \
    -e inject=fsync:delay_enter=20000000:when=1 \
    "$prog" --config settle.yaml --date $D 2>/dev/null </dev/null &
tracer=$!
i=0
while [ ! -e outbox/.tmp-$D ] && [ $i -lt 100 ]; do
	sleep 0.1
	i=$((i + 1))
done
locked
child=$(cat /proc/$tracer/task/*/children 2>/dev/null ||
    ps -o pid= --ppid $tracer)
if [ -n "$child" ]; then
	kill -9 $child
	sleep 0.2
else
	why "no stalled run to kill"
fi
kill -9 $tracer 2>/dev/null
wait $tracer 2>/dev/null
tracer=
settled ""
rerun ""
verdict "a lock held by a stalled run"

echo "crash: $nkill kill points, $nfault fault points," \
    "$(($(date +%s) - start)) s"
echo "$pass passed, $fail failed"
[ $fail -eq 0 ]
