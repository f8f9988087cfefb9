#!/bin/sh
# constrained.sh - build and run the covariate-constrained randomization
# benchmark (bench/constrained.c; docs/constrained.md).
#
#	bench/constrained.sh [seed] [office]
#
# Needs a C compiler (CC, default cc).  Builds in a temporary directory
# that is removed at the end; reports, never fails a build unless the
# compiler or the benchmark itself fails.
set -eu

top=$(cd "$(dirname "$0")/.." && pwd)
tmp=$(mktemp -d "${TMPDIR:-/tmp}/sortes-cr.XXXXXX")
trap 'rm -rf "$tmp"' EXIT INT TERM

${CC:-cc} -std=c11 -O2 -D_GNU_SOURCE -I"$top/include" -o "$tmp/bench" \
    "$top/bench/constrained.c" "$top/src/constrained.c" \
    "$top/src/pcg32.c" "$top/src/error.c" -lm
"$tmp/bench" "$@"
