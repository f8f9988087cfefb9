#!/bin/sh
# t0026-reveal-time: once the seed is revealed nothing more is allocated
# (enroll, one or a CSV cohort, randomize, a new hire: exit 69, nothing
# written); registering that allocates nothing goes on.  The log's times
# never go back: an entry dated before the last one is refused naming
# both times (a clock or SORTES_NOW set back), and verify catches a log
# rewritten to go back in time.
. "$SRCDIR/tests/cli/lib.sh"

# expect_log DB N - DB's log holds N entries (nothing written).
expect_log() {
	expect_eq "$(log_count "$1")" "$2" "log entries in $1"
}

# enroll_ub DB PERSON CASEWORKER - enroll an eligible Ungebudgetter youth.
enroll_ub() {
	run "$SORTES" enroll --db "$1" --person "$2" --caseworker "$3" \
	    --field birth_date=2001-03-09 \
	    --field months_without_job_or_education=14 \
	    --field benefit=uddannelseshjaelp
}

# refusal DOING TRIAL SEQ - the message of an allocation after the reveal.
refusal() {
	echo "sortes: $1 trial '$2': the seed was revealed in log entry $3, so any allocation made now would be predictable; allocating ends before the reveal (close enrollment, freeze, then reveal)"
}

# --- the help says so ----------------------------------------------------

for c in enroll randomize caseworker reveal; do
	run "$SORTES" "$c" --help
	expect_status 0
	expect_out_contains "revealed"
	expect_out_contains "(exit"
done
run "$SORTES" help
expect_status 0
expect_out_contains "SORTES_NOW=YYYY-MM-DDTHH:MM:SSZ"

# --- an individually randomized trial, revealed -------------------------

new_trial "$UNGIFOKUS" f.db
enroll_fokus f.db 010190-1001
expect_status 0
run "$SORTES" keygen --output lead
expect_status 0
run "$SORTES" freeze --db f.db --signing-key lead.pem --note "enrollment closed"
expect_status 0
run "$SORTES" reveal --db f.db
expect_status 0
expect_out_contains "revealed the seed in log entry 4"
expect_log f.db 4

enroll_fokus f.db 020291-1002
expect_status 69
expect_out_empty
refusal "enrolling into" ungifokus 4 >expected
check "stderr is not the refusal" cmp -s expected err
expect_log f.db 4

cat >cohort.csv <<'EOF'
person,caseworker,birth_date,sex,benefit,activity_ready,jobcentre
020291-1002,CW1,2001-02-02,M,uddannelseshjaelp,ja,syd
150395-2001,CW1,1995-03-15,F,kontanthjaelp,ja,syd
EOF
run "$SORTES" enroll --db f.db --csv cohort.csv --skip-invalid rejects.csv
expect_status 69
expect_out_empty
check "stderr is not the refusal" cmp -s expected err
check "a rejects file was left behind" test ! -e rejects.csv
expect_log f.db 4
expect_eq "$("$SQLITE3" f.db 'select count(*) from participants')" 1 \
    "participants in f.db"

# Registering a caseworker allocates nothing in this trial; withdrawing
# allocates nothing either.
run "$SORTES" caseworker add CW2 --team "Jobcenter syd" --db f.db
expect_status 0
pid=$("$SQLITE3" f.db 'select id from participants')
run "$SORTES" withdraw "$pid" --reason "moved away" --db f.db
expect_status 0
expect_log f.db 6
run "$SORTES" verify --db f.db --replay
expect_status 0

# --- a caseworker-level trial with new hires ----------------------------

office_caseworkers 4
cat >hires.csv <<'EOF'
code,team,caseload,share_education_benefit,office
NH01,Nord,12,30,nord
EOF

# Revealed before the randomization: randomizing is refused, but
# registering caseworkers still allocates nothing.
new_trial "$UNGEBUDGETTER" early.db
run "$SORTES" caseworker import cws.csv --db early.db
expect_status 0
run "$SORTES" reveal --db early.db
expect_status 0
expect_log early.db 6
run "$SORTES" randomize --db early.db --beacon 0011223344556677
expect_status 69
expect_out_empty
refusal randomizing ungebudgetter 6 >expected
check "stderr is not the refusal" cmp -s expected err
expect_log early.db 6
expect_eq "$("$SQLITE3" early.db 'select count(*) from caseworker_allocations')" \
    0 "caseworker allocations in early.db"
run "$SORTES" caseworker add CW05 --team Midt --covariate caseload=30 \
    --covariate share_education_benefit=45 --covariate office=midt \
    --db early.db
expect_status 0
expect_log early.db 7

# Randomized, then revealed: no new hire, one or from CSV, and no youth.
new_trial "$UNGEBUDGETTER" b.db
run "$SORTES" caseworker import cws.csv --db b.db
expect_status 0
run "$SORTES" randomize --db b.db --beacon 0011223344556677
expect_status 0
enroll_ub b.db 010190-1001 CW01
expect_status 0
run "$SORTES" reveal --db b.db
expect_status 0
expect_log b.db 8
refusal "registering a new hire in" ungebudgetter 8 >expected
run "$SORTES" caseworker add NH01 --team Nord --covariate caseload=12 \
    --covariate share_education_benefit=30 --covariate office=nord \
    --db b.db
expect_status 69
expect_out_empty
check "stderr is not the refusal" cmp -s expected err
run "$SORTES" caseworker import hires.csv --db b.db
expect_status 69
expect_out_empty
check "stderr is not the refusal" cmp -s expected err
enroll_ub b.db 020291-1002 CW02
expect_status 69
expect_out_empty
refusal "enrolling into" ungebudgetter 8 >expected
check "stderr is not the refusal" cmp -s expected err
expect_log b.db 8
expect_eq "$("$SQLITE3" b.db 'select count(*) from caseworkers')" 4 \
    "caseworkers in b.db"
run "$SORTES" verify --db b.db --replay
expect_status 0

# --- time only moves forward --------------------------------------------

# The trial was made at lib.sh's SORTES_NOW, 2024-03-01T10:00:00Z.
new_trial "$UNGIFOKUS" t.db
back="2024-02-01T10:00:00Z"
run env SORTES_NOW=$back "$SORTES" enroll --db t.db --person 010190-1001 \
    --caseworker CW1 --field birth_date=2000-05-17 --field sex=F \
    --field benefit=uddannelseshjaelp --field activity_ready=ja \
    --field jobcentre=midt
expect_status 69
expect_out_empty
echo "sortes: log entry 2 would be dated $back, before log entry 1 ($SORTES_NOW): the log's times never go back; is the clock, or SORTES_NOW, set back?" >expected
check "stderr does not name both times" cmp -s expected err
expect_log t.db 1

cat >one.csv <<'EOF'
person,caseworker,birth_date,sex,benefit,activity_ready,jobcentre
010190-1001,CW1,2000-05-17,F,uddannelseshjaelp,ja,midt
EOF
run env SORTES_NOW=$back "$SORTES" enroll --db t.db --csv one.csv
expect_status 69
expect_out_empty
expect_err_contains "one.csv:2: log entry 2 would be dated $back, before log entry 1 ($SORTES_NOW)"
expect_log t.db 1

# The same second as the entry before is fine, and later of course.
enroll_fokus t.db 010190-1001
expect_status 0
later="2024-03-01T12:00:00Z"
run env SORTES_NOW=$later "$SORTES" enroll --db t.db --csv cohort.csv \
    --skip-invalid rejects.csv
expect_status 0
expect_log t.db 3
p1=$("$SQLITE3" t.db 'select id from participants where seq = 2')

# Every kind of entry is held to it, before anything is written.
run "$SORTES" transfer "$p1" --to CW2 --db t.db
expect_status 69
expect_err_contains "log entry 4 would be dated $SORTES_NOW, before log entry 3 ($later)"
run "$SORTES" withdraw "$p1" --reason "moved" --db t.db
expect_status 69
expect_err_contains "before log entry 3 ($later)"
run "$SORTES" caseworker add CW7 --team "Jobcenter midt" --db t.db
expect_status 69
run "$SORTES" freeze --db t.db --signing-key lead.pem --note "set back"
expect_status 69
expect_err_contains "before log entry 3 ($later)"
check "a seal file was written" test ! -e t.db.seal-4
run "$SORTES" reveal --db t.db
expect_status 69
expect_log t.db 3
run env SORTES_NOW=$later "$SORTES" transfer "$p1" --to CW2 --db t.db
expect_status 0
expect_log t.db 4
run "$SORTES" verify --db t.db
expect_status 0

# --- a log rewritten to go back in time ----------------------------------

# hexbytes HEX - the bytes HEX spells (docs/log-format.md).
hexbytes() {
	# shellcheck disable=SC2059 # the format is the escape being made
	for b in $(echo "$1" | sed 's/../& /g'); do
		printf "\\$(printf %03o "0x$b")"
	done
}

# rehash DB FROM - recompute every hash from entry FROM on, as a forger
# with write access and the documented algorithm can.
rehash() {
	prev=$("$SQLITE3" "$1" "select prev_hash from log where seq = $2")
	for seq in $("$SQLITE3" "$1" "select seq from log where seq >= $2 order by seq"); do
		body=$("$SQLITE3" "$1" "select body from log where seq = $seq")
		hash=$( { hexbytes "$prev"; printf '%s' "$body"; } |
		    sha256sum | cut -d' ' -f1)
		"$SQLITE3" "$1" "update log set prev_hash = '$prev', hash = '$hash' where seq = $seq"
		prev=$hash
	done
}

# The cohort's enrollment (entry 3) is moved to an hour before entry 2,
# on the same day so that its follow-ups keep their dates: in its body
# and its participant row alike.
checkpoint t.db
cp t.db past.db
"$SQLITE3" past.db "drop trigger log_no_update; drop trigger log_no_delete;
    update log set body = replace(body, '$later', '2024-03-01T09:00:00Z') where seq = 3;
    update participants set enrolled_at = '2024-03-01T09:00:00Z' where seq = 3" ||
    fail "tampering failed"
rehash past.db 3
run "$SORTES" verify --db past.db
expect_status 1
expect_out_empty
expect_err_contains "log entry 3: dated 2024-03-01T09:00:00Z, before entry 2 ($SORTES_NOW)"
run "$SORTES" verify --db past.db --json
expect_status 1
expect_out_contains '"first_bad_entry":3,'

# Before the genesis: the trial made a month later than it was.
cp t.db genesis.db
"$SQLITE3" genesis.db "drop trigger log_no_update; drop trigger log_no_delete;
    update log set body = replace(body, '$SORTES_NOW', '2024-03-02T10:00:00Z') where seq = 1;
    update trial set created_at = '2024-03-02T10:00:00Z'" ||
    fail "tampering failed"
rehash genesis.db 1
run "$SORTES" verify --db genesis.db
expect_status 1
expect_err_contains "log entry 2: dated $SORTES_NOW, before entry 1 (2024-03-02T10:00:00Z)"
finish
