#!/bin/sh
# Run every Criterion unit-test binary; fail when any fails.
fail=0
for t in "$@"; do
	"$t" --jobs 2 || fail=1
done
exit $fail
