/*
 * test_score_guard.c
 *		Unit tests of the input checks of the scoring core (src/score.c):
 *		weight bounds and seniority ladders; prints TAP.
 *
 * Build and run from the repository root (see test/unit/README):
 *	cc -O1 -Wall -Wextra -Werror -I src -o /tmp/test_score_guard \
 *		test/unit/test_score_guard.c src/score.c -lm
 *	/tmp/test_score_guard
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "score.h"

#include "tap.h"


/*
 * The problem js_weights_check finds with weight number which set to v
 * (the others at their defaults), and the index it reports.
 */
static JsWeightsProblem
check_one(int which, double v, int *reported)
{
	JsWeights	w = js_default_weights;
	double	   *f[5] = {&w.category, &w.skills, &w.experience, &w.seniority, &w.salary};

	*f[which] = v;
	return js_weights_check(&w, reported);
}

int
main(void)
{
	int			which;
	int			i;
	JsWeights	zero = {0, 0, 0, 0, 0};
	static const char *const names[] = {"Intern", "Entry", "Principal"};
	static const size_t lens[] = {6, 5, 9};
	JsLadder	ladder = {3, names, lens};
	static const char *const cased[] = {"MID", "Mid"};
	static const size_t cased_lens[] = {3, 3};
	JsLadder	cased_ladder = {2, cased, cased_lens};

	ok(check_one(0, 30, &which) == JS_WEIGHTS_OK, "default weights are fine");
	ok(check_one(4, JS_WEIGHT_MAX, &which) == JS_WEIGHTS_OK, "a weight of JS_WEIGHT_MAX is fine");
	for (i = 0; i < 5; i++)
	{
		ok(check_one(i, JS_WEIGHT_MAX * 1.0001, &which) == JS_WEIGHTS_TOO_LARGE && which == i,
		   "a weight above JS_WEIGHT_MAX is too large, and named");
		ok(check_one(i, 3e38, &which) == JS_WEIGHTS_TOO_LARGE && which == i,
		   "the largest real is too large");
	}
	ok(check_one(2, -0.5, &which) == JS_WEIGHTS_NEGATIVE && which == 2, "a negative weight is named");
	ok(check_one(1, NAN, &which) == JS_WEIGHTS_NOT_FINITE && which == 1, "NaN is not finite");
	ok(check_one(3, INFINITY, &which) == JS_WEIGHTS_NOT_FINITE && which == 3, "infinity is not finite");
	ok(js_weights_check(&zero, &which) == JS_WEIGHTS_ALL_ZERO, "all-zero weights are refused");

	ok(js_ladder_parse(&ladder, "Principal", 9) == 2, "a ladder places a level by position");
	ok(js_ladder_parse(&ladder, "  principal\t", 12) == 2, "case-insensitively, blanks ignored");
	ok(js_ladder_parse(&ladder, "Mid", 3) == JS_SENIORITY_NONE, "a level off the ladder is none");
	ok(js_ladder_parse(&ladder, "", 0) == JS_SENIORITY_NONE, "an empty name is none");
	ok(js_ladder_parse(&cased_ladder, "Mid", 3) == 1 && js_ladder_parse(&cased_ladder, "MID", 3) == 0,
	   "an exact match wins over a case-insensitive one");
	ok(js_ladder_parse(&cased_ladder, "mid", 3) == 0, "else the first case-insensitive match");
	ok(js_seniority_parse("executive", 9) == 7 && js_seniority_parse("Principal", 9) == JS_SENIORITY_NONE,
	   "the shipped ladder has the eight levels");

	return tap_done();
}
