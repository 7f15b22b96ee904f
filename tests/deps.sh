#!/bin/sh
# Make sure the Debian packages settle needs are installed: install them with
# apt-get when running as root, otherwise print the exact line and stop.
missing=""
for p in "$@"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' ||
		missing="$missing $p"
done
[ -z "$missing" ] && exit 0
if [ "$(id -u)" = 0 ]; then
	echo "settle: installing:$missing" >&2
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -qq >/dev/null &&
		apt-get install -y -qq $missing >/dev/null || {
		echo "settle: apt-get install failed" >&2; exit 1; }
	exit 0
fi
echo "settle: missing Debian packages; run as root:" >&2
echo "  apt-get update && apt-get install -y$missing" >&2
exit 1
