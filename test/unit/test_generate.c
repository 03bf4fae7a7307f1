/*
 * test_generate.c
 *		Unit tests of the generators (src/generate.c) and the CSV reader
 *		(src/csv.c); prints TAP.
 *
 * Every generated row is encoded to JSON and decoded again: js_decode
 * checks it against the contract (types, bounds, allowed values, the
 * cross-field checks), and the decoded row must equal the generated one.
 *
 * Build and run from the repository root (see test/unit/README):
 *	cc -O1 -Wall -Wextra -Werror -I src -o /tmp/test_generate \
 *		test/unit/test_generate.c src/generate.c src/csv.c src/score.c \
 *		src/decode.c src/jsonw.c src/contract.c -lm
 *	/tmp/test_generate [DATA_DIR]		(default: data)
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "contract.h"
#include "csv.h"
#include "decode.h"
#include "generate.h"
#include "jsonw.h"
#include "score.h"

#include "tap.h"


/* Whether s holds exactly lit. */
static bool
js_str_eq_lit(const JsString *s, const char *lit)
{
	return s->len == strlen(lit) && memcmp(s->ptr, lit, s->len) == 0;
}

/* Records seen by the CSV callback. */
typedef struct CsvSeen
{
	int			nrecords;
	char		text[1024];
} CsvSeen;

/* CSV callback: append "[field|field]" with NULL as "\N". */
static bool
csv_collect(void *arg, const JsString *fields, int nfields, int line,
			char *err, size_t errlen)
{
	CsvSeen    *seen = arg;
	size_t		len = strlen(seen->text);

	(void) line;
	(void) err;
	(void) errlen;
	seen->nrecords++;
	len += snprintf(seen->text + len, sizeof(seen->text) - len, "[");
	for (int f = 0; f < nfields; f++)
	{
		if (fields[f].ptr == NULL)
			len += snprintf(seen->text + len, sizeof(seen->text) - len, "%s\\N", f ? "|" : "");
		else
			len += snprintf(seen->text + len, sizeof(seen->text) - len, "%s%.*s", f ? "|" : "",
							(int) fields[f].len, fields[f].ptr);
	}
	snprintf(seen->text + len, sizeof(seen->text) - len, "]");
	return true;
}

/* Parse a CSV literal; returns what csv_collect saw, or "ERROR: ...". */
static const char *
csv(const char *input)
{
	static CsvSeen seen;
	char	   *copy = strdup(input);
	char		err[256];

	memset(&seen, 0, sizeof(seen));
	if (!js_csv_parse(copy, strlen(input), csv_collect, &seen, err, sizeof(err)))
		snprintf(seen.text, sizeof(seen.text), "ERROR: %s", err);
	free(copy);
	return seen.text;
}

static void
test_csv(void)
{
	ok(strcmp(csv("a,b\n1,2\n"), "[a|b][1|2]") == 0, "csv: plain records");
	ok(strcmp(csv("\xEF\xBB\xBF" "a\r\nx\r\n"), "[a][x]") == 0, "csv: BOM and CRLF");
	ok(strcmp(csv("a,b,c\n\"x,y\",\"say \"\"hi\"\"\",\"\"\n"), "[a|b|c][x,y|say \"hi\"|]") == 0,
	   "csv: quoted commas, doubled quotes, quoted empty string");
	ok(strcmp(csv("a,b\n,NA\n"), "[a|b][\\N|NA]") == 0, "csv: an unquoted empty field is NULL, NA is text");
	ok(strcmp(csv("a\n\"two\nlines\"\n"), "[a][two\nlines]") == 0, "csv: newline inside quotes");
	ok(strcmp(csv("a\nlast"), "[a][last]") == 0, "csv: no newline at the end");
	ok(strncmp(csv("a\n\"open\n"), "ERROR: line 2: unterminated", 27) == 0, "csv: unterminated quote is an error");
	ok(strncmp(csv("a\nx\"y\n"), "ERROR:", 6) == 0, "csv: quote inside an unquoted field is an error");
}

/* Load a snapshot from dir, or fail the test run. */
static bool
load(JsRefData *ref, const char *dir)
{
	char		err[512];

	js_ref_init(ref);
	if (!js_ref_load_csv_dir(ref, dir, err, sizeof(err)) || !js_ref_finish(ref, err, sizeof(err)))
	{
		ok(false, "load reference data from %s: %s", dir, err);
		return false;
	}
	return true;
}

/* A copy of a finished snapshot built from its rows in reverse order. */
static bool
load_reversed(JsRefData *copy, const JsRefData *ref)
{
	char		err[512];

	js_ref_init(copy);
	for (int t = 0; t < JS_REF_NTABLES; t++)
		for (int i = ref->nraw[t] - 1; i >= 0; i--)
			if (!js_ref_add_row(copy, t, ref->raw[t][i].col))
				return false;
	return js_ref_finish(copy, err, sizeof(err));
}

/* Encode, decode and compare one row; false with a message on a mismatch. */
static bool
round_trip(JsTopic topic, const JsValue *row, JsArena *arena, char *why, size_t whylen)
{
	static JsBuf buf;
	JsValue		back[JS_MAX_FIELDS];
	char		err[JS_ERRLEN];

	js_buf_reset(&buf);
	if (!js_encode(&js_topics[topic], row, &buf))
	{
		snprintf(why, whylen, "out of memory");
		return false;
	}
	if (!js_decode(&js_topics[topic], buf.data, buf.len, back, arena, err, sizeof(err)))
	{
		snprintf(why, whylen, "%s in %.300s", err, buf.data);
		return false;
	}
	if (!js_row_equal(&js_topics[topic], row, back))
	{
		snprintf(why, whylen, "decoded row differs: %.300s", buf.data);
		return false;
	}
	return true;
}

/* The rows of topic that pass the round trip, out of n. */
static void
test_topic_rows(const JsRefData *ref, JsTopic topic, int n)
{
	JsGenOptions opt = {.seed = 99, .as_of = JS_GEN_DEFAULT_AS_OF, .posted_window = 180};
	JsArena		arena,
				decode_arena;
	JsValue		row[JS_MAX_FIELDS];
	JsGenTrackPost posts[16];
	char		why[512] = "";
	int			good = 0;

	js_arena_init(&arena, 0);
	js_arena_init(&decode_arena, 0);
	js_gen_virtual_posts(ref, &opt, 16, posts, &arena);
	for (int i = 0; i < n; i++)
	{
		bool		made = true;

		js_arena_reset(&arena);
		js_arena_reset(&decode_arena);
		if (topic == JS_TOPIC_JOB_POSTS)
			made = js_gen_job_post(ref, &opt, i, row, &arena);
		else if (topic == JS_TOPIC_CANDIDATES)
			made = js_gen_candidate(ref, &opt, i, row, &arena);
		else
			js_gen_tracking_event(ref, &opt, i, INT64_C(1735689600000000),
								  INT64_C(1735689600000000) + 86400 * INT64_C(1000000), posts, 16, row);
		if (made && round_trip(topic, row, &decode_arena, why, sizeof(why)))
			good++;
		else if (why[0] == '\0')
			snprintf(why, sizeof(why), "row %d not generated", i);
	}
	ok(good == n, "%s: %d of %d rows decode back to themselves under the contract%s%s",
	   js_topics[topic].name, good, n, good == n ? "" : ": ", good == n ? "" : why);
	js_arena_free(&arena);
	js_arena_free(&decode_arena);
}

/* Whether two strings are equal. */
static bool
js_str_eq(const JsString *a, const JsString *b)
{
	return a->len == b->len && (a->len == 0 || memcmp(a->ptr, b->ptr, a->len) == 0);
}

/*
 * Category -> Title -> Skills: posts of a title with a skill list take about
 * two thirds of their skills from it, all distinct, the rest from the family.
 */
static void
test_title_skills(const JsRefData *ref)
{
	JsGenOptions opt = {.seed = 17, .as_of = JS_GEN_DEFAULT_AS_OF, .posted_window = 180};
	JsArena		arena;
	JsValue		row[JS_MAX_FIELDS];
	int			with_list = 0,
				good = 0,
				titles_with_list = 0;

	for (int t = 0; t < ref->ntitles; t++)
		titles_with_list += ref->titles[t].nskills >= 3;
	ok(titles_with_list > 100, "the shipped data gives %d titles a skill list", titles_with_list);
	js_arena_init(&arena, 0);
	for (int i = 0; i < 3000; i++)
	{
		const JsRefTitle *ti = NULL;
		const JsValue *sk = &row[JS_JP_REQUIRED_SKILLS];
		int			from_title = 0,
					want;
		bool		distinct = true;

		js_arena_reset(&arena);
		if (!js_gen_job_post(ref, &opt, i, row, &arena))
			break;
		for (int t = 0; t < ref->ntitles && ti == NULL; t++)
			if (js_str_eq(&ref->titles[t].title, &row[JS_JP_JOB_TITLE].v.str))
				ti = &ref->titles[t];
		if (ti == NULL || ti->nskills < 3)
			continue;
		with_list++;
		for (int k = 0; k < sk->v.arr.n; k++)
		{
			for (int j = 0; j < ti->nskills; j++)
				if (js_str_eq(&ref->title_skills[ti->skill_first + j], &sk->v.arr.items[k]))
				{
					from_title++;
					break;
				}
			for (int j = 0; j < k; j++)
				distinct &= !js_str_eq(&sk->v.arr.items[j], &sk->v.arr.items[k]);
		}
		want = sk->v.arr.n - sk->v.arr.n / 3;
		if (want > ti->nskills)
			want = ti->nskills;
		good += distinct && from_title >= want;
	}
	ok(with_list > 500 && good == with_list,
	   "posts of titles with a skill list draw two thirds of their skills from it (%d of %d)", good, with_list);
	js_arena_free(&arena);
}

/* Determinism: the same row whatever else was generated, seeds differ. */
static void
test_determinism(const JsRefData *ref, const JsRefData *reversed)
{
	JsGenOptions opt = {.seed = 5, .as_of = JS_GEN_DEFAULT_AS_OF, .posted_window = 180};
	JsGenOptions opt2 = opt;
	JsArena		a1,
				a2;
	JsValue		r1[JS_MAX_FIELDS],
				r2[JS_MAX_FIELDS];
	bool		same = true,
				differ = true,
				rev = true;

	js_arena_init(&a1, 0);
	js_arena_init(&a2, 0);
	opt2.seed = 6;
	for (int i = 0; i < 300; i++)
	{
		js_gen_job_post(ref, &opt, i, r1, &a1);
		/* generate other rows in between, into another arena */
		js_gen_candidate(ref, &opt, i + 1000, r2, &a2);
		js_gen_job_post(ref, &opt, i, r2, &a2);
		same &= js_row_equal(&js_topics[JS_TOPIC_JOB_POSTS], r1, r2);
		js_gen_job_post(reversed, &opt, i, r2, &a2);
		rev &= js_row_equal(&js_topics[JS_TOPIC_JOB_POSTS], r1, r2);
		js_gen_job_post(ref, &opt2, i, r2, &a2);
		differ &= memcmp(r1[JS_JP_POST_ID].v.uuid, r2[JS_JP_POST_ID].v.uuid, 16) != 0;
		js_gen_candidate(ref, &opt, i, r1, &a1);
		js_gen_candidate(reversed, &opt, i, r2, &a2);
		rev &= js_row_equal(&js_topics[JS_TOPIC_CANDIDATES], r1, r2);
	}
	ok(same, "row i is the same whatever was generated before");
	ok(rev, "the order in which reference rows are loaded does not matter");
	ok(differ, "another seed gives other keys");
	js_gen_job_post(ref, &opt, 0, r1, &a1);
	ok((r1[JS_JP_POST_ID].v.uuid[6] >> 4) == 4 && (r1[JS_JP_POST_ID].v.uuid[8] >> 6) == 2,
	   "keys are version 4, variant 1 UUIDs");
	js_arena_free(&a1);
	js_arena_free(&a2);
}

/* Pair bookkeeping of test_applications: a JsPairSet over slots. */
typedef struct AppTest
{
	JsGenApplicant *cands;
	JsGenOpening *posts;
	JsPairSet	set;
} AppTest;

static bool
app_used(void *arg, int c, int p)
{
	AppTest    *t = arg;

	return js_pairset_contains(&t->set, js_pair_fingerprint(t->cands[c].id, t->posts[p].id));
}

static void
app_mark(void *arg, int c, int p)
{
	AppTest    *t = arg;

	js_pairset_add(&t->set, js_pair_fingerprint(t->cands[c].id, t->posts[p].id));
}

/* Applications: unique pairs, contract-valid rows, scores by score.c. */
static void
test_applications(const JsRefData *ref)
{
	enum
	{
		NC = 60, NP = 40, NA = NC * NP
	};
	static JsGenApplicant cands[NC];
	static JsGenOpening posts[NP];
	static uint64_t hashes[(NC + NP) * 32];
	static uint64_t slots[8192];
	static int	by_category[NP];
	static bool seen[NC][NP];
	JsGenOptions opt = {.seed = 3, .as_of = JS_GEN_DEFAULT_AS_OF, .posted_window = 180};
	JsArena		arena,
				decode_arena;
	JsValue		row[JS_MAX_FIELDS];
	AppTest		t = {cands, posts, {0}};
	JsGenPool	pool = {0};
	int			nh = 0,
				good = 0,
				unique = 0,
				after = 0;
	char		why[512] = "";

	js_arena_init(&arena, 0);
	js_arena_init(&decode_arena, 0);
	for (int c = 0; c < NC; c++)
	{
		const JsValue *sk = &row[JS_CA_SKILLS];
		int			n = 0;

		js_gen_candidate(ref, &opt, c, row, &arena);
		memcpy(cands[c].id, row[JS_CA_CANDIDATE_ID].v.uuid, 16);
		cands[c].side.has_category = true;
		cands[c].side.category = js_category_hash(row[JS_CA_JOB_CATEGORY].v.str.ptr, row[JS_CA_JOB_CATEGORY].v.str.len);
		for (int k = 0; k < sk->v.arr.n && n < 32; k++)
			if (js_skill_hash(sk->v.arr.items[k].ptr, sk->v.arr.items[k].len, &hashes[nh + n]))
				n++;
		cands[c].side.has_skills = true;
		cands[c].side.skills.hashes = &hashes[nh];
		cands[c].side.skills.n = js_skillset_finish(&hashes[nh], n);
		nh += 32;
		cands[c].side.has_years = true;
		cands[c].side.years = row[JS_CA_YEARS_EXPERIENCE].v.i32;
		cands[c].side.level = js_seniority_parse(row[JS_CA_EXPERIENCE_LEVEL].v.str.ptr, row[JS_CA_EXPERIENCE_LEVEL].v.str.len);
		cands[c].side.has_salary = true;
		cands[c].side.expected_salary = row[JS_CA_EXPECTED_SALARY].v.i32;
	}
	for (int p = 0; p < NP; p++)
	{
		const JsValue *sk = &row[JS_JP_REQUIRED_SKILLS];
		int			n = 0;

		js_gen_job_post(ref, &opt, p, row, &arena);
		memcpy(posts[p].id, row[JS_JP_POST_ID].v.uuid, 16);
		posts[p].side.has_category = true;
		posts[p].side.category = js_category_hash(row[JS_JP_JOB_CATEGORY].v.str.ptr, row[JS_JP_JOB_CATEGORY].v.str.len);
		for (int k = 0; k < sk->v.arr.n && n < 32; k++)
			if (js_skill_hash(sk->v.arr.items[k].ptr, sk->v.arr.items[k].len, &hashes[nh + n]))
				n++;
		posts[p].side.has_skills = true;
		posts[p].side.skills.hashes = &hashes[nh];
		posts[p].side.skills.n = js_skillset_finish(&hashes[nh], n);
		nh += 32;
		posts[p].side.has_min_years = true;
		posts[p].side.min_years = row[JS_JP_MIN_YEARS_EXPERIENCE].v.i32;
		posts[p].side.level = js_seniority_parse(row[JS_JP_EXPERIENCE_LEVEL].v.str.ptr, row[JS_JP_EXPERIENCE_LEVEL].v.str.len);
		posts[p].side.has_salary_max = true;
		posts[p].side.salary_max = row[JS_JP_SALARY_MAX].v.i32;
		posts[p].has_dates = true;
		posts[p].posted_date = row[JS_JP_POSTED_DATE].v.date;
		posts[p].deadline_date = row[JS_JP_DEADLINE_DATE].v.date;
	}
	js_pairset_init(&t.set, slots, 8192);
	pool.cands = cands;
	pool.ncands = NC;
	pool.posts = posts;
	pool.nposts = NP;
	pool.by_category = by_category;
	pool.pair_used = app_used;
	pool.pair_mark = app_mark;
	pool.pair_arg = &t;
	js_gen_pool_prepare(&pool);

	/* every pair, then no more */
	for (int i = 0; i < NA; i++)
	{
		int			c = -1,
					p = -1;

		if (!js_gen_application(&pool, &opt, i, -1, row))
			break;
		for (int k = 0; k < NC; k++)
			if (memcmp(cands[k].id, row[JS_AP_CANDIDATE_ID].v.uuid, 16) == 0)
				c = k;
		for (int k = 0; k < NP; k++)
			if (memcmp(posts[k].id, row[JS_AP_POST_ID].v.uuid, 16) == 0)
				p = k;
		if (c >= 0 && p >= 0 && !seen[c][p])
		{
			seen[c][p] = true;
			unique++;
			if (row[JS_AP_COMPATIBILITY_SCORE].v.i64 ==
				js_score(&cands[c].side, &posts[p].side, &js_default_weights, NULL) &&
				row[JS_AP_APPLIED_AT].v.i64 >= (int64_t) (posts[p].posted_date + 1) * JS_USECS_PER_DAY &&
				row[JS_AP_APPLIED_AT].v.i64 < (int64_t) (posts[p].deadline_date + 1) * JS_USECS_PER_DAY)
				after++;
		}
		js_arena_reset(&decode_arena);
		if (round_trip(JS_TOPIC_APPLICATIONS, row, &decode_arena, why, sizeof(why)))
			good++;
	}
	ok(unique == NA, "applications: all %d pairs, each once (got %d)", NA, unique);
	ok(good == NA, "applications: rows decode back to themselves under the contract%s%s",
	   good == NA ? "" : ": ", good == NA ? "" : why);
	ok(after == NA, "applications: score from js_score, applied after posting, by the deadline (%d)", after);
	ok(!js_gen_application(&pool, &opt, NA, -1, row), "applications: none once every pair is used");

	/* the category index follows replaced posts */
	js_gen_pool_unindex(&pool, 0);
	ok(pool.nindexed == NP - 1, "unindex takes a post out of the category index");
	js_gen_pool_index(&pool, 0);
	ok(pool.nindexed == NP, "index puts it back");
	{
		bool		sorted = true;

		for (int k = 1; k < NP; k++)
			sorted &= posts[by_category[k - 1]].side.category <= posts[by_category[k]].side.category;
		ok(sorted, "the category index stays ordered");
	}
	js_arena_free(&arena);
	js_arena_free(&decode_arena);
}

/* Tracking events in a one-microsecond range, and the funnel. */
static void
test_tracking(const JsRefData *ref)
{
	JsGenOptions opt = {.seed = 1, .as_of = JS_GEN_DEFAULT_AS_OF, .posted_window = 180};
	JsGenTrackPost posts[8];
	JsValue		row[JS_MAX_FIELDS];
	JsArena		arena;
	int64_t		from = INT64_C(1735689600000000);
	int			clicks = 0,
				qualified = 0,
				conversions = 0,
				inside = 0;

	js_arena_init(&arena, 0);
	ok(js_gen_virtual_posts(ref, &opt, 8, posts, &arena), "virtual posts");
	for (int i = 0; i < 20000; i++)
	{
		js_gen_tracking_event(ref, &opt, i, from, from + 1, posts, 8, row);
		inside += row[JS_TE_TS].v.i64 == from;
		clicks += js_str_eq_lit(&row[JS_TE_CUSTOM_TRACK].v.str, "click");
		qualified += js_str_eq_lit(&row[JS_TE_CUSTOM_TRACK].v.str, "qualified");
		conversions += js_str_eq_lit(&row[JS_TE_CUSTOM_TRACK].v.str, "conversion");
	}
	ok(inside == 20000, "a one-microsecond range gives that microsecond");
	ok(clicks > 10 * qualified && qualified > conversions && conversions > 0,
	   "funnel: %d clicks, %d qualified, %d conversions", clicks, qualified, conversions);
	js_arena_free(&arena);
}

int
main(int argc, char **argv)
{
	const char *dir = argc > 1 ? argv[1] : "data";
	JsRefData	ref,
				reversed;
	const char *table;
	char		err[256];

	test_csv();
	if (!load(&ref, dir))
		goto done;
	for (int t = 0; t < JS_NUM_TOPICS; t++)
		ok(js_ref_check(&ref, t, &table, err, sizeof(err)), "the shipped data suffices for %s%s%s",
		   js_topics[t].name, err[0] ? ": " : "", err);
	ok(js_ref_company_id(&ref, ref.companies[0].name.ptr, ref.companies[0].name.len) ==
	   ref.companies[0].company_id, "company ids are found by name");
	ok(js_ref_company_id(&ref, "No Such Company", 15) == -1, "unknown companies have no id");
	ok(load_reversed(&reversed, &ref), "a snapshot loads from rows in another order");
	test_topic_rows(&ref, JS_TOPIC_JOB_POSTS, 5000);
	test_topic_rows(&ref, JS_TOPIC_CANDIDATES, 5000);
	test_topic_rows(&ref, JS_TOPIC_TRACKING_EVENTS, 5000);
	test_determinism(&ref, &reversed);
	test_applications(&ref);
	test_tracking(&ref);
	test_title_skills(&ref);
	{
		JsRefData	empty;

		js_ref_init(&empty);
		ok(js_ref_finish(&empty, err, sizeof(err)) &&
		   !js_ref_check(&empty, JS_TOPIC_JOB_POSTS, &table, err, sizeof(err)) &&
		   strcmp(table, "platforms") == 0, "an empty snapshot names the table that needs rows (%s)", err);
		js_ref_free(&empty);
	}
	js_ref_free(&reversed);
	js_ref_free(&ref);
done:
	return tap_done();
}
