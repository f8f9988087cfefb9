#!/bin/sh
# t0036-unblind: 'sortes unblind' discloses the blinding's mapping and
# nonce in one 'unblind' log entry and prints the mapping, the one the
# blinded exports used; it is refused without a commitment and the
# second time.  verify checks that the disclosure opens the commitment,
# and after the reveal verify --replay that both are what the seed
# gives: a tampered disclosure, a changed commitment, and a made-up
# mapping with a commitment of its own are caught.
. "$SRCDIR/tests/cli/lib.sh"

# expect_log DB N - DB's log holds N entries (nothing written).
expect_log() {
	expect_eq "$(log_count "$1")" "$2" "log entries in $1"
}

# hexbytes HEX - the raw bytes HEX spells (as docs/log-format.md).
hexbytes() {
	for b in $(echo "$1" | sed 's/../& /g'); do
		# shellcheck disable=SC2059 # the format is the escape being made
		printf "\\$(printf %03o "0x$b")"
	done
}

# sha_of HEX TEXT - SHA-256 of the bytes HEX spells followed by TEXT.
sha_of() {
	{ hexbytes "$1"; printf '%s' "$2"; } | sha256sum | cut -d' ' -f1
}

# rehash DB FROM - recompute the hashes of DB's entries FROM onwards, as
# a forger who edited their bodies would, so that the chain holds.
rehash() {
	"$SQLITE3" "$1" "drop trigger if exists log_no_update"
	last=$("$SQLITE3" "$1" "select max(seq) from log")
	seq=$2
	while [ "$seq" -le "$last" ]; do
		prev=$("$SQLITE3" "$1" "select hash from log where seq = $((seq - 1))")
		body=$("$SQLITE3" "$1" "select body from log where seq = $seq")
		"$SQLITE3" "$1" "update log set prev_hash = '$prev', hash = '$(sha_of "$prev" "$body")' where seq = $seq"
		seq=$((seq + 1))
	done
}

# label_of DB ARM - the label the blinded export of DB gives to ARM's
# participants (through plain.csv and blinded.csv, written here).
label_of() {
	"$SORTES" export allocations --db "$1" >plain.csv
	"$SORTES" export allocations --db "$1" --blinded >blinded.csv
	python3 - "$2" <<'EOF'
import csv, sys
plain = list(csv.DictReader(open("plain.csv", newline="")))
blind = list(csv.DictReader(open("blinded.csv", newline="")))
print(sorted({b["arm"] for p, b in zip(plain, blind) if p["arm"] == sys.argv[1]})[0])
EOF
}

run "$SORTES" unblind --help
expect_status 0
expect_out_contains "usage: sortes unblind [--key FILE] [--json] [--db FILE]"
run "$SORTES" unblind extra
expect_status 64

new_trial "$UNGIFOKUS" f.db
for person in 170500-9111 170500-9222 170500-9333 170500-9444; do
	enroll_fokus f.db "$person"
	expect_status 0
done

# Without a commitment there is nothing to disclose.
run "$SORTES" unblind --db f.db
expect_status 69
expect_out_empty
expect_err_contains "has no blinding commitment yet"
expect_log f.db 5

run "$SORTES" blind --db f.db
expect_status 0
label_i=$(label_of f.db I) || fail "no blinded export"
label_c=$(label_of f.db C) || fail "no blinded export"
check "I and C have one label" test "$label_i" != "$label_c"
run "$SORTES" keygen --output lead
expect_status 0
run "$SORTES" freeze --db f.db --signing-key lead.pem --note "before the reveal"
expect_status 0
run "$SORTES" reveal --db f.db
expect_status 0
expect_log f.db 8

# After the reveal no key file is needed: the seed is in the log.
mv f.key f.key.away
run "$SORTES" unblind --db f.db
expect_status 0
expect_out_contains "disclosed the blinding of log entry 6 in log entry 9:"
expect_out_contains "  $label_i = I (UngiFokus: one primary contact person)"
expect_out_contains "  $label_c = C (Ordinary employment effort)"
expect_log f.db 9
body=$("$SQLITE3" f.db "select body from log where seq = 9")
check "the unblind entry has the mapping" contains "$body" \
    "{\"blind\":6,\"kind\":\"unblind\",\"mapping\":{\"group A\":"
check "the mapping is not the blinded exports'" contains "$body" \
    "\"$label_i\":\"I\""
nonce=$("$SQLITE3" f.db "select nonce from unblindings")
check "the unblind entry has the nonce" contains "$body" "\"nonce\":\"$nonce\""

# The disclosure opens the commitment, as an auditor recomputes it.
mapping=$("$SQLITE3" f.db "select mapping from unblindings")
commitment=$("$SQLITE3" f.db "select commitment from blindings")
expect_eq "$(sha_of "$nonce" "$mapping")" "$commitment" \
    "SHA-256(nonce || mapping)"

# Once is enough.
run "$SORTES" unblind --db f.db
expect_status 65
expect_err_contains "was disclosed already, in log entry 9"
expect_log f.db 9
mv f.key.away f.key

run "$SORTES" verify --db f.db
expect_status 0
expect_out_contains "ok: 9 entries, 4 participants"
run "$SORTES" verify --db f.db --replay
expect_status 0
expect_out_contains "replay: all 4 allocations re-derived from the seed match the log"
run "$SORTES" verify --db f.db --json
expect_status 0
expect_out_contains '"ok":true'

# --- tampering -------------------------------------------------------------

other=$(if [ "$label_i" = "group A" ]; then echo '{"group A":"C","group B":"I"}'; else echo '{"group A":"I","group B":"C"}'; fi)

# A forged disclosure: the other mapping, the chain rehashed.
cp f.db t1.db
"$SQLITE3" t1.db "drop trigger log_no_update; update unblindings set mapping = '$other'; update log set body = replace(body, '$mapping', '$other') where seq = 9"
rehash t1.db 9
run "$SORTES" verify --db t1.db
expect_status 1
expect_err_contains "log entry 9: the disclosed mapping and nonce do not open the blinding commitment of entry 6"

# Another nonce, likewise.
cp f.db t2.db
"$SQLITE3" t2.db "drop trigger log_no_update; update unblindings set nonce = '$(printf '%064d' 7)'; update log set body = replace(body, '$nonce', '$(printf '%064d' 7)') where seq = 9"
rehash t2.db 9
run "$SORTES" verify --db t2.db
expect_status 1
expect_err_contains "log entry 9: the disclosed mapping and nonce do not open"

# A changed commitment, every later hash rewritten.
cp f.db t3.db
zeros=$(printf '%064d' 0)
"$SQLITE3" t3.db "drop trigger log_no_update; update blindings set commitment = '$zeros'; update log set body = replace(body, '$commitment', '$zeros') where seq = 6"
rehash t3.db 6
run "$SORTES" verify --db t3.db
expect_status 1
expect_err_contains "log entry 9: the disclosed mapping and nonce do not open the blinding commitment of entry 6"

# A made-up mapping with a commitment of its own opens: the chain and
# tables agree, but the seed gives another commitment.
cp f.db t4.db
forged=$(sha_of "$zeros" "$other")
"$SQLITE3" t4.db "drop trigger log_no_update; update blindings set commitment = '$forged'; update log set body = replace(body, '$commitment', '$forged') where seq = 6; update unblindings set mapping = '$other', nonce = '$zeros'; update log set body = replace(replace(body, '$mapping', '$other'), '$nonce', '$zeros') where seq = 9"
rehash t4.db 6
run "$SORTES" verify --db t4.db
expect_status 0
run "$SORTES" verify --db t4.db --replay
expect_status 1
expect_err_contains "log entry 6: replay from the seed gives another blinding commitment"

# A disclosure whose row is gone.
cp f.db t5.db
"$SQLITE3" t5.db "delete from unblindings"
run "$SORTES" verify --db t5.db
expect_status 1
expect_err_contains "log entry 9: no unblinding row records this entry"

# --- before the reveal, with the key file -------------------------------------

new_trial "$UNGIFOKUS" g.db
enroll_fokus g.db 170500-9555
expect_status 0
run "$SORTES" blind --db g.db
expect_status 0
label_g=$(label_of g.db "$("$SQLITE3" g.db "select arm from allocations")") ||
    fail "no blinded export"
run "$SORTES" unblind --db g.db --key no-such.key
expect_status 66
expect_log g.db 3
run "$SORTES" unblind --db g.db --key g.key --json
expect_status 0
arm_g=$("$SQLITE3" g.db "select arm from allocations")
check "the JSON disclosure is not the logged one" python3 -c '
import json, sys
d = json.loads(sys.argv[1])
assert d["blind"] == 3 and d["entry"] == 4, d
assert d["mapping"][sys.argv[2]] == sys.argv[3], d
assert d["nonce"] == sys.argv[4], d
' "$(cat out)" "$label_g" "$arm_g" "$("$SQLITE3" g.db "select nonce from unblindings")"
expect_log g.db 4
run "$SORTES" verify --db g.db --replay --key g.key
expect_status 0
# Blinded exports go on by the disclosed mapping.
expect_eq "$(label_of g.db "$("$SQLITE3" g.db "select arm from allocations")")" \
    "$label_g" "the label after the disclosure"

finish
