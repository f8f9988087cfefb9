/*
 * check_pcg32.c - PCG32 against the PCG authors' published outputs
 * (pcg-c test-high/expected/check-pcg32.out: seed 42, stream 54, five
 * rounds of the demo: six raw outputs, a jump back by six, 65 coins,
 * 33 dice and a 52-card shuffle).
 */
#include <stdio.h>
#include <string.h>

#include "sortes/pcg32.h"
#include "suites.h"

struct demo_round {
	uint32_t raw[6];
	const char *coins;
	const char *rolls;
	const char *cards;
};

static const struct demo_round rounds[5] = {
	{ { 0xa15c02b7, 0x7b47f409, 0xba1d3330, 0x83d2f293, 0xbfa4784b,
	    0xcbed606e },
	  "HHTTTHTHHHTHTTTHHHHHTTTHHHTHTHTHTTHTTTHHHHHHTTTTHHTTTTTHTTTTTTTHT",
	  "3 4 1 1 2 2 3 2 4 3 2 4 3 3 5 2 3 1 3 1 5 1 4 1 5 6 4 6 6 2 6 3 3",
	  "Qd Ks 6d 3s 3d 4c 3h Td Kc 5c Jh Kd Jd As 4s 4h Ad Th Ac Jc 7s Qs "
	  "2s 7h Kh 2d 6c Ah 4d Qh 9h 6s 5s 2c 9c Ts 8d 9s 3c 8c Js 5d 2h 6h "
	  "7d 8s 9d 5h 8h Qc 7c Tc" },
	{ { 0x74ab93ad, 0x1c1da000, 0x494ff896, 0x34462f2f, 0xd308a3e5,
	    0x0fa83bab },
	  "HHHHHHHHHHTHHHTHTHTHTHTTTTHHTTTHHTHHTHTTHHTTTHHHHHHTHTTHTHTTTTTTT",
	  "5 1 1 3 3 2 4 5 3 2 2 6 4 3 2 4 2 4 3 2 3 6 3 2 3 4 2 4 1 1 5 4 4",
	  "7d 2s 7h Td 8s 3c 3d Js 2d Tc 4h Qs 5c 9c Th 2c Jc Qd 9d Qc 7s 3s "
	  "5s 6h 4d Jh 4c Ac 4s 5h 5d Kc 8h 8d Jd 9s Ad 6s 6c Kd 2h 3h Kh Ts "
	  "Qh 9h 6d As 7c Ks Ah 8c" },
	{ { 0x39af5f9f, 0x04196b18, 0xc3c3eb28, 0xc076c60c, 0xc693e135,
	    0xf8f63932 },
	  "HTTHHTTTTTHTTHHHTHTTHHTTHTHHTHTHTTTTHHTTTHHTHHTTHTTHHHTHHHTHTTTHT",
	  "5 1 5 3 2 2 4 5 3 3 1 3 4 6 3 2 3 4 2 2 3 1 5 2 4 6 6 4 2 4 3 3 6",
	  "Kd Jh Kc Qh 4d Qc 4h 9d 3c Kh Qs 8h 5c Jd 7d 8d 3h 7c 8s 3s 2h Ks "
	  "9c 9h 2c 8c Ad 7s 4s 2s 5h 6s 4c Ah 7h 5s Ac 3d 5d Qd As Tc 6h 9s "
	  "2d 6c 6d Td Jc Ts Th Js" },
	{ { 0x55ce6851, 0x97a7726d, 0x17e10815, 0x58007d43, 0x962fb148,
	    0xb9bb55bd },
	  "HHTHHTTTTHTHHHHHTTHHHTTTHHTHTHTHTHHTTHTHHHHHHTHHTHHTHHTTTTHHTHHTT",
	  "6 6 3 2 3 4 2 6 4 2 6 3 2 3 5 5 3 4 4 6 6 2 6 5 4 4 6 1 6 1 3 6 5",
	  "Qd 8h 5d 8s 8d Ts 7h Th Qs Js 7s Kc 6h 5s 4d Ac Jd 7d 7c Td 2c 6s "
	  "5h 6d 3s Kd 9s Jh Kh As Ah 9h 3c Qh 9c 2d Tc 9d 2s 3d Ks 4h Qc Ad "
	  "Jc 8c 2h 3h 4s 4c 5c 6c" },
	{ { 0xfcef7cd6, 0x1b488b5a, 0xd0daf7ea, 0x1d9a70f7, 0x241a37cf,
	    0x9a3857b7 },
	  "HHHHTHHTTHTTHHHTTTHHTHTHTTTTHTTHTHTTTHHHTHTHTTHTTHTHHTHTHHHTHTHTT",
	  "5 4 1 2 6 1 3 1 5 6 3 6 2 1 4 4 5 2 1 5 6 5 6 4 4 4 5 2 6 4 3 5 6",
	  "4d 9s Qc 9h As Qs 7s 4c Kd 6h 6s 2c 8c 5d 7h 5h Jc 3s 7c Jh Js Ks "
	  "Tc Jd Kc Th 3h Ts Qh Ad Td 3c Ah 2d 3d 5c Ac 8s 5s 9c 2h 6c 6d Kh "
	  "Qd 8d 7d 2s 8h 4h 9d 4s" },
};

static void
check_raw(struct sortes_pcg32 *rng, const struct demo_round *round)
{
	for (int i = 0; i < 6; i++)
		ck_assert_uint_eq(sortes_pcg32_next(rng), round->raw[i]);
	/* The demo's "Again:" line: step back six and redraw the same. */
	sortes_pcg32_advance(rng, (uint64_t)-6);
	for (int i = 0; i < 6; i++)
		ck_assert_uint_eq(sortes_pcg32_next(rng), round->raw[i]);
}

static void
check_coins(struct sortes_pcg32 *rng, const struct demo_round *round)
{
	char coins[66];

	for (int i = 0; i < 65; i++)
		coins[i] = sortes_pcg32_bounded(rng, 2) ? 'H' : 'T';
	coins[65] = '\0';
	ck_assert_str_eq(coins, round->coins);
}

static void
check_rolls(struct sortes_pcg32 *rng, const struct demo_round *round)
{
	char rolls[66];

	for (int i = 0; i < 33; i++) {
		rolls[2 * i] = (char)('1' + sortes_pcg32_bounded(rng, 6));
		rolls[2 * i + 1] = ' ';
	}
	rolls[65] = '\0';
	ck_assert_str_eq(rolls, round->rolls);
}

static void
check_cards(struct sortes_pcg32 *rng, const struct demo_round *round)
{
	static const char ranks[] = "A23456789TJQK", suits[] = "hcds";
	int cards[52];
	char out[52 * 3];

	for (int i = 0; i < 52; i++)
		cards[i] = i;
	for (int i = 52; i > 1; i--) {
		int chosen = (int)sortes_pcg32_bounded(rng, (uint32_t)i);
		int card = cards[chosen];

		cards[chosen] = cards[i - 1];
		cards[i - 1] = card;
	}
	for (int i = 0; i < 52; i++) {
		out[3 * i] = ranks[cards[i] / 4];
		out[3 * i + 1] = suits[cards[i] % 4];
		out[3 * i + 2] = ' ';
	}
	out[52 * 3 - 1] = '\0';
	ck_assert_str_eq(out, round->cards);
}

START_TEST(test_demo_rounds)
{
	struct sortes_pcg32 rng;

	sortes_pcg32_seed(&rng, 42, 54);
	for (int r = 0; r < 5; r++) {
		check_raw(&rng, &rounds[r]);
		check_coins(&rng, &rounds[r]);
		check_rolls(&rng, &rounds[r]);
		check_cards(&rng, &rounds[r]);
	}
}
END_TEST

START_TEST(test_seeded_state)
{
	struct sortes_pcg32 rng;

	sortes_pcg32_seed(&rng, 42, 54);
	ck_assert_uint_eq(rng.inc, 109);
	ck_assert_uint_eq(rng.state, UINT64_C(0x185706b82c2e03f8));
}
END_TEST

START_TEST(test_advance_matches_stepping)
{
	struct sortes_pcg32 a, b;

	sortes_pcg32_seed(&a, 7, 11);
	b = a;
	for (int i = 0; i < 1000; i++)
		sortes_pcg32_next(&a);
	sortes_pcg32_advance(&b, 1000);
	ck_assert_uint_eq(a.state, b.state);
	sortes_pcg32_advance(&b, (uint64_t)-1000);
	sortes_pcg32_seed(&a, 7, 11);
	ck_assert_uint_eq(a.state, b.state);
}
END_TEST

START_TEST(test_bounded_rejects)
{
	/* With bound 2^31 + 1 the threshold is 2^31 - 1: almost half of the
	 * raw outputs must be rejected, so every result stays below the
	 * bound and draws consume more than one output on average. */
	struct sortes_pcg32 rng, raw;
	uint32_t bound = UINT32_C(0x80000001);
	int consumed = 0;

	sortes_pcg32_seed(&rng, 1, 2);
	raw = rng;
	for (int i = 0; i < 1000; i++) {
		uint32_t v = sortes_pcg32_bounded(&rng, bound);
		ck_assert_uint_lt(v, bound);
	}
	while (raw.state != rng.state) {
		sortes_pcg32_next(&raw);
		consumed++;
	}
	ck_assert_int_gt(consumed, 1500);
}
END_TEST

START_TEST(test_bound_one)
{
	struct sortes_pcg32 rng;

	sortes_pcg32_seed(&rng, 3, 4);
	for (int i = 0; i < 100; i++)
		ck_assert_uint_eq(sortes_pcg32_bounded(&rng, 1), 0);
}
END_TEST

Suite *
suite_pcg32(void)
{
	Suite *s = suite_create("pcg32");
	TCase *tc = tcase_create("reference");

	tcase_add_test(tc, test_demo_rounds);
	tcase_add_test(tc, test_seeded_state);
	tcase_add_test(tc, test_advance_matches_stepping);
	tcase_add_test(tc, test_bounded_rejects);
	tcase_add_test(tc, test_bound_one);
	suite_add_tcase(s, tc);
	return s;
}
