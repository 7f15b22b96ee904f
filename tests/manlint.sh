#!/bin/sh
# mandoc -Tlint over every man page; any warning fails.
[ $# -eq 0 ] && { echo "manlint: no man pages"; exit 0; }
out=$(mandoc -Tlint -W warning "$@" 2>&1)
if [ -n "$out" ]; then
	printf '%s\n' "$out"
	echo "manlint: FAILED"
	exit 1
fi
echo "manlint: $# pages clean"
