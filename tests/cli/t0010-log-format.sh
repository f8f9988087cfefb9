#!/bin/sh
# docs/log-format.md says an auditor can recompute the chain with the
# sqlite3 shell and POSIX tools.  Do exactly that on a real trial.
. "$SRCDIR/tests/cli/lib.sh"

run "$SORTES" init --protocol "$UNGIFOKUS" --db t.db
expect_status 0
# Synthetic CPR numbers (see lib.sh), born on the birth dates given.
for i in 1 2 3 4 5 6; do
	run "$SORTES" enroll --db t.db --person "150${i}01-900$i" --caseworker CW1 \
	    --field birth_date=2001-0$i-15 --field sex=F \
	    --field benefit=uddannelseshjaelp --field activity_ready=true \
	    --field jobcentre=syd
	expect_status 0
done

# The loop of docs/log-format.md, verbatim but for collecting results.
hexbytes() {
	# shellcheck disable=SC2059 # the format is the escape being made
	for b in $(echo "$1" | sed 's/../& /g'); do
		printf "\\$(printf %03o "0x$b")"
	done
}
"$SQLITE3" t.db "SELECT seq, prev_hash, hash FROM log ORDER BY seq" |
while IFS='|' read -r seq prev hash; do
	body=$("$SQLITE3" t.db "SELECT body FROM log WHERE seq = $seq")
	got=$( { hexbytes "$prev"; printf '%s' "$body"; } |
	       sha256sum | cut -d' ' -f1)
	[ "$got" = "$hash" ] || echo "entry $seq: hash mismatch"
	[ "$seq" = 1 ] || [ "$prev" = "$last" ] || echo "entry $seq: broken link"
	last=$hash
	echo "checked $seq"
done >recomputed
checks=$((checks + 1))
grep -q mismatch recomputed && fail "$(cat recomputed)"
grep -q broken recomputed && fail "$(cat recomputed)"
[ "$(grep -c checked recomputed)" -eq 7 ] || fail "not 7 entries: $(cat recomputed)"

# The genesis body commits to the protocol file's SHA-256.
checks=$((checks + 1))
sha=$(sha256sum "$UNGIFOKUS" | cut -d' ' -f1)
"$SQLITE3" t.db "SELECT body FROM log WHERE seq = 1" | grep -q "\"protocol_sha256\":\"$sha\"" ||
    fail "genesis does not carry the protocol hash $sha"

# The same recomputation notices a body changed by one byte.
"$SQLITE3" t.db "DROP TRIGGER log_no_update; UPDATE log SET body = replace(body, '\"syd\"', '\"nord\"') WHERE seq = 4"
body=$("$SQLITE3" t.db "SELECT body FROM log WHERE seq = 4")
prev=$("$SQLITE3" t.db "SELECT prev_hash FROM log WHERE seq = 4")
hash=$("$SQLITE3" t.db "SELECT hash FROM log WHERE seq = 4")
got=$( { hexbytes "$prev"; printf '%s' "$body"; } | sha256sum | cut -d' ' -f1)
checks=$((checks + 1))
[ "$got" != "$hash" ] || fail "a changed body still matched its hash"
finish
