#!/bin/sh
# t0024-read-only: the commands that only read open the database
# read-only.  An auditor's read-only copy in a read-only directory is
# read as it is, by a user that cannot write it; the file is never
# changed (no migration, no switch of journal mode, no -wal or -shm left
# beside it); a -wal that SQLite cannot read there is refused rather
# than ignored; a database of an older schema is read through an
# up-to-date temporary copy, the file unchanged, and 'sortes upgrade'
# carries the file itself forward.
. "$SRCDIR/tests/cli/lib.sh"

# A read-only directory keeps even its owner from removing what is in
# it; give it back before the directory goes.
trap 'cd / && chmod -R u+w "$tmpdir" && rm -rf "$tmpdir"' EXIT

sha256_of() {
	sha256sum <"$1" | cut -d' ' -f1
}

# no_side_files DB - nothing beside DB: no -wal, no -shm, no -journal.
no_side_files() {
	for _s in -wal -shm -journal; do
		check "$1$_s appeared" test ! -e "$1$_s"
	done
}

# The reader: another user when run as root, who ignores file modes.
# Without setpriv or user 65534 that part is skipped.
reader=
if [ "$(id -u)" -ne 0 ]; then
	reader=self
elif command -v setpriv >/dev/null 2>&1 &&
    setpriv --reuid=65534 --regid=65534 --clear-groups \
    "$SORTES" --version >/dev/null 2>&1; then
	reader=nobody
fi

# as_reader CMD... - run CMD as the reader.
as_reader() {
	if [ "$reader" = nobody ]; then
		setpriv --reuid=65534 --regid=65534 --clear-groups "$@"
	else
		"$@"
	fi
}

# --- a trial with something for every command that reads --------------

new_trial "$UNGEBUDGETTER" t.db
office_caseworkers 4
run "$SORTES" caseworker import cws.csv --db t.db
expect_status 0
run "$SORTES" randomize --db t.db --beacon 0011223344556677
expect_status 0
cw_b=$("$SQLITE3" t.db "select c.code from caseworkers c join caseworker_allocations a on a.caseworker = c.seq where a.arm = 'B' order by c.code limit 1")
n=0
for person in 010190-1001 020291-1002 150395-2001; do
	n=$((n + 1))
	run "$SORTES" enroll --db t.db --person "$person" --caseworker "CW0$n" \
	    --field birth_date=2000-05-17 \
	    --field months_without_job_or_education=12 \
	    --field benefit=uddannelseshjaelp
	expect_status 0
done
run "$SORTES" enroll --db t.db --person 030392-1003 --caseworker "$cw_b" \
    --field birth_date=2000-05-17 --field months_without_job_or_education=12 \
    --field benefit=uddannelseshjaelp
expect_status 0
youth=$(sed -n 's/^enrolled participant \([^:]*\):.*/\1/p' out)
run "$SORTES" budget spend "$youth" --db t.db --amount 1200.50 \
    --category education
expect_status 0
run "$SORTES" keygen --output lead
expect_status 0
run "$SORTES" freeze --db t.db --signing-key lead.pem --note "enrollment closed" \
    --seal t.seal
expect_status 0
run "$SORTES" export allocations --db t.db --seal t.seal --pubkey lead.pub \
    --output sealed.csv
expect_status 0
run "$SORTES" reveal --db t.db
expect_status 0
checkpoint t.db
entries=$(log_count t.db)

# read_one TAG NAME ARGS... - sortes ARGS, as the reader, must work;
# its standard output is kept in TAG.NAME.
read_one() {
	_tag=$1
	_name=$2
	shift 2
	run as_reader "$SORTES" "$@"
	expect_status 0
	cp out "$_tag.$_name"
}

# read_all TAG DIR OUTBOX - every command that only reads, on DIR/t.db
# (with the seal and public key beside it), writing any file to OUTBOX.
read_all() {
	read_one "$1" verify verify --db "$2/t.db" --seal "$2/t.seal" \
	    --pubkey "$2/lead.pub" --replay
	read_one "$1" verify-json verify --db "$2/t.db" --json
	read_one "$1" allocations export allocations --db "$2/t.db"
	read_one "$1" allocations-json export allocations --db "$2/t.db" \
	    --format json
	read_one "$1" sealed export allocations --db "$2/t.db" \
	    --seal "$2/t.seal" --pubkey "$2/lead.pub" --output "$3/$1.csv"
	read_one "$1" followups export followups --db "$2/t.db"
	read_one "$1" protocol protocol show --db "$2/t.db"
	read_one "$1" due followup due --db "$2/t.db" --as-of 2025-02-20 \
	    --within 30d
	read_one "$1" overdue followup overdue --db "$2/t.db" \
	    --as-of 2027-01-01
	read_one "$1" calendar followup calendar --db "$2/t.db"
	read_one "$1" budget budget report --db "$2/t.db"
	read_one "$1" caseworkers caseworker list --db "$2/t.db"
	read_one "$1" participant participant show "$youth" --db "$2/t.db"
	read_one "$1" seals seal list --db "$2/t.db"
	read_one "$1" seal seal show "$(sed -n 's/^entries //p' "$2/t.seal")" \
	    --db "$2/t.db"
	read_one "$1" protocol-json protocol show --json --db "$2/t.db"
	read_one "$1" verify-export verify-export "$3/$1.csv" \
	    --seal "$2/t.seal" --pubkey "$2/lead.pub"
}

# read_own TAG DIR OUTBOX - read_all as the user running the test.
read_own() {
	_reader=$reader
	reader=
	read_all "$@"
	reader=$_reader
}

# same_as_ref TAG - every output of TAG is the reference's.
same_as_ref() {
	for _f in ref.*; do
		[ "$_f" = ref.verify-export ] && continue
		check "$1 ${_f#ref.} differs from the original's" \
		    cmp -s "$_f" "$1.${_f#ref.}"
	done
	check "$1's export differs from the original's" \
	    cmp -s outbox/ref.csv "outbox/$1.csv"
}

# --- the original, in its writable directory --------------------------

mkdir orig outbox
cp t.db t.seal lead.pub orig/
sum=$(sha256_of orig/t.db)
read_own ref orig outbox
expect_out_contains "ok: outbox/ref.csv holds exactly the 4 allocations"
check "the export as of the seal is not the one made at the freeze" \
    cmp -s outbox/ref.csv sealed.csv
check "the verify line" grep -q "^ok: $entries entries, 4 participants, 2 seals (signatures checked)" ref.verify
check "the replay line" grep -q "^replay: all 8 allocations re-derived" ref.verify
expect_eq "$(sha256_of orig/t.db)" "$sum" "SHA-256 of the database after reading it"
no_side_files orig/t.db

# A copy kept in SQLite's rollback-journal mode stays in it: opening it
# for writing would switch it to WAL and change the file.
mkdir journal
cp orig/t.db orig/t.seal orig/lead.pub journal/
"$SQLITE3" journal/t.db 'pragma journal_mode = delete' >/dev/null
sum=$(sha256_of journal/t.db)
read_own journal journal outbox
same_as_ref journal
expect_eq "$(sha256_of journal/t.db)" "$sum" "SHA-256 of a rollback-journal copy"
expect_eq "$("$SQLITE3" journal/t.db 'pragma journal_mode')" delete \
    "journal mode of the copy"
no_side_files journal/t.db

# --- the auditor's read-only copy in a read-only directory ------------

mkdir ro
cp orig/t.db orig/t.seal orig/lead.pub ro/
chmod 444 ro/*
sum=$(sha256_of ro/t.db)
chmod 555 ro
if [ -z "$reader" ]; then
	echo "$test_name: note: no setpriv or no user 65534: reading as another user skipped"
else
	chmod 755 "$tmpdir"
	chmod 777 outbox
	read_all ro ro outbox
	same_as_ref ro
	expect_eq "$(sha256_of ro/t.db)" "$sum" "SHA-256 of the read-only copy"
	no_side_files ro/t.db

	# A file the reader may not read says so.
	cp orig/t.db secret.db
	chmod 000 secret.db
	run as_reader "$SORTES" verify --db secret.db
	expect_status 66
	expect_err_contains "sortes: cannot open database 'secret.db': Permission denied"

	# What writes still fails there, and leaves the file as it was.
	run as_reader "$SORTES" withdraw "$youth" --db ro/t.db --reason moved
	expect_status 74
	expect_eq "$(sha256_of ro/t.db)" "$sum" "SHA-256 after a refused write"
fi

# --- a copy with a write-ahead log ------------------------------------
#
# A copy taken while the trial was open holds its last transaction in
# t.db-wal only.  The shell keeps w.db open (so that the withdrawal is
# not checkpointed) while the files are copied.
mkdir live wal walshm walempty
cp orig/t.db live/w.db
cat >grab.sh <<EOF
"$SORTES" withdraw "$youth" --db live/w.db --reason "moved away" >/dev/null &&
cp live/w.db live/w.db-wal wal/ && cp live/w.db live/w.db-wal live/w.db-shm walshm/
EOF
"$SQLITE3" live/w.db 'select count(*) from log' '.shell sh grab.sh' >/dev/null
check "no -wal was copied" test -s wal/w.db-wal
cp orig/t.db walempty/w.db
: >walempty/w.db-wal
after=$((entries + 1))

# Where SQLite may create its -shm, it reads the -wal too, and the file
# is not changed.
cp -R wal walrw
sum=$(sha256_of walrw/w.db)
run "$SORTES" verify --db walrw/w.db
expect_status 0
expect_out_contains "ok: $after entries"
expect_eq "$(sha256_of walrw/w.db)" "$sum" "SHA-256 of a copy with its -wal"
check "the -wal was checkpointed into the copy" test -s walrw/w.db-wal

if [ -n "$reader" ]; then
	chmod 444 wal/* walshm/* walempty/*
	chmod 555 wal walshm walempty
	sum=$(sha256_of wal/w.db)
	for cmd in verify "export allocations" "protocol show"; do
		# shellcheck disable=SC2086
		run as_reader "$SORTES" $cmd --db wal/w.db
		expect_status 66
		expect_out_empty
		expect_err_contains "database 'wal/w.db' cannot be read here: 'wal/w.db-wal' beside it holds transactions that are not in the file yet"
		expect_err_contains "checkpoint the database first where it can be written"
		expect_err_contains "or give write access to its directory"
	done
	expect_eq "$(sha256_of wal/w.db)" "$sum" "SHA-256 of a refused copy"
	check "a -shm appeared" test ! -e wal/w.db-shm

	# With its -shm, SQLite reads the -wal without writing.
	run as_reader "$SORTES" verify --db walshm/w.db
	expect_status 0
	expect_out_contains "ok: $after entries"

	# An empty -wal holds nothing: the file is whole.
	run as_reader "$SORTES" verify --db walempty/w.db
	expect_status 0
	expect_out_contains "ok: $entries entries"
fi

# --- a reader that went away, a full disk -----------------------------
#
# With the reader of its output gone, a command stops at the first write
# that fails, quietly, with exit 74, and closes the database as on any
# error: nothing is left beside it.  A full disk is named so.

# to_gone_reader CMD... - run CMD with standard output into a pipe whose
# reader has closed it; the status lands in $status, stderr in ./err.
# The fifo makes CMD start only once the reader is gone.
to_gone_reader() {
	rm -f gate
	mkfifo gate
	{ read -r _ <gate; "$@" 2>err; echo $? >status; } |
	    { exec <&-; echo go >gate; }
	status=$(cat status)
}

mkdir pipe
cp orig/t.db orig/t.seal orig/lead.pub pipe/
# out_fails NAME ARGS... - sortes ARGS, its output to a gone reader and
# to a full disk.
out_fails() {
	_name=$1
	shift
	last_cmd="$* | (gone)"
	to_gone_reader "$SORTES" "$@"
	expect_status 74
	check "$_name said something to a reader that went away" \
	    test ! -s err
	no_side_files pipe/t.db
	last_cmd="$* >/dev/full"
	status=0
	"$SORTES" "$@" >/dev/full 2>err || status=$?
	expect_status 74
	expect_err_contains "sortes: cannot write to standard output: disk full"
}
out_fails verify verify --db pipe/t.db --seal pipe/t.seal --replay
out_fails verify-json verify --db pipe/t.db --json
out_fails allocations export allocations --db pipe/t.db
out_fails allocations-json export allocations --db pipe/t.db --format json
out_fails followups export followups --db pipe/t.db
out_fails followups-json export followups --db pipe/t.db --format json
out_fails protocol protocol show --db pipe/t.db
out_fails due followup due --db pipe/t.db --as-of 2025-02-20 --within 30d
out_fails due-json followup due --db pipe/t.db --as-of 2025-02-20 --json
out_fails overdue followup overdue --db pipe/t.db --as-of 2027-01-01
out_fails calendar followup calendar --db pipe/t.db
out_fails budget budget report --db pipe/t.db
out_fails caseworkers caseworker list --db pipe/t.db
out_fails rng rng --seed 1 --stream 2 --count 1000000000
out_fails help help

# --- schema versions ---------------------------------------------------

set -- "$SRCDIR"/migrations/[0-9][0-9][0-9][0-9]-*.sql
latest=$#

run "$SORTES" upgrade --help
expect_status 0
expect_out_contains "usage: sortes upgrade [--db FILE]"
run "$SORTES" upgrade --db t.db extra
expect_status 64
run "$SORTES" upgrade --frob
expect_status 64
expect_err_contains "unknown option '--frob'"
run "$SORTES" upgrade --db no-such.db
expect_status 66
check "upgrade created a database" test ! -e no-such.db

# A database of schema version 3, before follow-ups (migration 0004):
# the first three migrations, recorded as sortes records them, holding
# the rows of the UngiFokus fixture's tables of that schema.
"$SQLITE3" v1.db <"$DATA/v1/ungifokus.sql"
{
	echo "CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL);"
	n=0
	for m in 0001-initial.sql 0002-caseworkers.sql 0003-seals.sql; do
		n=$((n + 1))
		echo "BEGIN;"
		cat "$SRCDIR/migrations/$m"
		echo "INSERT INTO schema_migrations VALUES ($n, '$m', '2024-01-01T00:00:00Z');"
		echo "PRAGMA user_version = $n;"
		echo "COMMIT;"
	done
} | "$SQLITE3" old.db
tables=$("$SQLITE3" old.db "select name from sqlite_schema where type = 'table' and name != 'schema_migrations'")
check "schema 3 holds follow-ups" test -n "${tables##*schedule*}"
{
	echo "ATTACH 'v1.db' AS v1;"
	for table in $tables; do
		echo "INSERT INTO main.$table SELECT * FROM v1.$table;"
	done
	echo "PRAGMA journal_mode = wal;"
} | "$SQLITE3" old.db >/dev/null
expect_eq "$("$SQLITE3" old.db 'pragma user_version')" 3 "schema version"

# Read as it is, through an up-to-date temporary copy: the same as the
# fixture (itself schema 4, read the same way), and the file unchanged.
sum=$(sha256_of old.db)
sum_v1=$(sha256_of v1.db)
for cmd in "export allocations" "protocol show" "followup due"; do
	# shellcheck disable=SC2086
	run "$SORTES" $cmd --db v1.db
	expect_status 0
	mv out v1.out
	mv err v1.err
	# shellcheck disable=SC2086
	run "$SORTES" $cmd --db old.db
	expect_status 0
	check "$cmd of the schema-3 database" cmp -s out v1.out
	check "$cmd's messages on the schema-3 database" cmp -s err v1.err
done
# The fixture's measurement (entry 16) has no row in a schema without
# outcomes, and verify says so, as it would of the file upgraded.
run "$SORTES" verify --db old.db
expect_status 1
expect_err_contains "log entry 16: no outcome row records this entry"
expect_eq "$(sha256_of old.db)" "$sum" "SHA-256 of an old database read"
expect_eq "$("$SQLITE3" old.db 'pragma user_version')" 3 "schema version after reading"
expect_eq "$(sha256_of v1.db)" "$sum_v1" "SHA-256 of the fixture read"
no_side_files old.db

run "$SORTES" upgrade --db old.db
expect_status 0
expect_out_is "upgraded database 'old.db' from schema version 3 to $latest"
expect_err_empty
expect_eq "$("$SQLITE3" old.db 'pragma user_version')" "$latest" "schema version after upgrading"
versions=1
n=1
while [ "$n" -lt "$latest" ]; do
	n=$((n + 1))
	versions="$versions,$n"
done
expect_eq "$("$SQLITE3" old.db 'select group_concat(version) from (select version from schema_migrations order by version)')" \
    "$versions" "migrations recorded"
check "the upgrade lost log entries" test "$(log_count old.db)" -eq "$(log_count v1.db)"

# Carried forward, it reads as the fixture itself does.
run "$SORTES" upgrade --db v1.db
expect_status 0
for cmd in "export allocations" "protocol show"; do
	# shellcheck disable=SC2086
	run "$SORTES" $cmd --db v1.db
	expect_status 0
	mv out v1.out
	# shellcheck disable=SC2086
	run "$SORTES" $cmd --db old.db
	expect_status 0
	check "$cmd of the upgraded database" cmp -s out v1.out
done

# Up to date: nothing is done, and the file stays as it is.
checkpoint old.db
sum=$(sha256_of old.db)
run "$SORTES" upgrade --db old.db
expect_status 0
expect_out_is "database 'old.db' is at schema version $latest, the newest this sortes knows: nothing to do"
expect_eq "$(sha256_of old.db)" "$sum" "SHA-256 after upgrading an up-to-date database"

# A newer schema is refused, by reading and by upgrading alike.
cp old.db new.db
"$SQLITE3" new.db "pragma user_version = $((latest + 1))"
sum=$(sha256_of new.db)
run "$SORTES" verify --db new.db
expect_status 69
expect_err_contains "it was made by a newer sortes"
run "$SORTES" upgrade --db new.db
expect_status 69
expect_err_contains "it was made by a newer sortes"
expect_eq "$(sha256_of new.db)" "$sum" "SHA-256 of a newer database"

# A file that holds no trial is not made into one.
: >empty.db
run "$SORTES" verify --db empty.db
expect_status 65
expect_err_contains "database 'empty.db' holds no trial"
run "$SORTES" upgrade --db empty.db
expect_status 65
expect_err_contains "database 'empty.db' holds no trial: there is nothing to upgrade"
check "upgrade wrote to an empty file" test ! -s empty.db

# A path that SQLite would read as a URI is a file name all the same.
mkdir 'odd ?#%41 dir'
cp orig/t.db 'odd ?#%41 dir/t?#%41.db'
run "$SORTES" verify --db 'odd ?#%41 dir/t?#%41.db'
expect_status 0
expect_out_contains "ok: $entries entries"
run "$SORTES" verify --db "$tmpdir/odd ?#%41 dir/t?#%41.db"
expect_status 0

finish
