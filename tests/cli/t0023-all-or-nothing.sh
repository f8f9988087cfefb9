#!/bin/sh
# t0023-all-or-nothing: each command that writes files, stopped at each
# of its kill points (SORTES_KILL_AT, docs/kill-points.md) as a crash
# would stop it, leaves either its whole result or nothing of it under
# the final names, and the same command run again finishes the job; a
# freeze stopped after its commit has its seal written by 'sortes seal
# show'.  Files are never overwritten, and keep their modes.
. "$SRCDIR/tests/cli/lib.sh"

umask 022

# killed STEP CMD... - CMD, stopped by SIGKILL at kill point STEP.
killed() {
	_step=$1
	shift
	run env SORTES_KILL_AT="$_step" "$@"
	expect_status 137
	expect_out_empty
}

# names DIR - the names in DIR, hidden ones too, sorted, on one line.
names() {
	(cd "$1" && find . -mindepth 1 -maxdepth 1 | sed 's|^\./||' | sort |
	    tr '\n' ' ')
}

mode_of() {
	stat -c %a "$1"
}

# --- init ---------------------------------------------------------------

# A kill point that is not a step of the command changes nothing.
run env SORTES_KILL_AT=no-such-step "$SORTES" init --protocol "$UNGIFOKUS" \
    --db plain.db
expect_status 0
expect_eq "$(names .)" "err out plain.db plain.key " "files of an init"

for step in init-pending init-committed init-key-linked; do
	mkdir "$step"
	db=$step/t.db
	killed "$step" "$SORTES" init --protocol "$UNGIFOKUS" --db "$db"
	# No database under its name: not a stub without its trial.
	check "$step: $db exists" test ! -e "$db"
	check "$step: $db-wal exists" test ! -e "$db-wal"
	check "$step: no pending database" test -e "$db.init-pending"
	if [ "$step" = init-key-linked ]; then
		check "$step: no key file" test -f "$step/t.key"
		cp "$step/t.key" "$step.key"
	else
		check "$step: a key file without its trial" test ! -e "$step/t.key"
	fi
	run "$SORTES" verify --db "$db"
	expect_status 66
	expect_err_contains "database '$db' does not exist"

	# The same command again: the trial, whole.
	run "$SORTES" init --protocol "$UNGIFOKUS" --db "$db"
	expect_status 0
	expect_out_contains "created trial 'ungifokus' in $db"
	expect_err_empty
	expect_eq "$(names "$step")" "t.db t.key " "$step: files after the rerun"
	expect_eq "$(mode_of "$db")" 600 "$step: mode of the database"
	expect_eq "$(mode_of "$step/t.key")" 600 "$step: mode of the key file"
	if [ "$step" = init-key-linked ]; then
		# Finished with the key file already in place, not a new one.
		check "$step: the key file was replaced" cmp -s "$step/t.key" \
		    "$step.key"
	fi
	commitment=$(sed -n 's/^  seed commitment  //p' out)
	expect_eq "$("$SQLITE3" "$db" 'select seed_commitment from trial')" \
	    "$commitment" "$step: the printed commitment"
	run "$SORTES" verify --db "$db"
	expect_status 0
	expect_out_contains "ok: 1 entries, 0 participants, 0 seals"
	enroll_fokus "$db" 010190-1001
	expect_status 0
done

# A trial committed under the pending name and its key file, but the
# init is run again with another protocol: refused, and both are kept.
mkdir other
killed init-key-linked "$SORTES" init --protocol "$UNGIFOKUS" --db other/t.db
cp other/t.key other.key
sed 's/^  title: .*/  title: Another title/' "$UNGIFOKUS" >other.yaml
run "$SORTES" init --protocol other.yaml --db other/t.db
expect_status 73
expect_err_contains "cannot create database 'other/t.db': an interrupted init of it from another protocol is in 'other/t.db.init-pending', with key file 'other/t.key'"
expect_eq "$(names other)" "t.db.init-pending t.key " "files after the refusal"
check "the key file changed" cmp -s other/t.key other.key
run "$SORTES" init --protocol "$UNGIFOKUS" --db other/t.db
expect_status 0

# --- keygen -------------------------------------------------------------

mkdir keys
killed keygen-private-linked "$SORTES" keygen --output keys/lead
expect_eq "$(names keys)" "lead.pem " "files of the stopped keygen"
expect_eq "$(mode_of keys/lead.pem)" 600 "mode of the private key"
run "$SORTES" keygen --output keys/lead
expect_status 0
expect_out_contains "found private key keys/lead.pem without its public key, as an interrupted keygen leaves it: wrote public key keys/lead.pub"
expect_err_empty
expect_eq "$(names keys)" "lead.pem lead.pub " "files after the rerun"
expect_eq "$(mode_of keys/lead.pub)" 644 "mode of the public key"
fingerprint=$(sed -n 's/^fingerprint //p' out)
expect_eq "${#fingerprint}" 64 "length of the fingerprint"
# Whole now: a third run refuses, and changes nothing.
cp keys/lead.pem lead.pem.orig
run "$SORTES" keygen --output keys/lead
expect_status 73
expect_err_contains "cannot create 'keys/lead.pem': it already exists"
check "the private key changed" cmp -s keys/lead.pem lead.pem.orig
# A private key that others can read gets no public key written.
cp keys/lead.pem open.pem
chmod 644 open.pem
run "$SORTES" keygen --output open
expect_status 77
check "a public key for an open private key" test ! -e open.pub

# --- freeze and sortes seal ---------------------------------------------

new_trial "$UNGIFOKUS" f.db
for p in 010190-1001 020291-1002 150395-2001; do
	enroll_fokus f.db "$p"
	expect_status 0
done
killed freeze-committed "$SORTES" freeze --db f.db --signing-key keys/lead.pem \
    --note "after cohort 1"
check "a seal file after the stopped freeze" test ! -e f.db.seal-5
expect_eq "$("$SQLITE3" f.db 'select count(*) from seals')" 1 \
    "seals kept in the database"

run "$SORTES" seal list --db f.db
expect_status 0
expect_out_is "$(printf 'entry\tsealed_at\tsigner\tnote\n5\t%s\t%s\tafter cohort 1' \
    "$SORTES_NOW" "$fingerprint")"
expect_err_empty

run "$SORTES" seal show 5 --db f.db --output f.db.seal-5
expect_status 0
expect_out_is "wrote the seal of entry 5 to f.db.seal-5"
expect_err_empty
expect_eq "$(mode_of f.db.seal-5)" 644 "mode of the seal file"
run "$SORTES" verify --db f.db --seal f.db.seal-5 --pubkey keys/lead.pub
expect_status 0
expect_out_contains "ok: 5 entries, 3 participants, 2 seals (signatures checked)"
run "$SORTES" seal show 5 --db f.db
expect_status 0
check "seal show on stdout differs from its file" cmp -s out f.db.seal-5

# Never over an existing file; no seal of an entry that is no freeze.
cp f.db.seal-5 keep.seal
run "$SORTES" seal show 5 --db f.db --output f.db.seal-5
expect_status 73
expect_err_contains "cannot create seal file 'f.db.seal-5': it already exists"
check "the seal file changed" cmp -s f.db.seal-5 keep.seal
run "$SORTES" seal show 4 --db f.db
expect_status 65
expect_out_empty
expect_err_contains "trial 'ungifokus' keeps no seal of entry 4"
run "$SORTES" seal show 4x --db f.db
expect_status 64
run "$SORTES" seal show --db f.db
expect_status 64
expect_err_contains "'seal show' takes one ENTRY"
run "$SORTES" seal list 5 --db f.db
expect_status 64
run "$SORTES" seal --db f.db
expect_status 64
expect_err_contains "expected 'list' or 'show'"
run "$SORTES" seal list --db no-such.db
expect_status 66

# The same command again: a new freeze, whose file 'seal show' gives
# byte for byte.
run "$SORTES" freeze --db f.db --signing-key keys/lead.pem --note "again"
expect_status 0
expect_out_contains "seal written to f.db.seal-6"
run "$SORTES" seal show 6 --db f.db
expect_status 0
check "seal show differs from the file freeze wrote" cmp -s out f.db.seal-6

# --- export as of a seal, and as of an entry ----------------------------

for step in export-log-linked export-manifest-linked; do
	e=$step.csv
	killed "$step" "$SORTES" export allocations --db f.db --seal f.db.seal-5 \
	    --pubkey keys/lead.pub --output "$e"
	# No export without its log extract and manifest.
	check "$step: the export exists" test ! -e "$e"
	check "$step: no log extract" test -f "$e.log"
	expect_eq "$(mode_of "$e.log")" 600 "$step: mode of the log extract"
	if [ "$step" = export-log-linked ]; then
		check "$step: a manifest" test ! -e "$e.manifest.json"
		check "$step: a protocol" test ! -e "$e.protocol"
	else
		check "$step: no manifest" test -f "$e.manifest.json"
		check "$step: no protocol" test -f "$e.protocol"
	fi
	run "$SORTES" verify-export "$e" --seal f.db.seal-5 --pubkey keys/lead.pub
	check "$step: verify-export passed without the export" \
	    test "$status" -ne 0
	cp "$e.log" "$step.log"

	run "$SORTES" export allocations --db f.db --seal f.db.seal-5 \
	    --pubkey keys/lead.pub --output "$e"
	expect_status 0
	expect_err_empty
	check "$step: the log extract changed" cmp -s "$e.log" "$step.log"
	run "$SORTES" verify-export "$e" --seal f.db.seal-5 --pubkey keys/lead.pub
	expect_status 0
	expect_out_contains "holds exactly the 3 allocations of the 5 log entries"
done
run "$SORTES" export allocations --db f.db --seal f.db.seal-5 --output whole.csv
expect_status 0
check "a finished export differs" cmp -s whole.csv export-log-linked.csv
check "a finished log extract differs" cmp -s whole.csv.log export-log-linked.csv.log

# As of an entry, the same.
killed export-manifest-linked "$SORTES" export allocations --db f.db --at 3 \
    --output at3.csv
check "the export as of entry 3 exists" test ! -e at3.csv
run "$SORTES" export allocations --db f.db --at 3 --output at3.csv
expect_status 0
expect_eq "$(($(wc -l <at3.csv) - 1))" 2 "rows as of entry 3"
check "at3.csv.manifest.json" grep -q '"entries":3,' at3.csv.manifest.json

# A file beside the export that is not the one this export writes is
# not taken for its own: refused, and nothing written.
echo "someone's notes" >x.csv.log
run "$SORTES" export allocations --db f.db --seal f.db.seal-5 --output x.csv
expect_status 73
expect_err_contains "cannot create 'x.csv.log': it already exists with other content"
expect_eq "$(cat x.csv.log)" "someone's notes" "the foreign x.csv.log"
check "x.csv written" test ! -e x.csv
check "x.csv.manifest.json written" test ! -e x.csv.manifest.json
cp export-log-linked.csv.log y.csv.log
run "$SORTES" export allocations --db f.db --at 4 --output y.csv
expect_status 73
expect_err_contains "cannot create 'y.csv.log': it already exists with other content"
check "y.csv written" test ! -e y.csv

# --- export followups and its dictionary ---------------------------------

killed export-dictionary-linked "$SORTES" export followups --db f.db \
    --output fu.csv
check "the follow-up export exists" test ! -e fu.csv
check "no dictionary" test -f fu.csv-metadata.json
run "$SORTES" export followups --db f.db --output fu.csv
expect_status 0
expect_err_empty
check "the dictionary names its export" grep -q '"url":"fu.csv"' \
    fu.csv-metadata.json
run "$SORTES" export followups --db f.db --output fu2.csv
expect_status 0
check "a finished follow-up export differs" cmp -s fu.csv fu2.csv

# An allocation export's dictionary, after the log extract and the
# protocol, before the manifest and the export.
killed export-dictionary-linked "$SORTES" export allocations --db f.db \
    --seal f.db.seal-5 --output da.csv
check "the allocation export exists" test ! -e da.csv
check "the manifest exists" test ! -e da.csv.manifest.json
for f in da.csv-metadata.json da.csv.log da.csv.protocol; do
	check "no $f" test -f "$f"
done
run "$SORTES" export allocations --db f.db --seal f.db.seal-5 --output da.csv
expect_status 0
expect_err_empty
run "$SORTES" verify-export da.csv --seal f.db.seal-5 --pubkey keys/lead.pub
expect_status 0
check "a finished allocation export differs" cmp -s da.csv whole.csv

finish
