/*
 * score.c
 *		Compatibility score of a candidate and a job post (pure C).
 *
 * This module implements docs/architecture.md, "Compatibility score",
 * without any PostgreSQL dependency, so that the SQL functions, the top-k
 * scans and the command-line data generator all compute the very same
 * numbers.
 *
 * Skill sets.  A skill name is normalised by trimming surrounding blanks
 * (ASCII space, tab, newline, carriage return, form feed, vertical tab) and
 * case-folding: ASCII A-Z, and the UTF-8 encoded Latin-1 capitals U+00C0 to
 * U+00DE (except U+00D7, the multiplication sign), are lowered; every other
 * byte is compared as is, so for example Cyrillic or Greek names compare
 * case-sensitively.  Empty names (after trimming) and NULL elements are
 * ignored.  A prepared set is the sorted array of the 64-bit hashes of its
 * normalised names with duplicates removed, so the Jaccard index of two sets
 * is one merge of two short sorted arrays: that is the hot loop of top-k.
 * The hash folds and mixes the name 8 bytes at a time (a multiply and an
 * xor-shift per word, the ASCII case folding itself done on whole words),
 * then applies the murmur3 finaliser.  Two different names
 * collide with probability about 2^-64; for two sets of n and m names the
 * chance that any pair collides is about n*m / 2^64, i.e. below 10^-15 for
 * sets of a hundred skills, far below anything a user could observe.  The
 * job category is compared the same way (folded, but not trimmed: the rule
 * is "equal, case-insensitive").
 *
 * Components.  Each component is weight x fraction with the fractions of
 * docs/architecture.md; a NULL input of a component (a has_* flag of false
 * or a level of JS_SENIORITY_NONE) makes that component 0.  In particular a
 * NULL years_experience scores 0 even when the job asks for no experience,
 * and a salary_max of 0 or less scores 0 even when the expected salary is 0:
 * the rule "0 when salary_max <= 0" is read as taking precedence.
 *
 * Rounding.  Components are computed in double precision; only the total is
 * rounded, to the nearest cent with halves away from zero, like
 * round(numeric, 2).  A tiny tolerance (10^-9 cent) absorbs binary
 * representation error, so that a true total of 12.345 (stored as
 * 12.344999...) still rounds to 12.35.
 *
 * Top-k.  JsTopK is a bounded binary min-heap ordered by "worse first": a
 * lower score is worse, and between equal scores the larger id is worse, so
 * that ties are broken deterministically by id ascending.
 */
#include "score.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

const char *const js_seniority_names[JS_SENIORITY_LEVELS] = {
	"Intern", "Entry", "Junior", "Mid", "Senior", "Lead", "Director", "Executive"
};
static const size_t js_seniority_lengths[JS_SENIORITY_LEVELS] = {6, 5, 6, 3, 6, 4, 8, 9};

const JsLadder js_builtin_ladder = {JS_SENIORITY_LEVELS, js_seniority_names, js_seniority_lengths};

const JsWeights js_default_weights = {30.0, 30.0, 20.0, 10.0, 10.0};

static const char *const js_weight_names[5] = {
	"w_category", "w_skills", "w_experience", "w_seniority", "w_salary"
};

/*
 * js_blank
 *		Inline form of js_is_blank.
 */
static inline bool
js_blank(unsigned char c)
{
	return c == ' ' || (c >= '\t' && c <= '\r');
}

#define JS_HASH_SEED	UINT64_C(0xcbf29ce484222325)

/*
 * js_is_blank
 *		True for the ASCII blanks that are trimmed around skill names.
 */
bool
js_is_blank(unsigned char c)
{
	return js_blank(c);
}

/*
 * js_ascii_lower
 *		c with ASCII A-Z lowered.
 */
static inline unsigned char
js_ascii_lower(unsigned char c)
{
	return (c >= 'A' && c <= 'Z') ? c + ('a' - 'A') : c;
}

/*
 * js_fold_word
 *		Case-folds the 8 bytes of a chunk (little-endian order), given the
 *		raw byte that precedes the chunk.  Chunks of ASCII bytes only, the
 *		common case, are folded with a few word operations.
 */
static inline uint64_t
js_fold_word(uint64_t w, const unsigned char *raw, size_t n, unsigned char prev)
{
	const uint64_t ones = UINT64_C(0x0101010101010101);
	const uint64_t high = UINT64_C(0x8080808080808080);
	uint64_t	out = 0;
	size_t		i;

	if ((w & high) == 0)
	{
		uint64_t	ge_a = w + ones * (0x80 - 'A');
		uint64_t	gt_z = w + ones * (0x7F - 'Z');

		return w | (((ge_a & ~gt_z) & high) >> 2);
	}
	for (i = 0; i < n; i++)
	{
		unsigned char c = raw[i];
		unsigned char before = i > 0 ? raw[i - 1] : prev;

		if (c >= 'A' && c <= 'Z')
			c += 'a' - 'A';
		else if (before == 0xC3 && c >= 0x80 && c <= 0x9E && c != 0x97)
			c += 0x20;			/* U+00C0..U+00DE -> U+00E0..U+00FE */
		out |= (uint64_t) c << (8 * i);
	}
	return out;
}

/*
 * js_fold_hash
 *		Hash of s[0..len) case-folded as described in the header comment:
 *		the folded bytes are mixed 8 at a time (the last chunk zero-padded,
 *		the length mixed in last), then finalised with fmix64.
 */
static inline uint64_t
js_fold_hash(const unsigned char *s, size_t len)
{
	uint64_t	h = JS_HASH_SEED;
	size_t		i;

	for (i = 0; i < len; i += 8)
	{
		size_t		n = len - i < 8 ? len - i : 8;
		uint64_t	w = 0;
		size_t		j;

		if (n == 8)
			memcpy(&w, s + i, 8);
		else
			for (j = 0; j < n; j++)
				w |= (uint64_t) s[i + j] << (8 * j);
		w = js_fold_word(w, s + i, n, i > 0 ? s[i - 1] : 0);
		h = (h ^ w) * UINT64_C(0x9e3779b97f4a7c15);
		h ^= h >> 29;
	}
	return js_fmix64(h ^ (uint64_t) len);
}

/*
 * js_skill_hash
 *		Normalises one skill name and stores its hash in *hash.  Returns
 *		false, leaving *hash alone, when the name is empty after trimming
 *		blanks: such a name is not a skill.
 */
bool
js_skill_hash(const char *s, size_t len, uint64_t *hash)
{
	const unsigned char *p = (const unsigned char *) s;

	while (len > 0 && js_blank(p[0]))
	{
		p++;
		len--;
	}
	while (len > 0 && js_blank(p[len - 1]))
		len--;
	if (len == 0)
		return false;
	*hash = js_fold_hash(p, len);
	return true;
}

/*
 * js_category_hash
 *		Hash of a job category, case-folded but not trimmed.
 */
uint64_t
js_category_hash(const char *s, size_t len)
{
	return js_fold_hash((const unsigned char *) s, len);
}

/*
 * js_skillset_finish
 *		Sorts n hashes in place and removes duplicates; returns the number
 *		left.  Insertion sort: skill lists are short (tens of names), and
 *		this runs once per row in the top-k scan.
 */
int
js_skillset_finish(uint64_t *hashes, int n)
{
	int			i,
				out;

	for (i = 1; i < n; i++)
	{
		uint64_t	v = hashes[i];
		int			j = i - 1;

		while (j >= 0 && hashes[j] > v)
		{
			hashes[j + 1] = hashes[j];
			j--;
		}
		hashes[j + 1] = v;
	}
	if (n <= 1)
		return n;
	out = 1;
	for (i = 1; i < n; i++)
		if (hashes[i] != hashes[out - 1])
			hashes[out++] = hashes[i];
	return out;
}

/*
 * js_jaccard
 *		|A n B| / |A u B| of two prepared sets; 0 when both are empty.
 */
double
js_jaccard(JsSkillSet a, JsSkillSet b)
{
	int			i = 0,
				j = 0,
				common = 0;

	if (a.n + b.n == 0)
		return 0.0;
	while (i < a.n && j < b.n)
	{
		uint64_t	x = a.hashes[i],
					y = b.hashes[j];

		common += (x == y);
		i += (x <= y);
		j += (y <= x);
	}
	return (double) common / (double) (a.n + b.n - common);
}

/*
 * js_ladder_parse
 *		Position of a seniority level on a ladder (0 = lowest), compared
 *		case-insensitively and ignoring surrounding blanks; an exact match
 *		wins over a case-insensitive one.  JS_SENIORITY_NONE when the name
 *		is not on the ladder.
 */
int
js_ladder_parse(const JsLadder *ladder, const char *s, size_t len)
{
	int			r,
				folded = JS_SENIORITY_NONE;

	while (len > 0 && js_blank((unsigned char) s[0]))
	{
		s++;
		len--;
	}
	while (len > 0 && js_blank((unsigned char) s[len - 1]))
		len--;
	for (r = 0; r < ladder->n; r++)
	{
		const char *name = ladder->names[r];
		size_t		i;

		if (ladder->lens[r] != len)
			continue;
		if (memcmp(name, s, len) == 0)
			return r;
		for (i = 0; i < len; i++)
		{
			if (js_ascii_lower((unsigned char) s[i]) !=
				js_ascii_lower((unsigned char) name[i]))
				break;
		}
		if (i == len && folded == JS_SENIORITY_NONE)
			folded = r;
	}
	return folded;
}

/*
 * js_seniority_parse
 *		js_ladder_parse on the shipped ladder (0 = Intern ... 7 =
 *		Executive), for code without the seniority_levels table.
 */
int
js_seniority_parse(const char *s, size_t len)
{
	return js_ladder_parse(&js_builtin_ladder, s, len);
}

/*
 * js_weights_check
 *		Checks that weights are finite, between 0 and JS_WEIGHT_MAX and not
 *		all zero.  On a
 *		problem with one weight, *which is set to its index (0 = category
 *		... 4 = salary, see js_weight_name).
 */
JsWeightsProblem
js_weights_check(const JsWeights *w, int *which)
{
	const double v[5] = {w->category, w->skills, w->experience, w->seniority,
	w->salary};
	bool		any = false;
	int			i;

	for (i = 0; i < 5; i++)
	{
		*which = i;
		if (!isfinite(v[i]))
			return JS_WEIGHTS_NOT_FINITE;
		if (v[i] < 0)
			return JS_WEIGHTS_NEGATIVE;
		if (v[i] > JS_WEIGHT_MAX)
			return JS_WEIGHTS_TOO_LARGE;
		if (v[i] > 0)
			any = true;
	}
	*which = -1;
	return any ? JS_WEIGHTS_OK : JS_WEIGHTS_ALL_ZERO;
}

/*
 * js_weight_name
 *		SQL argument name of weight number which (0..4).
 */
const char *
js_weight_name(int which)
{
	return (which >= 0 && which < 5) ? js_weight_names[which] : "weights";
}

/*
 * js_component_category
 *		weight when both categories are present and equal (case-insensitive).
 */
double
js_component_category(const JsCandidateSide *c, const JsPostSide *p,
					  double weight)
{
	if (!c->has_category || !p->has_category)
		return 0.0;
	return c->category == p->category ? weight : 0.0;
}

/*
 * js_component_skills
 *		weight x Jaccard index of the two skill sets.
 */
double
js_component_skills(const JsCandidateSide *c, const JsPostSide *p,
					double weight)
{
	if (!c->has_skills || !p->has_skills)
		return 0.0;
	return weight * js_jaccard(c->skills, p->skills);
}

/*
 * js_component_experience
 *		weight when the candidate has the years the job asks for (or the job
 *		asks for 0 or less), else weight x max(0, years) / min_years.
 */
double
js_component_experience(const JsCandidateSide *c, const JsPostSide *p,
						double weight)
{
	if (!c->has_years || !p->has_min_years)
		return 0.0;
	if (p->min_years <= 0 || c->years >= p->min_years)
		return weight;
	return weight * (c->years > 0 ? c->years : 0.0) / p->min_years;
}

/*
 * js_component_seniority
 *		weight at ladder distance 0, half of it at distance 1, else 0.
 */
double
js_component_seniority(const JsCandidateSide *c, const JsPostSide *p,
					   double weight)
{
	int			d;

	if (c->level < 0 || p->level < 0)
		return 0.0;
	d = abs(c->level - p->level);
	if (d == 0)
		return weight;
	if (d == 1)
		return weight / 2.0;
	return 0.0;
}

/*
 * js_component_salary
 *		weight when the expected salary fits under salary_max, decreasing
 *		linearly to 0 at twice salary_max; 0 when salary_max <= 0.
 */
double
js_component_salary(const JsCandidateSide *c, const JsPostSide *p,
					double weight)
{
	double		f;

	if (!c->has_salary || !p->has_salary_max || !(p->salary_max > 0))
		return 0.0;
	if (c->expected_salary <= p->salary_max)
		return weight;
	f = 1.0 - (c->expected_salary - p->salary_max) / p->salary_max;
	return f > 0 ? weight * f : 0.0;
}

/*
 * js_round_cents
 *		value rounded to 2 decimals, as an integer number of hundredths;
 *		halves away from zero, with the tolerance explained above.
 */
int64_t
js_round_cents(double value)
{
	double		x = value * 100.0;

	if (x >= 0)
		return (int64_t) floor(x + 0.5 + 1e-9);
	return -(int64_t) floor(-x + 0.5 + 1e-9);
}

/*
 * js_breakdown_cents
 *		The components of b in the order category, skills, experience,
 *		seniority, salary, each rounded like the total: the points behind a
 *		score ("why this match").  Their sum may differ from total_cents by
 *		a few hundredths, as each is rounded on its own.
 */
void
js_breakdown_cents(const JsBreakdown *b, int64_t cents[JS_SCORE_NCOMPONENTS])
{
	cents[0] = js_round_cents(b->category);
	cents[1] = js_round_cents(b->skills);
	cents[2] = js_round_cents(b->experience);
	cents[3] = js_round_cents(b->seniority);
	cents[4] = js_round_cents(b->salary);
}

/*
 * js_score
 *		Total score in hundredths; fills *breakdown when it is not NULL.
 *		The weights must have passed js_weights_check.
 */
int64_t
js_score(const JsCandidateSide *c, const JsPostSide *p, const JsWeights *w,
		 JsBreakdown *breakdown)
{
	double		cat = js_component_category(c, p, w->category);
	double		sk = js_component_skills(c, p, w->skills);
	double		ex = js_component_experience(c, p, w->experience);
	double		se = js_component_seniority(c, p, w->seniority);
	double		sa = js_component_salary(c, p, w->salary);
	int64_t		total = js_round_cents(cat + sk + ex + se + sa);

	if (breakdown)
	{
		breakdown->category = cat;
		breakdown->skills = sk;
		breakdown->experience = ex;
		breakdown->seniority = se;
		breakdown->salary = sa;
		breakdown->total_cents = total;
	}
	return total;
}

/*
 * js_score_bound
 *		An upper bound of js_score that does not look at the skill sets: the
 *		skills component is taken at its maximum, the weight, when both
 *		sides have skills.  The sum is made in the same order as js_score
 *		and rounding is monotonic, so js_score <= js_score_bound exactly;
 *		top-k scans skip the skills of rows whose bound cannot enter the
 *		heap.
 */
int64_t
js_score_bound(const JsCandidateSide *c, const JsPostSide *p,
			   const JsWeights *w)
{
	double		cat = js_component_category(c, p, w->category);
	double		sk = (c->has_skills && p->has_skills) ? w->skills : 0.0;
	double		ex = js_component_experience(c, p, w->experience);
	double		se = js_component_seniority(c, p, w->seniority);
	double		sa = js_component_salary(c, p, w->salary);

	return js_round_cents(cat + sk + ex + se + sa);
}

/*
 * js_topk_threshold
 *		True when the heap holds k items, setting *worst to the lowest kept
 *		score: an item scoring below it cannot enter.
 */
bool
js_topk_threshold(const JsTopK *h, int64_t *worst)
{
	if (h->n < h->k || h->n == 0)
		return false;
	*worst = h->items[0].score_cents;
	return true;
}

/*
 * js_application_status
 *		Status of an application with this score, given a uniform draw u in
 *		[0, 1) (docs/architecture.md, "Application status").  Returns NULL
 *		when score is outside [0, 100] or u outside [0, 1) (NaN included).
 */
const char *
js_application_status(double score, double u)
{
	if (!(score >= 0 && score <= 100) || !(u >= 0 && u < 1))
		return NULL;
	if (score >= 75)
		return u < 0.6 ? "Interview Scheduled" : "Applied";
	if (score >= 60)
		return u < 0.7 ? "Applied" : "Under Review";
	if (score >= 40)
		return u < 0.5 ? "Applied" : "Not a Fit";
	return u < 0.8 ? "Rejected" : "Not a Fit";
}

/*
 * js_topk_worse
 *		True when item a ranks below item b: lower score, or equal score and
 *		larger id.
 */
static inline bool
js_topk_worse(const JsTopKItem *a, const JsTopKItem *b)
{
	if (a->score_cents != b->score_cents)
		return a->score_cents < b->score_cents;
	return memcmp(a->id, b->id, 16) > 0;
}

/*
 * js_topk_init
 *		Starts an empty heap keeping the k best items in items[0..cap).
 */
void
js_topk_init(JsTopK *h, JsTopKItem *items, size_t cap, size_t k)
{
	h->items = items;
	h->n = 0;
	h->cap = cap < k ? cap : k;
	h->k = k;
}

/*
 * js_topk_needs_room
 *		True when the next js_topk_offer could need more than cap items: the
 *		caller should then grow items (keeping its contents) and set cap.
 */
bool
js_topk_needs_room(const JsTopK *h)
{
	return h->n == h->cap && h->cap < h->k;
}

/*
 * js_topk_sift_down
 *		Restores the heap property below position i.
 */
static void
js_topk_sift_down(JsTopK *h, size_t i)
{
	JsTopKItem *a = h->items;
	JsTopKItem	v = a[i];

	for (;;)
	{
		size_t		l = 2 * i + 1,
					m;

		if (l >= h->n)
			break;
		m = l;
		if (l + 1 < h->n && js_topk_worse(&a[l + 1], &a[l]))
			m = l + 1;
		if (!js_topk_worse(&a[m], &v))
			break;
		a[i] = a[m];
		i = m;
	}
	a[i] = v;
}

/*
 * js_topk_offer
 *		Offers one item; returns true when it was kept.  When the heap is
 *		below k items but at capacity (js_topk_needs_room), the item is
 *		dropped: grow first.
 */
bool
js_topk_offer(JsTopK *h, int64_t score_cents, const unsigned char id[16])
{
	JsTopKItem	v;

	if (h->k == 0)
		return false;
	if (h->n == h->k && h->n > 0)
	{
		/* Full: the cheap common case is an item worse than the worst kept. */
		if (score_cents < h->items[0].score_cents)
			return false;
		v.score_cents = score_cents;
		memcpy(v.id, id, 16);
		if (!js_topk_worse(&h->items[0], &v))
			return false;
		h->items[0] = v;
		js_topk_sift_down(h, 0);
		return true;
	}
	if (h->n >= h->cap)
		return false;
	v.score_cents = score_cents;
	memcpy(v.id, id, 16);
	{
		size_t		i = h->n++;

		while (i > 0)
		{
			size_t		parent = (i - 1) / 2;

			if (!js_topk_worse(&v, &h->items[parent]))
				break;
			h->items[i] = h->items[parent];
			i = parent;
		}
		h->items[i] = v;
	}
	return true;
}

/*
 * js_topk_cmp
 *		qsort order: best first.
 */
static int
js_topk_cmp(const void *a, const void *b)
{
	const JsTopKItem *x = a;
	const JsTopKItem *y = b;

	if (x->score_cents != y->score_cents)
		return x->score_cents > y->score_cents ? -1 : 1;
	return memcmp(x->id, y->id, 16);
}

/*
 * js_topk_sort
 *		Sorts the kept items best first (rank 1 at items[0]); the heap is no
 *		longer a heap afterwards.
 */
void
js_topk_sort(JsTopK *h)
{
	if (h->n > 1)
		qsort(h->items, h->n, sizeof(JsTopKItem), js_topk_cmp);
}
