#!/bin/sh
# embed-migrations.sh OUT SRCDIR FILE... - write a C file that carries
# each migration's SQL (SRCDIR/FILE) as a byte array, so that the
# installed binary needs no data directory.  Files must be named
# migrations/NNNN-name.sql and given in order.
set -eu
out=$1
srcdir=$2
shift 2
tmp="$out.tmp"
version() { basename "$1" .sql | sed 's/^0*\([0-9][0-9]*\)-.*/\1/'; }
{
	echo '/* Generated from migrations/ by build-aux/embed-migrations.sh. */'
	echo '#include "migrations.h"'
	for f in "$@"; do
		echo "static const char sql_$(version "$f")[] = {"
		od -An -v -tx1 "$srcdir/$f" | sed 's/[0-9a-f][0-9a-f]/0x&,/g'
		echo '0x00 };'
	done
	echo 'const struct sortes_migration sortes_migrations[] = {'
	for f in "$@"; do
		v=$(version "$f")
		echo "	{ $v, \"$(basename "$f")\", sql_$v },"
	done
	echo '	{ 0, 0, 0 }'
	echo '};'
} >"$tmp"
mv "$tmp" "$out"
