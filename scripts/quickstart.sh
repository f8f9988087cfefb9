#!/bin/sh
# quickstart.sh demo|check - install what the build needs (Debian 12),
# build sortes in ./build, then run the demo trial or the test suite.
set -eu

top=$(cd "$(dirname "$0")/.." && pwd)
packages="build-essential autoconf automake libtool pkg-config \
	libsqlite3-dev sqlite3 uuid-dev libssl-dev openssl libfyaml-dev libical-dev \
	check tzdata mandoc"

install_missing() {
	missing=
	for p in $packages; do
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null |
		    grep -q 'install ok installed' || missing="$missing $p"
	done
	[ -z "$missing" ] && return 0
	echo "quickstart: installing:$missing"
	if [ "$(id -u)" -ne 0 ]; then
		echo "quickstart: run as root, or install these first" >&2
		exit 1
	fi
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -qq
	# shellcheck disable=SC2086 # the list is meant to split
	apt-get install -y -qq --no-install-recommends $missing >/dev/null
}

build() {
	cd "$top"
	[ -x configure ] || autoreconf -fi
	mkdir -p build
	cd build
	[ -f Makefile ] || ../configure --enable-werror
	make -j"$(nproc)"
}

case "${1:-}" in
demo)
	install_missing
	build
	sh "$top/scripts/demo.sh" "$top/build/sortes"
	;;
check)
	install_missing
	build
	make -j"$(nproc)" check
	;;
*)
	echo "usage: sh scripts/quickstart.sh demo|check" >&2
	exit 64
	;;
esac
