#!/bin/sh
# man-pages.sh SORTES SRCDIR OUTDIR DATE - write the man pages into
# OUTDIR, and their names, one a line, into OUTDIR/pages:
#   sortes-COMMAND.1 for every command 'SORTES help' lists, from its
#     help text (build-aux/man-command.awk) and, when there is one, the
#     hand-written sections of SRCDIR/man/sortes-COMMAND.1.extra;
#   sortes-protocol.5 from SRCDIR/docs/protocol.md;
#   sortes.1 from SRCDIR/man/sortes.1.in, the command list and
#     docs/exit-codes.md.
# The help texts are the one copy of what a command does and takes, so
# a command added to the table gets its page without more.
set -eu
sortes=$1
src=$2
out=$3
date=$4
version=$("$sortes" --version | sed 's/^sortes //')
lib=$src/build-aux

mkdir -p "$out"
"$sortes" help >"$out/overview.tmp"
commands=$(awk '/^Commands:/ { on = 1; next } on && /^$/ { exit }
    on { print $1 }' "$out/overview.tmp")
: >"$out/pages.tmp"

for c in $commands; do
	summary=$(awk -v c="$c" 'on && $1 == c { sub(/^ *[^ ]+ +/, "");
	    print; exit } /^Commands:/ { on = 1 }' "$out/overview.tmp")
	extra=$src/man/sortes-$c.1.extra
	[ -f "$extra" ] || extra=
	"$sortes" help "$c" | awk -v cmd="$c" -v summary="$summary" \
	    -v date="$date" -v version="$version" -v extra="$extra" \
	    -f "$lib/man-common.awk" -f "$lib/man-command.awk" \
	    >"$out/sortes-$c.1.tmp"
	mv "$out/sortes-$c.1.tmp" "$out/sortes-$c.1"
	echo "sortes-$c.1" >>"$out/pages.tmp"
done

SEE_ALSO='\fBsortes\fR(1), \fBsortes\-init\fR(1), \fBsortes\-protocol\fR(1)'
export SEE_ALSO
awk -v name=sortes-protocol -v section=5 -v date="$date" \
    -v version="$version" -v summary="the protocol file of a sortes trial" \
    -f "$lib/man-common.awk" -f "$lib/man-markdown.awk" \
    "$src/docs/protocol.md" >"$out/sortes-protocol.5.tmp"
mv "$out/sortes-protocol.5.tmp" "$out/sortes-protocol.5"
echo sortes-protocol.5 >>"$out/pages.tmp"

awk -v date="$date" -v version="$version" -v overview="$out/overview.tmp" \
    -v exit_codes="$src/docs/exit-codes.md" -v pages="$out/pages.tmp" \
    -f "$lib/man-common.awk" -f "$lib/man-sortes.awk" \
    "$src/man/sortes.1.in" >"$out/sortes.1.tmp"
mv "$out/sortes.1.tmp" "$out/sortes.1"
echo sortes.1 >>"$out/pages.tmp"

rm -f "$out/overview.tmp"
mv "$out/pages.tmp" "$out/pages"
