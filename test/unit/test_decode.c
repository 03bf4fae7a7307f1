/*
 * test_decode.c
 *		Unit tests of the JSON decoder, the encoder and the contract tables;
 *		prints TAP.
 *
 * Build and run (see test/unit/README):
 *	cc -O1 -Wall -Wextra -Werror -I src -o /tmp/test_decode \
 *		test/unit/test_decode.c src/decode.c src/jsonw.c src/contract.c
 *	/tmp/test_decode
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "contract.h"
#include "decode.h"
#include "jsonw.h"

#include "tap.h"

static JsArena arena;
static JsValue row[JS_MAX_FIELDS];
static char err[JS_ERRLEN];

/* A message as key/value pairs, values as JSON text. */
typedef struct KV
{
	const char *key;
	const char *val;
} KV;

static const KV jp_base[] = {
	{"post_id", "\"3f1c2a4e-9b7d-4c1e-8a2b-1234567890ab\""},
	{"company", "\"Acme Corp\""},
	{"job_title", "\"Data Engineer\""},
	{"job_category", "\"Data & Analytics\""},
	{"industry", "\"Technology\""},
	{"location_country", "\"Germany\""},
	{"location_city", "\"Berlin\""},
	{"description", "\"Python, SQL\\nand Kafka\""},
	{"required_skills", "[\"Python\", \"SQL\", \"Kafka\"]"},
	{"certifications", "[]"},
	{"salary_min", "50000"},
	{"salary_max", "80000"},
	{"experience_level", "\"Mid\""},
	{"min_years_experience", "3"},
	{"employment_type", "\"Full-time\""},
	{"work_mode", "\"Hybrid\""},
	{"platform", "\"LinkedIn\""},
	{"posted_date", "\"2024-03-01\""},
	{"deadline_date", "\"2024-04-15\""},
	{NULL, NULL}
};

static const KV ca_base[] = {
	{"candidate_id", "\"a1b2c3d4-e5f6-4a5b-8c9d-0e1f2a3b4c5d\""},
	{"full_name", "\"Zo\xc3\xab M\\u00fcller\""},
	{"gender", "\"Female\""},
	{"birth_year", "1990"},
	{"nationality", "\"German\""},
	{"location_country", "\"Germany\""},
	{"location_city", "\"M\xc3\xbcnchen\""},
	{"education_level", "\"Master\""},
	{"graduation_year", "2014"},
	{"gpa", "3.75"},
	{"job_category", "\"Data & Analytics\""},
	{"current_company", "\"Beta GmbH\""},
	{"previous_companies", "[\"Gamma AG\",\"Delta\"]"},
	{"skills", "[\"Python\",\"Spark\"]"},
	{"certifications", "[\"AWS\"]"},
	{"experience_level", "\"Senior\""},
	{"years_experience", "8"},
	{"current_salary", "70000"},
	{"expected_salary", "85000"},
	{NULL, NULL}
};

static const KV ap_base[] = {
	{"application_id", "\"11111111-2222-3333-4444-555555555555\""},
	{"candidate_id", "\"a1b2c3d4-e5f6-4a5b-8c9d-0e1f2a3b4c5d\""},
	{"post_id", "\"3f1c2a4e-9b7d-4c1e-8a2b-1234567890ab\""},
	{"status", "\"Applied\""},
	{"compatibility_score", "87.456"},
	{"applied_at", "\"2024-03-02T12:34:56.789Z\""},
	{"category_score", "30"},
	{"skills_score", "22.5"},
	{"experience_score", "20.00"},
	{"seniority_score", "5"},
	{"salary_score", "9.956"},
	{NULL, NULL}
};

static const KV te_base[] = {
	{"event_id", "\"9e8d7c6b-5a49-4382-a1b0-c9d8e7f6a5b4\""},
	{"ts", "\"2024-03-02T12:34:56.123456Z\""},
	{"post_id", "\"3f1c2a4e-9b7d-4c1e-8a2b-1234567890ab\""},
	{"company_id", "42"},
	{"campaign_id", "7"},
	{"group_id", "3"},
	{"publisher_id", "11"},
	{"custom_track", "\"click\""},
	{"bid", "0.1234"},
	{NULL, NULL}
};

/*
 * Build a message from base with key's value replaced by val (val NULL:
 * key left out; key not in base: appended).  Returns a static buffer.
 */
static const char *
msg_with(const KV *base, const char *key, const char *val)
{
	static char buf[256 * 1024];
	size_t		o = 0;
	bool		found = false;

	buf[o++] = '{';
	for (const KV *kv = base; kv->key; kv++)
	{
		const char *v = kv->val;

		if (key && strcmp(kv->key, key) == 0)
		{
			found = true;
			if (val == NULL)
				continue;
			v = val;
		}
		o += snprintf(buf + o, sizeof(buf) - o, "%s\"%s\":%s", o > 1 ? "," : "", kv->key, v);
	}
	if (key && !found && val)
		o += snprintf(buf + o, sizeof(buf) - o, "%s\"%s\":%s", o > 1 ? "," : "", key, val);
	snprintf(buf + o, sizeof(buf) - o, "}");
	return buf;
}

static const KV *const bases[JS_NUM_TOPICS] = {jp_base, ca_base, ap_base, te_base};

/*
 * Decode msg (a C string) for topic t.
 */
static bool
dec(JsTopic t, const char *msg)
{
	err[0] = '\0';
	return js_decode(&js_topics[t], msg, strlen(msg), row, &arena, err, sizeof(err));
}

/*
 * Test that msg decodes.
 */
static void
expect_ok(JsTopic t, const char *msg, const char *what)
{
	bool		r = dec(t, msg);

	if (!ok(r, "%s decodes", what))
		printf("# error: %s\n# message: %.300s\n", err, msg);
}

/*
 * Test that msg fails with an error containing want (or equal to it, when
 * want starts with '=').
 */
static void
expect_err(JsTopic t, const char *msg, const char *want)
{
	bool		r = dec(t, msg);
	bool		exact = want[0] == '=';
	bool		match;

	if (exact)
		want++;
	match = !r && (exact ? strcmp(err, want) == 0 : strstr(err, want) != NULL);
	if (!ok(match, "error %s\"%s\"", exact ? "" : "contains ", want))
		printf("# got: %s\n# message: %.300s\n", r ? "(decoded)" : err, msg);
}

/*
 * Shorthands: the base message of topic t with one field changed.
 */
static void
field_ok(JsTopic t, const char *key, const char *val)
{
	char		what[256];

	snprintf(what, sizeof(what), "%s with %s=%.40s", js_topics[t].name, key, val ? val : "(missing)");
	expect_ok(t, msg_with(bases[t], key, val), what);
}

static void
field_err(JsTopic t, const char *key, const char *val, const char *want)
{
	expect_err(t, msg_with(bases[t], key, val), want);
}

/*
 * Decode the base message with key=val and return the decoded field value.
 */
static JsValue *
field_value(JsTopic t, const char *key, const char *val)
{
	int			i = js_field_index(&js_topics[t], key);

	if (!dec(t, msg_with(bases[t], key, val)) || i < 0)
	{
		printf("# decode failed: %s\n", err);
		return NULL;
	}
	return &row[i];
}

/*
 * Whether a decoded JsString equals the C string s.
 */
static bool
str_is(const JsString *js, const char *s)
{
	return js->len == strlen(s) && memcmp(js->ptr, s, js->len) == 0;
}

static void
test_contract(void)
{
	static const int nfields[JS_NUM_TOPICS] = {JS_JP_NFIELDS, JS_CA_NFIELDS, JS_AP_NFIELDS, JS_TE_NFIELDS};
	static const char *const names[JS_NUM_TOPICS][2] = {
		{"job_posts", "job_posts"}, {"candidate_info", "candidates"},
		{"job_applications", "job_applications"}, {"tracking_events", "tracking_events"}
	};

	for (int t = 0; t < JS_NUM_TOPICS; t++)
	{
		const JsTopicDef *def = &js_topics[t];
		int			n = 0;

		for (const KV *kv = bases[t]; kv->key; kv++, n++)
			if (n >= def->nfields || strcmp(def->fields[n].name, kv->key) != 0)
				break;
		ok(def->nfields == nfields[t] && n == def->nfields,
		   "topic %s: %d fields in contract order", def->name, def->nfields);
		ok(strcmp(def->name, names[t][0]) == 0 && strcmp(def->table, names[t][1]) == 0 &&
		   js_topic_by_name(names[t][0]) == def && js_topic_by_name(names[t][1]) == def &&
		   js_field_index(def, def->key_field) == 0 && def->fields[0].type == JS_UUID &&
		   def->fields[0].required,
		   "topic %s: names, table and uuid key field first", def->name);
	}
	ok(js_field_index(&js_topics[JS_TOPIC_TRACKING_EVENTS], "bid") == JS_TE_BID &&
	   js_field_index(&js_topics[JS_TOPIC_CANDIDATES], "expected_salary") == JS_CA_EXPECTED_SALARY &&
	   js_field_index(&js_topics[JS_TOPIC_JOB_POSTS], "deadline_date") == JS_JP_DEADLINE_DATE &&
	   js_field_index(&js_topics[JS_TOPIC_APPLICATIONS], "applied_at") == JS_AP_APPLIED_AT &&
	   js_topic_by_name("nope") == NULL && js_field_index(&js_topics[0], "nope") == -1,
	   "field index constants agree with the tables");
}

static void
test_valid(void)
{
	JsValue    *v;
	static const uint8_t post_id[16] = {0x3f, 0x1c, 0x2a, 0x4e, 0x9b, 0x7d, 0x4c, 0x1e,
	0x8a, 0x2b, 0x12, 0x34, 0x56, 0x78, 0x90, 0xab};

	for (int t = 0; t < JS_NUM_TOPICS; t++)
	{
		char		what[64];

		snprintf(what, sizeof(what), "valid %s message", js_topics[t].name);
		expect_ok(t, msg_with(bases[t], NULL, NULL), what);
	}

	dec(JS_TOPIC_TRACKING_EVENTS, msg_with(te_base, NULL, NULL));
	ok(memcmp(row[JS_TE_POST_ID].v.uuid, post_id, 16) == 0, "uuid bytes");
	ok(row[JS_TE_TS].v.i64 == INT64_C(1709382896123456), "timestamp microseconds");
	ok(row[JS_TE_BID].v.i64 == 1234 && row[JS_TE_COMPANY_ID].v.i32 == 42, "bid scaled by 10^4, int");
	ok(str_is(&row[JS_TE_CUSTOM_TRACK].v.str, "click"), "text value");

	dec(JS_TOPIC_JOB_POSTS, msg_with(jp_base, NULL, NULL));
	ok(row[JS_JP_REQUIRED_SKILLS].v.arr.n == 3 &&
	   str_is(&row[JS_JP_REQUIRED_SKILLS].v.arr.items[2], "Kafka") &&
	   !row[JS_JP_CERTIFICATIONS].isnull && row[JS_JP_CERTIFICATIONS].v.arr.n == 0,
	   "text arrays, empty array");
	ok(str_is(&row[JS_JP_DESCRIPTION].v.str, "Python, SQL\nand Kafka"), "escaped newline");
	ok(row[JS_JP_POSTED_DATE].v.date == 19783, "date as days since 1970");

	dec(JS_TOPIC_CANDIDATES, msg_with(ca_base, NULL, NULL));
	ok(str_is(&row[JS_CA_FULL_NAME].v.str, "Zo\xc3\xab M\xc3\xbcller"), "raw and escaped UTF-8");
	ok(row[JS_CA_GPA].v.i64 == 375, "gpa scale 2");

	/* job_posts with only the required fields: the rest NULL, arrays empty */
	expect_ok(JS_TOPIC_JOB_POSTS,
			  "{\"post_id\":\"3f1c2a4e-9b7d-4c1e-8a2b-1234567890ab\",\"company\":\"A\",\"job_title\":\"B\",\"job_category\":\"C\"}",
			  "job post with only required fields");
	ok(row[JS_JP_INDUSTRY].isnull && row[JS_JP_SALARY_MIN].isnull && row[JS_JP_POSTED_DATE].isnull &&
	   !row[JS_JP_REQUIRED_SKILLS].isnull && row[JS_JP_REQUIRED_SKILLS].v.arr.n == 0,
	   "missing optional fields are NULL, missing arrays empty");
	v = field_value(JS_TOPIC_JOB_POSTS, "required_skills", "null");
	ok(v && !v->isnull && v->v.arr.n == 0, "null array is empty (column NOT NULL DEFAULT '{}')");
	v = field_value(JS_TOPIC_JOB_POSTS, "industry", "null");
	ok(v && v->isnull, "null text is NULL");

	/* field order free, whitespace, unknown keys, BOM */
	expect_ok(JS_TOPIC_APPLICATIONS,
			  " \t\r\n{ \"applied_at\" : \"2024-03-02T12:34:56Z\" ,\n\"status\":\"Applied\", \"x\":{\"y\":[1,-2.5e-3,true,false,null,{}, []]},"
			  "\"post_id\":\"3f1c2a4e-9b7d-4c1e-8a2b-1234567890ab\",\"candidate_id\":\"a1b2c3d4-e5f6-4a5b-8c9d-0e1f2a3b4c5d\","
			  "\"x\":1, \"application_id\":\"11111111-2222-3333-4444-555555555555\"} \n",
			  "fields in any order, whitespace, unknown and repeated unknown keys");
	ok(row[JS_AP_COMPATIBILITY_SCORE].isnull, "missing optional decimal is NULL");
	expect_ok(JS_TOPIC_TRACKING_EVENTS, msg_with(te_base, NULL, NULL) - 0, "again");
	{
		char		bom[1024];

		snprintf(bom, sizeof(bom), "\xef\xbb\xbf%s", msg_with(te_base, NULL, NULL));
		expect_ok(JS_TOPIC_TRACKING_EVENTS, bom, "message with a UTF-8 byte order mark");
	}
	expect_ok(JS_TOPIC_TRACKING_EVENTS,
			  "{\"event\\u005fid\":\"9e8d7c6b-5a49-4382-a1b0-c9d8e7f6a5b4\",\"ts\":\"2024-03-02T12:34:56Z\",\"post_id\":\"3f1c2a4e-9b7d-4c1e-8a2b-1234567890ab\","
			  "\"company_id\":1,\"campaign_id\":2,\"group_id\":3,\"publisher_id\":4,\"custom_track\":\"click\",\"bid\":1}",
			  "escaped key matches a field");
}

static void
test_utf8(void)
{
	expect_err(JS_TOPIC_TRACKING_EVENTS, "{\"a\":\"\xc0\xaf\"}", "=invalid UTF-8 at byte 6");
	expect_err(JS_TOPIC_TRACKING_EVENTS, "{\"a\":\"\xe0\x80\xaf\"}", "=invalid UTF-8 at byte 6");
	expect_err(JS_TOPIC_TRACKING_EVENTS, "{\"a\":\"\xed\xa0\x80\"}", "=invalid UTF-8 at byte 6");
	expect_err(JS_TOPIC_TRACKING_EVENTS, "{\"a\":\"\xf4\x90\x80\x80\"}", "=invalid UTF-8 at byte 6");
	expect_err(JS_TOPIC_TRACKING_EVENTS, "{\"a\":\"\xf5\x80\x80\x80\"}", "=invalid UTF-8 at byte 6");
	expect_err(JS_TOPIC_TRACKING_EVENTS, "{\"a\":\"\x80\"}", "=invalid UTF-8 at byte 6");
	expect_err(JS_TOPIC_TRACKING_EVENTS, "{\"abcdefghijklm\":\"\xe2\x82\"}", "=invalid UTF-8 at byte 18");
	expect_err(JS_TOPIC_TRACKING_EVENTS, "{\"a\":1}\xc3", "=invalid UTF-8 at byte 7");
	static const char valid[] = "\xf0\x9f\x98\x80\xef\xbf\xbf\xf4\x8f\xbf\xbf\xc2\x80 plain ascii text";

	ok(js_utf8_check(valid, sizeof(valid) - 1) == sizeof(valid) - 1,
	   "4-byte, U+FFFF, U+10FFFF, U+0080 are valid UTF-8");
}

static void
test_syntax(void)
{
	expect_err(JS_TOPIC_TRACKING_EVENTS, "", "=invalid JSON: empty message");
	expect_err(JS_TOPIC_TRACKING_EVENTS, " \n ", "=invalid JSON: empty message");
	expect_err(JS_TOPIC_TRACKING_EVENTS, "[1]", "=invalid message: expected a JSON object, got an array");
	expect_err(JS_TOPIC_TRACKING_EVENTS, "\"x\"", "=invalid message: expected a JSON object, got a string");
	expect_err(JS_TOPIC_TRACKING_EVENTS, "hello", "=invalid JSON at byte 0: expected a value");
	expect_err(JS_TOPIC_TRACKING_EVENTS, "{\"a\" 1}", "=invalid JSON at byte 5: expected ':'");
	expect_err(JS_TOPIC_TRACKING_EVENTS, "{\"a\":1 \"b\":2}", "=invalid JSON at byte 7: expected ',' or '}'");
	expect_err(JS_TOPIC_TRACKING_EVENTS, "{\"a\":1,}", "=invalid JSON at byte 7: expected a string key");
	expect_err(JS_TOPIC_TRACKING_EVENTS, "{a:1}", "=invalid JSON at byte 1: expected a string key");
	expect_err(JS_TOPIC_TRACKING_EVENTS, "{'a':1}", "=invalid JSON at byte 1: expected a string key");
	expect_err(JS_TOPIC_TRACKING_EVENTS, "{\"a\":1", "=invalid JSON at byte 6: unexpected end of input");
	expect_err(JS_TOPIC_TRACKING_EVENTS, "{\"a\":[1,2}", "=invalid JSON at byte 9: expected ',' or ']'");
	expect_err(JS_TOPIC_TRACKING_EVENTS, "{} {}", "=invalid JSON at byte 3: unexpected data after the top-level object");
	expect_err(JS_TOPIC_TRACKING_EVENTS, "{\"a\":\"abc}", "=invalid JSON at byte 5: unterminated string");
	expect_err(JS_TOPIC_TRACKING_EVENTS, "{\"a\":\"a\tb\"}", "=invalid JSON at byte 7: control character in string");
	expect_err(JS_TOPIC_TRACKING_EVENTS, "{\"a\":\"a\\x\"}", "=invalid JSON at byte 7: invalid escape in string");
	expect_err(JS_TOPIC_TRACKING_EVENTS, "{\"a\":\"\\u12G4\"}", "=invalid JSON at byte 6: invalid \\u escape");
	expect_err(JS_TOPIC_TRACKING_EVENTS, "{\"a\":\"x\\u0000\"}", "=invalid JSON at byte 7: \\u0000 is not allowed in strings");
	expect_err(JS_TOPIC_TRACKING_EVENTS, "{\"a\":\"\\ud800\"}", "=invalid JSON at byte 6: unpaired surrogate in \\u escape");
	expect_err(JS_TOPIC_TRACKING_EVENTS, "{\"a\":\"\\ud800\\u0041\"}", "unpaired surrogate");
	expect_err(JS_TOPIC_TRACKING_EVENTS, "{\"a\":\"\\udc00\\ud800\"}", "unpaired surrogate");
	expect_err(JS_TOPIC_TRACKING_EVENTS, "{\"a\":01}", "=invalid JSON at byte 5: leading zeros are not allowed in numbers");
	expect_err(JS_TOPIC_TRACKING_EVENTS, "{\"a\":1.}", "=invalid JSON at byte 5: invalid number");
	expect_err(JS_TOPIC_TRACKING_EVENTS, "{\"a\":-}", "=invalid JSON at byte 5: invalid number");
	expect_err(JS_TOPIC_TRACKING_EVENTS, "{\"a\":1e}", "=invalid JSON at byte 5: invalid number");
	expect_err(JS_TOPIC_TRACKING_EVENTS, "{\"a\":+1}", "=invalid JSON at byte 5: expected a value");
	expect_err(JS_TOPIC_TRACKING_EVENTS, "{\"a\":NaN}", "=invalid JSON at byte 5: expected a value");
	expect_err(JS_TOPIC_TRACKING_EVENTS, "{\"a\":tru}", "=invalid JSON at byte 5: invalid literal");
	ok(!js_decode(&js_topics[JS_TOPIC_TRACKING_EVENTS], "{\"a\":1}\0", 8, row, &arena, err, sizeof(err)) &&
	   strcmp(err, "invalid JSON at byte 7: unexpected data after the top-level object") == 0,
	   "NUL byte after the object");
	ok(!js_decode(&js_topics[JS_TOPIC_TRACKING_EVENTS], "{\"a\":\"\0\"}", 8, row, &arena, err, sizeof(err)) &&
	   strcmp(err, "invalid JSON at byte 6: control character in string") == 0,
	   "raw NUL byte in a string");

	/* nesting: the top object is level 1 */
	{
		char		m[512];
		size_t		o;
		int			levels[2] = {JS_MAX_DEPTH, JS_MAX_DEPTH + 1};

		for (int k = 0; k < 2; k++)
		{
			o = (size_t) snprintf(m, sizeof(m), "{\"a\":");
			for (int i = 0; i < levels[k] - 1; i++)
				m[o++] = '[';
			for (int i = 0; i < levels[k] - 1; i++)
				m[o++] = ']';
			m[o++] = '}';
			m[o] = '\0';
			dec(JS_TOPIC_TRACKING_EVENTS, m);
			if (k == 0)
				ok(strstr(err, "missing required") != NULL, "nesting of %d levels is accepted", levels[k]);
			else
				ok(strstr(err, "nested deeper than 64 levels") != NULL, "nesting of %d levels is rejected", levels[k]);
		}
	}
	{
		size_t		big = JS_MAX_MESSAGE_LEN + 1;
		char	   *m = malloc(big);

		memset(m, ' ', big);
		m[0] = '{';
		m[big - 1] = '}';
		ok(!js_decode(&js_topics[0], m, big, row, &arena, err, sizeof(err)) &&
		   strcmp(err, "message of 4194305 bytes exceeds the limit of 4194304 bytes") == 0,
		   "oversized message");
		free(m);
	}
	{
		char		small[12];

		ok(!js_decode(&js_topics[0], "[", 1, row, &arena, small, sizeof(small)) &&
		   strlen(small) == sizeof(small) - 1, "error message truncated to errlen");
	}
}

/*
 * A JSON string of n bytes of UTF-8: 'x's, then tail (UTF-8 or a JSON
 * escape, counting tail_bytes once unescaped), into a static buffer.
 */
static const char *
json_text(size_t n, const char *tail, size_t tail_bytes)
{
	static char buf[128 * 1024];
	size_t		o = 0;

	buf[o++] = '"';
	memset(buf + o, 'x', n - tail_bytes);
	o += n - tail_bytes;
	o += (size_t) snprintf(buf + o, sizeof(buf) - o, "%s\"", tail);
	return buf;
}

/*
 * A JSON array of n strings of len bytes each but the last, which has
 * last_len bytes and ends in tail (as json_text), into a static buffer.
 */
static const char *
json_array(size_t n, size_t len, size_t last_len, const char *tail, size_t tail_bytes)
{
	static char buf[128 * 1024];
	size_t		o = 0;

	buf[o++] = '[';
	for (size_t i = 0; i < n; i++)
	{
		bool		last = i + 1 == n;

		o += (size_t) snprintf(buf + o, sizeof(buf) - o, "%s%s", i ? "," : "",
							   last ? json_text(last_len, tail, tail_bytes) : json_text(len, "", 0));
	}
	snprintf(buf + o, sizeof(buf) - o, "]");
	return buf;
}

/*
 * The caps of the contract (js_caps): every text field has one; at the cap
 * a value is accepted, one byte over it is rejected with a message naming
 * the field and the cap, also when the byte over is part of a multi-byte
 * character or an escape; arrays likewise for their element count and
 * each element's bytes.  Any two caps but the description's fit in one
 * btree entry.
 */
static void
test_caps(void)
{
	uint32_t	widest = 0,
				second = 0;
	char		want[256];

	for (int k = JS_CAP_NONE + 1; k < JS_NUM_CAPS; k++)
	{
		uint32_t	b = js_caps[k].max_bytes;

		if (k == JS_CAP_DESCRIPTION)
			continue;
		if (b > widest)
		{
			second = widest;
			widest = b;
		}
		else if (b > second)
			second = b;
	}
	ok(widest + 1 + second <= JS_INDEX_KEY_BUDGET && JS_INDEX_KEY_BUDGET + 200 < 2704,
	   "two joined caps (%u + 1 + %u bytes) and 200 bytes of other key columns fit in a btree entry (2704)",
	   widest, second);
	ok(4 * widest <= JS_INDEX_KEY_BUDGET,
	   "so do four capped values in four key columns (4 x %u bytes)", widest);
	ok(js_caps[JS_CAP_DESCRIPTION].max_bytes == 64 * 1024 && js_caps[JS_CAP_NAME].max_bytes == 200,
	   "descriptions are capped at 64 KiB, names at 200 bytes");

	for (int t = 0; t < JS_NUM_TOPICS; t++)
	{
		const JsTopicDef *def = &js_topics[t];

		for (int i = 0; i < def->nfields; i++)
		{
			const JsField *f = &def->fields[i];
			const JsCap *cap = &js_caps[f->cap];
			size_t		c = cap->max_bytes;

			if (f->type != JS_TEXT && f->type != JS_TEXT_ARRAY)
			{
				ok(f->cap == JS_CAP_NONE, "%s.%s is not text and has no cap", def->name, f->name);
				continue;
			}
			if (!ok(f->cap > JS_CAP_NONE && f->cap < JS_NUM_CAPS && c > 0 &&
					(f->type == JS_TEXT) == (cap->max_items == 0),
					"%s.%s has a cap (%s)", def->name, f->name, cap->name))
				continue;
			if (f->type == JS_TEXT)
			{
				snprintf(want, sizeof(want), "=field \"%s\" is %zu bytes, longer than its cap of %zu",
						 f->name, c + 1, c);
				field_err(t, f->name, json_text(c + 1, "", 0), want);
				field_err(t, f->name, json_text(c + 1, "\xc3\xa9", 2), want);
				field_err(t, f->name, json_text(c + 1, "\\u00e9", 2), want);
				snprintf(want, sizeof(want), "=field \"%s\" is %zu bytes, longer than its cap of %zu",
						 f->name, c + 2, c);
				field_err(t, f->name, json_text(c + 2, "\xe2\x82\xac", 3), want);
				if (f->allowed)
					continue;	/* no value of the cap's length is allowed */
				field_ok(t, f->name, json_text(c, "", 0));
				field_ok(t, f->name, json_text(c, "\xc3\xa9", 2));
				field_ok(t, f->name, json_text(c, "\\u00e9", 2));
				field_ok(t, f->name, json_text(c, "\xf0\x9f\x98\x80", 4));
				continue;
			}
			/* arrays: elements at and over the count cap */
			{
				JsValue    *v = field_value(t, f->name, json_array(cap->max_items, 3, 3, "", 0));

				ok(v && v->v.arr.n == (int) cap->max_items,
				   "%s.%s: %u elements (its cap) accepted", def->name, f->name, cap->max_items);
			}
			snprintf(want, sizeof(want), "=array \"%s\" has %u elements, more than its cap of %u",
					 f->name, cap->max_items + 1, cap->max_items);
			field_err(t, f->name, json_array(cap->max_items + 1, 3, 3, "", 0), want);
			snprintf(want, sizeof(want), "=array \"%s\" has 5000 elements, more than its cap of %u",
					 f->name, cap->max_items);
			field_err(t, f->name, json_array(5000, 1, 1, "", 0), want);
			/* each element at and over the bytes cap */
			field_ok(t, f->name, json_array(3, c, c, "", 0));
			field_ok(t, f->name, json_array(3, c, c, "\xc3\xa9", 2));
			snprintf(want, sizeof(want), "=element 3 of array \"%s\" is %zu bytes, longer than its cap of %zu",
					 f->name, c + 1, c);
			field_err(t, f->name, json_array(3, c, c + 1, "", 0), want);
			field_err(t, f->name, json_array(3, c, c + 1, "\xc3\xa9", 2), want);
			field_err(t, f->name, json_array(3, c, c + 1, "\\u00e9", 2), want);
		}
	}
	field_err(JS_TOPIC_JOB_POSTS, "location_country", json_text(9000, "", 0),
			  "=field \"location_country\" is 9000 bytes, longer than its cap of 200");
	field_err(JS_TOPIC_JOB_POSTS, "required_skills", "[[[[[[[[[[\"deep\"]]]]]]]]]]",
			  "=field \"required_skills\": element 1 is an array, expected a string");
}

/*
 * The other bounds a hostile message meets: numbers of any length or
 * exponent are read exactly, without overflow or floating point; nesting
 * far beyond JS_MAX_DEPTH fails at the limit, not on the stack.
 */
static void
test_bounds(void)
{
	static char num[128 * 1024];
	const size_t ndig = 100000;
	char	   *m;
	char		want[128];
	size_t		o = 0;
	JsValue    *v;

	num[0] = '1';
	memset(num + 1, '0', ndig);
	num[ndig + 1] = '\0';
	field_err(JS_TOPIC_TRACKING_EVENTS, "company_id", num, "out of range for integer");
	strcpy(num + ndig + 1, "e-100000");
	v = field_value(JS_TOPIC_TRACKING_EVENTS, "company_id", num);
	ok(v && v->v.i32 == 1, "1 followed by 100,000 zeros times 1e-100000 is exactly 1");
	memcpy(num, "0.", 2);
	memset(num + 2, '0', ndig);
	strcpy(num + 2 + ndig, "1");
	v = field_value(JS_TOPIC_TRACKING_EVENTS, "bid", num);
	ok(v && v->v.i64 == 0, "a bid of 0.(100,000 zeros)1 rounds to 0");
	field_err(JS_TOPIC_TRACKING_EVENTS, "bid", "1e99999999999999999999999999", "out of range");
	field_ok(JS_TOPIC_TRACKING_EVENTS, "bid", "1e-99999999999999999999999999");

	m = malloc(2 * 1000000 + 64);
	o = (size_t) sprintf(m, "{\"deep\":");
	/* the top object is level 1, so the array at level 65 starts here */
	snprintf(want, sizeof(want), "invalid JSON at byte %zu: nested deeper than %d levels",
			 o + JS_MAX_DEPTH - 1, JS_MAX_DEPTH);
	memset(m + o, '[', 1000000);
	o += 1000000;
	memset(m + o, ']', 1000000);
	o += 1000000;
	m[o++] = '}';
	ok(!js_decode(&js_topics[JS_TOPIC_JOB_POSTS], m, o, row, &arena, err, sizeof(err)) &&
	   strcmp(err, want) == 0,
	   "1,000,000 levels of nesting fail at the 65th (%s)", err);
	free(m);
}

static void
test_fields(void)
{
	JsValue    *v;
	const JsTopic TE = JS_TOPIC_TRACKING_EVENTS;
	const JsTopic JP = JS_TOPIC_JOB_POSTS;
	const JsTopic CA = JS_TOPIC_CANDIDATES;
	const JsTopic AP = JS_TOPIC_APPLICATIONS;

	/* presence */
	field_err(JP, "post_id", NULL, "=missing required field \"post_id\"");
	field_err(TE, "bid", NULL, "=missing required field \"bid\"");
	field_err(AP, "applied_at", "null", "=required field \"applied_at\" is null");
	expect_err(TE, "{\"bid\":1,\"bid\":2}", "=duplicate field \"bid\"");

	/* UUID */
	v = field_value(TE, "event_id", "\"9E8D7C6B-5A49-4382-A1B0-C9D8E7F6A5B4\"");
	ok(v && v->v.uuid[0] == 0x9e && v->v.uuid[15] == 0xb4, "upper-case UUID");
	field_err(TE, "event_id", "\"9e8d7c6b5a494382a1b0c9d8e7f6a5b4\"", "=field \"event_id\": invalid UUID \"9e8d7c6b5a494382a1b0c9d8e7f6a5b4\"");
	field_err(TE, "event_id", "\"{9e8d7c6b-5a49-4382-a1b0-c9d8e7f6a5b4}\"", "invalid UUID");
	field_err(TE, "event_id", "\"9e8d7c6b-5a49-4382-a1b0-c9d8e7f6a5bg\"", "invalid UUID");
	field_err(TE, "event_id", "\"9e8d7c6b5-a49-4382-a1b0-c9d8e7f6a5b4\"", "invalid UUID");
	field_err(TE, "event_id", "42", "=field \"event_id\": expected a UUID string, got a number");

	/* integers */
	v = field_value(TE, "company_id", "5.0");
	ok(v && v->v.i32 == 5, "integer 5.0 accepted");
	v = field_value(TE, "company_id", "5e2");
	ok(v && v->v.i32 == 500, "integer 5e2 accepted");
	v = field_value(TE, "company_id", "-2147483648");
	ok(v && v->v.i32 == INT32_MIN, "integer minimum");
	v = field_value(TE, "company_id", "2147483647");
	ok(v && v->v.i32 == INT32_MAX, "integer maximum");
	v = field_value(TE, "company_id", "12300e-2");
	ok(v && v->v.i32 == 123, "integer 12300e-2 accepted");
	field_err(TE, "company_id", "5.5", "=field \"company_id\": value 5.5 is not an integer");
	field_err(TE, "company_id", "1e-1", "is not an integer");
	field_err(TE, "company_id", "\"5\"", "=field \"company_id\": expected an integer, got a string");
	field_err(TE, "company_id", "true", "=field \"company_id\": expected an integer, got a boolean");
	field_err(TE, "company_id", "[]", "expected an integer, got an array");
	field_err(TE, "company_id", "2147483648", "=field \"company_id\": value 2147483648 out of range for integer");
	field_err(JP, "salary_min", "1e30", "=field \"salary_min\": value 1e30 out of range for integer");
	field_err(JP, "salary_min", "-1", "=field \"salary_min\": value -1 out of range (0 to 2147483647)");
	field_err(JP, "min_years_experience", "61", "=field \"min_years_experience\": value 61 out of range (0 to 60)");
	field_err(CA, "birth_year", "1899", "out of range (1900 to 2100)");
	field_err(CA, "years_experience", "71", "out of range (0 to 70)");
	field_err(TE, "company_id", "123456789012345678901234567890", "out of range for integer");

	/* decimals */
	v = field_value(CA, "gpa", "3.995");
	ok(v && v->v.i64 == 400, "3.995 rounds half away from zero to 4.00");
	v = field_value(CA, "gpa", "3.994999");
	ok(v && v->v.i64 == 399, "3.994999 rounds to 3.99");
	v = field_value(CA, "gpa", "\"3.5\"");
	ok(v && v->v.i64 == 350, "numeric string accepted for a decimal");
	v = field_value(CA, "gpa", "0.4e1");
	ok(v && v->v.i64 == 400, "exponent in a decimal");
	v = field_value(CA, "gpa", "-0.001");
	ok(v && v->v.i64 == 0, "-0.001 rounds to 0");
	v = field_value(TE, "bid", "999999.99994");
	ok(v && v->v.i64 == INT64_C(9999999999), "bid maximum of numeric(10,4)");
	v = field_value(TE, "bid", "1e-400");
	ok(v && v->v.i64 == 0, "tiny exponent rounds to 0");
	v = field_value(AP, "compatibility_score", "100.004");
	ok(v && v->v.i64 == 10000, "score 100.004 rounds to 100.00");
	field_err(CA, "gpa", "4.005", "=field \"gpa\": value 4.005 out of range (0.00 to 4.00)");
	field_err(CA, "gpa", "-0.01", "out of range (0.00 to 4.00)");
	field_err(TE, "bid", "-0.0001", "=field \"bid\": value -0.0001 out of range (0.0000 to 999999.9999)");
	field_err(TE, "bid", "1e400", "=field \"bid\": value 1e400 out of range (0.0000 to 999999.9999)");
	field_err(TE, "bid", "\"cheap\"", "=field \"bid\": invalid number \"cheap\"");
	field_err(TE, "bid", "\" 1\"", "invalid number");
	field_err(TE, "bid", "\"\"", "invalid number");
	field_err(TE, "bid", "false", "=field \"bid\": expected a number, got a boolean");
	field_err(TE, "bid", "{}", "=field \"bid\": expected a number, got an object");
	field_err(AP, "compatibility_score", "100.005", "out of range (0.00 to 100.00)");
	v = field_value(AP, "skills_score", NULL);
	ok(v && v->isnull, "the component scores of an application are optional");
	v = field_value(AP, "salary_score", "null");
	ok(v && v->isnull, "a component score may be null");
	field_err(AP, "category_score", "-1", "=field \"category_score\": value -1 out of range (0.00 to 100.00)");
	field_err(AP, "seniority_score", "\"high\"", "=field \"seniority_score\": invalid number \"high\"");

	/* timestamps */
	v = field_value(TE, "ts", "\"2024-03-02T13:34:56.123456+01:00\"");
	ok(v && v->v.i64 == INT64_C(1709382896123456), "offset +01:00");
	v = field_value(TE, "ts", "\"2024-03-02 07:04:56.123456-0530\"");
	ok(v && v->v.i64 == INT64_C(1709382896123456), "space separator, offset -0530");
	v = field_value(TE, "ts", "\"2024-03-02t12:34z\"");
	ok(v && v->v.i64 == INT64_C(1709382840000000), "lower-case t and z, no seconds");
	v = field_value(TE, "ts", "\"2024-03-02T14:34:56+02\"");
	ok(v && v->v.i64 == INT64_C(1709382896000000), "offset +02");
	v = field_value(TE, "ts", "\"2024-03-02T12:34:56.1Z\"");
	ok(v && v->v.i64 == INT64_C(1709382896100000), "one fractional digit");
	v = field_value(TE, "ts", "\"2024-03-02T12:34:59.9999995Z\"");
	ok(v && v->v.i64 == INT64_C(1709382900000000), "nanoseconds round half up with carry");
	v = field_value(TE, "ts", "\"1969-12-31T23:59:59.999999Z\"");
	ok(v && v->v.i64 == -1, "before 1970");
	v = field_value(TE, "ts", "\"2024-02-29T00:00:00Z\"");
	ok(v != NULL, "leap day 2024");
	v = field_value(TE, "ts", "\"2000-02-29T00:00:00Z\"");
	ok(v != NULL, "leap day 2000");
	field_err(TE, "ts", "\"2024-03-02T12:34:56\"", "=field \"ts\": no time zone in timestamp \"2024-03-02T12:34:56\"");
	field_err(TE, "ts", "\"2024-03-02\"", "no time zone");
	field_err(TE, "ts", "\"2023-02-29T00:00:00Z\"", "=field \"ts\": invalid timestamp \"2023-02-29T00:00:00Z\"");
	field_err(TE, "ts", "\"1900-02-29T00:00:00Z\"", "invalid timestamp");
	field_err(TE, "ts", "\"2024-13-01T00:00:00Z\"", "invalid timestamp");
	field_err(TE, "ts", "\"2024-04-31T00:00:00Z\"", "invalid timestamp");
	field_err(TE, "ts", "\"2024-03-02T24:00:00Z\"", "invalid timestamp");
	field_err(TE, "ts", "\"2024-03-02T12:60:00Z\"", "invalid timestamp");
	field_err(TE, "ts", "\"2024-03-02T12:00:60Z\"", "invalid timestamp");
	field_err(TE, "ts", "\"2024-03-02T12:00:00.Z\"", "invalid timestamp");
	field_err(TE, "ts", "\"2024-03-02T12:00:00.1234567890Z\"", "invalid timestamp");
	field_err(TE, "ts", "\"2024-03-02T12:00:00+16:00\"", "invalid timestamp");
	field_err(TE, "ts", "\"2024-03-02T12:00:00+01:60\"", "invalid timestamp");
	field_err(TE, "ts", "\"2024-03-02T12:00:00Z \"", "invalid timestamp");
	field_err(TE, "ts", "\"2024-3-2T12:00:00Z\"", "invalid timestamp");
	field_err(TE, "ts", "\"0000-12-31T23:00:00Z\"", "invalid timestamp");
	field_err(TE, "ts", "\"0001-01-01T00:30:00+01:00\"", "=field \"ts\": timestamp out of range (years 0001 to 9999) \"0001-01-01T00:30:00+01:00\"");
	field_err(TE, "ts", "\"9999-12-31T23:30:00-01:00\"", "timestamp out of range");
	field_err(TE, "ts", "1709382896", "=field \"ts\": expected a timestamp string, got a number");

	/* dates */
	v = field_value(JP, "posted_date", "\"2024-03-01T23:30:00-05:00\"");
	ok(v && v->v.date == 19783, "date from a timestamp keeps the date as written");
	v = field_value(JP, "posted_date", "\"2024-03-01T10:00:00\"");
	ok(v && v->v.date == 19783, "date from a timestamp without zone");
	v = field_value(JP, "posted_date", "\"0001-01-01\"");
	ok(v && v->v.date == JS_MIN_DAYS, "date 0001-01-01");
	v = field_value(JP, "deadline_date", "\"9999-12-31\"");
	ok(v && v->v.date == JS_MAX_DAYS, "date 9999-12-31");
	field_err(JP, "posted_date", "\"2024-02-30\"", "=field \"posted_date\": invalid date \"2024-02-30\"");
	field_err(JP, "posted_date", "\"20240301\"", "invalid date");
	field_err(JP, "posted_date", "\"2024-03-01T25:00Z\"", "invalid date");
	field_err(JP, "posted_date", "20240301", "=field \"posted_date\": expected a date string, got a number");

	/* text */
	field_err(JP, "company", "\"\"", "=field \"company\": must not be empty");
	field_err(JP, "company", "7", "=field \"company\": expected a string, got a number");
	field_err(TE, "custom_track", "\"view\"",
			  "=field \"custom_track\": unknown value \"view\" (expected click, conversion, qualified or unqualified)");
	field_err(CA, "gender", "\"male\"", "unknown value \"male\"");
	field_ok(CA, "gender", "\"Non-binary\"");
	{
		char		echo_msg[256];

		snprintf(echo_msg, sizeof(echo_msg), "\"%s\"", "0123456789012345678901234567890123456789\xc3\xa9tail");
		field_err(TE, "custom_track", echo_msg,
				  "unknown value \"0123456789012345678901234567890123456789...\"");
	}

	/* arrays */
	field_err(JP, "required_skills", "\"Python\"", "=field \"required_skills\": expected an array of strings, got a string");
	field_err(JP, "required_skills", "[\"a\", 1]", "=field \"required_skills\": element 2 is a number, expected a string");
	field_err(JP, "required_skills", "[null]", "element 1 is null, expected a string");
	field_err(JP, "required_skills", "[\"a\",]", "expected a value");
	field_err(JP, "required_skills", "[\"a\" \"b\"]", "expected ',' or ']'");
	v = field_value(JP, "required_skills", "[\"\\u00e9t\\u00e9\", \"\\ud83d\\ude00\", \"C\\\\C++\\/\\\"x\\\"\"]");
	ok(v && v->v.arr.n == 3 && str_is(&v->v.arr.items[0], "\xc3\xa9t\xc3\xa9") &&
	   str_is(&v->v.arr.items[1], "\xf0\x9f\x98\x80") && str_is(&v->v.arr.items[2], "C\\C++/\"x\""),
	   "array elements unescaped, surrogate pair to UTF-8");
	/* cross-field checks */
	field_err(JP, "salary_min", "90000", "=field \"salary_min\": value 90000 is greater than salary_max 80000");
	field_err(JP, "deadline_date", "\"2024-02-01\"", "=field \"deadline_date\": 2024-02-01 is before posted_date 2024-03-01");
	field_err(CA, "graduation_year", "2000", "=field \"graduation_year\": value 2000 is less than birth_year + 14 (2004)");
	field_ok(JP, "salary_max", "null");
}

static void
test_strings_point_into_message(void)
{
	const char *m = msg_with(te_base, NULL, NULL);
	size_t		len = strlen(m);

	js_decode(&js_topics[JS_TOPIC_TRACKING_EVENTS], m, len, row, &arena, err, sizeof(err));
	ok(row[JS_TE_CUSTOM_TRACK].v.str.ptr >= m && row[JS_TE_CUSTOM_TRACK].v.str.ptr < m + len,
	   "unescaped string points into the message");
	m = msg_with(te_base, "custom_track", "\"cli\\u0063k\"");
	len = strlen(m);
	js_decode(&js_topics[JS_TOPIC_TRACKING_EVENTS], m, len, row, &arena, err, sizeof(err));
	ok(str_is(&row[JS_TE_CUSTOM_TRACK].v.str, "click") &&
	   !(row[JS_TE_CUSTOM_TRACK].v.str.ptr >= m && row[JS_TE_CUSTOM_TRACK].v.str.ptr < m + len),
	   "escaped string is copied to the arena");
}

static void
test_helpers(void)
{
	char		b[64];
	bool		good = true;
	uint8_t		u[16];

	for (int64_t d = JS_MIN_DAYS; d <= JS_MAX_DAYS; d += 17)
	{
		int			y,
					m,
					dd;

		js_civil_from_days(d, &y, &m, &dd);
		if (js_days_from_civil(y, m, dd) != d)
			good = false;
	}
	ok(good, "civil date <-> days round trip over years 0001..9999");
	b[js_format_date(0, b)] = '\0';
	ok(strcmp(b, "1970-01-01") == 0, "format date epoch");
	b[js_format_date(JS_MIN_DAYS, b)] = '\0';
	ok(strcmp(b, "0001-01-01") == 0, "format date 0001-01-01");
	b[js_format_timestamp(-1, b)] = '\0';
	ok(strcmp(b, "1969-12-31T23:59:59.999999Z") == 0, "format timestamp before 1970");
	b[js_format_timestamp(INT64_C(1709382896000000), b)] = '\0';
	ok(strcmp(b, "2024-03-02T12:34:56Z") == 0, "format timestamp without fraction");
	b[js_format_timestamp(JS_MAX_USEC, b)] = '\0';
	ok(strcmp(b, "9999-12-31T23:59:59.999999Z") == 0, "format timestamp maximum");
	b[js_format_decimal(-5, 2, b)] = '\0';
	ok(strcmp(b, "-0.05") == 0, "format decimal -0.05");
	b[js_format_decimal(INT64_MIN, 4, b)] = '\0';
	ok(strcmp(b, "-922337203685477.5808") == 0, "format decimal INT64_MIN");
	b[js_format_decimal(123, 0, b)] = '\0';
	ok(strcmp(b, "123") == 0, "format decimal scale 0");
	ok(js_uuid_parse("9E8D7C6B-5a49-4382-a1b0-c9d8e7f6a5b4", 36, u), "parse mixed-case uuid");
	js_uuid_format(u, b);
	b[36] = '\0';
	ok(strcmp(b, "9e8d7c6b-5a49-4382-a1b0-c9d8e7f6a5b4") == 0, "format uuid lower case");
	{
		int64_t		us;

		ok(js_parse_timestamp("2024-03-02T12:34:56Z", 20, &us) == JS_TIME_OK &&
		   us == INT64_C(1709382896000000), "js_parse_timestamp");
	}
}

/*
 * Encode the decoded base message of each topic, compare to the expected
 * canonical JSON, decode it again and compare rows.
 */
static void
test_round_trip(void)
{
	static const char *const canon[JS_NUM_TOPICS] = {
		"{\"post_id\":\"3f1c2a4e-9b7d-4c1e-8a2b-1234567890ab\",\"company\":\"Acme Corp\",\"job_title\":\"Data Engineer\","
		"\"job_category\":\"Data & Analytics\",\"industry\":\"Technology\",\"location_country\":\"Germany\","
		"\"location_city\":\"Berlin\",\"description\":\"Python, SQL\\nand Kafka\",\"required_skills\":[\"Python\",\"SQL\",\"Kafka\"],"
		"\"certifications\":[],\"salary_min\":50000,\"salary_max\":80000,\"experience_level\":\"Mid\",\"min_years_experience\":3,"
		"\"employment_type\":\"Full-time\",\"work_mode\":\"Hybrid\",\"platform\":\"LinkedIn\",\"posted_date\":\"2024-03-01\","
		"\"deadline_date\":\"2024-04-15\"}",
		"{\"candidate_id\":\"a1b2c3d4-e5f6-4a5b-8c9d-0e1f2a3b4c5d\",\"full_name\":\"Zo\xc3\xab M\xc3\xbcller\",\"gender\":\"Female\","
		"\"birth_year\":1990,\"nationality\":\"German\",\"location_country\":\"Germany\",\"location_city\":\"M\xc3\xbcnchen\","
		"\"education_level\":\"Master\",\"graduation_year\":2014,\"gpa\":3.75,\"job_category\":\"Data & Analytics\","
		"\"current_company\":\"Beta GmbH\",\"previous_companies\":[\"Gamma AG\",\"Delta\"],\"skills\":[\"Python\",\"Spark\"],"
		"\"certifications\":[\"AWS\"],\"experience_level\":\"Senior\",\"years_experience\":8,\"current_salary\":70000,"
		"\"expected_salary\":85000}",
		"{\"application_id\":\"11111111-2222-3333-4444-555555555555\",\"candidate_id\":\"a1b2c3d4-e5f6-4a5b-8c9d-0e1f2a3b4c5d\","
		"\"post_id\":\"3f1c2a4e-9b7d-4c1e-8a2b-1234567890ab\",\"status\":\"Applied\",\"compatibility_score\":87.46,"
		"\"applied_at\":\"2024-03-02T12:34:56.789000Z\",\"category_score\":30.00,\"skills_score\":22.50,"
		"\"experience_score\":20.00,\"seniority_score\":5.00,\"salary_score\":9.96}",
		"{\"event_id\":\"9e8d7c6b-5a49-4382-a1b0-c9d8e7f6a5b4\",\"ts\":\"2024-03-02T12:34:56.123456Z\","
		"\"post_id\":\"3f1c2a4e-9b7d-4c1e-8a2b-1234567890ab\",\"company_id\":42,\"campaign_id\":7,\"group_id\":3,"
		"\"publisher_id\":11,\"custom_track\":\"click\",\"bid\":0.1234}",
	};
	JsBuf		buf = {0};
	JsValue		row2[JS_MAX_FIELDS];

	for (int t = 0; t < JS_NUM_TOPICS; t++)
	{
		const JsTopicDef *def = &js_topics[t];

		dec(t, msg_with(bases[t], NULL, NULL));
		js_buf_reset(&buf);
		ok(js_encode(def, row, &buf) && strcmp(buf.data, canon[t]) == 0,
		   "encode %s in canonical form", def->name);
		if (strcmp(buf.data ? buf.data : "", canon[t]) != 0)
			printf("# got:  %s\n# want: %s\n", buf.data, canon[t]);
		ok(js_decode(def, buf.data, buf.len, row2, &arena, err, sizeof(err)) &&
		   js_row_equal(def, row, row2), "round trip %s", def->name);
	}

	/* a row built by hand: NULLs, strings needing escapes, edge values */
	{
		const JsTopicDef *def = &js_topics[JS_TOPIC_JOB_POSTS];
		JsValue		r[JS_JP_NFIELDS];
		static const JsString skills[] = {{"a\"b\\c", 5}, {"\x01\x1f\n\t\r\b\f", 7}, {"", 0}, {"\xe2\x80\xa8", 3}};
		const char *expect =
			"{\"post_id\":\"ffffffff-0000-0000-0000-000000000001\",\"company\":\"Q \\\"Co\\\"\",\"job_title\":\"T\","
			"\"job_category\":\"C\",\"industry\":null,\"location_country\":null,\"location_city\":null,\"description\":null,"
			"\"required_skills\":[\"a\\\"b\\\\c\",\"\\u0001\\u001f\\n\\t\\r\\b\\f\",\"\",\"\xe2\x80\xa8\"],\"certifications\":null,"
			"\"salary_min\":0,\"salary_max\":2147483647,\"experience_level\":null,\"min_years_experience\":null,"
			"\"employment_type\":null,\"work_mode\":null,\"platform\":null,\"posted_date\":\"0001-01-01\",\"deadline_date\":\"9999-12-31\"}";

		for (int i = 0; i < JS_JP_NFIELDS; i++)
			r[i].isnull = true;
		r[JS_JP_POST_ID].isnull = false;
		memset(r[JS_JP_POST_ID].v.uuid, 0, 16);
		memset(r[JS_JP_POST_ID].v.uuid, 0xff, 4);
		r[JS_JP_POST_ID].v.uuid[15] = 1;
		r[JS_JP_COMPANY] = (JsValue) {.isnull = false, .v.str = {"Q \"Co\"", 6}};
		r[JS_JP_JOB_TITLE] = (JsValue) {.isnull = false, .v.str = {"T", 1}};
		r[JS_JP_JOB_CATEGORY] = (JsValue) {.isnull = false, .v.str = {"C", 1}};
		r[JS_JP_REQUIRED_SKILLS].isnull = false;
		r[JS_JP_REQUIRED_SKILLS].v.arr.items = skills;
		r[JS_JP_REQUIRED_SKILLS].v.arr.n = 4;
		r[JS_JP_SALARY_MIN] = (JsValue) {.isnull = false, .v.i32 = 0};
		r[JS_JP_SALARY_MAX] = (JsValue) {.isnull = false, .v.i32 = INT32_MAX};
		r[JS_JP_POSTED_DATE] = (JsValue) {.isnull = false, .v.date = JS_MIN_DAYS};
		r[JS_JP_DEADLINE_DATE] = (JsValue) {.isnull = false, .v.date = JS_MAX_DAYS};
		js_buf_reset(&buf);
		js_encode(def, r, &buf);
		ok(strcmp(buf.data, expect) == 0, "encode NULLs, escapes and edge values");
		if (strcmp(buf.data, expect) != 0)
			printf("# got:  %s\n# want: %s\n", buf.data, expect);
		ok(js_decode(def, buf.data, buf.len, row2, &arena, err, sizeof(err)), "decode it back");
		/* null_as_empty: NULL certifications come back as an empty array */
		r[JS_JP_CERTIFICATIONS].isnull = false;
		r[JS_JP_CERTIFICATIONS].v.arr.n = 0;
		ok(js_row_equal(def, r, row2), "hand-built row round trip");
	}
	{
		const JsTopicDef *def = &js_topics[JS_TOPIC_TRACKING_EVENTS];
		JsValue		r[JS_TE_NFIELDS];

		dec(JS_TOPIC_TRACKING_EVENTS, msg_with(te_base, "bid", "999999.9999"));
		memcpy(r, row, sizeof(r));
		r[JS_TE_TS].v.i64 = JS_MIN_USEC;
		r[JS_TE_COMPANY_ID].v.i32 = INT32_MIN;
		r[JS_TE_CUSTOM_TRACK].v.str = (JsString) {"unqualified", 11};
		js_buf_reset(&buf);
		js_encode(def, r, &buf);
		ok(js_decode(def, buf.data, buf.len, row2, &arena, err, sizeof(err)) &&
		   js_row_equal(def, r, row2) && strstr(buf.data, "\"bid\":999999.9999}") &&
		   strstr(buf.data, "\"ts\":\"0001-01-01T00:00:00Z\""),
		   "tracking event extremes round trip");
	}
	js_buf_free(&buf);
}

int
main(void)
{
	js_arena_init(&arena, 4096);	/* small blocks exercise block chaining */
	test_contract();
	test_valid();
	test_utf8();
	test_syntax();
	test_fields();
	test_caps();
	test_bounds();
	test_strings_point_into_message();
	test_helpers();
	test_round_trip();
	js_arena_reset(&arena);
	js_arena_free(&arena);
	return tap_done();
}
