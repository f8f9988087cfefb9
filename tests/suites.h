/* suites.h - one Check suite per library module, run by check_main.c. */
#ifndef SORTES_TEST_SUITES_H
#define SORTES_TEST_SUITES_H

#include <check.h>

Suite *suite_pcg32(void);
Suite *suite_jcs(void);
Suite *suite_json(void);
Suite *suite_date(void);
Suite *suite_field(void);
Suite *suite_protocol(void);
Suite *suite_protocol_json(void);
Suite *suite_person(void);
Suite *suite_suggest(void);
Suite *suite_zone(void);
Suite *suite_csv(void);
Suite *suite_keyfile(void);
Suite *suite_infile(void);
Suite *suite_db(void);
Suite *suite_chain(void);
Suite *suite_enroll(void);
Suite *suite_caseworker(void);
Suite *suite_constrained(void);
Suite *suite_seal(void);
Suite *suite_bundle(void);
Suite *suite_calendar(void);
Suite *suite_followup(void);
Suite *suite_history(void);
Suite *suite_budget(void);
Suite *suite_docs(void);
Suite *suite_outfile(void);
Suite *suite_lookup(void);
Suite *suite_followups_seal(void);
Suite *suite_blind(void);
Suite *suite_golden(void);

#endif
