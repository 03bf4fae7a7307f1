/*
 * contract.h
 *		The message contract of jobstream's four topics, as data.
 *
 * One table per topic lists its fields in the order of the data contract
 * (docs/architecture.md, "Message contract"; the README's "Message contract
 * and its caps"), which is also the column order of the target table.  The
 * JSON decoder, the JSON encoder of the command-line producer, the
 * generators and the SQL glue all walk these tables, so a field is
 * described once.
 *
 * A row is an array of JsValue, one per field.  Values are plain C: no
 * PostgreSQL headers are needed, so the command-line tools and fuzz targets
 * link this code as it is.
 */
#ifndef JOBSTREAM_CONTRACT_H
#define JOBSTREAM_CONTRACT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef enum JsTopic
{
	JS_TOPIC_JOB_POSTS = 0,
	JS_TOPIC_CANDIDATES,
	JS_TOPIC_APPLICATIONS,
	JS_TOPIC_TRACKING_EVENTS,
	JS_NUM_TOPICS
} JsTopic;

typedef enum JsType
{
	JS_UUID,					/* 16 bytes, text form 8-4-4-4-12 hex */
	JS_TEXT,					/* valid UTF-8, no NUL */
	JS_INT,						/* 32-bit signed integer */
	JS_DECIMAL,					/* fixed point: int64 scaled by 10^scale */
	JS_TIMESTAMPTZ,				/* ISO-8601 with zone; microseconds since
								 * 1970-01-01 00:00:00 UTC */
	JS_DATE,					/* YYYY-MM-DD; days since 1970-01-01 */
	JS_TEXT_ARRAY				/* JSON array of strings */
} JsType;

/*
 * The caps on text: every JS_TEXT and JS_TEXT_ARRAY field names a row of
 * this one table (js_caps in contract.c, JsField.cap), so the contract's
 * limits are read, changed and documented in one place (README, "Message
 * contract").  Caps count bytes of UTF-8 after JSON unescaping, i.e. the
 * octet_length of the stored value: a btree entry's size limit is in
 * bytes, and bytes are what a producer can check without a Unicode table.
 *
 * Why these numbers.  Every value but a description can end up in a btree
 * key: a rollup key, a view's unique index, a GIN entry.  PostgreSQL
 * refuses index entries above ~2700 bytes (a third of a page), and a
 * rollup key may join two values (country + city, country + skill) or hold
 * four (category, work mode, employment type, level), so any two caps
 * other than the description's, or four, must fit in JS_INDEX_KEY_BUDGET
 * together with the key's other columns.  The unit test checks this.
 */
typedef enum JsCapKind
{
	JS_CAP_NONE = 0,			/* not text; a text field without a cap
								 * accepts nothing (and fails the unit test) */
	JS_CAP_CODE,				/* a value of a reference table: category,
								 * level, status, mode, platform, type, gender */
	JS_CAP_NAME,				/* names, titles, companies, places, industry */
	JS_CAP_DESCRIPTION,			/* free text, never indexed as a whole */
	JS_CAP_SKILLS,				/* skill lists */
	JS_CAP_LIST,				/* certification and company lists */
	JS_NUM_CAPS
} JsCapKind;

typedef struct JsCap
{
	const char *name;			/* for documentation */
	uint32_t	max_bytes;		/* of a value, or of each element */
	uint32_t	max_items;		/* elements of an array; 0 for scalars */
} JsCap;

extern const JsCap js_caps[JS_NUM_CAPS];

/* Bytes two joined caps plus a key's other columns must stay under. */
#define JS_INDEX_KEY_BUDGET	2000

typedef struct JsField
{
	const char *name;			/* JSON key and column name */
	JsType		type;
	bool		required;		/* missing or null is an error */
	int			scale;			/* JS_DECIMAL: digits after the point */
	int64_t		min;			/* inclusive bounds for JS_INT / JS_DECIMAL
								 * (scaled); min > max means unbounded */
	int64_t		max;
	JsCapKind	cap;			/* JS_TEXT, JS_TEXT_ARRAY: the row of
								 * js_caps that bounds the value */
	bool		nonempty;		/* JS_TEXT: '' is an error (CHECK <> '') */
	bool		null_as_empty;	/* JS_TEXT_ARRAY: missing or null decodes as
								 * an empty array (NOT NULL DEFAULT '{}') */
	const char *const *allowed; /* JS_TEXT: NULL-terminated list of the only
								 * accepted values (CHECK IN), or NULL */
} JsField;

struct JsValue;

typedef struct JsTopicDef
{
	const char *name;			/* default Kafka topic name */
	const char *table;			/* target table in schema jobstream */
	const char *key_field;		/* field that is the row's key */
	const JsField *fields;
	int			nfields;

	/*
	 * Optional cross-field checks mirroring the table's multi-column CHECK
	 * constraints; returns false with a message in err.  Called by js_decode
	 * on a complete row; NULL values pass, as in SQL.
	 */
	bool		(*check) (const struct JsValue *row, char *err, size_t errlen);
} JsTopicDef;

typedef struct JsString
{
	const char *ptr;			/* not NUL-terminated in general */
	size_t		len;
} JsString;

typedef struct JsValue
{
	bool		isnull;
	union
	{
		uint8_t		uuid[16];
		JsString	str;
		int32_t		i32;
		int64_t		i64;		/* JS_DECIMAL scaled, JS_TIMESTAMPTZ usec */
		int32_t		date;		/* JS_DATE days since 1970-01-01 */
		struct
		{
			const JsString *items;
			int			n;
		}			arr;
	}			v;
} JsValue;

/*
 * Field positions within a row, in contract (= column) order.  contract.c
 * and the unit test check that they agree with js_topics[].
 */
enum
{
	JS_JP_POST_ID, JS_JP_COMPANY, JS_JP_JOB_TITLE, JS_JP_JOB_CATEGORY,
	JS_JP_INDUSTRY, JS_JP_LOCATION_COUNTRY, JS_JP_LOCATION_CITY,
	JS_JP_DESCRIPTION, JS_JP_REQUIRED_SKILLS, JS_JP_CERTIFICATIONS,
	JS_JP_SALARY_MIN, JS_JP_SALARY_MAX, JS_JP_EXPERIENCE_LEVEL,
	JS_JP_MIN_YEARS_EXPERIENCE, JS_JP_EMPLOYMENT_TYPE, JS_JP_WORK_MODE,
	JS_JP_PLATFORM, JS_JP_POSTED_DATE, JS_JP_DEADLINE_DATE,
	JS_JP_NFIELDS
};

enum
{
	JS_CA_CANDIDATE_ID, JS_CA_FULL_NAME, JS_CA_GENDER, JS_CA_BIRTH_YEAR,
	JS_CA_NATIONALITY, JS_CA_LOCATION_COUNTRY, JS_CA_LOCATION_CITY,
	JS_CA_EDUCATION_LEVEL, JS_CA_GRADUATION_YEAR, JS_CA_GPA,
	JS_CA_JOB_CATEGORY, JS_CA_CURRENT_COMPANY, JS_CA_PREVIOUS_COMPANIES,
	JS_CA_SKILLS, JS_CA_CERTIFICATIONS, JS_CA_EXPERIENCE_LEVEL,
	JS_CA_YEARS_EXPERIENCE, JS_CA_CURRENT_SALARY, JS_CA_EXPECTED_SALARY,
	JS_CA_NFIELDS
};

enum
{
	JS_AP_APPLICATION_ID, JS_AP_CANDIDATE_ID, JS_AP_POST_ID, JS_AP_STATUS,
	JS_AP_COMPATIBILITY_SCORE, JS_AP_APPLIED_AT,
	JS_AP_CATEGORY_SCORE, JS_AP_SKILLS_SCORE, JS_AP_EXPERIENCE_SCORE,
	JS_AP_SENIORITY_SCORE, JS_AP_SALARY_SCORE,
	JS_AP_NFIELDS
};

enum
{
	JS_TE_EVENT_ID, JS_TE_TS, JS_TE_POST_ID, JS_TE_COMPANY_ID,
	JS_TE_CAMPAIGN_ID, JS_TE_GROUP_ID, JS_TE_PUBLISHER_ID,
	JS_TE_CUSTOM_TRACK, JS_TE_BID,
	JS_TE_NFIELDS
};

/* The most fields a topic may have (js_decode tracks them in a bit mask). */
#define JS_MAX_FIELDS		64

/* Bytes of one message js_decode accepts at most (documented in decode.c). */
#define JS_MAX_MESSAGE_LEN	(4 * 1024 * 1024)


extern const JsTopicDef js_topics[JS_NUM_TOPICS];

/* The topic definition whose Kafka topic name or table name is name, or NULL. */
extern const JsTopicDef *js_topic_by_name(const char *name);

/* Position of the field called name in def, or -1. */
extern int	js_field_index(const JsTopicDef *def, const char *name);

/* Whether two rows of def hold the same values (NULLs equal each other). */
extern bool js_row_equal(const JsTopicDef *def, const JsValue *a,
						 const JsValue *b);

#endif							/* JOBSTREAM_CONTRACT_H */
