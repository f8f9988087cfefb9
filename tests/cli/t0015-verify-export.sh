#!/bin/sh
# t0015-verify-export: an evaluator checks an export against its seal
# without the database; any added, dropped or changed row, an edited
# log extract, a manifest that does not fit, or another signer fails.
. "$SRCDIR/tests/cli/lib.sh"

# Synthetic CPR numbers (see lib.sh).
new_trial "$UNGIFOKUS" t.db
for p in 170500-9001 170500-9002 170500-9003 170500-9004; do
	enroll_fokus t.db "$p"
	expect_status 0
done
run "$SORTES" keygen --output lead
expect_status 0
run "$SORTES" freeze --db t.db --signing-key lead.pem --seal s1
expect_status 0
enroll_fokus t.db 170500-9005
expect_status 0

for fmt in csv json; do
	run "$SORTES" export allocations --db t.db --seal s1 --format "$fmt" \
	    --output "e.$fmt"
	expect_status 0
	check "no log extract beside the export" test -s "e.$fmt.log"
	expect_eq "$(stat -c %a "e.$fmt.log")" 600 "mode of the log extract"
	# The evaluator has no database.
	mkdir "eval-$fmt"
	cp "e.$fmt" "e.$fmt.log" "e.$fmt.manifest.json" "e.$fmt.protocol" s1 \
	    lead.pub "eval-$fmt/"
	run sh -c "cd eval-$fmt && \"\$SORTES\" verify-export e.$fmt --seal s1 \
	    --pubkey lead.pub"
	expect_status 0
	expect_out_contains "exactly the 4 allocations of the 6 log entries"
done

cd eval-csv || fail "no eval-csv"
cp e.csv keep.csv
cp e.csv.log keep.log
cp e.csv.manifest.json keep.manifest

# A changed arm.
awk -F, 'NR == 3 { sub(/,I,/, ",X,"); sub(/,C,/, ",X,") } { print }' \
    keep.csv >e.csv
run "$SORTES" verify-export e.csv --seal s1 --pubkey lead.pub
expect_status 1
expect_err_contains "a row was added, dropped or changed"

# A dropped row.
sed '4d' keep.csv >e.csv
run "$SORTES" verify-export e.csv --seal s1 --pubkey lead.pub
expect_status 1
expect_err_contains "a row was added, dropped or changed"
cp keep.csv e.csv

# An edited log extract.
sed '3s/"caseworker":"CW1"/"caseworker":"CW2"/' keep.log >e.csv.log
run "$SORTES" verify-export e.csv --seal s1 --pubkey lead.pub
expect_status 1
expect_err_contains "entry 3: its hash does not match its content"

# A log extract cut short of the seal.
head -n 4 keep.log >e.csv.log
run "$SORTES" verify-export e.csv --seal s1 --pubkey lead.pub
expect_status 1
expect_err_contains "not at the sealed entry 6"
cp keep.log e.csv.log

# A manifest that names another row count.
sed 's/"rows":4/"rows":5/' keep.manifest >e.csv.manifest.json
run "$SORTES" verify-export e.csv --seal s1 --pubkey lead.pub
expect_status 1
expect_err_contains "row count"
cp keep.manifest e.csv.manifest.json

# A directory where the export, its log extract or its manifest should
# be, or given as the seal or the public key: missing input (66), named.
for f in e.csv e.csv.log e.csv.manifest.json e.csv.protocol; do
	mv "$f" "$f.away"
	mkdir "$f"
	run "$SORTES" verify-export e.csv --seal s1 --pubkey lead.pub
	expect_status 66
	expect_out_empty
	expect_err_contains "'$f' is a directory"
	rmdir "$f"
	mv "$f.away" "$f"
done
mkdir given.d
run "$SORTES" verify-export e.csv --seal given.d --pubkey lead.pub
expect_status 66
expect_err_contains "sortes: seal 'given.d' is a directory"
run "$SORTES" verify-export e.csv --seal s1 --pubkey given.d
expect_status 66
expect_err_contains "sortes: public key 'given.d' is a directory"

# Another signer, an edited seal, missing arguments.
run "$SORTES" keygen --output other
expect_status 0
run "$SORTES" verify-export e.csv --seal s1 --pubkey other.pub
expect_status 1
expect_err_contains "not by the given key"
sed 's/^entries 6/entries 5/' s1 >s2
run "$SORTES" verify-export e.csv --seal s2 --pubkey lead.pub
expect_status 1
run "$SORTES" verify-export e.csv --seal s1
expect_status 64
run "$SORTES" verify-export e.csv --seal s1 --pubkey lead.pub
expect_status 0
finish
