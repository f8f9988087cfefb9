#!/bin/sh
# t0004-init: creating a trial, its commitments, and never clobbering.
. "$SRCDIR/tests/cli/lib.sh"

# hex_to_bin HEX - write the bytes that HEX spells (POSIX: no xxd).
# awk turns each pair into an octal escape, which printf(1) decodes.
hex_to_bin() {
	_esc=$(printf '%s' "$1" | awk '{
		d = "0123456789abcdef"
		for (i = 1; i < length($0); i += 2)
			printf "\\%03o", (index(d, substr($0, i, 1)) - 1) * 16 + \
			    index(d, substr($0, i + 1, 1)) - 1
	}')
	# the format is built from escapes on purpose
	# shellcheck disable=SC2059
	printf "$_esc"
}

sha256_of() {
	sha256sum | cut -d' ' -f1
}

# Work on a copy of the protocol: it is edited at the end.
cp "$UNGIFOKUS" fokus.yaml

run "$SORTES" init --protocol fokus.yaml --db t.db
expect_status 0
expect_out_contains "created trial 'ungifokus' in t.db"
expect_out_contains "key file         t.key"
expect_err_empty
check "t.db was not created" test -f t.db
check "t.key was not created" test -f t.key
# Built under a pending name, which is gone with its WAL files.
check "t.db.init-pending left behind" test ! -e t.db.init-pending
check "t.db.init-pending-wal left behind" test ! -e t.db.init-pending-wal
init_out=$(cat out)

# Both files hold secrets or personal data: owner only.
expect_eq "$(stat -c %a t.key)" 600 "mode of the key file"
expect_eq "$(stat -c %a t.db)" 600 "mode of the database"

# The printed protocol hash is the SHA-256 of the file's bytes, and the
# database and the genesis entry record the same.
protocol_sha=$(sha256_of <fokus.yaml)
printed_sha=$(printf '%s\n' "$init_out" | awk '$1 == "protocol" && $2 == "sha256" { print $3 }')
expect_eq "$printed_sha" "$protocol_sha" "printed protocol sha256"
expect_eq "$("$SQLITE3" t.db 'select protocol_sha256 from trial')" \
    "$protocol_sha" "stored protocol sha256"

# The seed commitment is the SHA-256 of the 32 seed bytes in the key.
check "key file names its trial" grep -q -x 'trial ungifokus' t.key
check "key file has its format line" grep -q -x 'sortes-key 1' t.key
seed_hex=$(grep '^seed ' t.key | cut -d' ' -f2)
expect_eq "${#seed_hex}" 64 "length of the hex seed"
expect_eq "$(hex_to_bin "$seed_hex" | wc -c | tr -d ' ')" 32 "seed bytes"
commitment=$(hex_to_bin "$seed_hex" | sha256_of)
printed_commitment=$(printf '%s\n' "$init_out" | awk '$1 == "seed" && $2 == "commitment" { print $3 }')
expect_eq "$printed_commitment" "$commitment" "printed seed commitment"
expect_eq "$("$SQLITE3" t.db 'select seed_commitment from trial')" \
    "$commitment" "stored seed commitment"

# The genesis entry commits to both.
genesis=$("$SQLITE3" t.db "select body from log where seq = 1 and kind = 'genesis'")
check "genesis entry lacks the commitment" \
    contains "$genesis" "\"commitment\":\"$commitment\""
check "genesis entry lacks the protocol hash" \
    contains "$genesis" "\"protocol_sha256\":\"$protocol_sha\""
expect_eq "$(log_count t.db)" 1 "log entries of a new trial"

# The seed must never be stored in the database.
checkpoint t.db
expect_eq "$(grep -c "$seed_hex" t.db)" 0 "seed (hex) found in the database"

# Re-running init on the same database: refused, nothing changes.
db_sum=$(sha256_of <t.db)
cp t.key t.key.orig
run "$SORTES" init --protocol fokus.yaml --db t.db
expect_status 73
expect_out_empty
expect_err_contains "already exists"
expect_eq "$(sha256_of <t.db)" "$db_sum" "database checksum after re-init"
check "key file changed by re-init" cmp -s t.key t.key.orig

# ... also with a fresh key file name: the database is never clobbered
# and no key is left behind for it.
run "$SORTES" init --protocol fokus.yaml --db t.db --key other.key
expect_status 73
expect_err_contains "cannot create database 't.db': it already exists"
expect_eq "$(sha256_of <t.db)" "$db_sum" "database checksum after re-init"
check "other.key left behind" test ! -e other.key
check "t.db.init-pending left by a refused init" test ! -e t.db.init-pending

# A file that is not a trial is not overwritten either.
echo "precious" >notes.db
run "$SORTES" init --protocol fokus.yaml --db notes.db --key notes.key
expect_status 73
expect_eq "$(cat notes.db)" precious "content of an existing file"
check "notes.key left behind" test ! -e notes.key

# An invalid protocol: 65, and neither file is created.
sed 's/^    ratio: 1$/    ratoi: 1/' fokus.yaml >broken.yaml
run "$SORTES" init --protocol broken.yaml --db b.db
expect_status 65
expect_err_contains "broken.yaml:"
expect_err_contains "unknown key 'ratoi'"
check "b.db left behind" test ! -e b.db
check "b.db-wal left behind" test ! -e b.db-wal
check "b.key left behind" test ! -e b.key
check "b.db.init-pending left behind" test ! -e b.db.init-pending

# A missing protocol: 66, nothing created.
run "$SORTES" init --protocol no-such.yaml --db m.db
expect_status 66
expect_err_contains "no-such.yaml"
check "m.db left behind" test ! -e m.db
check "m.key left behind" test ! -e m.key

# A directory as the protocol: 66 as well, named so.
mkdir protocols.d
run "$SORTES" init --protocol protocols.d --db m.db
expect_status 66
expect_err_contains "sortes: protocol 'protocols.d' is a directory"
check "m.db left behind" test ! -e m.db
check "m.key left behind" test ! -e m.key

# The key file already exists: 73, it is kept as it was, no database.
echo "someone else's key" >k.key
chmod 600 k.key
run "$SORTES" init --protocol fokus.yaml --db k.db
expect_status 73
expect_err_contains "k.key"
expect_err_contains "already exists"
check "k.db created although the key exists" test ! -e k.db
check "k.db.init-pending left behind" test ! -e k.db.init-pending
expect_eq "$(cat k.key)" "someone else's key" "existing key file"

# The key file cannot be written: the database is rolled back and removed.
run "$SORTES" init --protocol fokus.yaml --db n.db --key no-such-dir/n.key
expect_status 73
expect_err_contains "no-such-dir/n.key"
check "n.db left behind without a key" test ! -e n.db
check "n.db-wal left behind" test ! -e n.db-wal
check "n.db.init-pending left behind" test ! -e n.db.init-pending
check "n.db.init-pending-wal left behind" test ! -e n.db.init-pending-wal

# The database's directory does not exist: 73, naming the database.
run "$SORTES" init --protocol fokus.yaml --db no-such-dir/d.db
expect_status 73
expect_err_contains "cannot create database 'no-such-dir/d.db': No such file or directory"
check "d.key left behind" test ! -e d.key

# Its pending name is a symbolic link: never followed.
ln -s target.db s.db.init-pending
run "$SORTES" init --protocol fokus.yaml --db s.db
expect_status 77
expect_err_contains "cannot create database 's.db': 's.db.init-pending' is a symbolic link"
check "the link was followed" test ! -e target.db
check "s.db created" test ! -e s.db
check "s.key created" test ! -e s.key

# Default names: $SORTES_DB, else trial.db; the key beside it.
run env SORTES_DB=env.db "$SORTES" init --protocol fokus.yaml
expect_status 0
check "env.db missing" test -f env.db
check "env.key missing" test -f env.key
run "$SORTES" init --protocol fokus.yaml
expect_status 0
check "trial.db missing" test -f trial.db
check "trial.key missing" test -f trial.key
# Every trial draws its own seed.
check "two trials share a seed" \
    test "$(grep '^seed ' env.key)" != "$(grep '^seed ' trial.key)"

# A bad clock setting is a usage error, before anything is created.
run env SORTES_NOW=yesterday "$SORTES" init --protocol fokus.yaml --db c.db
expect_status 64
expect_err_contains "SORTES_NOW 'yesterday'"
check "c.db created with a bad clock" test ! -e c.db

# 'protocol show' prints the stored bytes exactly ...
run "$SORTES" protocol show --db t.db
expect_status 0
check "protocol show differs from the file" cmp -s out fokus.yaml

# ... and keeps doing so when the file is edited afterwards: the trial
# runs on the copy it stored at init.
cp fokus.yaml fokus.orig
echo "# edited after the trial started" >>fokus.yaml
run "$SORTES" protocol show --db t.db
expect_status 0
check "protocol show follows the edited file" cmp -s out fokus.orig

run env SORTES_DB=t.db "$SORTES" protocol show
expect_status 0
check "protocol show via SORTES_DB differs" cmp -s out fokus.orig

run "$SORTES" protocol show --db no-such.db
expect_status 66
expect_err_contains "no-such.db"
check "protocol show created a database" test ! -e no-such.db

finish
