#!/bin/sh
# t0013-seal: signing keys, freezes and their seal files, the reveal of
# the seed, and the auditor's checks of docs/audit.md done exactly as
# written there: with sortes, and with openssl and POSIX tools alone.
. "$SRCDIR/tests/cli/lib.sh"

if ! command -v openssl >/dev/null 2>&1; then
	echo "SKIP: t0013-seal: openssl is not installed"
	exit 77
fi
umask 022

# --- keygen -----------------------------------------------------------

run "$SORTES" keygen --help
expect_status 0
expect_out_contains "usage: sortes keygen --output NAME"

run "$SORTES" keygen
expect_status 64
expect_err_contains "--output NAME is required"

run "$SORTES" keygen --output lead
expect_status 0
expect_out_contains "wrote private key lead.pem (mode 600: keep it secret) and public key lead.pub"
fingerprint=$(sed -n 's/^fingerprint //p' out)
check "a fingerprint of 64 hex digits: '$fingerprint'" \
    test "$(printf '%s' "$fingerprint" | tr -d '0-9a-f' | wc -c)" -eq 0
expect_eq "${#fingerprint}" 64 "fingerprint length"
expect_eq "$(find lead.pem -perm 600)" lead.pem "mode 600 of lead.pem"
expect_eq "$(find lead.pub -perm 644)" lead.pub "mode 644 of lead.pub"
check "lead.pem is a PEM private key" grep -q -x -e "-----BEGIN PRIVATE KEY-----" lead.pem
check "lead.pub is a PEM public key" grep -q -x -e "-----BEGIN PUBLIC KEY-----" lead.pub

# Never over existing keys, which stay as they were.
cp lead.pem lead.pem.orig
cp lead.pub lead.pub.orig
run "$SORTES" keygen --output lead
expect_status 73
expect_err_contains "lead.pem"
expect_err_contains "already exists"
check "lead.pem unchanged" cmp -s lead.pem lead.pem.orig
check "lead.pub unchanged" cmp -s lead.pub lead.pub.orig
# Only the public half exists: nothing is left behind.
cp lead.pub half.pub
run "$SORTES" keygen --output half
expect_status 73
expect_err_contains "half.pub"
check "no half.pem left behind" test ! -e half.pem

run "$SORTES" keygen --output other
expect_status 0

# The fingerprint is SHA-256 of the raw 32-byte key: the last 32 bytes
# of the DER public key (docs/audit.md).
expect_eq "$(openssl pkey -pubin -in lead.pub -outform DER | tail -c 32 |
    sha256sum | cut -d' ' -f1)" "$fingerprint" "fingerprint by openssl"

# --- freeze -----------------------------------------------------------

new_trial "$UNGIFOKUS" t.db
for n in 1 2 3; do
	enroll_fokus t.db "170500-900$n"	# synthetic, see lib.sh
	expect_status 0
done

run "$SORTES" freeze --help
expect_status 0
expect_out_contains "usage: sortes freeze --signing-key PRIVATE.pem"

run "$SORTES" freeze --db t.db
expect_status 64
expect_err_contains "--signing-key FILE"

run "$SORTES" freeze --db t.db --signing-key lead.pem --note "after cohort 1"
expect_status 0
head5=$("$SQLITE3" t.db 'select hash from log where seq = 5')
expect_out_is "froze 5 entries, head $head5
seal written to t.db.seal-5, signed by key $fingerprint"
expect_err_empty
expect_eq "$("$SQLITE3" t.db 'select kind from log where seq = 5')" freeze "entry 5"
check "the seal file exists" test -f t.db.seal-5

# The seal file's lines, in order (docs/audit.md).
expect_eq "$(cut -d' ' -f1 t.db.seal-5 | tr '\n' ' ')" \
    "sortes-seal trial protocol-sha256 seed-commitment entries head sealed-at note signer signature " \
    "the seal's keys"
expect_eq "$(sed -n 2p t.db.seal-5)" "trial ungifokus" "trial line"
expect_eq "$(sed -n 5p t.db.seal-5)" "entries 5" "entries line"
expect_eq "$(sed -n 6p t.db.seal-5)" "head $head5" "head line"
expect_eq "$(sed -n 7p t.db.seal-5)" "sealed-at $SORTES_NOW" "sealed-at line"
expect_eq "$(sed -n 8p t.db.seal-5)" "note after cohort 1" "note line"
expect_eq "$(sed -n 9p t.db.seal-5)" "signer $fingerprint" "signer line"
expect_eq "$(sed -n 4p t.db.seal-5)" \
    "seed-commitment $("$SQLITE3" t.db 'select seed_commitment from trial')" \
    "seed-commitment line"

# A seal file is never overwritten; the freeze itself is committed by
# then, and the message says so.
cp t.db.seal-5 keep.seal
run "$SORTES" freeze --db t.db --signing-key lead.pem --seal t.db.seal-5
expect_status 73
expect_err_contains "the freeze is recorded in the database, but its seal file is not written"
expect_err_contains "t.db.seal-5"
expect_err_contains "Write it with 'sortes seal show 6 --db t.db --output FILE'."
check "the seal file is unchanged" cmp -s t.db.seal-5 keep.seal
expect_eq "$(log_count t.db)" 6 "entries after the refused seal file"
# ... which writes the seal file of that freeze, and gives the first
# one byte for byte as freeze wrote it.
run "$SORTES" seal show 6 --db t.db --output t.db.seal-6
expect_status 0
expect_out_is "wrote the seal of entry 6 to t.db.seal-6"
expect_eq "$(find t.db.seal-6 -perm 644)" t.db.seal-6 "mode 644 of the seal file"
run "$SORTES" seal show 5 --db t.db
expect_status 0
check "seal show 5 differs from the file freeze wrote" cmp -s out t.db.seal-5

# A key that others can read is refused; so is a public key.
cp lead.pem open.pem
chmod 644 open.pem
run "$SORTES" freeze --db t.db --signing-key open.pem
expect_status 77
expect_err_contains "chmod 600"
run "$SORTES" freeze --db t.db --signing-key lead.pub
expect_status 77
expect_eq "$(log_count t.db)" 6 "entries after the refused keys"

# --- verify with seals -------------------------------------------------

run "$SORTES" verify --db t.db --seal t.db.seal-5 --pubkey lead.pub
expect_status 0
expect_out_is "ok: 6 entries, 3 participants, 3 seals (signatures checked), head $("$SQLITE3" t.db 'select hash from log where seq = 6')"
expect_err_empty

run "$SORTES" verify --db t.db --seal t.db.seal-5
expect_status 0
expect_out_contains "3 seals, head"

run "$SORTES" verify --db t.db --seal t.db.seal-5 --pubkey other.pub
expect_status 1
expect_err_contains "signed by key $(printf '%.16s' "$fingerprint")..., not by the given key"

# An edited seal file: the note changed.
sed 's/^note after cohort 1$/note after cohort 2/' t.db.seal-5 >edited.seal
check "the note was edited" grep -q -x "note after cohort 2" edited.seal
run "$SORTES" verify --db t.db --seal edited.seal --pubkey lead.pub
expect_status 1
expect_err_contains "'edited.seal': seal of 5 entries: the signature is not valid for key"
run "$SORTES" verify --db t.db --seal edited.seal --pubkey lead.pub --json
expect_status 1
expect_out_contains '"ok":false'
expect_out_contains "the signature is not valid"

# A seal file cut short is no seal.
head -n 9 t.db.seal-5 >short.seal
run "$SORTES" verify --db t.db --seal short.seal
expect_status 1
expect_err_contains "expected exactly the 10 lines of a seal"

run "$SORTES" verify --db t.db --seal no-such.seal
expect_status 66

# A directory given as a seal or a key: 66, named so.
mkdir given.d
run "$SORTES" verify --db t.db --seal given.d
expect_status 66
expect_err_contains "sortes: seal 'given.d' is a directory"
run "$SORTES" verify --db t.db --pubkey given.d
expect_status 66
expect_err_contains "sortes: public key 'given.d' is a directory"
entries=$(log_count t.db)
run "$SORTES" freeze --db t.db --signing-key given.d
expect_status 66
expect_err_contains "sortes: private key 'given.d' is a directory"
expect_eq "$(log_count t.db)" "$entries" "entries after a refused freeze"

# --- the auditor's check without sortes (docs/audit.md) ----------------

# seal_parts SEAL - msg and sig as docs/audit.md makes them, verbatim.
seal_parts() {
	head -n 9 "$1" >msg
	sed -n 's/^signature //p' "$1" | base64 -d >sig
}
seal_parts t.db.seal-5
run openssl pkeyutl -verify -pubin -inkey lead.pub -rawin -in msg -sigfile sig
expect_status 0
expect_out_contains "Signature Verified Successfully"
check "the signature is 64 bytes" test "$(wc -c <sig)" -eq 64
run openssl pkeyutl -verify -pubin -inkey other.pub -rawin -in msg -sigfile sig
expect_status 1
seal_parts edited.seal
run openssl pkeyutl -verify -pubin -inkey lead.pub -rawin -in msg -sigfile sig
expect_status 1
expect_out_contains "Signature Verification Failure"

# The signer line names the key's fingerprint.
expect_eq "$(sed -n 's/^signer //p' t.db.seal-5)" \
    "$(openssl pkey -pubin -in lead.pub -outform DER | tail -c 32 |
    sha256sum | cut -d' ' -f1)" "signer line against openssl"

# The sealed head is the stored hash of the sealed entry.
entries=$(sed -n 's/^entries //p' t.db.seal-5)
expect_eq "$(sed -n 's/^head //p' t.db.seal-5)" \
    "$("$SQLITE3" t.db "select hash from log where seq = $entries")" \
    "sealed head against the log"

# The seals kept in the database, rebuilt as files (docs/audit.md,
# verbatim but for the shell and the database name), check the same
# way, with openssl and with sortes.
for seq in $("$SQLITE3" t.db 'SELECT seq FROM seals ORDER BY seq'); do
    "$SQLITE3" t.db "SELECT 'sortes-seal 1' || char(10) ||
        'trial ' || json_extract(g.body, '\$.trial') || char(10) ||
        'protocol-sha256 ' || json_extract(g.body, '\$.protocol_sha256') || char(10) ||
        'seed-commitment ' || json_extract(g.body, '\$.commitment') || char(10) ||
        'entries ' || s.seq || char(10) || 'head ' || l.hash || char(10) ||
        'sealed-at ' || s.sealed_at || char(10) || 'note ' || s.note || char(10) ||
        'signer ' || s.signer || char(10) || 'signature ' || s.signature
        FROM seals s JOIN log l ON l.seq = s.seq JOIN log g ON g.seq = 1
        WHERE s.seq = $seq" >"db.seal-$seq"
done
check "the database's first seal is the seal file" cmp -s db.seal-5 t.db.seal-5
check "the recipe and 'sortes seal show' differ" cmp -s db.seal-6 t.db.seal-6
check "the database's second seal was rebuilt" test -s db.seal-6
seal_parts db.seal-6
run openssl pkeyutl -verify -pubin -inkey lead.pub -rawin -in msg -sigfile sig
expect_status 0
run "$SORTES" verify --db t.db --seal db.seal-6 --pubkey lead.pub
expect_status 0

# The worked example of docs/audit.md checks with its published key.
doc=$SRCDIR/docs/audit.md
sed -n '/^    -----BEGIN PUBLIC KEY-----$/,/^    -----END PUBLIC KEY-----$/s/^    //p' \
    "$doc" >doc.pub
sed -n '/^    sortes-seal 1$/,/^    signature /s/^    //p' "$doc" >doc.seal
expect_eq "$(wc -l <doc.seal | tr -d ' ')" 10 "lines of the documented seal"
seal_parts doc.seal
expect_eq "$(wc -c <msg | tr -d ' ')" 393 "signed bytes of the documented seal"
run openssl pkeyutl -verify -pubin -inkey doc.pub -rawin -in msg -sigfile sig
expect_status 0
expect_eq "$(openssl pkey -pubin -in doc.pub -outform DER | tail -c 32 |
    sha256sum | cut -d' ' -f1)" "$(sed -n 's/^signer //p' doc.seal)" \
    "the documented seal's signer"
check "the documented fingerprint" grep -q -F \
    "$(sed -n 's/^signer //p' doc.seal)\`:" "$doc"

# --- a seal beyond the log: the database was rolled back ---------------

checkpoint t.db
cp t.db copy.db
run "$SORTES" freeze --db copy.db --signing-key lead.pem --seal ahead.seal
expect_status 0
expect_out_contains "froze 7 entries"
run "$SORTES" verify --db t.db --seal ahead.seal --pubkey lead.pub
expect_status 1
expect_out_empty
expect_err_contains "'ahead.seal': seal of 7 entries: the log has only 6; it was truncated or rolled back"
run "$SORTES" verify --db t.db --seal ahead.seal --pubkey lead.pub --json
expect_status 1
expect_out_contains '"ok":false'
expect_out_contains "it was truncated or rolled back"
# The copy itself verifies with it.
run "$SORTES" verify --db copy.db --seal ahead.seal --pubkey lead.pub
expect_status 0

# --- reveal -------------------------------------------------------------

run "$SORTES" reveal --help
expect_status 0
expect_out_contains "usage: sortes reveal"

# Without the key file (copy.key does not exist): refused.
run "$SORTES" reveal --db copy.db
expect_status 66
expect_err_contains "copy.key"
expect_eq "$(log_count copy.db)" 7 "entries after the refused reveal"

commitment=$("$SQLITE3" t.db 'select seed_commitment from trial')
run "$SORTES" reveal --db t.db
expect_status 0
expect_out_is "revealed the seed in log entry 7; it matches the commitment $commitment"
expect_eq "$("$SQLITE3" t.db 'select kind from log where seq = 7')" reveal "entry 7"

run "$SORTES" reveal --db t.db
expect_status 65
expect_err_contains "revealed already"
expect_eq "$(log_count t.db)" 7 "entries after the second reveal"

run "$SORTES" verify --db t.db --seal t.db.seal-5 --pubkey lead.pub
expect_status 0
expect_out_contains "ok: 7 entries, 3 participants, 3 seals (signatures checked)"

# With the seed revealed, the replay needs no key file.
mv t.key t.key.away
run "$SORTES" verify --db t.db --seal t.db.seal-5 --pubkey lead.pub --replay
expect_status 0
expect_out_contains "replay: all 3 allocations re-derived from the seed match the log"
mv t.key.away t.key

# The copy's freeze and this reveal are both entry 7: not the same log.
run "$SORTES" verify --db t.db --seal ahead.seal --pubkey lead.pub
expect_status 1
expect_err_contains "seal of 7 entries: log entry 7 does not have the sealed hash; the log was rewritten"

# The revealed seed against the genesis commitment, with POSIX tools
# (docs/audit.md).
hexbytes() {
	# shellcheck disable=SC2059 # the format is the escape being made
	for b in $(echo "$1" | sed 's/../& /g'); do
		printf "\\$(printf %03o "0x$b")"
	done
}
seed=$("$SQLITE3" t.db "SELECT json_extract(body, '\$.seed') FROM log WHERE kind = 'reveal'")
genesis_commitment=$("$SQLITE3" t.db "SELECT json_extract(body, '\$.commitment') FROM log WHERE seq = 1")
expect_eq "$genesis_commitment" "$commitment" "commitment in the genesis entry"
expect_eq "$(hexbytes "$seed" | sha256sum | cut -d' ' -f1)" "$commitment" \
    "SHA-256 of the revealed seed"
expect_eq "$("$SQLITE3" t.db "SELECT seed FROM reveals")" "$seed" \
    "the seed in table reveals"

finish
