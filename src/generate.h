/*
 * generate.h
 *		Deterministic synthetic rows of the data contract (pure C).
 *
 * The reference snapshot (JsRefData) holds the rows of the reference tables
 * the generators draw from, with indexes built once.  It is filled by a
 * loader, table by table, through js_ref_add_row: the SQL functions read
 * the jobstream.* tables through SPI (generate_sql.c), the command-line
 * producer reads the installed CSV files (csv.c).  Either way
 * js_ref_finish sorts every table, so the same reference rows give the same
 * generated rows whatever order the loader delivered them in.
 *
 * Row i of a generator depends only on the snapshot, the options and i
 * (applications also on the candidates and posts offered), so batches,
 * parallel workers, the SQL functions and the producer all agree.  See
 * generate.c for the model.
 *
 * No PostgreSQL headers: the producer and the unit tests link this as is.
 */
#ifndef JOBSTREAM_GENERATE_H
#define JOBSTREAM_GENERATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "contract.h"
#include "decode.h"
#include "score.h"

/* ----------------------------------------------------------------
 * Reference snapshot
 * ----------------------------------------------------------------
 */

/* The reference tables the generators read, in loading order. */
typedef enum JsRefTable
{
	JS_REF_JOB_FAMILIES = 0,
	JS_REF_SENIORITY_LEVELS,
	JS_REF_JOB_TITLES,
	JS_REF_FAMILY_SKILLS,
	JS_REF_CERTIFICATIONS,
	JS_REF_COUNTRIES,
	JS_REF_CITIES,
	JS_REF_EMPLOYMENT_TYPES,
	JS_REF_EDUCATION_LEVELS,
	JS_REF_WORK_MODES,
	JS_REF_PLATFORMS,
	JS_REF_COMPANIES,
	JS_REF_FIRST_NAMES,
	JS_REF_LAST_NAMES,
	JS_REF_TITLE_SKILLS,
	JS_REF_NTABLES
} JsRefTable;

#define JS_REF_MAX_COLUMNS	6

/*
 * Which columns of a reference table the loader must deliver, in this
 * order (the names are those of the table and of the CSV header).  A
 * column that is NULL (or empty in a CSV file) is delivered with ptr NULL.
 */
typedef struct JsRefTableDef
{
	const char *table;			/* table in schema jobstream = CSV file stem */
	int			ncolumns;
	const char *columns[JS_REF_MAX_COLUMNS];
	bool		optional;		/* a missing table or file counts as empty
								 * (added after 0.2: title_skills) */
} JsRefTableDef;

extern const JsRefTableDef js_ref_tables[JS_REF_NTABLES];

/* One reference row as delivered: ncolumns strings. */
typedef struct JsRefRow
{
	JsString	col[JS_REF_MAX_COLUMNS];
} JsRefRow;

typedef struct JsRefFamily
{
	JsString	name;
	int			title_first;	/* range in titles[] */
	int			ntitles;
	int			skill_first;	/* range in family_skills[] */
	int			nskills;
	int			cert_first;		/* range in family_certs[] */
	int			ncerts;
} JsRefFamily;

typedef struct JsRefLevel
{
	JsString	name;
	int			rank;
	int			min_years;
	int			max_years;
	int			salary_min;
	int			salary_max;
} JsRefLevel;

typedef struct JsRefTitle
{
	JsString	title;
	JsString	domain;
	int			family;			/* index in families[] */
	int			level;			/* index in levels[] */
	int			skill_first;	/* range in title_skills[], popular first */
	int			nskills;
} JsRefTitle;

typedef struct JsRefCountry
{
	JsString	code;
	JsString	name;
	int			city_first;		/* range in cities[] */
	int			ncities;
	int			company_first;	/* range in companies[] */
	int			ncompanies;
	int			first_first[2]; /* ranges in first_names[], [0] F, [1] M */
	int			nfirst[2];
	int			last_first;		/* range in last_names[] */
	int			nlast;
} JsRefCountry;

typedef struct JsRefCity
{
	JsString	name;
	int			country;
	uint64_t	cum;			/* cumulative weight within its country */
} JsRefCity;

typedef struct JsRefCompany
{
	JsString	name;
	JsString	industry;
	int32_t		company_id;
	int			country;
} JsRefCompany;

/* A value drawn with a weight (employment types, work modes, education). */
typedef struct JsRefWeighted
{
	JsString	name;
	uint64_t	cum;			/* cumulative weight over the table */
} JsRefWeighted;

typedef struct JsRefEducation
{
	JsString	name;
	int			rank;
	int			years;			/* years_after_secondary */
	int			gpa_min;		/* hundredths */
	int			gpa_max;
	uint64_t	cum;
} JsRefEducation;

typedef struct JsRefPlatform
{
	JsString	name;
	int32_t		publisher_id;
	int64_t		base_bid;		/* ten-thousandths */
} JsRefPlatform;

/*
 * The snapshot.  Build it with js_ref_init, js_ref_add_row for every row of
 * every table, then js_ref_finish; free it with js_ref_free.  After
 * js_ref_finish it is read-only and may be shared by threads.  Strings are
 * copied into the snapshot's own memory.
 */
typedef struct JsRefData
{
	/* as delivered, then sorted by js_ref_finish */
	JsRefRow   *raw[JS_REF_NTABLES];
	int			nraw[JS_REF_NTABLES];
	int			capraw[JS_REF_NTABLES];
	JsArena		strings;
	bool		oom;
	bool		finished;

	/* built by js_ref_finish; indexes refer to the arrays below */
	JsRefFamily *families;		/* sorted by name */
	int			nfamilies;
	int		   *post_families;	/* families that have titles */
	int			npost_families;
	JsRefLevel *levels;			/* sorted by rank */
	int			nlevels;
	int			intern_level;	/* index of level "Intern", or -1 */
	JsRefTitle *titles;			/* grouped by family */
	int			ntitles;
	JsString   *family_skills;	/* grouped by family */
	int			nfamily_skills;
	JsString   *title_skills;	/* grouped by title */
	int			ntitle_skills;
	JsString   *family_certs;	/* grouped by family */
	int			nfamily_certs;
	JsRefCountry *countries;	/* sorted by code */
	int			ncountries;
	int		   *name_countries; /* countries with first and last names */
	int			nname_countries;
	JsRefCity  *cities;			/* grouped by country */
	int			ncities;
	JsRefCompany *companies;	/* grouped by country */
	int			ncompanies;
	int		   *companies_by_name;	/* company indexes sorted by name */
	JsString   *first_names;	/* grouped by country, gender */
	int			nfirst_names;
	JsString   *last_names;		/* grouped by country */
	int			nlast_names;
	JsRefWeighted *employment_types;
	int			nemployment_types;
	int			internship_type;	/* index of "Internship", or -1 */
	JsRefWeighted *work_modes;
	int			nwork_modes;
	JsRefEducation *education;	/* sorted by rank */
	int			neducation;
	JsRefPlatform *platforms;	/* sorted by name */
	int			nplatforms;
} JsRefData;

extern void js_ref_init(JsRefData *ref);

/*
 * Add one row of table t: cols[k] is column js_ref_tables[t].columns[k]
 * (ptr NULL for SQL NULL).  The bytes are copied.  Returns false when out
 * of memory (js_ref_finish then fails too).
 */
extern bool js_ref_add_row(JsRefData *ref, JsRefTable t, const JsString *cols);

/*
 * Sort the tables and build the indexes.  Rows that name a parent missing
 * from its table (a title of an unknown family ...) are ignored, as are
 * duplicates.  Returns false with a message in err on a malformed number
 * or when out of memory.  Whether the snapshot suffices for a topic is
 * js_ref_check's business.
 */
extern bool js_ref_finish(JsRefData *ref, char *err, size_t errlen);

/*
 * Whether the snapshot has what the generator of topic needs.  When not,
 * returns false and names the reference table that needs rows in table
 * (a static string) and what is missing in err.
 */
extern bool js_ref_check(const JsRefData *ref, JsTopic topic,
						 const char **table, char *err, size_t errlen);

extern void js_ref_free(JsRefData *ref);

/* company_id of the company called name, or -1. */
extern int32_t js_ref_company_id(const JsRefData *ref, const char *name,
								 size_t len);

/* ----------------------------------------------------------------
 * Pseudo-random numbers
 * ----------------------------------------------------------------
 */

/*
 * splitmix64.  One stream per (seed, topic, row): js_rng_init hashes the
 * three together, so row i's stream is independent of every other row's.
 */
typedef struct JsRng
{
	uint64_t	s;
} JsRng;

static inline uint64_t
js_rng_next(JsRng *r)
{
	uint64_t	z = (r->s += UINT64_C(0x9E3779B97F4A7C15));

	z = (z ^ (z >> 30)) * UINT64_C(0xBF58476D1CE4E5B9);
	z = (z ^ (z >> 27)) * UINT64_C(0x94D049BB133111EB);
	return z ^ (z >> 31);
}

/* A uniform integer in [0, n); 0 when n is 0. */
static inline uint64_t
js_rng_below(JsRng *r, uint64_t n)
{
	return (uint64_t) (((unsigned __int128) js_rng_next(r) * n) >> 64);
}

extern void js_rng_init(JsRng *r, uint64_t seed, uint32_t stream, uint64_t i);

/* A version 4 UUID (RFC 9562 version and variant bits) from the stream. */
extern void js_rng_uuid(JsRng *r, uint8_t out[16]);

/* ----------------------------------------------------------------
 * Generators
 * ----------------------------------------------------------------
 */

/* What all generators share. */
typedef struct JsGenOptions
{
	uint64_t	seed;
	int32_t		as_of;			/* days since 1970-01-01: posts are posted
								 * in the posted_window days up to it, ages
								 * are counted in its year */
	int32_t		posted_window;	/* days; 1 = all posted on as_of */
} JsGenOptions;

/* The default as_of of the SQL functions: 2025-01-01. */
#define JS_GEN_DEFAULT_AS_OF		20089
#define JS_GEN_DEFAULT_WINDOW		180

/*
 * Each generator fills row (the topic's nfields values).  Strings point
 * into the snapshot or into arena, which the caller resets when the rows
 * are no longer needed; nothing else is allocated.  They return false only
 * when arena is out of memory.  The snapshot must pass js_ref_check for
 * the topic.
 */
extern bool js_gen_job_post(const JsRefData *ref, const JsGenOptions *opt,
							uint64_t i, JsValue *row, JsArena *arena);
extern bool js_gen_candidate(const JsRefData *ref, const JsGenOptions *opt,
							 uint64_t i, JsValue *row, JsArena *arena);

/* A post that tracking events may name. */
typedef struct JsGenTrackPost
{
	uint8_t		post_id[16];
	int32_t		company_id;
} JsGenTrackPost;

/*
 * Tracking event i with ts in [from_usec, to_usec) (from < to), about one of
 * the posts given (n >= 1; the first ones are the most popular).
 */
extern void js_gen_tracking_event(const JsRefData *ref,
								  const JsGenOptions *opt, uint64_t i,
								  int64_t from_usec, int64_t to_usec,
								  const JsGenTrackPost *posts, int nposts,
								  JsValue *row);

/*
 * The campaigns a post's generated tracking events run in, which depend on
 * the post id alone: *first and the next ones, as many as returned (1-3);
 * campaign c has the ad groups 4c .. 4c + 3.
 */
#define JS_GEN_GROUPS_PER_CAMPAIGN 4
extern int	js_gen_post_campaigns(const uint8_t post_id[16], int32_t *first);

/*
 * The posts of rows 0..n-1 of js_gen_job_post with these options, for
 * tracking events when there are no real posts.  False if out of memory.
 */
extern bool js_gen_virtual_posts(const JsRefData *ref, const JsGenOptions *opt,
								 int n, JsGenTrackPost *out, JsArena *scratch);

/* A candidate an application may come from: key and scoring inputs. */
typedef struct JsGenApplicant
{
	uint8_t		id[16];
	JsCandidateSide side;
} JsGenApplicant;

/* A post an application may go to. */
typedef struct JsGenOpening
{
	uint8_t		id[16];
	JsPostSide	side;
	bool		has_dates;
	int32_t		posted_date;
	int32_t		deadline_date;	/* >= posted_date */
} JsGenOpening;

/*
 * The candidates and posts applications link, and the caller's record of
 * the (candidate, post) pairs already used: pair_used says whether
 * candidate c applied to post p already, pair_mark records that it now
 * has.  Call js_gen_pool_prepare once the arrays are filled.  A pool whose
 * posts change (the producer's ring) keeps its category index up to date
 * with js_gen_pool_unindex (before posts[p] changes) and
 * js_gen_pool_index (after).
 */
typedef struct JsGenPool
{
	const JsGenApplicant *cands;
	int			ncands;
	const JsGenOpening *posts;
	int			nposts;
	int		   *by_category;	/* room for nposts; posts by category */
	int			nindexed;		/* entries of by_category in use */
	int64_t		walk_limit;		/* pairs tried at most when random picks
								 * fail; 0 = all of them */
	bool		(*pair_used) (void *arg, int c, int p);
	void		(*pair_mark) (void *arg, int c, int p);
	void	   *pair_arg;
} JsGenPool;

extern void js_gen_pool_prepare(JsGenPool *pool);
extern void js_gen_pool_unindex(JsGenPool *pool, int p);
extern void js_gen_pool_index(JsGenPool *pool, int p);

/*
 * Application i: a candidate, mostly to a post of the family it seeks,
 * never a pair used before, scored by js_score with the default weights,
 * its status drawn by js_application_status.  applied_at is now_usec if it
 * is not negative, else a working hour (UTC) of a day from the day after
 * the post's posted_date to its deadline, at most 30 days on (from the
 * options' posting window for a post without dates).  Returns false when
 * no unused pair was found.
 */
extern bool js_gen_application(const JsGenPool *pool, const JsGenOptions *opt,
							   uint64_t i, int64_t now_usec, JsValue *row);

/*
 * A set of 64-bit fingerprints (of used (candidate, post) pairs) in
 * caller-provided memory: cap slots, a power of two, kept at most 3/4
 * full by the caller.
 */
typedef struct JsPairSet
{
	uint64_t   *slots;
	size_t		cap;
	size_t		n;
} JsPairSet;

extern void js_pairset_init(JsPairSet *set, uint64_t *slots, size_t cap);
extern uint64_t js_pair_fingerprint(const uint8_t cand[16], const uint8_t post[16]);
extern bool js_pairset_contains(const JsPairSet *set, uint64_t fp);
extern void js_pairset_add(JsPairSet *set, uint64_t fp);

#endif							/* JOBSTREAM_GENERATE_H */
