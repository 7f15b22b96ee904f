#!/bin/sh
# End-to-end tests: run the real binaries.
#
#   tests/e2e/cases/NAME/cmd        a shell snippet, run in a scratch copy of
#                                   the case folder with the tools on PATH
#   tests/e2e/cases/NAME/expected.* stdout, stderr and status to compare
#   tests/stories/NAME.sh           multi-step stories; exit 0 to pass
#
# GOLDEN=1 rewrites the expected files of the cases (review them as diffs).
BUILD=${1:-build}
top=$(pwd)
bin=$top/$BUILD/bin
pass=0
fail=0
scratch=$(mktemp -d "${TMPDIR:-/tmp}/settle-e2e.XXXXXX")
trap 'rm -rf "$scratch"' EXIT INT TERM

for dir in "$top"/tests/e2e/cases/*/; do
	[ -f "$dir/cmd" ] || continue
	name=$(basename "$dir")
	work=$scratch/$name
	cp -r "$dir" "$work"
	(cd "$work" && PATH="$bin:$PATH" TOP="$top" sh ./cmd \
		>"$scratch/$name.out" 2>"$scratch/$name.err" </dev/null)
	echo $? >"$scratch/$name.status"
	if [ "${GOLDEN:-0}" = 1 ]; then
		for k in out err status; do
			cp "$scratch/$name.$k" "$dir/expected.$k"
		done
	fi
	ok=1
	for k in out err status; do
		if ! cmp -s "$scratch/$name.$k" "$dir/expected.$k"; then
			ok=0
			echo "FAIL $name: $k differs"
			diff "$dir/expected.$k" "$scratch/$name.$k" | head -20
		fi
	done
	if [ $ok = 1 ]; then
		pass=$((pass + 1))
	else
		fail=$((fail + 1))
	fi
done
echo "e2e cases: $pass passed, $fail failed"

spass=0
sfail=0
for s in "$top"/tests/stories/*.sh; do
	[ -f "$s" ] || continue
	if sh "$s" "$BUILD" >"$scratch/story.log" 2>&1; then
		spass=$((spass + 1))
		echo "ok   story $(basename "$s")"
	else
		sfail=$((sfail + 1))
		echo "FAIL story $(basename "$s")"
		tail -30 "$scratch/story.log"
	fi
done
echo "stories: $spass passed, $sfail failed"
echo "e2e: $((pass + spass)) passed, $((fail + sfail)) failed"
[ $((fail + sfail)) -eq 0 ]
