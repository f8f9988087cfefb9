#!/bin/sh
# t0014-export-seal: exports as of a seal or an entry are exactly the
# participants the log held then, the same bytes every time, with a
# manifest that names the seal and the export's SHA-256.
. "$SRCDIR/tests/cli/lib.sh"

# Synthetic CPR numbers (see lib.sh).
new_trial "$UNGIFOKUS" t.db
for p in 170500-9001 170500-9002 170500-9003; do
	enroll_fokus t.db "$p"
	expect_status 0
done
run "$SORTES" keygen --output lead
expect_status 0
run "$SORTES" freeze --db t.db --signing-key lead.pem --seal s1
expect_status 0
head=$(sed -n 's/^head //p' s1)
enroll_fokus t.db 170500-9004
expect_status 0

# As of the seal: three rows, not the fourth enrolled after it.
run "$SORTES" export allocations --db t.db --seal s1 --pubkey lead.pub \
    --output e1.csv
expect_status 0
expect_eq "$(($(wc -l <e1.csv) - 1))" 3 "rows in the export at the seal"
run "$SORTES" export allocations --db t.db --seal s1 --output e2.csv
expect_status 0
check "two exports at the same seal differ" cmp -s e1.csv e2.csv

# The manifest names the seal and the export's bytes.
sha=$(sha256sum e1.csv | cut -d' ' -f1)
m=$(cat e1.csv.manifest.json)
check "manifest lacks the SHA-256" contains "$m" "\"export_sha256\":\"$sha\""
check "manifest lacks the head" contains "$m" "\"head\":\"$head\""
check "manifest lacks the entries" contains "$m" '"entries":5,'
check "manifest lacks the rows" contains "$m" '"rows":3,'
check "manifest lacks the signer" contains "$m" \
    "\"signer\":\"$(sed -n 's/^signer //p' s1)\""

# As of an entry number, JSON.
run "$SORTES" export allocations --db t.db --at 3 --format json \
    --output e3.json
expect_status 0
expect_eq "$(grep -c '"participant"' e3.json)" 2 "rows at entry 3"
check "manifest of --at names no seal" grep -q '"seal":null' \
    e3.json.manifest.json

# Refusals write nothing.
run "$SORTES" export allocations --db t.db --at 99 --output e4.csv
expect_status 65
expect_err_contains "not 99"
check "a refused export left a file" test ! -e e4.csv
check "a refused export left a manifest" test ! -e e4.csv.manifest.json
check "a refused export left a log extract" test ! -e e4.csv.log
run "$SORTES" export allocations --db t.db --seal s1 --at 3 --output e5.csv
expect_status 64
run "$SORTES" export allocations --db t.db --seal s1
expect_status 64
expect_err_contains "--output"
cp e1.csv.manifest.json e1.manifest.orig
cp e1.csv.log e1.log.orig
run "$SORTES" export allocations --db t.db --seal s1 --output e1.csv
expect_status 73
expect_err_contains "cannot create 'e1.csv': it already exists"
check "the manifest changed" cmp -s e1.csv.manifest.json e1.manifest.orig
check "the log extract changed" cmp -s e1.csv.log e1.log.orig
expect_eq "$(stat -c %a e1.csv.log)" 600 "mode of the log extract"
run "$SORTES" keygen --output other
expect_status 0
run "$SORTES" export allocations --db t.db --seal s1 --pubkey other.pub \
    --output e6.csv
expect_status 1
expect_err_contains "not by the given key"
check "an export at a foreign seal was written" test ! -e e6.csv
check "a manifest at a foreign seal was written" test ! -e e6.csv.manifest.json
check "a log extract at a foreign seal was written" test ! -e e6.csv.log
finish
