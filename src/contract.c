/*
 * contract.c
 *		The four topic definitions of jobstream's data contract.
 *
 * Each table below lists the fields of one topic in the order of the data
 * contract (docs/architecture.md, "Message contract"; the README's "Message
 * contract and its caps"), which is the column order of its target table
 * in sql/0.1/20_core.sql.  Types, required flags and bounds mirror that
 * table's column types, NOT NULL markers and CHECK constraints, so that a
 * message which decodes also inserts: bad values become dead letters at
 * decode time, not constraint failures in the middle of a batch.  Text is
 * bounded by the caps of js_caps, which are also the tables'
 * <table>_<column>_cap constraints (sql/0.3/25_contract.sql).  Foreign
 * keys to the reference tables (categories, levels, statuses ...) are
 * data, not contract, and stay the database's business.
 *
 * Plain C, no PostgreSQL headers.
 */
#include "contract.h"

#include <stdio.h>
#include <string.h>

#include "decode.h"

#define INT32_UNBOUNDED		.min = 1, .max = 0
#define NONNEG_INT			.min = 0, .max = INT32_MAX

/*
 * The caps on text (see contract.h), in bytes of UTF-8.  A rollup key
 * joins at most two of them (country|city is 200 + 1 + 200 bytes, a
 * country|skill 200 + 1 + 100), far below btree's limit of ~2700 bytes per
 * entry, and a message that fills every field stays near 100 kB.
 */
const JsCap js_caps[JS_NUM_CAPS] = {
	[JS_CAP_NONE] = {"none", 0, 0},
	[JS_CAP_CODE] = {"code", 100, 0},
	[JS_CAP_NAME] = {"name", 200, 0},
	[JS_CAP_DESCRIPTION] = {"description", 64 * 1024, 0},
	[JS_CAP_SKILLS] = {"skills", 100, 100},
	[JS_CAP_LIST] = {"list", 200, 50},
};

static const char *const gender_values[] = {"Male", "Female", "Non-binary", NULL};
static const char *const custom_track_values[] = {
	"click", "conversion", "qualified", "unqualified", NULL
};

static const JsField job_post_fields[] = {
	{.name = "post_id", .type = JS_UUID, .required = true},
	{.name = "company", .type = JS_TEXT, .cap = JS_CAP_NAME, .required = true, .nonempty = true},
	{.name = "job_title", .type = JS_TEXT, .cap = JS_CAP_NAME, .required = true, .nonempty = true},
	{.name = "job_category", .type = JS_TEXT, .cap = JS_CAP_CODE, .required = true, .nonempty = true},
	{.name = "industry", .type = JS_TEXT, .cap = JS_CAP_NAME},
	{.name = "location_country", .type = JS_TEXT, .cap = JS_CAP_NAME},
	{.name = "location_city", .type = JS_TEXT, .cap = JS_CAP_NAME},
	{.name = "description", .type = JS_TEXT, .cap = JS_CAP_DESCRIPTION},
	{.name = "required_skills", .type = JS_TEXT_ARRAY, .cap = JS_CAP_SKILLS, .null_as_empty = true},
	{.name = "certifications", .type = JS_TEXT_ARRAY, .cap = JS_CAP_LIST, .null_as_empty = true},
	{.name = "salary_min", .type = JS_INT, NONNEG_INT},
	{.name = "salary_max", .type = JS_INT, NONNEG_INT},
	{.name = "experience_level", .type = JS_TEXT, .cap = JS_CAP_CODE},
	{.name = "min_years_experience", .type = JS_INT, .min = 0, .max = 60},
	{.name = "employment_type", .type = JS_TEXT, .cap = JS_CAP_CODE},
	{.name = "work_mode", .type = JS_TEXT, .cap = JS_CAP_CODE},
	{.name = "platform", .type = JS_TEXT, .cap = JS_CAP_CODE},
	{.name = "posted_date", .type = JS_DATE},
	{.name = "deadline_date", .type = JS_DATE},
};

static const JsField candidate_fields[] = {
	{.name = "candidate_id", .type = JS_UUID, .required = true},
	{.name = "full_name", .type = JS_TEXT, .cap = JS_CAP_NAME, .required = true, .nonempty = true},
	{.name = "gender", .type = JS_TEXT, .cap = JS_CAP_CODE, .allowed = gender_values},
	{.name = "birth_year", .type = JS_INT, .min = 1900, .max = 2100},
	{.name = "nationality", .type = JS_TEXT, .cap = JS_CAP_NAME},
	{.name = "location_country", .type = JS_TEXT, .cap = JS_CAP_NAME},
	{.name = "location_city", .type = JS_TEXT, .cap = JS_CAP_NAME},
	{.name = "education_level", .type = JS_TEXT, .cap = JS_CAP_CODE},
	{.name = "graduation_year", .type = JS_INT, .min = 1900, .max = 2100},
	{.name = "gpa", .type = JS_DECIMAL, .scale = 2, .min = 0, .max = 400},
	{.name = "job_category", .type = JS_TEXT, .cap = JS_CAP_CODE},
	{.name = "current_company", .type = JS_TEXT, .cap = JS_CAP_NAME},
	{.name = "previous_companies", .type = JS_TEXT_ARRAY, .cap = JS_CAP_LIST, .null_as_empty = true},
	{.name = "skills", .type = JS_TEXT_ARRAY, .cap = JS_CAP_SKILLS, .null_as_empty = true},
	{.name = "certifications", .type = JS_TEXT_ARRAY, .cap = JS_CAP_LIST, .null_as_empty = true},
	{.name = "experience_level", .type = JS_TEXT, .cap = JS_CAP_CODE},
	{.name = "years_experience", .type = JS_INT, .min = 0, .max = 70},
	{.name = "current_salary", .type = JS_INT, NONNEG_INT},
	{.name = "expected_salary", .type = JS_INT, NONNEG_INT},
};

static const JsField application_fields[] = {
	{.name = "application_id", .type = JS_UUID, .required = true},
	{.name = "candidate_id", .type = JS_UUID, .required = true},
	{.name = "post_id", .type = JS_UUID, .required = true},
	{.name = "status", .type = JS_TEXT, .cap = JS_CAP_CODE, .required = true, .nonempty = true},
	{.name = "compatibility_score", .type = JS_DECIMAL, .scale = 2, .min = 0, .max = 10000},
	{.name = "applied_at", .type = JS_TIMESTAMPTZ, .required = true},
	/* optional: the points behind compatibility_score, in its weights */
	{.name = "category_score", .type = JS_DECIMAL, .scale = 2, .min = 0, .max = 10000},
	{.name = "skills_score", .type = JS_DECIMAL, .scale = 2, .min = 0, .max = 10000},
	{.name = "experience_score", .type = JS_DECIMAL, .scale = 2, .min = 0, .max = 10000},
	{.name = "seniority_score", .type = JS_DECIMAL, .scale = 2, .min = 0, .max = 10000},
	{.name = "salary_score", .type = JS_DECIMAL, .scale = 2, .min = 0, .max = 10000},
};

static const JsField tracking_event_fields[] = {
	{.name = "event_id", .type = JS_UUID, .required = true},
	{.name = "ts", .type = JS_TIMESTAMPTZ, .required = true},
	{.name = "post_id", .type = JS_UUID, .required = true},
	{.name = "company_id", .type = JS_INT, .required = true, INT32_UNBOUNDED},
	{.name = "campaign_id", .type = JS_INT, .required = true, INT32_UNBOUNDED},
	{.name = "group_id", .type = JS_INT, .required = true, INT32_UNBOUNDED},
	{.name = "publisher_id", .type = JS_INT, .required = true, INT32_UNBOUNDED},
	{.name = "custom_track", .type = JS_TEXT, .cap = JS_CAP_CODE, .required = true, .allowed = custom_track_values},
	/* numeric(10,4): below 10^6 */
	{.name = "bid", .type = JS_DECIMAL, .required = true, .scale = 4, .min = 0, .max = INT64_C(9999999999)},
};

#define LENGTH(a) ((int) (sizeof(a) / sizeof((a)[0])))

_Static_assert(LENGTH(job_post_fields) == JS_JP_NFIELDS, "job_posts field enum");
_Static_assert(LENGTH(candidate_fields) == JS_CA_NFIELDS, "candidates field enum");
_Static_assert(LENGTH(application_fields) == JS_AP_NFIELDS, "applications field enum");
_Static_assert(LENGTH(tracking_event_fields) == JS_TE_NFIELDS, "tracking_events field enum");

/*
 * job_posts_salary_range_check and job_posts_deadline_check.
 */
static bool
check_job_post(const JsValue *row, char *err, size_t errlen)
{
	const JsValue *smin = &row[JS_JP_SALARY_MIN];
	const JsValue *smax = &row[JS_JP_SALARY_MAX];
	const JsValue *posted = &row[JS_JP_POSTED_DATE];
	const JsValue *deadline = &row[JS_JP_DEADLINE_DATE];

	if (!smin->isnull && !smax->isnull && smin->v.i32 > smax->v.i32)
	{
		snprintf(err, errlen,
				 "field \"salary_min\": value %d is greater than salary_max %d",
				 (int) smin->v.i32, (int) smax->v.i32);
		return false;
	}
	if (!posted->isnull && !deadline->isnull && deadline->v.date < posted->v.date)
	{
		char		d1[16],
					d2[16];

		d1[js_format_date(deadline->v.date, d1)] = '\0';
		d2[js_format_date(posted->v.date, d2)] = '\0';
		snprintf(err, errlen,
				 "field \"deadline_date\": %s is before posted_date %s", d1, d2);
		return false;
	}
	return true;
}

/*
 * candidates_graduation_check.
 */
static bool
check_candidate(const JsValue *row, char *err, size_t errlen)
{
	const JsValue *birth = &row[JS_CA_BIRTH_YEAR];
	const JsValue *grad = &row[JS_CA_GRADUATION_YEAR];

	if (!birth->isnull && !grad->isnull && grad->v.i32 < birth->v.i32 + 14)
	{
		snprintf(err, errlen,
				 "field \"graduation_year\": value %d is less than birth_year + 14 (%d)",
				 (int) grad->v.i32, (int) birth->v.i32 + 14);
		return false;
	}
	return true;
}

const JsTopicDef js_topics[JS_NUM_TOPICS] = {
	[JS_TOPIC_JOB_POSTS] = {
		.name = "job_posts", .table = "job_posts", .key_field = "post_id",
		.fields = job_post_fields, .nfields = LENGTH(job_post_fields),
		.check = check_job_post,
	},
	[JS_TOPIC_CANDIDATES] = {
		.name = "candidate_info", .table = "candidates", .key_field = "candidate_id",
		.fields = candidate_fields, .nfields = LENGTH(candidate_fields),
		.check = check_candidate,
	},
	[JS_TOPIC_APPLICATIONS] = {
		.name = "job_applications", .table = "job_applications",
		.key_field = "application_id",
		.fields = application_fields, .nfields = LENGTH(application_fields),
	},
	[JS_TOPIC_TRACKING_EVENTS] = {
		.name = "tracking_events", .table = "tracking_events", .key_field = "event_id",
		.fields = tracking_event_fields, .nfields = LENGTH(tracking_event_fields),
	},
};

/*
 * The topic definition whose Kafka topic name or table name is name, or
 * NULL if there is none.
 */
const JsTopicDef *
js_topic_by_name(const char *name)
{
	for (int i = 0; i < JS_NUM_TOPICS; i++)
		if (strcmp(js_topics[i].name, name) == 0 ||
			strcmp(js_topics[i].table, name) == 0)
			return &js_topics[i];
	return NULL;
}

/*
 * Position of the field called name in def, or -1.
 */
int
js_field_index(const JsTopicDef *def, const char *name)
{
	for (int i = 0; i < def->nfields; i++)
		if (strcmp(def->fields[i].name, name) == 0)
			return i;
	return -1;
}

/*
 * Whether two JsStrings hold the same bytes.
 */
static bool
str_equal(const JsString *a, const JsString *b)
{
	return a->len == b->len && (a->len == 0 || memcmp(a->ptr, b->ptr, a->len) == 0);
}

/*
 * Whether rows a and b of def hold the same values; two NULLs are equal.
 */
bool
js_row_equal(const JsTopicDef *def, const JsValue *a, const JsValue *b)
{
	for (int i = 0; i < def->nfields; i++)
	{
		const JsValue *x = &a[i];
		const JsValue *y = &b[i];

		if (x->isnull != y->isnull)
			return false;
		if (x->isnull)
			continue;
		switch (def->fields[i].type)
		{
			case JS_UUID:
				if (memcmp(x->v.uuid, y->v.uuid, 16) != 0)
					return false;
				break;
			case JS_TEXT:
				if (!str_equal(&x->v.str, &y->v.str))
					return false;
				break;
			case JS_INT:
				if (x->v.i32 != y->v.i32)
					return false;
				break;
			case JS_DECIMAL:
			case JS_TIMESTAMPTZ:
				if (x->v.i64 != y->v.i64)
					return false;
				break;
			case JS_DATE:
				if (x->v.date != y->v.date)
					return false;
				break;
			case JS_TEXT_ARRAY:
				if (x->v.arr.n != y->v.arr.n)
					return false;
				for (int j = 0; j < x->v.arr.n; j++)
					if (!str_equal(&x->v.arr.items[j], &y->v.arr.items[j]))
						return false;
				break;
		}
	}
	return true;
}
