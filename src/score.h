/*
 * score.h
 *		Compatibility score of a candidate and a job post (pure C).
 *
 * The rules are those of docs/architecture.md, "Compatibility score".
 * Nothing here depends on PostgreSQL: the SQL functions (score_sql.c) and
 * the command-line data generator both link this module.  See score.c for
 * the representation of skill sets and the rounding rule.
 */
#ifndef JOBSTREAM_SCORE_H
#define JOBSTREAM_SCORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Seniority ladder, lowest first; js_seniority_parse returns these ranks. */
#define JS_SENIORITY_LEVELS 8
#define JS_SENIORITY_NONE	(-1)	/* absent (NULL) or not on the ladder */
extern const char *const js_seniority_names[JS_SENIORITY_LEVELS];

/*
 * A seniority ladder: level names lowest first, with their lengths.  The
 * SQL functions and the matcher use the one read from the
 * seniority_levels table (by rank); tools without a database the shipped
 * one.  A component compares positions on the ladder.
 */
typedef struct JsLadder
{
	int			n;
	const char *const *names;
	const size_t *lens;
} JsLadder;
extern const JsLadder js_builtin_ladder;

/* Weights of the five components; each component is weight x fraction. */
typedef struct JsWeights
{
	double		category;
	double		skills;
	double		experience;
	double		seniority;
	double		salary;
} JsWeights;

/*
 * Largest weight: scores stay far inside the range where hundredths are
 * exact in a double and fit the numeric(5,2)-like results.
 */
#define JS_WEIGHT_MAX 1000.0

/* 30/30/20/10/10, the default weights (docs/architecture.md). */
extern const JsWeights js_default_weights;

/* What js_weights_check finds wrong with a set of weights. */
typedef enum JsWeightsProblem
{
	JS_WEIGHTS_OK = 0,
	JS_WEIGHTS_NEGATIVE,		/* a weight is < 0 */
	JS_WEIGHTS_NOT_FINITE,		/* a weight is NaN or infinite */
	JS_WEIGHTS_TOO_LARGE,		/* a weight is above JS_WEIGHT_MAX */
	JS_WEIGHTS_ALL_ZERO			/* every weight is 0 */
} JsWeightsProblem;

/*
 * A prepared skill set: the sorted, duplicate-free 64-bit hashes of the
 * normalised skill names.  The array belongs to the caller.
 */
typedef struct JsSkillSet
{
	const uint64_t *hashes;
	int			n;
} JsSkillSet;

/*
 * The candidate side of a score.  A has_* flag that is false, or a level of
 * JS_SENIORITY_NONE, stands for a NULL input: its component is 0.
 */
typedef struct JsCandidateSide
{
	bool		has_category;
	uint64_t	category;		/* js_category_hash of job_category */
	bool		has_skills;
	JsSkillSet	skills;
	bool		has_years;
	double		years;			/* years_experience */
	int			level;			/* seniority rank or JS_SENIORITY_NONE */
	bool		has_salary;
	double		expected_salary;
} JsCandidateSide;

/* The job post side of a score; same conventions as JsCandidateSide. */
typedef struct JsPostSide
{
	bool		has_category;
	uint64_t	category;
	bool		has_skills;
	JsSkillSet	skills;
	bool		has_min_years;
	double		min_years;		/* min_years_experience */
	int			level;
	bool		has_salary_max;
	double		salary_max;
} JsPostSide;

/* Each weighted component, unrounded, and the rounded total. */
typedef struct JsBreakdown
{
	double		category;
	double		skills;
	double		experience;
	double		seniority;
	double		salary;
	int64_t		total_cents;	/* round(sum, 2) x 100 */
} JsBreakdown;

/* Bounded "best k" heap: one scored item with a 16-byte id (a UUID). */
typedef struct JsTopKItem
{
	int64_t		score_cents;
	unsigned char id[16];
} JsTopKItem;

/*
 * The heap keeps the k best items seen; items[0] is the worst of them.
 * The caller owns items (capacity cap <= k) and may grow it when
 * js_topk_needs_room says so.
 */
typedef struct JsTopK
{
	JsTopKItem *items;
	size_t		n;
	size_t		cap;
	size_t		k;
} JsTopK;

extern bool js_is_blank(unsigned char c);
extern bool js_skill_hash(const char *s, size_t len, uint64_t *hash);
extern uint64_t js_category_hash(const char *s, size_t len);
extern int	js_skillset_finish(uint64_t *hashes, int n);
extern double js_jaccard(JsSkillSet a, JsSkillSet b);
extern int	js_ladder_parse(const JsLadder *ladder, const char *s, size_t len);
extern int	js_seniority_parse(const char *s, size_t len);
extern JsWeightsProblem js_weights_check(const JsWeights *w, int *which);
extern const char *js_weight_name(int which);

extern double js_component_category(const JsCandidateSide *c,
									const JsPostSide *p, double weight);
extern double js_component_skills(const JsCandidateSide *c,
								  const JsPostSide *p, double weight);
extern double js_component_experience(const JsCandidateSide *c,
									  const JsPostSide *p, double weight);
extern double js_component_seniority(const JsCandidateSide *c,
									 const JsPostSide *p, double weight);
extern double js_component_salary(const JsCandidateSide *c,
								  const JsPostSide *p, double weight);
extern int64_t js_round_cents(double value);

/* The five components of a breakdown, each rounded to hundredths. */
#define JS_SCORE_NCOMPONENTS 5
extern void js_breakdown_cents(const JsBreakdown *b,
							   int64_t cents[JS_SCORE_NCOMPONENTS]);
extern int64_t js_score(const JsCandidateSide *c, const JsPostSide *p,
						const JsWeights *w, JsBreakdown *breakdown);
extern int64_t js_score_bound(const JsCandidateSide *c, const JsPostSide *p,
							  const JsWeights *w);

extern const char *js_application_status(double score, double u);

extern void js_topk_init(JsTopK *h, JsTopKItem *items, size_t cap, size_t k);
extern bool js_topk_needs_room(const JsTopK *h);
extern bool js_topk_offer(JsTopK *h, int64_t score_cents,
						  const unsigned char id[16]);
extern void js_topk_sort(JsTopK *h);
extern bool js_topk_threshold(const JsTopK *h, int64_t *worst);

/*
 * js_fmix64
 *		murmur3's 64-bit finaliser, a bijective mix in which every input bit
 *		affects every output bit.  Scoring hashes and the generators' random
 *		streams both finish with it.
 */
static inline uint64_t
js_fmix64(uint64_t h)
{
	h ^= h >> 33;
	h *= UINT64_C(0xff51afd7ed558ccd);
	h ^= h >> 33;
	h *= UINT64_C(0xc4ceb9fe1a85ec53);
	h ^= h >> 33;
	return h;
}

#endif							/* JOBSTREAM_SCORE_H */
