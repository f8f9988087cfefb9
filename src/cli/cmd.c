/*
 * cmd.c - the command table and dispatch.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "cli.h"

const struct cmd_entry cmd_table[] = {
	{ "init", "create a trial from a protocol file",
	  "usage: sortes init --protocol FILE [--db FILE] [--key FILE]\n"
	  "\n"
	  "Create the trial database and its key file.  The protocol's exact\n"
	  "bytes and SHA-256 are stored in the database, a 256-bit seed is\n"
	  "drawn from the system's random source into the key file (mode\n"
	  "0600), and the log starts with a genesis entry that commits to the\n"
	  "protocol and to the seed.  Neither file may exist already.  A\n"
	  "protocol is checked first as 'sortes protocol check' does, its time\n"
	  "zone included, and if it is refused every error is printed and\n"
	  "nothing is written.  The database is built as FILE.init-pending and\n"
	  "takes its name only once it holds the trial and the key file is\n"
	  "written: an init stopped midway is finished, or started again, by\n"
	  "running it again (docs/files.md).  Exit 75 while another init is\n"
	  "creating FILE.\n"
	  "\n"
	  "      --protocol FILE  the protocol (YAML; see docs/protocol.md)\n"
	  "  -d, --db FILE        the trial database (default $SORTES_DB or trial.db)\n"
	  "  -k, --key FILE       the key file (default: the database name with .key)\n",
	  cmd_init },
	{ "protocol", "check a protocol file, or show a trial's stored protocol",
	  "usage: sortes protocol check [--json] FILE...\n"
	  "       sortes protocol show [--json] [--db FILE]\n"
	  "\n"
	  "check: validate protocol files as init would, including that this\n"
	  "system knows the time zone.  Every error is printed (the first 20\n"
	  "in the file, then how many more), each naming file, line and\n"
	  "column, with the nearest known word when one is misspelt.\n"
	  "show: print the protocol stored in a trial database, byte for\n"
	  "byte, as every command uses it; with --json, its canonical JSON\n"
	  "form (docs/protocol-json.md), byte for byte what the genesis entry\n"
	  "commits to, without a final newline.  It opens the database\n"
	  "read-only.\n"
	  "\n"
	  "  -j, --json           check: the results as JSON (docs/json.md); show:\n"
	  "                       the canonical JSON form instead of the file\n"
	  "  -d, --db FILE        the trial database (default $SORTES_DB or trial.db)\n",
	  cmd_protocol },
	{ "caseworker", "register caseworkers (the clusters), one or from CSV",
	  "usage: sortes caseworker add CODE --team TEAM [--covariate NAME=VALUE]...\n"
	  "       sortes caseworker import FILE [--delimiter C] [--skip-invalid REJECTS]\n"
	  "       sortes caseworker list [--json]\n"
	  "\n"
	  "Register caseworkers with their team (or job centre) and the\n"
	  "caseworker covariates the protocol declares.  In a caseworker-level\n"
	  "trial, caseworkers are the units randomized by 'sortes randomize';\n"
	  "one registered after that is a new hire and is allocated at once, by\n"
	  "permuted blocks within its team (this needs the key file); once the\n"
	  "seed is revealed a new hire is refused (exit 69), registering that\n"
	  "allocates nothing is not.  An import file has a header naming its\n"
	  "columns: code, team and covariates; it is registered all or nothing,\n"
	  "unless --skip-invalid is given.  list opens the database read-only.\n"
	  "\n"
	  "  -t, --team TEAM            the caseworker's team or job centre\n"
	  "  -v, --covariate NAME=VALUE a caseworker covariate; repeat for each\n"
	  "      --delimiter C          ',' ';' or 'tab' (default: detected)\n"
	  "  -i, --skip-invalid REJECTS register valid rows, write refused ones\n"
	  "  -d, --db FILE              the trial database\n"
	  "  -k, --key FILE             the trial's key file (for new hires)\n"
	  "  -j, --json                 the result as JSON (docs/json.md)\n",
	  cmd_caseworker },
	{ "randomize", "allocate all registered caseworkers to arms",
	  "usage: sortes randomize [--beacon VALUE] [--db FILE] [--key FILE] [--json]\n"
	  "\n"
	  "Allocate every registered caseworker of a caseworker-level trial in\n"
	  "one step, by the protocol's method, and record the allocation in the\n"
	  "log.  Done once; caseworkers registered later are new hires and are\n"
	  "allocated as they register.  Participants then inherit the arm of\n"
	  "their caseworker.  If the protocol fixes a public randomness beacon,\n"
	  "its value must be given and is mixed with the secret seed\n"
	  "(docs/randomization.md), so that nobody could know the allocation\n"
	  "when the seed was committed.  With method constrained it also\n"
	  "prints the balance scores' distribution (quantiles 5 to 95%), the\n"
	  "cutoff, the chosen allocation's rank and a balance table of the\n"
	  "covariate columns, enums coded as docs/constrained.md says.\n"
	  "Refused once the seed is revealed (exit 69).\n"
	  "\n"
	  "  -b, --beacon VALUE   the beacon's published value, in hex\n"
	  "  -d, --db FILE        the trial database\n"
	  "  -k, --key FILE       the trial's key file\n"
	  "  -j, --json           the allocation and report as JSON (docs/json.md)\n",
	  cmd_randomize },
	{ "enroll", "enroll one participant, or a cohort from CSV",
	  "usage: sortes enroll --person ID --caseworker CODE [--field NAME=VALUE]...\n"
	  "       sortes enroll --csv FILE [--delimiter C] [--skip-invalid REJECTS]\n"
	  "                     [--results OUT]\n"
	  "\n"
	  "Check the participant's fields and eligibility against the trial's\n"
	  "protocol, allocate an arm and record it in the log.  Person\n"
	  "identifiers are stored only as keyed pseudonyms.  The protocol's\n"
	  "trial.identifier says what they are: cpr, a CPR number DDMMYY-SSSS\n"
	  "or DDMMYYSSSS whose date exists; or ascii (the default), printable\n"
	  "ASCII.  Blanks at the ends are trimmed; a blank inside, and any\n"
	  "invisible or non-ASCII character (a byte order mark, a no-break\n"
	  "space), is refused with its position and code point, never\n"
	  "stripped (docs/protocol.md, \"Person identifiers\").\n"
	  "Dates are YYYY-MM-DD; DD-MM-YYYY and DD.MM.YYYY too where the\n"
	  "protocol declares date_format: day_month_year (docs/protocol.md,\n"
	  "\"Dates\"); what is logged is always YYYY-MM-DD.\n"
	  "A CSV file has a header naming its columns: person, caseworker and\n"
	  "protocol fields.  If any row is refused, nobody is enrolled and\n"
	  "every refused row is reported, unless --skip-invalid is given: then\n"
	  "the valid rows are enrolled and the refused ones written to REJECTS\n"
	  "with their line and reason.  --results OUT writes one row per input\n"
	  "row: line, person as given, participant, arm and its name,\n"
	  "caseworker, status (enrolled or refused) and the reason of a\n"
	  "refusal.  It holds person identifiers, so it is created mode 0600\n"
	  "and never over an existing file (exit 73), and only when the\n"
	  "enrollment is committed: a cohort refused whole writes none\n"
	  "(docs/linkage.md).  Refused once the seed is revealed (exit\n"
	  "69): every allocation would then be predictable.\n"
	  "\n"
	  "  -P, --person ID            the person's identifier, e.g. a CPR number\n"
	  "  -c, --caseworker CODE      the caseworker's code\n"
	  "  -f, --field NAME=VALUE     a protocol field; repeat for each\n"
	  "  -C, --csv FILE             enroll every row of FILE ('-': stdin)\n"
	  "      --delimiter C          ',' ';' or 'tab' (default: detected)\n"
	  "  -i, --skip-invalid REJECTS enroll valid rows, write refused ones\n"
	  "  -R, --results OUT          write every row's outcome to OUT (0600)\n"
	  "  -d, --db FILE              the trial database\n"
	  "  -k, --key FILE             the trial's key file\n"
	  "  -j, --json                 who was enrolled, and refused rows, as JSON\n"
	  "                             (docs/json.md)\n",
	  cmd_enroll },
	{ "transfer", "move a participant to another caseworker",
	  "usage: sortes transfer PARTICIPANT --to CODE [--db FILE] [--json]\n"
	  "\n"
	  "Move a participant (by UUID) to another caseworker.  The arm stays\n"
	  "the one first allocated (intention to treat); the move is logged.\n"
	  "In a caseworker-level trial the new caseworker must be allocated,\n"
	  "and a move to a caseworker of another arm is flagged as possible\n"
	  "contamination.\n"
	  "\n"
	  "      --to CODE        the new caseworker\n"
	  "  -d, --db FILE        the trial database\n"
	  "  -j, --json           the result as JSON (docs/json.md)\n",
	  cmd_transfer },
	{ "withdraw", "record that a participant withdrew",
	  "usage: sortes withdraw PARTICIPANT --reason TEXT [--db FILE] [--json]\n"
	  "\n"
	  "Record a participant's withdrawal, with the reason, in the log.\n"
	  "Nothing is deleted, and the participant stays in the arm first\n"
	  "allocated for the analysis (intention to treat).\n"
	  "\n"
	  "  -r, --reason TEXT    why (1 to 1000 bytes)\n"
	  "  -d, --db FILE        the trial database\n"
	  "  -j, --json           the result as JSON (docs/json.md)\n",
	  cmd_withdraw },
	{ "participant", "show one participant's whole history from the log",
	  "usage: sortes participant show PARTICIPANT [--json] [--db FILE]\n"
	  "\n"
	  "Print every log entry about the participant (its UUID), in log\n"
	  "order, with its number and time: the enrollment (caseworker, arm,\n"
	  "allocation, stratum, baseline fields), transfers (and whether the\n"
	  "new caseworker's arm differs: possible contamination), the\n"
	  "withdrawal and its reason, follow-up outcomes (measures, missed\n"
	  "occasions, out-of-window dates, corrections with what they\n"
	  "superseded) and budget spends.  What it shows is read from the\n"
	  "logged entries themselves.  With --json, one JSON object holding\n"
	  "each entry's logged body and hash (docs/json.md).  A participant\n"
	  "the trial does not hold is refused (exit 65).  It opens the\n"
	  "database read-only and needs no key file.\n"
	  "\n"
	  "  -j, --json           print the history as JSON\n"
	  "  -d, --db FILE        the trial database\n",
	  cmd_participant },
	{ "followup", "list due follow-ups, record measurements, write a calendar",
	  "usage: sortes followup due [--as-of DATE] [--within DAYS] [--caseworker CODE]\n"
	  "                           [--limit N] [--json] [--arm-specific]\n"
	  "       sortes followup overdue [--as-of DATE] [--caseworker CODE] [--limit N]\n"
	  "                               [--json] [--arm-specific]\n"
	  "       sortes followup record PARTICIPANT OCCASION MEASURE=VALUE... [--date DATE]\n"
	  "                              [--out-of-window] [--correct] [--json]\n"
	  "       sortes followup missed PARTICIPANT OCCASION --reason TEXT [--correct]\n"
	  "                              [--json]\n"
	  "       sortes followup calendar [--caseworker CODE] [--arm-specific] > due.ics\n"
	  "\n"
	  "Every participant gets the protocol's follow-up occasions for the\n"
	  "arm at enrollment, due counted from the enrollment date in the\n"
	  "trial's time zone (docs/followups.md).  due: the open occasions\n"
	  "whose window is open on DATE (default today) or opens within DAYS,\n"
	  "by due date.  overdue: open occasions whose window has closed.\n"
	  "Both print the first 1000 and say on stderr if there are more.\n"
	  "record: the measures taken, checked against the protocol, as a log\n"
	  "entry; a date outside the window needs --out-of-window and is\n"
	  "flagged.  missed: the occasion could not be done.  An occasion with\n"
	  "an outcome is changed only with --correct, by a new entry that\n"
	  "supersedes the last; nothing is edited.  A correction changes only\n"
	  "what it names: the other measures, and the date unless --date is\n"
	  "given, stay as recorded.  calendar: the open occasions as an\n"
	  "iCalendar file, one all-day event each, with UIDs that stay the\n"
	  "same, so that importing it again updates the events.\n"
	  "Lists and the calendar never show the arm, but an occasion that only\n"
	  "some arms have (its arms: in the protocol) tells it, and in a\n"
	  "caseworker-level trial so does the caseworker, to whoever knows the\n"
	  "caseworkers' arms.  If the protocol declares outcome_assessment:\n"
	  "blinded, such occasions are left out, unless --arm-specific is given\n"
	  "(which names them on stderr).\n"
	  "due, overdue and calendar open the database read-only.\n"
	  "\n"
	  "      --as-of DATE       the day to list for (YYYY-MM-DD; default today)\n"
	  "  -w, --within DAYS      how far ahead: 14d (default), 3w, or days\n"
	  "  -c, --caseworker CODE  only this caseworker's participants\n"
	  "  -l, --limit N          at most N rows (default 1000; 0: all)\n"
	  "  -j, --json             due, overdue: a JSON array, one object a line;\n"
	  "                         record, missed: the entry as JSON (docs/json.md)\n"
	  "  -A, --arm-specific     also occasions only some arms have (blinded trials)\n"
	  "  -D, --date DATE        when the measures were taken (default today;\n"
	  "                         with --correct, the corrected one's date)\n"
	  "      --out-of-window    accept a date outside the window, flagged\n"
	  "  -r, --reason TEXT      why the occasion was missed (1 to 1000 bytes)\n"
	  "      --correct          supersede the occasion's recorded outcome\n"
	  "  -d, --db FILE          the trial database\n",
	  cmd_followup },
	{ "budget", "record spends of participants' budgets, report the ledger",
	  "usage: sortes budget spend PARTICIPANT --amount AMOUNT --category NAME\n"
	  "                           [--note TEXT] [--date DATE]\n"
	  "       sortes budget report [--json]\n"
	  "\n"
	  "spend: record an approved spend of the participant's budget (the\n"
	  "protocol's budget: section) as a log entry.  AMOUNT is in the\n"
	  "budget's currency with at most 2 decimals (3200 or 3200.50) and is\n"
	  "stored exactly in minor units (øre).  Refused: an amount not above\n"
	  "0, one beyond what remains, a participant in an arm without a\n"
	  "budget or withdrawn, and a category the protocol does not list.\n"
	  "report: spends by category, then each participant's spent and\n"
	  "remaining budget; it opens the database read-only.\n"
	  "\n"
	  "  -m, --amount AMOUNT    the amount, e.g. 3200 or 3200.50\n"
	  "      --category NAME    what it was for (one of the protocol's)\n"
	  "  -n, --note TEXT        a note (1 to 1000 bytes)\n"
	  "  -D, --date DATE        when it was spent (default today)\n"
	  "  -d, --db FILE          the trial database\n"
	  "  -j, --json             the result as JSON, amounts in minor units\n"
	  "                         (docs/json.md)\n",
	  cmd_budget },
	{ "verify", "recompute the log's hash chain and check the tables",
	  "usage: sortes verify [--seal FILE]... [--pubkey FILE] [--replay [--key FILE]]\n"
	  "                     [--db FILE] [--json]\n"
	  "\n"
	  "Recompute every entry's hash from genesis to head, check the genesis\n"
	  "entry against the stored protocol and seed commitment, and check\n"
	  "that the participant, allocation, outcome and spend tables say\n"
	  "exactly what the log says, and the follow-up schedule what the\n"
	  "protocol and each enrollment day in the trial's time zone give.\n"
	  "Then check every seal, those kept in the database and those\n"
	  "given as files: the log must reach each seal's entry with the sealed\n"
	  "hash, and that entry be the freeze with the seal's note, time and\n"
	  "signer; with --pubkey, each signature must be valid for that key.\n"
	  "With --replay, re-derive every allocation from the seed, the\n"
	  "protocol and the order of the log, and compare: the revealed seed,\n"
	  "or before the reveal the key file's (--key).\n"
	  "The database is opened read-only and never changed; one of an older\n"
	  "schema is read through an up-to-date temporary copy.\n"
	  "Exit status 0 when all holds, 1 when anything does not.\n"
	  "\n"
	  "  -s, --seal FILE      a seal file; repeat for each\n"
	  "      --replay         re-derive every allocation from the seed\n"
	  "  -k, --key FILE       the key file, to replay before the reveal\n"
	  "  -p, --pubkey FILE    the public key the seals must be signed with\n"
	  "  -d, --db FILE        the trial database\n"
	  "  -j, --json           print the result as JSON\n",
	  cmd_verify },
	{ "verify-export", "check an export against a seal, without the database",
	  "usage: sortes verify-export EXPORT --seal FILE --pubkey FILE [--json]\n"
	  "\n"
	  "Check an export made with 'sortes export allocations --seal' or\n"
	  "'sortes export followups --seal': the seal's signature; the log\n"
	  "extract EXPORT.log, entry by entry, up to the sealed hash, which must\n"
	  "be the freeze that made the seal; the protocol EXPORT.protocol\n"
	  "against the seal's protocol hash; the export, byte for byte, against\n"
	  "the rows that extract makes; and the manifest EXPORT.manifest.json\n"
	  "against both: strict JSON, no unknown key, every key (entries,\n"
	  "export, export_sha256, format, head, kind, protocol_sha256, rows,\n"
	  "seal.sealed_at, seal.signer, trial; for follow-ups also dictionary\n"
	  "and dictionary_sha256) as the seal and the export say, and every\n"
	  "byte as sortes export writes it.  The manifest's kind (allocations or\n"
	  "followups) says which rows to rebuild: allocations from the\n"
	  "enrollments, transfers and withdrawals, with the columns the protocol\n"
	  "gives (format csv-2 or json-2; an export of sortes before strata and\n"
	  "fields had columns, csv or json, without the protocol); follow-ups\n"
	  "from the enrollments, transfers, withdrawals and outcomes, scheduled\n"
	  "by the protocol (which, from log format 2 on, must read as\n"
	  "EXPORT.protocol.json, the JSON form the genesis entry commits to),\n"
	  "with the dictionary EXPORT-metadata.json checked against the one\n"
	  "that protocol makes.  Needs no database: this is the evaluator's\n"
	  "check (docs/audit.md).\n"
	  "\n"
	  "  -s, --seal FILE      the seal the export was made at\n"
	  "  -p, --pubkey FILE    the public key the seal must be signed with\n"
	  "  -j, --json           the result as JSON (docs/json.md)\n",
	  cmd_verify_export },
	{ "export", "export allocations or follow-up outcomes for evaluators",
	  "usage: sortes export allocations [--format csv|json] [--output FILE]\n"
	  "                                 [--dictionary FILE]\n"
	  "                                 [--seal FILE [--pubkey FILE] | --at N]\n"
	  "                                 [--blinded [--key FILE]] [--db FILE]\n"
	  "       sortes export followups [--format csv|json] [--output FILE]\n"
	  "                               [--dictionary FILE |\n"
	  "                                --seal FILE [--pubkey FILE] | --at N]\n"
	  "                               [--blinded [--key FILE]] [--db FILE]\n"
	  "       sortes export linkage --persons FILE [--output OUT]\n"
	  "                             [--seal FILE [--pubkey FILE] | --at N]\n"
	  "                             [--key FILE] [--db FILE]\n"
	  "\n"
	  "allocations: one row per participant, in log order: pseudonym,\n"
	  "participant UUID, caseworker, arm code and name, enrollment time, log\n"
	  "sequence number and entry hash, status (active, withdrawn,\n"
	  "transferred), withdrawal time, number of transfers, then one column\n"
	  "per stratum (stratum_NAME) and per baseline field (field_NAME), named\n"
	  "so that Stata, R and pandas read them (docs/export-allocations.md).\n"
	  "No person identifiers.  With --seal or --at, only the participants\n"
	  "the log holds as of the seal's (or the N-th) entry, with their status\n"
	  "as of it, always the same bytes for the same seal, a manifest\n"
	  "FILE.manifest.json naming the entry, its hash, the seal and the\n"
	  "export's SHA-256, FILE.log, the log's entries up to it, and\n"
	  "FILE.protocol, the protocol file, with which 'sortes verify-export'\n"
	  "checks the export without the database (the log holds baseline\n"
	  "fields, but no person identifiers).  FILE is put in place after the\n"
	  "others, so that it never stands without them; a FILE.log,\n"
	  "FILE.protocol or FILE.manifest.json already there, as a run stopped\n"
	  "midway leaves them, is kept only if it is exactly what this export\n"
	  "writes.\n"
	  "\n"
	  "followups: one row per participant, scheduled occasion and measure\n"
	  "(long format), by enrollment, then occasion and measure in protocol\n"
	  "order: pseudonym, arm, caseworker, occasion, due, window_start,\n"
	  "window_end, status, measured_on, out_of_window, measure and value,\n"
	  "the last four of a done occasion's latest outcome, empty otherwise.\n"
	  "No participant UUID.\n"
	  "\n"
	  "A data dictionary (CSV on the Web metadata) describes every column,\n"
	  "its datatype and allowed values, the arms, fields and measures:\n"
	  "written to --dictionary FILE, or, for a CSV --output FILE, to\n"
	  "FILE-metadata.json (docs/export-allocations.md,\n"
	  "docs/export-followups.md).\n"
	  "\n"
	  "followups with --seal or --at: the export as it stood after the\n"
	  "seal's (or the N-th) entry: only the participants enrolled and the\n"
	  "transfers, withdrawals and outcomes logged by then, rebuilt from the\n"
	  "log, always the same bytes for the same seal; beside it, as for\n"
	  "allocations, FILE.manifest.json, FILE.log and FILE.protocol, and\n"
	  "the dictionary FILE-metadata.json and the protocol's JSON form,\n"
	  "FILE.protocol.json (log format 2 on), with which 'sortes\n"
	  "verify-export' rebuilds the export and its dictionary without the\n"
	  "database.\n"
	  "\n"
	  "linkage: for a register authority's linkage, one row per person of\n"
	  "FILE (a CSV with a 'person' column, as enrollment files have) whom\n"
	  "the trial enrolled: person as given, participant, arm, enrolled_on,\n"
	  "withdrawn_on (dates in the trial's time zone).  Persons never\n"
	  "enrolled (by the seal's or N-th entry) get no row; their lines are\n"
	  "reported on stderr and counted in the manifest.  Needs the key file.\n"
	  "OUT is created mode 0600 and never over a file; OUT.manifest.json\n"
	  "names the entry it is as of, its hash, the rows, the persons not\n"
	  "enrolled, OUT's SHA-256 and the seal (docs/linkage.md).  'linkage'\n"
	  "comes right after 'export'.\n"
	  "\n"
	  "--blinded writes each arm as its neutral label (group A, ...), by\n"
	  "the mapping that 'sortes blind' committed the trial to (exit 69\n"
	  "before), drawn from the key file's seed (or the revealed one); the\n"
	  "real arm codes and names appear nowhere, the dictionary included\n"
	  "(arm and arm_name both hold the label).  A blinded allocation export\n"
	  "leaves entry_hash empty; a blinded follow-up export leaves out the\n"
	  "occasions only some arms have.  With --seal or --at, for both, the\n"
	  "manifest names the commitment, which must be in the log by the\n"
	  "seal's (or the N-th) entry (exit 69 otherwise), and no FILE.log is\n"
	  "written: the log holds the arms, so 'sortes verify-export' cannot\n"
	  "check a blinded export (docs/blinding.md).\n"
	  "\n"
	  "All open the database read-only and never change it.\n"
	  "\n"
	  "      --persons FILE     linkage: the persons to link\n"
	  "  -s, --seal FILE        export as of this seal (checked against the log)\n"
	  "  -p, --pubkey FILE      also check the seal's signature\n"
	  "  -a, --at N             export as of log entry N\n"
	  "      --dictionary FILE  write the export's data dictionary to FILE\n"
	  "  -B, --blinded          neutral labels instead of the arms\n"
	  "  -F, --format FMT       csv (default) or json\n"
	  "  -o, --output FILE      write to FILE, which must not exist (default: stdout)\n"
	  "  -k, --key FILE         the trial's key file (linkage; --blinded before the reveal)\n"
	  "  -d, --db FILE          the trial database\n",
	  cmd_export },
	{ "lookup", "which participant, arm and caseworker a person is",
	  "usage: sortes lookup --person ID... | --csv FILE [--json]\n"
	  "                     [--key FILE] [--db FILE]\n"
	  "\n"
	  "Find persons by the keyed pseudonym of their identifier, as\n"
	  "enrollment computed it, and print for each: the identifier as\n"
	  "given, participant UUID, arm code and name, the caseworker now\n"
	  "(after transfers), the enrollment date and the status: active,\n"
	  "withdrawn (with the date) or transferred (with the number of\n"
	  "transfers); or 'not enrolled'.  --csv reads the 'person' column of\n"
	  "FILE (an enrollment file serves).  Never enrolls anyone; opens the\n"
	  "database read-only.  Needs the trial's key file.  Every person is\n"
	  "found before anything is printed: an identifier that is not one is\n"
	  "refused (exit 65) with its place, never its text.  Exit 1 when any\n"
	  "person is not enrolled (docs/linkage.md).\n"
	  "\n"
	  "  -P, --person ID      a person's identifier; repeat for each\n"
	  "  -C, --csv FILE       the persons of FILE's 'person' column ('-': stdin)\n"
	  "  -j, --json           one JSON array (docs/json.md)\n"
	  "  -k, --key FILE       the trial's key file\n"
	  "  -d, --db FILE        the trial database\n",
	  cmd_lookup },
	{ "keygen", "make an Ed25519 key pair for signing seals",
	  "usage: sortes keygen --output NAME\n"
	  "\n"
	  "Write NAME.pem (the private key, mode 600) and NAME.pub (the public\n"
	  "key, for evaluators and auditors), as PEM files the openssl command\n"
	  "line reads.  Neither may exist, but for NAME.pem alone, as a keygen\n"
	  "stopped between the two files leaves it: then its public key is\n"
	  "written to NAME.pub.  Each file is written whole or not at all.\n"
	  "\n"
	  "  -o, --output NAME    where to write the keys\n",
	  cmd_keygen },
	{ "freeze", "seal the log with a signature",
	  "usage: sortes freeze --signing-key PRIVATE.pem [--note TEXT] [--seal FILE]\n"
	  "                     [--db FILE]\n"
	  "\n"
	  "Append a freeze entry and write a seal: the trial, its protocol\n"
	  "hash and seed commitment, the number of entries and the hash of the\n"
	  "last, the time and note, the signer's key fingerprint, and an\n"
	  "Ed25519 signature.  The seal is kept in the database and written to\n"
	  "FILE (default: the database name with .seal-N), to be kept apart\n"
	  "from the database: docs/audit.md shows how to check it with openssl.\n"
	  "The freeze is committed first; if its file is not written after\n"
	  "that, 'sortes seal show' writes it from the database.\n"
	  "\n"
	  "      --signing-key FILE  the signing key (from sortes keygen)\n"
	  "  -n, --note TEXT         a one-line note, e.g. \"after cohort 3\"\n"
	  "  -s, --seal FILE         where to write the seal; must not exist\n"
	  "  -d, --db FILE           the trial database\n",
	  cmd_freeze },
	{ "seal", "list the seals kept in the database, write one out again",
	  "usage: sortes seal list [--db FILE] [--json]\n"
	  "       sortes seal show ENTRY [--output FILE] [--db FILE]\n"
	  "\n"
	  "Every freeze keeps its seal in the database as well as writing the\n"
	  "seal file.  list: the seals kept, one a line: the freeze entry's\n"
	  "number, the time, the signer's key fingerprint and the note.  show:\n"
	  "the seal of freeze entry ENTRY as its seal file, byte for byte what\n"
	  "'sortes freeze' wrote, to standard output or to FILE, which must not\n"
	  "exist.  For a seal file lost, or never written because freeze\n"
	  "stopped after its commit.  Check it like any seal file:\n"
	  "'sortes verify --seal FILE --pubkey KEY.pub' (docs/audit.md).\n"
	  "\n"
	  "  -o, --output FILE    write the seal to FILE (default: stdout)\n"
	  "  -d, --db FILE        the trial database\n"
	  "  -j, --json           list: as JSON (docs/json.md)\n",
	  cmd_seal },
	{ "reveal", "publish the randomization seed in the log, for audit",
	  "usage: sortes reveal [--key FILE] [--db FILE]\n"
	  "\n"
	  "Append the trial's secret seed to the log, once enrollment has\n"
	  "closed, so that anyone can replay every allocation.  The seed must\n"
	  "match the commitment made at init.  The pseudonym key is never\n"
	  "revealed.  With the seed known every further allocation could be\n"
	  "foreseen, so from then on enroll, randomize and new hires are\n"
	  "refused (exit 69): close enrollment, freeze, then reveal.\n"
	  "\n"
	  "  -k, --key FILE       the trial's key file\n"
	  "  -d, --db FILE        the trial database\n",
	  cmd_reveal },
	{ "blind", "commit to the arms' neutral labels, for blinded exports",
	  "usage: sortes blind [--key FILE] [--db FILE]\n"
	  "\n"
	  "Draw the mapping of the trial's arms to neutral labels (group A,\n"
	  "group B, ...) from the seed and append a commitment to it to the\n"
	  "log: SHA-256 of a secret nonce, drawn from the seed too, and the\n"
	  "mapping.  'sortes export allocations|followups --blinded' then\n"
	  "writes the labels instead of the arms, the same mapping every time;\n"
	  "only 'sortes unblind' discloses it (docs/blinding.md).  Once per\n"
	  "trial, before the seed is revealed (exit 69 after; 65 the second\n"
	  "time).  Needs the key file.\n"
	  "\n"
	  "  -k, --key FILE       the trial's key file\n"
	  "  -d, --db FILE        the trial database\n",
	  cmd_blind },
	{ "unblind", "disclose the blinding's mapping in the log, and print it",
	  "usage: sortes unblind [--key FILE] [--json] [--db FILE]\n"
	  "\n"
	  "Append the mapping of labels to arms and the nonce that open the\n"
	  "trial's blinding commitment to the log, and print the mapping: the\n"
	  "evaluators' blinded analysis is done.  Refused without a commitment\n"
	  "(exit 69) and the second time (exit 65).  The mapping is drawn from\n"
	  "the revealed seed, or before the reveal from the key file's.\n"
	  "'sortes verify' checks that the disclosure opens the commitment;\n"
	  "'sortes verify --replay', that both are what the seed gives.\n"
	  "\n"
	  "  -k, --key FILE       the trial's key file (not needed after the reveal)\n"
	  "  -j, --json           print the disclosure as JSON (docs/blinding.md)\n"
	  "  -d, --db FILE        the trial database\n",
	  cmd_unblind },
	{ "upgrade", "bring a database's schema up to this sortes",
	  "usage: sortes upgrade [--db FILE]\n"
	  "\n"
	  "Apply the schema migrations the database lacks, each in its own\n"
	  "transaction, carrying its trial forward.  Commands that write do\n"
	  "this by themselves; those that only read (verify, export, protocol\n"
	  "show, participant show, followup due, overdue and calendar, budget\n"
	  "report, caseworker list) never change the file: they read a\n"
	  "database of an older schema through an up-to-date temporary copy,\n"
	  "made again each time.  Upgrading once saves that copying.  A\n"
	  "database at the newest schema is left as it is; one made by a newer\n"
	  "sortes is refused.\n"
	  "\n"
	  "  -d, --db FILE        the trial database (default $SORTES_DB or trial.db)\n",
	  cmd_upgrade },
	{ "rng", "print raw PCG32 outputs, to cross-check the generator",
	  "usage: sortes rng --seed N --stream M [--count K] [--bound B]\n"
	  "\n"
	  "Seed PCG32 with initial state N and stream M (as pcg32_srandom_r)\n"
	  "and print K outputs, one a line, in hex; with --bound, print\n"
	  "unbiased draws in [0, B) in decimal instead.\n"
	  "\n"
	  "      --seed N         initial state, 0 to 2^64-1\n"
	  "      --stream M       stream selector, 0 to 2^63-1\n"
	  "      --count K        how many (default 6)\n"
	  "      --bound B        draw below B, 1 to 2^32-1\n",
	  cmd_rng },
	{ "help", "show the commands, or one command's help",
	  "usage: sortes help [COMMAND]\n", cmd_help },
	{ NULL, NULL, NULL, NULL }
};

static const struct cmd_entry *
cmd_find(const char *name)
{
	for (const struct cmd_entry *c = cmd_table; c->name != NULL; c++)
		if (strcmp(c->name, name) == 0)
			return c;
	return NULL;
}

/* An option line of a help text: "  -x, --long ARG   text". */
struct help_option {
	int letter;		/* 0: long only */
	const char *name;	/* after "--", not terminated */
	size_t len;
	int has_arg;
};

/*
 * The next option line of a help text from 'p' into *o; returns where
 * to go on from, or NULL after the last.
 */
static const char *
help_option_next(const char *p, struct help_option *o)
{
	for (const char *nl; *p != '\0'; p = nl != NULL ? nl + 1 : "") {
		nl = strchr(p, '\n');
		o->letter = 0;
		if (strncmp(p, "  -", 3) == 0 && p[3] != '-' &&
		    strncmp(p + 4, ", --", 4) == 0)
			o->letter = (unsigned char)p[3];
		else if (strncmp(p, "      --", 8) != 0)
			continue;
		o->name = p + 8;
		o->len = strspn(o->name, "abcdefghijklmnopqrstuvwxyz0123456789-");
		o->has_arg = o->name[o->len] == ' ' &&
		    o->name[o->len + 1] >= 'A' && o->name[o->len + 1] <= 'Z';
		return o->name + o->len;
	}
	return NULL;
}

/*
 * Whether the option 'arg' ("--name", a prefix of it as getopt_long()
 * takes it, or the letter 'letter') takes the next word as its value,
 * by the command's help text.
 */
static int
help_takes_arg(const char *usage, const char *name, int letter)
{
	struct help_option o;
	size_t len = strlen(name);
	int prefixes = 0, prefix_arg = 0;

	for (const char *p = usage; (p = help_option_next(p, &o)) != NULL;) {
		if (letter != 0) {
			if (o.letter == letter)
				return o.has_arg;
			continue;
		}
		if (o.len < len || strncmp(o.name, name, len) != 0)
			continue;
		if (o.len == len)
			return o.has_arg;
		prefixes++;
		prefix_arg = o.has_arg;
	}
	return prefixes == 1 && prefix_arg;
}

/*
 * Whether a command line asks for the version: -V or --version as an
 * option, not as another option's value.  Checked before the command
 * runs, so that every command and subcommand, and every one added
 * later, answers it as 'sortes --version' does, with no -V in its own
 * option table.
 */
static int
cmd_wants_version(const struct cmd_entry *c, int argc, char **argv)
{
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];

		if (strcmp(a, "--") == 0)
			return 0;
		if (cli_is_version(a))
			return 1;
		if (a[0] != '-' || a[1] == '\0')
			continue;
		if (a[1] == '-') {
			if (strchr(a, '=') == NULL &&
			    help_takes_arg(c->usage, a + 2, 0))
				i++;
			continue;
		}
		for (const char *l = a + 1; *l != '\0'; l++) {
			if (*l == 'V')
				return 1;
			if (help_takes_arg(c->usage, "", (unsigned char)*l)) {
				i += l[1] == '\0';
				break;
			}
		}
	}
	return 0;
}

static void
cmd_overview(FILE *fp)
{
	fputs("usage: sortes COMMAND [OPTIONS]\n\n"
	    "Randomized-trial assignment with a hash-chained allocation log.\n\n"
	    "Commands:\n", fp);
	for (const struct cmd_entry *c = cmd_table; c->name != NULL; c++)
		fprintf(fp, "  %-10s %s\n", c->name, c->summary);
	fputs("\nRun 'sortes COMMAND --help' for a command's options; -V or\n"
	    "--version, alone or after any command, prints the version.\n"
	    "Option letters mean the same in every command\n"
	    "(docs/options.md).\n\n"
	    "Environment: SORTES_DB, the database when --db is not given;\n"
	    "SORTES_NOW=YYYY-MM-DDTHH:MM:SSZ, the time (UTC) to use instead of\n"
	    "the clock, for tests and demos, recorded as given; no entry may be\n"
	    "dated before the log's last (exit 69); SORTES_PROGRESS_AFTER=SECONDS,\n"
	    "how long a step runs before its progress line is drawn (default 1;\n"
	    "0 from the start).\n"
	    "\n"
	    "Work that takes longer (enroll --csv, caseworker import, verify,\n"
	    "export, randomize by the constrained method) draws a progress line on\n"
	    "standard error when that is a terminal, never into a pipe or file:\n"
	    "rows done, of how many when known, the rate and the time left.\n"
	    "Commands that print a result take --json (-j) for one JSON value\n"
	    "instead (docs/json.md).\n", fp);
}

int
cli_help(const char *command)
{
	const struct cmd_entry *c = cmd_find(command);

	if (c != NULL)
		fputs(c->usage, stdout);
	return cli_finish(0);
}

int
cli_is_version(const char *arg)
{
	return strcmp(arg, "--version") == 0 || strcmp(arg, "-V") == 0;
}

int
cli_version(void)
{
	puts("sortes " PACKAGE_VERSION);
	return cli_finish(0);
}

int
cmd_help(int argc, char **argv)
{
	if (argc < 2) {
		cmd_overview(stdout);
		return cli_finish(0);
	}
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)
		return cli_help("help");
	if (cmd_find(argv[1]) == NULL) {
		fprintf(stderr, "sortes: unknown command '%s'\n", argv[1]);
		return EXIT_USAGE;
	}
	return cli_help(argv[1]);
}

int
cli_run(int argc, char **argv)
{
	const struct cmd_entry *c;

	if (argc < 1) {
		cmd_overview(stderr);
		return EXIT_USAGE;
	}
	if (strcmp(argv[0], "--help") == 0 || strcmp(argv[0], "-h") == 0) {
		cmd_overview(stdout);
		return cli_finish(0);
	}
	if (cli_is_version(argv[0]))
		return cli_version();
	if ((c = cmd_find(argv[0])) == NULL) {
		fprintf(stderr, "sortes: unknown command '%s'\n"
		    "Try 'sortes help'.\n", argv[0]);
		return EXIT_USAGE;
	}
	if (cmd_wants_version(c, argc, argv))
		return cli_version();
	return c->exec(argc, argv);
}
