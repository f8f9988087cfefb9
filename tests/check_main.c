/*
 * check_main.c - runs every library suite.  CK_RUN_SUITE and
 * CK_RUN_CASE select a subset, as Check documents.
 */
#include <stdlib.h>

#include "suites.h"

int
main(void)
{
	SRunner *sr;
	int failed;

	sr = srunner_create(suite_pcg32());
	srunner_add_suite(sr, suite_jcs());
	srunner_add_suite(sr, suite_json());
	srunner_add_suite(sr, suite_date());
	srunner_add_suite(sr, suite_field());
	srunner_add_suite(sr, suite_protocol());
	srunner_add_suite(sr, suite_protocol_json());
	srunner_add_suite(sr, suite_person());
	srunner_add_suite(sr, suite_suggest());
	srunner_add_suite(sr, suite_zone());
	srunner_add_suite(sr, suite_csv());
	srunner_add_suite(sr, suite_keyfile());
	srunner_add_suite(sr, suite_infile());
	srunner_add_suite(sr, suite_db());
	srunner_add_suite(sr, suite_chain());
	srunner_add_suite(sr, suite_enroll());
	srunner_add_suite(sr, suite_caseworker());
	srunner_add_suite(sr, suite_constrained());
	srunner_add_suite(sr, suite_seal());
	srunner_add_suite(sr, suite_bundle());
	srunner_add_suite(sr, suite_calendar());
	srunner_add_suite(sr, suite_followup());
	srunner_add_suite(sr, suite_history());
	srunner_add_suite(sr, suite_budget());
	srunner_add_suite(sr, suite_docs());
	srunner_add_suite(sr, suite_outfile());
	srunner_add_suite(sr, suite_lookup());
	srunner_add_suite(sr, suite_followups_seal());
	srunner_add_suite(sr, suite_blind());
	srunner_add_suite(sr, suite_golden());
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
