/*
 * generate.c
 *		Deterministic synthetic job posts, candidates, applications and
 *		tracking events, drawn from a snapshot of the reference tables.
 *
 * What.  Each generator turns (snapshot, options, row number i) into one
 * row of the data contract, as an array of JsValue: the SQL functions of
 * generate_sql.c convert it to a tuple, the producer jobstream-gen encodes
 * it as JSON.  Both call the very same code, so a seed means the same rows
 * in the database and on the wire.
 *
 * Determinism.  Row i draws from its own splitmix64 stream, seeded by
 * hashing (seed, topic, i) together; nothing carries over from row i-1.
 * So row i is the same whatever n is, however the rows are batched, and
 * rows can be generated in parallel.  All choices are integer arithmetic
 * (uniform picks by multiply-shift, weighted picks over integer cumulative
 * weights, salaries and bids in integer units), so results do not depend
 * on the platform's floating point; only the compatibility score is
 * computed in double precision, by score.c, as everywhere else.  The
 * snapshot is sorted by js_ref_finish (bytewise, like COLLATE "C"), so the
 * order in which a loader delivers reference rows does not matter either.
 * Applications are the exception by necessity: they link the candidates and
 * posts the caller offers, and skip pairs already used, so row i also
 * depends on the pool and on the rows before it (still deterministic).
 *
 * The model (what "realistic" means here).
 *	Posts: a job family uniformly among those that have titles, a title of
 *	that family (which fixes the seniority level), a company (which fixes
 *	the industry and the country) and a city of that country weighted by
 *	the square root of its population.  3-8 required skills, about two
 *	thirds from the title's own list (title_skills) when it has one of three
 *	or more, the rest from the family, and 0-5 certifications of the
 *	family; salary range inside the level's band; minimum years in the
 *	lower half of the level's range; employment type
 *	and work mode by their shares (interns get the internship type); a
 *	platform; posted within posted_window days up to as_of, deadline 2-13
 *	weeks later.  The description is assembled from sentence templates and
 *	names every required skill by its canonical name, so extract_skills
 *	finds them.
 *	Candidates: a nationality among the countries that have names, a name
 *	of that country and gender; living there (85%) or where a random
 *	company is; an education level (weighted by years of study), graduation
 *	at 18 + years of study (+ a gap), then 0-40 years since (skewed low),
 *	so birth year, graduation year and years of experience agree; the
 *	seniority level follows the years of experience (at a personal pace),
 *	the salary the level's band, the expected salary 5-30% above it; 4-15
 *	skills mostly of the family sought, 0-5 of its certifications, a GPA in
 *	the education level's range.
 *	Applications: a candidate applies, 70% of the time to the best of three
 *	posts of the family it seeks, else to any post; the score is js_score's and the status
 *	js_application_status's.
 *	Tracking events: the first posts offered are the most popular; each post
 *	runs 1-3 campaigns of up to 4 ad groups on 1-4 publishers; 88% clicks,
 *	5% qualified, 4% unqualified, 3% conversions; bids around the
 *	publisher's base bid times a per-post factor; timestamps follow
 *	hour-of-day (UTC) and weekday weights, by rejection sampling.
 *
 * Memory.  The snapshot owns copies of every string (an arena) and its
 * indexes; generators allocate only the strings they build (descriptions,
 * full names) and the arrays of a row from the caller's arena.
 */
#include "generate.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Streams of the four generators (and the virtual posts share posts'). */
#define JS_STREAM_POSTS			UINT32_C(0x504f5354)
#define JS_STREAM_CANDIDATES	UINT32_C(0x43414e44)
#define JS_STREAM_APPLICATIONS	UINT32_C(0x4150504c)
#define JS_STREAM_EVENTS		UINT32_C(0x45564e54)

const JsRefTableDef js_ref_tables[JS_REF_NTABLES] = {
	[JS_REF_JOB_FAMILIES] = {"job_families", 1, {"family"}},
	[JS_REF_SENIORITY_LEVELS] = {"seniority_levels", 6,
	{"level", "rank", "min_years", "max_years", "salary_min", "salary_max"}},
	[JS_REF_JOB_TITLES] = {"job_titles", 4, {"title", "family", "seniority", "domain"}},
	[JS_REF_FAMILY_SKILLS] = {"family_skills", 2, {"family", "skill"}},
	[JS_REF_CERTIFICATIONS] = {"certifications", 2, {"family", "certification"}},
	[JS_REF_COUNTRIES] = {"countries", 2, {"country_code", "country"}},
	[JS_REF_CITIES] = {"cities", 3, {"country_code", "city", "population"}},
	[JS_REF_EMPLOYMENT_TYPES] = {"employment_types", 2, {"employment_type", "share"}},
	[JS_REF_EDUCATION_LEVELS] = {"education_levels", 5,
	{"education_level", "rank", "years_after_secondary", "gpa_min", "gpa_max"}},
	[JS_REF_WORK_MODES] = {"work_modes", 2, {"work_mode", "share"}},
	[JS_REF_PLATFORMS] = {"platforms", 3, {"platform", "publisher_id", "base_bid"}},
	[JS_REF_COMPANIES] = {"companies", 4, {"company", "company_id", "industry", "country_code"}},
	[JS_REF_FIRST_NAMES] = {"first_names", 3, {"country_code", "gender", "first_name"}},
	[JS_REF_LAST_NAMES] = {"last_names", 2, {"country_code", "last_name"}},
	[JS_REF_TITLE_SKILLS] = {"title_skills", 2, {"title", "skill"}, .optional = true},
};

/*
 * How many leading columns identify a row of each table: after sorting,
 * rows equal in these columns are duplicates and only the first is kept.
 */
static const int js_ref_nkey[JS_REF_NTABLES] = {
	[JS_REF_JOB_FAMILIES] = 1, [JS_REF_SENIORITY_LEVELS] = 1,
	[JS_REF_JOB_TITLES] = 1, [JS_REF_FAMILY_SKILLS] = 2,
	[JS_REF_CERTIFICATIONS] = 2, [JS_REF_COUNTRIES] = 1,
	[JS_REF_CITIES] = 2, [JS_REF_EMPLOYMENT_TYPES] = 1,
	[JS_REF_EDUCATION_LEVELS] = 1, [JS_REF_WORK_MODES] = 1,
	[JS_REF_PLATFORMS] = 1, [JS_REF_COMPANIES] = 1,
	[JS_REF_FIRST_NAMES] = 3, [JS_REF_LAST_NAMES] = 2,
	[JS_REF_TITLE_SKILLS] = 2,
};

/* ----------------------------------------------------------------
 * Small helpers
 * ----------------------------------------------------------------
 */

/*
 * Bytewise comparison of two strings (shorter first on a common prefix),
 * the order of COLLATE "C".
 */
static int
js_str_cmp(const JsString *a, const JsString *b)
{
	size_t		n = a->len < b->len ? a->len : b->len;
	int			c = n ? memcmp(a->ptr, b->ptr, n) : 0;

	if (c != 0)
		return c;
	return (a->len > b->len) - (a->len < b->len);
}

/* Whether s holds exactly the NUL-terminated lit. */
static bool
js_str_is(const JsString *s, const char *lit)
{
	size_t		n = strlen(lit);

	return s->len == n && (n == 0 || memcmp(s->ptr, lit, n) == 0);
}

/*
 * Parse a decimal number (optional sign, digits, optional fraction) into
 * an integer scaled by 10^scale, truncating extra digits.  False when s is
 * not such a number or it overflows.
 */
static bool
js_parse_scaled(const JsString *s, int scale, int64_t *out)
{
	const char *p = s->ptr;
	const char *end = s->ptr + s->len;
	bool		neg = false;
	bool		digits = false;
	int64_t		v = 0;
	int			frac = -1;

	if (p == NULL)
		return false;
	while (p < end && *p == ' ')
		p++;
	while (end > p && end[-1] == ' ')
		end--;
	if (p < end && (*p == '-' || *p == '+'))
		neg = (*p++ == '-');
	for (; p < end; p++)
	{
		if (*p == '.' && frac < 0)
		{
			frac = 0;
			continue;
		}
		if (*p < '0' || *p > '9')
			return false;
		digits = true;
		if (frac >= 0)
		{
			if (frac >= scale)
				continue;
			frac++;
		}
		if (v > (INT64_MAX - 9) / 10)
			return false;
		v = v * 10 + (*p - '0');
	}
	if (!digits)
		return false;
	for (int k = frac < 0 ? 0 : frac; k < scale; k++)
	{
		if (v > INT64_MAX / 10)
			return false;
		v *= 10;
	}
	*out = neg ? -v : v;
	return true;
}

/* js_parse_scaled with scale 0 into an int within [lo, hi]. */
static bool
js_parse_int(const JsString *s, int lo, int hi, int *out)
{
	int64_t		v;

	if (!js_parse_scaled(s, 0, &v) || v < lo || v > hi)
		return false;
	*out = (int) v;
	return true;
}

/* Allocate n zeroed elements of size sz from the snapshot's arena. */
static void *
js_ref_alloc(JsRefData *ref, size_t n, size_t sz)
{
	size_t		bytes = n * sz;
	void	   *p;

	if (bytes == 0)
		bytes = 1;
	p = js_arena_alloc(&ref->strings, bytes);
	if (p == NULL)
		ref->oom = true;
	else
		memset(p, 0, bytes);
	return p;
}

/* ----------------------------------------------------------------
 * Building the snapshot
 * ----------------------------------------------------------------
 */

/* An empty snapshot, ready for js_ref_add_row. */
void
js_ref_init(JsRefData *ref)
{
	memset(ref, 0, sizeof(*ref));
	js_arena_init(&ref->strings, 256 * 1024);
}

/* Add one row of table t; see generate.h. */
bool
js_ref_add_row(JsRefData *ref, JsRefTable t, const JsString *cols)
{
	JsRefRow   *row;

	if (ref->oom)
		return false;
	if (ref->nraw[t] == ref->capraw[t])
	{
		int			cap = ref->capraw[t] ? ref->capraw[t] * 2 : 64;
		JsRefRow   *grown = realloc(ref->raw[t], (size_t) cap * sizeof(JsRefRow));

		if (grown == NULL)
		{
			ref->oom = true;
			return false;
		}
		ref->raw[t] = grown;
		ref->capraw[t] = cap;
	}
	row = &ref->raw[t][ref->nraw[t]];
	memset(row, 0, sizeof(*row));
	for (int k = 0; k < js_ref_tables[t].ncolumns; k++)
	{
		char	   *copy;

		if (cols[k].ptr == NULL)
			continue;
		copy = js_arena_alloc(&ref->strings, cols[k].len + 1);
		if (copy == NULL)
		{
			ref->oom = true;
			return false;
		}
		memcpy(copy, cols[k].ptr, cols[k].len);
		copy[cols[k].len] = '\0';
		row->col[k].ptr = copy;
		row->col[k].len = cols[k].len;
	}
	ref->nraw[t]++;
	return true;
}

/* qsort comparator of raw rows: all columns, bytewise. */
static int
js_raw_cmp(const void *a, const void *b)
{
	const JsRefRow *x = a;
	const JsRefRow *y = b;

	for (int k = 0; k < JS_REF_MAX_COLUMNS; k++)
	{
		int			c = js_str_cmp(&x->col[k], &y->col[k]);

		if (c != 0)
			return c;
	}
	return 0;
}

/* Sort a raw table and drop rows whose key repeats the previous row's. */
static void
js_raw_sort(JsRefData *ref, JsRefTable t)
{
	JsRefRow   *rows = ref->raw[t];
	int			n = ref->nraw[t];
	int			out = 0;

	if (n == 0)
		return;
	qsort(rows, n, sizeof(JsRefRow), js_raw_cmp);
	for (int i = 0; i < n; i++)
	{
		bool		dup = out > 0;

		for (int k = 0; dup && k < js_ref_nkey[t]; k++)
			dup = js_str_cmp(&rows[i].col[k], &rows[out - 1].col[k]) == 0;
		/* a row without its key is useless */
		if (!dup && rows[i].col[0].ptr != NULL && rows[i].col[0].len > 0)
			rows[out++] = rows[i];
	}
	ref->nraw[t] = out;
}

/*
 * Binary search of n elements of stride bytes at base for the one whose
 * JsString at offset equals key: in element order, or in the order of the
 * element indexes order[0..n-1] when order is not NULL.  Returns the
 * element's index, or -1.
 */
static int
js_find_name(const void *base, size_t stride, size_t offset, const int *order,
			 int n, const JsString *key)
{
	int			lo = 0,
				hi = n - 1;

	while (lo <= hi)
	{
		int			mid = (lo + hi) / 2;
		int			e = order ? order[mid] : mid;
		int			c = js_str_cmp((const JsString *) ((const char *) base +
													   e * stride + offset), key);

		if (c == 0)
			return e;
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid - 1;
	}
	return -1;
}

/* Index of the family called name, or -1 (families are sorted by name). */
static int
js_find_family(const JsRefData *ref, const JsString *name)
{
	return js_find_name(ref->families, sizeof(JsRefFamily),
						offsetof(JsRefFamily, name), NULL, ref->nfamilies, name);
}

/* Index of the country with this code, or -1 (sorted by code). */
static int
js_find_country(const JsRefData *ref, const JsString *code)
{
	return js_find_name(ref->countries, sizeof(JsRefCountry),
						offsetof(JsRefCountry, code), NULL, ref->ncountries, code);
}

/* Index of the seniority level called name, or -1. */
static int
js_find_level(const JsRefData *ref, const JsString *name)
{
	for (int i = 0; i < ref->nlevels; i++)
		if (js_str_cmp(&ref->levels[i].name, name) == 0)
			return i;
	return -1;
}

/* qsort comparator of levels by rank, then name. */
static int
js_level_cmp(const void *a, const void *b)
{
	const JsRefLevel *x = a;
	const JsRefLevel *y = b;

	if (x->rank != y->rank)
		return x->rank < y->rank ? -1 : 1;
	return js_str_cmp(&x->name, &y->name);
}

/* qsort comparator of education levels by rank, then name. */
static int
js_education_cmp(const void *a, const void *b)
{
	const JsRefEducation *x = a;
	const JsRefEducation *y = b;

	if (x->rank != y->rank)
		return x->rank < y->rank ? -1 : 1;
	return js_str_cmp(&x->name, &y->name);
}

/* qsort comparator of titles by family, then title. */
static int
js_title_cmp(const void *a, const void *b)
{
	const JsRefTitle *x = a;
	const JsRefTitle *y = b;

	if (x->family != y->family)
		return x->family < y->family ? -1 : 1;
	return js_str_cmp(&x->title, &y->title);
}

/* qsort comparator of companies by country, then name. */
static int
js_company_cmp(const void *a, const void *b)
{
	const JsRefCompany *x = a;
	const JsRefCompany *y = b;

	if (x->country != y->country)
		return x->country < y->country ? -1 : 1;
	return js_str_cmp(&x->name, &y->name);
}

/*
 * Build a weighted table (name, share) with shares in millionths.  Rows
 * with a share that is not a number or negative are an error.
 */
static bool
js_build_weighted(JsRefData *ref, JsRefTable t, JsRefWeighted **out, int *nout,
				  char *err, size_t errlen)
{
	JsRefWeighted *w = js_ref_alloc(ref, ref->nraw[t], sizeof(JsRefWeighted));
	uint64_t	cum = 0;
	int			n = 0;

	if (w == NULL)
		return false;
	for (int i = 0; i < ref->nraw[t]; i++)
	{
		const JsRefRow *r = &ref->raw[t][i];
		int64_t		share;

		if (!js_parse_scaled(&r->col[1], 6, &share) || share < 0)
		{
			snprintf(err, errlen, "%s: share of \"%.*s\" is not a non-negative number",
					 js_ref_tables[t].table, (int) r->col[0].len, r->col[0].ptr);
			return false;
		}
		if (share == 0)
			continue;
		cum += (uint64_t) share;
		w[n].name = r->col[0];
		w[n].cum = cum;
		n++;
	}
	*out = w;
	*nout = n;
	return true;
}

/* FNV-1a hash of a string, then mixed: a stable pseudo-random rank. */
static uint64_t
js_str_rank(const JsString *s)
{
	uint64_t	h = UINT64_C(0xcbf29ce484222325);

	for (size_t k = 0; k < s->len; k++)
		h = (h ^ (unsigned char) s->ptr[k]) * UINT64_C(0x100000001b3);
	h ^= h >> 33;
	h *= UINT64_C(0xff51afd7ed558ccd);
	return h ^ (h >> 33);
}

/*
 * Order a family's skills by popularity, which is a stable pseudo-random
 * rank of the name (not the alphabet): insertion sort, once per snapshot.
 */
static void
js_popularity_order(JsString *skills, int n)
{
	for (int i = 1; i < n; i++)
	{
		JsString	v = skills[i];
		uint64_t	rv = js_str_rank(&v);
		int			j = i - 1;

		while (j >= 0 && js_str_rank(&skills[j]) > rv)
		{
			skills[j + 1] = skills[j];
			j--;
		}
		skills[j + 1] = v;
	}
}

/* Weight of an education level by its years of study (a plausible mix). */
static uint64_t
js_education_weight(int years)
{
	static const uint64_t w[] = {22, 7, 10, 8, 34, 9, 11, 3, 2, 2};

	return years >= 0 && years < (int) (sizeof(w) / sizeof(w[0])) ? w[years] : 1;
}

/* Sort the tables and build the indexes; see generate.h. */
bool
js_ref_finish(JsRefData *ref, char *err, size_t errlen)
{
	JsRefRow   *r;
	int			n;

	err[0] = '\0';
	if (ref->oom)
		goto oom;
	for (int t = 0; t < JS_REF_NTABLES; t++)
		js_raw_sort(ref, t);

	/* families */
	n = ref->nraw[JS_REF_JOB_FAMILIES];
	ref->families = js_ref_alloc(ref, n, sizeof(JsRefFamily));
	if (ref->families == NULL)
		goto oom;
	for (int i = 0; i < n; i++)
		ref->families[i].name = ref->raw[JS_REF_JOB_FAMILIES][i].col[0];
	ref->nfamilies = n;

	/* seniority levels, by rank */
	n = ref->nraw[JS_REF_SENIORITY_LEVELS];
	ref->levels = js_ref_alloc(ref, n, sizeof(JsRefLevel));
	if (ref->levels == NULL)
		goto oom;
	for (int i = 0; i < n; i++)
	{
		JsRefLevel *l = &ref->levels[i];

		r = &ref->raw[JS_REF_SENIORITY_LEVELS][i];
		l->name = r->col[0];
		if (!js_parse_int(&r->col[1], -1000000, 1000000, &l->rank) ||
			!js_parse_int(&r->col[2], 0, 100, &l->min_years) ||
			!js_parse_int(&r->col[3], 0, 100, &l->max_years) ||
			!js_parse_int(&r->col[4], 0, 1000000000, &l->salary_min) ||
			!js_parse_int(&r->col[5], 0, 1000000000, &l->salary_max))
		{
			snprintf(err, errlen, "seniority_levels: bad number in the row of \"%.*s\"",
					 (int) l->name.len, l->name.ptr);
			return false;
		}
		if (l->max_years < l->min_years)
			l->max_years = l->min_years;
		if (l->salary_max < l->salary_min)
			l->salary_max = l->salary_min;
	}
	qsort(ref->levels, n, sizeof(JsRefLevel), js_level_cmp);
	ref->nlevels = n;
	ref->intern_level = -1;
	for (int i = 0; i < n; i++)
		if (js_str_is(&ref->levels[i].name, "Intern"))
			ref->intern_level = i;

	/* titles, grouped by family */
	n = ref->nraw[JS_REF_JOB_TITLES];
	ref->titles = js_ref_alloc(ref, n, sizeof(JsRefTitle));
	if (ref->titles == NULL)
		goto oom;
	ref->ntitles = 0;
	for (int i = 0; i < n; i++)
	{
		JsRefTitle *ti = &ref->titles[ref->ntitles];

		r = &ref->raw[JS_REF_JOB_TITLES][i];
		ti->title = r->col[0];
		ti->family = js_find_family(ref, &r->col[1]);
		ti->level = js_find_level(ref, &r->col[2]);
		ti->domain = r->col[3];
		ti->skill_first = 0;
		ti->nskills = 0;
		if (ti->family >= 0 && ti->level >= 0)
			ref->ntitles++;
	}
	qsort(ref->titles, ref->ntitles, sizeof(JsRefTitle), js_title_cmp);
	for (int i = ref->ntitles - 1; i >= 0; i--)
	{
		ref->families[ref->titles[i].family].title_first = i;
		ref->families[ref->titles[i].family].ntitles++;
	}
	ref->post_families = js_ref_alloc(ref, ref->nfamilies, sizeof(int));
	if (ref->post_families == NULL)
		goto oom;
	for (int f = 0; f < ref->nfamilies; f++)
		if (ref->families[f].ntitles > 0)
			ref->post_families[ref->npost_families++] = f;

	/* family skills and certifications: rows are sorted by family name */
	for (int pass = 0; pass < 2; pass++)
	{
		JsRefTable t = pass == 0 ? JS_REF_FAMILY_SKILLS : JS_REF_CERTIFICATIONS;
		JsString   *out;
		int			m = 0;

		n = ref->nraw[t];
		out = js_ref_alloc(ref, n, sizeof(JsString));
		if (out == NULL)
			goto oom;
		for (int i = 0; i < n; i++)
		{
			int			f;

			r = &ref->raw[t][i];
			f = js_find_family(ref, &r->col[0]);
			if (f < 0 || r->col[1].ptr == NULL || r->col[1].len == 0)
				continue;
			if (pass == 0)
			{
				if (ref->families[f].nskills++ == 0)
					ref->families[f].skill_first = m;
			}
			else if (ref->families[f].ncerts++ == 0)
				ref->families[f].cert_first = m;
			out[m++] = r->col[1];
		}
		if (pass == 0)
		{
			ref->family_skills = out;
			ref->nfamily_skills = m;
			for (int f = 0; f < ref->nfamilies; f++)
				js_popularity_order(out + ref->families[f].skill_first,
									ref->families[f].nskills);
		}
		else
		{
			ref->family_certs = out;
			ref->nfamily_certs = m;
		}
	}

	/*
	 * title skills: rows are sorted by title, so each title's skills are
	 * consecutive; rows of an unknown title are ignored
	 */
	n = ref->nraw[JS_REF_TITLE_SKILLS];
	ref->title_skills = js_ref_alloc(ref, n > 0 ? n : 1, sizeof(JsString));
	if (ref->title_skills == NULL)
		goto oom;
	ref->ntitle_skills = 0;
	for (int i = 0; i < n;)
	{
		JsString	name = ref->raw[JS_REF_TITLE_SKILLS][i].col[0];
		JsRefTitle *ti = NULL;
		int			first = ref->ntitle_skills;

		for (int t = 0; t < ref->ntitles && ti == NULL; t++)
			if (js_str_cmp(&ref->titles[t].title, &name) == 0)
				ti = &ref->titles[t];
		for (; i < n && js_str_cmp(&ref->raw[JS_REF_TITLE_SKILLS][i].col[0], &name) == 0; i++)
		{
			r = &ref->raw[JS_REF_TITLE_SKILLS][i];
			if (ti != NULL && r->col[1].ptr != NULL && r->col[1].len > 0)
				ref->title_skills[ref->ntitle_skills++] = r->col[1];
		}
		if (ti != NULL)
		{
			ti->skill_first = first;
			ti->nskills = ref->ntitle_skills - first;
			js_popularity_order(ref->title_skills + first, ti->nskills);
		}
	}

	/* countries */
	n = ref->nraw[JS_REF_COUNTRIES];
	ref->countries = js_ref_alloc(ref, n, sizeof(JsRefCountry));
	if (ref->countries == NULL)
		goto oom;
	for (int i = 0; i < n; i++)
	{
		r = &ref->raw[JS_REF_COUNTRIES][i];
		ref->countries[i].code = r->col[0];
		ref->countries[i].name = r->col[1].ptr ? r->col[1] : r->col[0];
	}
	ref->ncountries = n;

	/* cities, grouped by country (rows are sorted by country code) */
	n = ref->nraw[JS_REF_CITIES];
	ref->cities = js_ref_alloc(ref, n, sizeof(JsRefCity));
	if (ref->cities == NULL)
		goto oom;
	for (int i = 0; i < n; i++)
	{
		JsRefCity  *ci = &ref->cities[ref->ncities];
		JsRefCountry *co;
		int64_t		pop;
		int			c;

		r = &ref->raw[JS_REF_CITIES][i];
		c = js_find_country(ref, &r->col[0]);
		if (c < 0 || r->col[1].ptr == NULL || r->col[1].len == 0)
			continue;
		co = &ref->countries[c];
		if (!js_parse_scaled(&r->col[2], 0, &pop) || pop < 0)
			pop = 10000;
		if (co->ncities++ == 0)
			co->city_first = ref->ncities;
		ci->name = r->col[1];
		ci->country = c;
		ci->cum = (uint64_t) sqrt((double) pop) + 1 +
			(co->ncities > 1 ? ref->cities[ref->ncities - 1].cum : 0);
		ref->ncities++;
	}

	/* companies, grouped by country, and by name for lookups */
	n = ref->nraw[JS_REF_COMPANIES];
	ref->companies = js_ref_alloc(ref, n, sizeof(JsRefCompany));
	ref->companies_by_name = js_ref_alloc(ref, n, sizeof(int));
	if (ref->companies == NULL || ref->companies_by_name == NULL)
		goto oom;
	for (int i = 0; i < n; i++)
	{
		JsRefCompany *co = &ref->companies[ref->ncompanies];
		int64_t		id;

		r = &ref->raw[JS_REF_COMPANIES][i];
		co->name = r->col[0];
		co->industry = r->col[2];
		co->country = js_find_country(ref, &r->col[3]);
		if (!js_parse_scaled(&r->col[1], 0, &id) || id < INT32_MIN || id > INT32_MAX)
		{
			snprintf(err, errlen, "companies: company_id of \"%.*s\" is not an integer",
					 (int) co->name.len, co->name.ptr);
			return false;
		}
		co->company_id = (int32_t) id;
		if (co->country >= 0)
			ref->ncompanies++;
	}
	qsort(ref->companies, ref->ncompanies, sizeof(JsRefCompany), js_company_cmp);
	for (int i = ref->ncompanies - 1; i >= 0; i--)
	{
		JsRefCountry *co = &ref->countries[ref->companies[i].country];

		co->company_first = i;
		co->ncompanies++;
	}
	/* by name: companies are sorted by name within each country; merge */
	for (int i = 0; i < ref->ncompanies; i++)
	{
		int			j = i;

		/* insertion into the sorted prefix; done once per snapshot */
		while (j > 0 && js_str_cmp(&ref->companies[ref->companies_by_name[j - 1]].name,
								   &ref->companies[i].name) > 0)
		{
			ref->companies_by_name[j] = ref->companies_by_name[j - 1];
			j--;
		}
		ref->companies_by_name[j] = i;
	}

	/* first names (country, gender, name) and last names (country, name) */
	for (int pass = 0; pass < 2; pass++)
	{
		JsRefTable t = pass == 0 ? JS_REF_FIRST_NAMES : JS_REF_LAST_NAMES;
		JsString   *out;
		int			m = 0;

		n = ref->nraw[t];
		out = js_ref_alloc(ref, n, sizeof(JsString));
		if (out == NULL)
			goto oom;
		for (int i = 0; i < n; i++)
		{
			JsRefCountry *co;
			int			c;
			const JsString *name;

			r = &ref->raw[t][i];
			c = js_find_country(ref, &r->col[0]);
			name = pass == 0 ? &r->col[2] : &r->col[1];
			if (c < 0 || name->ptr == NULL || name->len == 0)
				continue;
			co = &ref->countries[c];
			if (pass == 0)
			{
				int			g;

				if (js_str_is(&r->col[1], "F"))
					g = 0;
				else if (js_str_is(&r->col[1], "M"))
					g = 1;
				else
					continue;
				if (co->nfirst[g]++ == 0)
					co->first_first[g] = m;
			}
			else if (co->nlast++ == 0)
				co->last_first = m;
			out[m++] = *name;
		}
		if (pass == 0)
		{
			ref->first_names = out;
			ref->nfirst_names = m;
		}
		else
		{
			ref->last_names = out;
			ref->nlast_names = m;
		}
	}
	ref->name_countries = js_ref_alloc(ref, ref->ncountries, sizeof(int));
	if (ref->name_countries == NULL)
		goto oom;
	for (int c = 0; c < ref->ncountries; c++)
		if (ref->countries[c].nlast > 0 &&
			ref->countries[c].nfirst[0] + ref->countries[c].nfirst[1] > 0)
			ref->name_countries[ref->nname_countries++] = c;

	/* shares */
	if (!js_build_weighted(ref, JS_REF_EMPLOYMENT_TYPES, &ref->employment_types,
						   &ref->nemployment_types, err, errlen) ||
		!js_build_weighted(ref, JS_REF_WORK_MODES, &ref->work_modes,
						   &ref->nwork_modes, err, errlen))
		return ref->oom ? (snprintf(err, errlen, "out of memory"), false) : false;
	ref->internship_type = -1;
	for (int i = 0; i < ref->nemployment_types; i++)
		if (js_str_is(&ref->employment_types[i].name, "Internship"))
			ref->internship_type = i;

	/* education levels, by rank, weighted by years of study */
	n = ref->nraw[JS_REF_EDUCATION_LEVELS];
	ref->education = js_ref_alloc(ref, n, sizeof(JsRefEducation));
	if (ref->education == NULL)
		goto oom;
	for (int i = 0; i < n; i++)
	{
		JsRefEducation *e = &ref->education[i];
		int64_t		gmin,
					gmax;

		r = &ref->raw[JS_REF_EDUCATION_LEVELS][i];
		e->name = r->col[0];
		if (!js_parse_int(&r->col[1], -1000000, 1000000, &e->rank) ||
			!js_parse_int(&r->col[2], 0, 30, &e->years) ||
			!js_parse_scaled(&r->col[3], 2, &gmin) ||
			!js_parse_scaled(&r->col[4], 2, &gmax) ||
			gmin < 0 || gmax > 400 || gmin > gmax)
		{
			snprintf(err, errlen, "education_levels: bad number in the row of \"%.*s\"",
					 (int) e->name.len, e->name.ptr);
			return false;
		}
		e->gpa_min = (int) gmin;
		e->gpa_max = (int) gmax;
	}
	qsort(ref->education, n, sizeof(JsRefEducation), js_education_cmp);
	for (int i = 0; i < n; i++)
		ref->education[i].cum = js_education_weight(ref->education[i].years) +
			(i > 0 ? ref->education[i - 1].cum : 0);
	ref->neducation = n;

	/* platforms */
	n = ref->nraw[JS_REF_PLATFORMS];
	ref->platforms = js_ref_alloc(ref, n, sizeof(JsRefPlatform));
	if (ref->platforms == NULL)
		goto oom;
	for (int i = 0; i < n; i++)
	{
		JsRefPlatform *p = &ref->platforms[i];
		int			id;

		r = &ref->raw[JS_REF_PLATFORMS][i];
		p->name = r->col[0];
		if (!js_parse_int(&r->col[1], INT32_MIN, INT32_MAX, &id) ||
			!js_parse_scaled(&r->col[2], 4, &p->base_bid) ||
			p->base_bid < 0 || p->base_bid > INT64_C(9999999999) / 4)
		{
			snprintf(err, errlen, "platforms: bad number in the row of \"%.*s\"",
					 (int) p->name.len, p->name.ptr);
			return false;
		}
		p->publisher_id = id;
	}
	ref->nplatforms = n;

	if (ref->oom)
		goto oom;
	ref->finished = true;
	return true;

oom:
	snprintf(err, errlen, "out of memory");
	return false;
}

/* Whether the snapshot suffices for topic's generator; see generate.h. */
bool
js_ref_check(const JsRefData *ref, JsTopic topic, const char **table,
			 char *err, size_t errlen)
{
	*table = NULL;
	err[0] = '\0';
	if (topic == JS_TOPIC_APPLICATIONS)
		return true;
	if (ref->nplatforms == 0)
	{
		*table = "platforms";
		snprintf(err, errlen, "there are no platforms");
		return false;
	}
	if (ref->ncompanies == 0)
	{
		*table = "companies";
		snprintf(err, errlen, "there are no companies in a known country");
		return false;
	}
	if (topic == JS_TOPIC_TRACKING_EVENTS && ref->npost_families > 0)
		return true;
	if (ref->npost_families == 0)
	{
		*table = "job_titles";
		snprintf(err, errlen, "no job family has a job title of a known seniority level");
		return false;
	}
	if (topic == JS_TOPIC_CANDIDATES)
	{
		if (ref->nname_countries == 0)
		{
			*table = ref->nlast_names == 0 ? "last_names" : "first_names";
			snprintf(err, errlen, "no country has both first and last names");
			return false;
		}
		if (ref->neducation == 0)
		{
			*table = "education_levels";
			snprintf(err, errlen, "there are no education levels");
			return false;
		}
	}
	return true;
}

/* Free everything the snapshot holds; it may be initialised again. */
void
js_ref_free(JsRefData *ref)
{
	for (int t = 0; t < JS_REF_NTABLES; t++)
		free(ref->raw[t]);
	js_arena_free(&ref->strings);
	memset(ref, 0, sizeof(*ref));
}

/* company_id of the company called name, or -1; binary search by name. */
int32_t
js_ref_company_id(const JsRefData *ref, const char *name, size_t len)
{
	JsString	key = {name, len};
	int			e = js_find_name(ref->companies, sizeof(JsRefCompany),
								 offsetof(JsRefCompany, name),
								 ref->companies_by_name, ref->ncompanies, &key);

	return e < 0 ? -1 : ref->companies[e].company_id;
}

/* ----------------------------------------------------------------
 * Random numbers
 * ----------------------------------------------------------------
 */

/* Seed r with the stream of row i of stream (a topic) under seed. */
void
js_rng_init(JsRng *r, uint64_t seed, uint32_t stream, uint64_t i)
{
	r->s = js_fmix64(js_fmix64(seed ^ ((uint64_t) stream << 32)) + i *
					 UINT64_C(0xD1B54A32D192ED03));
}

/* A version 4 UUID from the stream. */
void
js_rng_uuid(JsRng *r, uint8_t out[16])
{
	uint64_t	a = js_rng_next(r);
	uint64_t	b = js_rng_next(r);

	for (int k = 0; k < 8; k++)
	{
		out[k] = (uint8_t) (a >> (56 - 8 * k));
		out[8 + k] = (uint8_t) (b >> (56 - 8 * k));
	}
	out[6] = (out[6] & 0x0f) | 0x40;
	out[8] = (out[8] & 0x3f) | 0x80;
}

/* A uniform integer in [lo, hi] (lo <= hi). */
static inline int
js_rng_range(JsRng *r, int lo, int hi)
{
	return lo + (int) js_rng_below(r, (uint64_t) (hi - lo) + 1);
}

/* Index of a draw over cumulative weights cum[0..n-1] (n >= 1). */
static int
js_pick_cum(JsRng *r, const uint64_t *cum, size_t stride, int n)
{
	uint64_t	total = *(const uint64_t *) ((const char *) cum + stride * (n - 1));
	uint64_t	x = js_rng_below(r, total);
	int			lo = 0,
				hi = n - 1;

	/* first index whose cumulative weight exceeds x */
	while (lo < hi)
	{
		int			mid = (lo + hi) / 2;

		if (*(const uint64_t *) ((const char *) cum + stride * mid) > x)
			hi = mid;
		else
			lo = mid + 1;
	}
	return lo;
}

/*
 * k distinct indexes of [0, m) into out (k <= m), by Floyd's algorithm:
 * k draws and no scratch space.
 */
static void
js_pick_distinct(JsRng *r, int m, int k, int *out)
{
	int			n = 0;

	for (int j = m - k; j < m; j++)
	{
		int			t = (int) js_rng_below(r, (uint64_t) j + 1);
		bool		seen = false;

		for (int x = 0; x < n; x++)
			if (out[x] == t)
			{
				seen = true;
				break;
			}
		out[n++] = seen ? j : t;
	}
}

/*
 * k distinct indexes of [0, m) into out (k <= m), skewed towards the low
 * ones (index m * u^2): the first skills of a family's list are its most
 * popular, so posts and candidates of a family share some.  Falls back to
 * Floyd's algorithm when draws keep repeating.
 */
static void
js_pick_popular(JsRng *r, int m, int k, int *out)
{
	int			n = 0;

	for (int attempt = 0; n < k && attempt < 4 * k + 8; attempt++)
	{
		uint64_t	u = js_rng_next(r) >> 32;
		int			t = (int) (((u * u >> 32) * (uint64_t) m) >> 32);
		bool		seen = false;

		for (int x = 0; x < n && !seen; x++)
			seen = (out[x] == t);
		if (!seen)
			out[n++] = t;
	}
	if (n < k)
		js_pick_distinct(r, m, k, out);
}

/*
 * Hour-of-day (UTC) and weekday (Monday first) weights of activity, in
 * percent of the busiest hour and day.
 */
static const uint8_t js_hour_weight[24] = {
	18, 12, 8, 6, 6, 9, 16, 32, 56, 76, 89, 96,
	100, 97, 93, 90, 84, 74, 62, 52, 45, 39, 32, 25
};
static const uint8_t js_weekday_weight[7] = {100, 98, 96, 93, 86, 48, 38};

/*
 * A timestamp in [from, to) with the hour-of-day and (if weekday) weekday
 * weights: uniform proposals accepted with probability weight / max.
 */
static int64_t
js_seasonal_ts(JsRng *r, int64_t from, int64_t to, bool weekday)
{
	uint64_t	span = (uint64_t) (to - from);
	int64_t		ts = from;

	for (int attempt = 0; attempt < 64; attempt++)
	{
		uint64_t	x = js_rng_next(r);
		int64_t		days,
					usec_of_day;
		unsigned	w;

		ts = from + (int64_t) (((unsigned __int128) x * span) >> 64);
		days = ts / JS_USECS_PER_DAY;
		usec_of_day = ts % JS_USECS_PER_DAY;
		if (usec_of_day < 0)
		{
			usec_of_day += JS_USECS_PER_DAY;
			days--;
		}
		w = js_hour_weight[usec_of_day / INT64_C(3600000000)];
		if (weekday)
			w *= js_weekday_weight[((days % 7) + 10) % 7];	/* 1970-01-01 was a
															 * Thursday */
		else
			w *= 100;
		/* the low bits of x are independent enough of the high ones */
		if ((x & 0x3fff) * 10000 < (uint64_t) w * 0x4000)
			return ts;
	}
	return ts;
}

/* ----------------------------------------------------------------
 * Building strings
 * ----------------------------------------------------------------
 */

/* A string being built in arena memory of a known maximal size. */
typedef struct JsSb
{
	char	   *buf;
	size_t		len;
	size_t		cap;
} JsSb;

/* Reserve cap bytes for a new string; false if out of memory. */
static bool
js_sb_init(JsSb *sb, JsArena *arena, size_t cap)
{
	sb->buf = js_arena_alloc(arena, cap);
	sb->len = 0;
	sb->cap = cap;
	return sb->buf != NULL;
}

/* Append n bytes (silently cut at the capacity, which is sized not to be). */
static inline void
js_sb_put(JsSb *sb, const char *s, size_t n)
{
	if (n > sb->cap - sb->len)
		n = sb->cap - sb->len;
	memcpy(sb->buf + sb->len, s, n);
	sb->len += n;
}

#define js_sb_lit(sb, lit)	js_sb_put((sb), (lit), sizeof(lit) - 1)

static inline void
js_sb_str(JsSb *sb, const JsString *s)
{
	js_sb_put(sb, s->ptr, s->len);
}

/* Append "a " or "an " for the word s (by its first letter). */
static void
js_sb_article(JsSb *sb, const JsString *s)
{
	char		c = s->len ? s->ptr[0] : 'x';

	if (strchr("AEIOUaeiou", c) != NULL && c != '\0')
		js_sb_lit(sb, "an ");
	else
		js_sb_lit(sb, "a ");
}

/* Append the items as "A, B and C". */
static void
js_sb_list(JsSb *sb, const JsString *items, int n, const char *last_sep)
{
	for (int k = 0; k < n; k++)
	{
		if (k > 0)
		{
			if (k == n - 1)
				js_sb_put(sb, last_sep, strlen(last_sep));
			else
				js_sb_lit(sb, ", ");
		}
		js_sb_str(sb, &items[k]);
	}
}

/* Append a non-negative integer in decimal. */
static void
js_sb_int(JsSb *sb, int v)
{
	char		tmp[12];
	int			n = 0;

	if (v < 0)
		v = 0;
	do
	{
		tmp[sizeof(tmp) - 1 - n++] = (char) ('0' + v % 10);
		v /= 10;
	} while (v > 0);
	js_sb_put(sb, tmp + sizeof(tmp) - n, n);
}

/* ----------------------------------------------------------------
 * Job posts
 * ----------------------------------------------------------------
 */

static void
js_set_null(JsValue *v)
{
	v->isnull = true;
}

static inline void
js_set_str(JsValue *v, JsString s)
{
	v->isnull = (s.ptr == NULL);
	v->v.str = s;
}

static inline void
js_set_int(JsValue *v, int32_t x)
{
	v->isnull = false;
	v->v.i32 = x;
}

static inline void
js_set_arr(JsValue *v, const JsString *items, int n)
{
	v->isnull = false;
	v->v.arr.items = items;
	v->v.arr.n = n;
}

/* Round v down to a multiple of step. */
static inline int
js_round_down(int v, int step)
{
	return v - v % step;
}

static const char *const js_openings[] = {
	"%C is hiring %T to join its %F team in %L.",
	"Join %C as %T and grow with our %F team in %L.",
	"%C, a company in %I, is looking for %T in %L.",
	"We at %C (%I) are searching for %T for our office in %L.",
};

static const char *const js_middles[] = {
	"You will work on %D with colleagues across %K.",
	"Your focus will be %D, in close contact with the business.",
	"The role centres on %D and offers real ownership from day one.",
};

static const char *const js_skill_intros[] = {
	"Required skills: ",
	"You bring solid experience with ",
	"Must have: ",
	"We expect strong knowledge of ",
};

/*
 * Append a template: %C company, %T title with article, %F family, %I
 * industry, %L city and country (or country), %K country, %D domain.
 */
static void
js_sb_template(JsSb *sb, const char *tpl, const JsValue *row,
			   const JsString *family, const JsString *domain)
{
	const char *p = tpl;

	while (*p)
	{
		const char *q = strchr(p, '%');

		if (q == NULL)
		{
			js_sb_put(sb, p, strlen(p));
			break;
		}
		js_sb_put(sb, p, q - p);
		switch (q[1])
		{
			case 'C':
				js_sb_str(sb, &row[JS_JP_COMPANY].v.str);
				break;
			case 'T':
				js_sb_article(sb, &row[JS_JP_JOB_TITLE].v.str);
				js_sb_str(sb, &row[JS_JP_JOB_TITLE].v.str);
				break;
			case 'F':
				js_sb_str(sb, family);
				break;
			case 'I':
				if (!row[JS_JP_INDUSTRY].isnull)
					js_sb_str(sb, &row[JS_JP_INDUSTRY].v.str);
				break;
			case 'L':
				if (!row[JS_JP_LOCATION_CITY].isnull)
				{
					js_sb_str(sb, &row[JS_JP_LOCATION_CITY].v.str);
					js_sb_lit(sb, ", ");
				}
				js_sb_str(sb, &row[JS_JP_LOCATION_COUNTRY].v.str);
				break;
			case 'K':
				js_sb_str(sb, &row[JS_JP_LOCATION_COUNTRY].v.str);
				break;
			case 'D':
				js_sb_str(sb, domain);
				break;
			default:
				js_sb_put(sb, q, 2);
				break;
		}
		p = q + 2;
	}
}

/* The sum of the lengths of n strings. */
static size_t
js_strs_len(const JsString *s, int n)
{
	size_t		len = 0;

	for (int k = 0; k < n; k++)
		len += s[k].len;
	return len;
}

/*
 * Write the description of a post whose other fields are set: an opening,
 * the domain, the required skills by name, experience, mode, certificates
 * and the deadline.
 */
static bool
js_describe_post(JsRng *r, const JsRefTitle *title, const JsRefFamily *fam,
				 const JsRefLevel *level, JsValue *row, JsArena *arena)
{
	const JsValue *skills = &row[JS_JP_REQUIRED_SKILLS];
	const JsValue *certs = &row[JS_JP_CERTIFICATIONS];
	JsSb		sb;
	size_t		cap;
	char		date[16];

	cap = 512 + 2 * (row[JS_JP_COMPANY].v.str.len + row[JS_JP_JOB_TITLE].v.str.len +
					 fam->name.len + title->domain.len + level->name.len +
					 row[JS_JP_LOCATION_COUNTRY].v.str.len) +
		(row[JS_JP_INDUSTRY].isnull ? 0 : 2 * row[JS_JP_INDUSTRY].v.str.len) +
		(row[JS_JP_LOCATION_CITY].isnull ? 0 : 2 * row[JS_JP_LOCATION_CITY].v.str.len) +
		(row[JS_JP_EMPLOYMENT_TYPE].isnull ? 0 : row[JS_JP_EMPLOYMENT_TYPE].v.str.len) +
		(row[JS_JP_WORK_MODE].isnull ? 0 : row[JS_JP_WORK_MODE].v.str.len) +
		js_strs_len(skills->v.arr.items, skills->v.arr.n) + 4 * skills->v.arr.n +
		js_strs_len(certs->v.arr.items, certs->v.arr.n) + 4 * certs->v.arr.n;
	if (!js_sb_init(&sb, arena, cap))
		return false;

	js_sb_template(&sb, js_openings[js_rng_below(r, 4)], row, &fam->name, &title->domain);
	js_sb_lit(&sb, " ");
	js_sb_template(&sb, js_middles[js_rng_below(r, 3)], row, &fam->name, &title->domain);
	if (skills->v.arr.n > 0)
	{
		const char *intro = js_skill_intros[js_rng_below(r, 4)];

		js_sb_lit(&sb, " ");
		js_sb_put(&sb, intro, strlen(intro));
		js_sb_list(&sb, skills->v.arr.items, skills->v.arr.n, " and ");
		js_sb_lit(&sb, ".");
	}
	if (row[JS_JP_MIN_YEARS_EXPERIENCE].v.i32 > 0)
	{
		js_sb_lit(&sb, " At least ");
		js_sb_int(&sb, row[JS_JP_MIN_YEARS_EXPERIENCE].v.i32);
		if (row[JS_JP_MIN_YEARS_EXPERIENCE].v.i32 == 1)
			js_sb_lit(&sb, " year of experience");
		else
			js_sb_lit(&sb, " years of experience");
		js_sb_lit(&sb, " at ");
		js_sb_str(&sb, &level->name);
		js_sb_lit(&sb, " level.");
	}
	else
		js_sb_lit(&sb, " No previous experience required.");
	if (!row[JS_JP_WORK_MODE].isnull && !row[JS_JP_EMPLOYMENT_TYPE].isnull)
	{
		js_sb_lit(&sb, " This is ");
		js_sb_article(&sb, &row[JS_JP_WORK_MODE].v.str);
		js_sb_str(&sb, &row[JS_JP_WORK_MODE].v.str);
		js_sb_lit(&sb, ", ");
		js_sb_str(&sb, &row[JS_JP_EMPLOYMENT_TYPE].v.str);
		js_sb_lit(&sb, " position.");
	}
	if (certs->v.arr.n > 0)
	{
		js_sb_lit(&sb, " Holding ");
		js_sb_list(&sb, certs->v.arr.items, certs->v.arr.n, " or ");
		js_sb_lit(&sb, " is a plus.");
	}
	js_sb_lit(&sb, " Apply by ");
	js_sb_put(&sb, date, js_format_date(row[JS_JP_DEADLINE_DATE].v.date, date));
	js_sb_lit(&sb, ".");

	row[JS_JP_DESCRIPTION].isnull = false;
	row[JS_JP_DESCRIPTION].v.str.ptr = sb.buf;
	row[JS_JP_DESCRIPTION].v.str.len = sb.len;
	return true;
}

/*
 * How many of its family's certifications a post or a candidate holds:
 * 0-5, fewer more often (40% none, 25% one, 17% two, 10% three, 5% four,
 * 3% five), and no more than the family has.
 */
static int
js_cert_count(JsRng *r, const JsRefFamily *fam)
{
	int			u = (int) js_rng_below(r, 100);
	int			n = u < 40 ? 0 : u < 65 ? 1 : u < 82 ? 2 : u < 92 ? 3 : u < 97 ? 4 : 5;

	return n > fam->ncerts ? fam->ncerts : n;
}

/*
 * A post's n required skills (n <= the family's) into out: Category ->
 * Title -> Skills.  When the title has a list of JS_TITLE_MIN_SKILLS or
 * more (title_skills), about two thirds come from it, popular ones first;
 * the rest, or all of them for other titles, are the family's, skipping
 * those already taken.  Returns n.
 */
#define JS_TITLE_MIN_SKILLS 3
static int
js_pick_post_skills(JsRng *r, const JsRefData *ref, const JsRefFamily *fam,
					const JsRefTitle *title, int n, JsString *out)
{
	int			idx[16];
	int			m = 0;

	if (title->nskills >= JS_TITLE_MIN_SKILLS)
	{
		int			ntitle = n - n / 3;

		if (ntitle > title->nskills)
			ntitle = title->nskills;
		js_pick_popular(r, title->nskills, ntitle, idx);
		for (int k = 0; k < ntitle; k++)
			out[m++] = ref->title_skills[title->skill_first + idx[k]];
	}
	js_pick_popular(r, fam->nskills, n, idx);
	for (int k = 0; k < n && m < n; k++)
	{
		JsString	s = ref->family_skills[fam->skill_first + idx[k]];
		bool		taken = false;

		for (int j = 0; j < m && !taken; j++)
			taken = js_str_cmp(&out[j], &s) == 0;
		if (!taken)
			out[m++] = s;
	}
	return m;
}

/* Post i; see generate.h. */
bool
js_gen_job_post(const JsRefData *ref, const JsGenOptions *opt, uint64_t i,
				JsValue *row, JsArena *arena)
{
	JsRng		r;
	const JsRefFamily *fam;
	const JsRefTitle *title;
	const JsRefLevel *level;
	const JsRefCompany *co;
	const JsRefCountry *country;
	JsString   *items;
	int			idx[16];
	int			nskills,
				ncerts,
				span,
				smin,
				smax;
	int32_t		posted;

	js_rng_init(&r, opt->seed, JS_STREAM_POSTS, i);
	row[JS_JP_POST_ID].isnull = false;
	js_rng_uuid(&r, row[JS_JP_POST_ID].v.uuid);

	fam = &ref->families[ref->post_families[js_rng_below(&r, ref->npost_families)]];
	title = &ref->titles[fam->title_first + js_rng_below(&r, fam->ntitles)];
	level = &ref->levels[title->level];
	co = &ref->companies[js_rng_below(&r, ref->ncompanies)];
	country = &ref->countries[co->country];

	js_set_str(&row[JS_JP_COMPANY], co->name);
	js_set_str(&row[JS_JP_JOB_TITLE], title->title);
	js_set_str(&row[JS_JP_JOB_CATEGORY], fam->name);
	js_set_str(&row[JS_JP_INDUSTRY], co->industry);
	js_set_str(&row[JS_JP_LOCATION_COUNTRY], country->name);
	if (country->ncities > 0)
	{
		int			c = js_pick_cum(&r, &ref->cities[country->city_first].cum,
									sizeof(JsRefCity), country->ncities);

		js_set_str(&row[JS_JP_LOCATION_CITY], ref->cities[country->city_first + c].name);
	}
	else
		js_set_null(&row[JS_JP_LOCATION_CITY]);

	/* 3-8 skills and 0-5 certifications of the family */
	nskills = js_rng_range(&r, 3, 8);
	if (nskills > fam->nskills)
		nskills = fam->nskills;
	ncerts = js_cert_count(&r, fam);
	items = js_arena_alloc(arena, (size_t) (nskills + ncerts + 1) * sizeof(JsString));
	if (items == NULL)
		return false;
	nskills = js_pick_post_skills(&r, ref, fam, title, nskills, items);
	js_set_arr(&row[JS_JP_REQUIRED_SKILLS], items, nskills);
	js_pick_distinct(&r, fam->ncerts, ncerts, idx);
	for (int k = 0; k < ncerts; k++)
		items[nskills + k] = ref->family_certs[fam->cert_first + idx[k]];
	js_set_arr(&row[JS_JP_CERTIFICATIONS], items + nskills, ncerts);

	/* salary range inside the level's band, in steps of 500 */
	span = level->salary_max - level->salary_min;
	smin = level->salary_min + (int) js_rng_below(&r, (uint64_t) span * 4 / 10 + 1);
	smax = smin + span / 5 + (int) js_rng_below(&r, (uint64_t) span * 4 / 10 + 1);
	smin = js_round_down(smin, 500);
	smax = js_round_down(smax + 499, 500);
	if (smax < smin)
		smax = smin;
	js_set_int(&row[JS_JP_SALARY_MIN], smin);
	js_set_int(&row[JS_JP_SALARY_MAX], smax);
	js_set_str(&row[JS_JP_EXPERIENCE_LEVEL], level->name);
	{
		int			years = level->min_years +
			(int) js_rng_below(&r, (uint64_t) (level->max_years - level->min_years) / 2 + 1);

		js_set_int(&row[JS_JP_MIN_YEARS_EXPERIENCE], years > 60 ? 60 : years);
	}

	if (ref->nemployment_types == 0)
		js_set_null(&row[JS_JP_EMPLOYMENT_TYPE]);
	else
	{
		int			e = js_pick_cum(&r, &ref->employment_types[0].cum,
									sizeof(JsRefWeighted), ref->nemployment_types);

		if (title->level == ref->intern_level && ref->internship_type >= 0)
			e = ref->internship_type;
		js_set_str(&row[JS_JP_EMPLOYMENT_TYPE], ref->employment_types[e].name);
	}
	if (ref->nwork_modes == 0)
		js_set_null(&row[JS_JP_WORK_MODE]);
	else
		js_set_str(&row[JS_JP_WORK_MODE],
				   ref->work_modes[js_pick_cum(&r, &ref->work_modes[0].cum,
											   sizeof(JsRefWeighted), ref->nwork_modes)].name);
	js_set_str(&row[JS_JP_PLATFORM], ref->platforms[js_rng_below(&r, ref->nplatforms)].name);

	posted = opt->as_of - (int32_t) js_rng_below(&r, opt->posted_window > 0 ? opt->posted_window : 1);
	row[JS_JP_POSTED_DATE].isnull = false;
	row[JS_JP_POSTED_DATE].v.date = posted;
	row[JS_JP_DEADLINE_DATE].isnull = false;
	row[JS_JP_DEADLINE_DATE].v.date = posted + js_rng_range(&r, 14, 90);

	return js_describe_post(&r, title, fam, level, row, arena);
}

/* The posts of rows 0..n-1 of js_gen_job_post; see generate.h. */
bool
js_gen_virtual_posts(const JsRefData *ref, const JsGenOptions *opt, int n,
					 JsGenTrackPost *out, JsArena *scratch)
{
	JsValue		row[JS_JP_NFIELDS];

	for (int i = 0; i < n; i++)
	{
		if (!js_gen_job_post(ref, opt, (uint64_t) i, row, scratch))
			return false;
		memcpy(out[i].post_id, row[JS_JP_POST_ID].v.uuid, 16);
		out[i].company_id = js_ref_company_id(ref, row[JS_JP_COMPANY].v.str.ptr,
											  row[JS_JP_COMPANY].v.str.len);
		js_arena_reset(scratch);
	}
	return true;
}

/* ----------------------------------------------------------------
 * Candidates
 * ----------------------------------------------------------------
 */

/* A company, preferably one in country c. */
static const JsRefCompany *
js_pick_company_near(const JsRefData *ref, JsRng *r, int c, int local_percent)
{
	const JsRefCountry *co = &ref->countries[c];

	if (co->ncompanies > 0 && (int) js_rng_below(r, 100) < local_percent)
		return &ref->companies[co->company_first + js_rng_below(r, co->ncompanies)];
	return &ref->companies[js_rng_below(r, ref->ncompanies)];
}

/*
 * The seniority level of someone with years of experience who progresses
 * at pace percent of the nominal speed: the lowest level whose range holds
 * the effective years (60%), or another one that holds them.
 */
static int
js_level_for_years(const JsRefData *ref, JsRng *r, int years, int pace)
{
	int			eff = years * pace / 100;
	int			first = -1,
				nmatch = 0,
				best = 0;

	for (int l = 0; l < ref->nlevels; l++)
	{
		if (ref->levels[l].min_years <= eff)
			best = l;
		if (ref->levels[l].min_years <= eff && eff <= ref->levels[l].max_years)
		{
			if (first < 0)
				first = l;
			nmatch++;
		}
	}
	if (first < 0)
		return best;
	if (nmatch == 1 || js_rng_below(r, 100) < 60)
		return first;
	{
		int			k = 1 + (int) js_rng_below(r, nmatch - 1);

		for (int l = first + 1; l < ref->nlevels; l++)
			if (ref->levels[l].min_years <= eff && eff <= ref->levels[l].max_years &&
				--k == 0)
				return l;
	}
	return first;
}

/* A salary inside level l's band, in steps of 500. */
static int
js_salary_in_band(const JsRefData *ref, JsRng *r, int l)
{
	const JsRefLevel *level = &ref->levels[l];

	return js_round_down(js_rng_range(r, level->salary_min, level->salary_max), 500);
}

/* Candidate i; see generate.h. */
bool
js_gen_candidate(const JsRefData *ref, const JsGenOptions *opt, uint64_t i,
				 JsValue *row, JsArena *arena)
{
	JsRng		r;
	const JsRefCountry *nat;
	const JsRefCountry *home;
	const JsRefEducation *edu;
	const JsRefFamily *fam;
	const JsString *first;
	const JsString *last;
	JsString   *items;
	char	   *name;
	int			as_of_year,
				g,
				gpick,
				grad_age,
				since,
				age,
				years,
				level,
				nprev,
				nskills,
				ncerts,
				idx[32];
	bool		employed;
	int			y,
				m,
				d;

	js_rng_init(&r, opt->seed, JS_STREAM_CANDIDATES, i);
	row[JS_CA_CANDIDATE_ID].isnull = false;
	js_rng_uuid(&r, row[JS_CA_CANDIDATE_ID].v.uuid);
	js_civil_from_days(opt->as_of, &y, &m, &d);
	as_of_year = y;

	/* nationality, gender and name */
	nat = &ref->countries[ref->name_countries[js_rng_below(&r, ref->nname_countries)]];
	g = (int) js_rng_below(&r, 100);
	if (g < 49)
	{
		js_set_str(&row[JS_CA_GENDER], (JsString) {"Female", 6});
		gpick = 0;
	}
	else if (g < 98)
	{
		js_set_str(&row[JS_CA_GENDER], (JsString) {"Male", 4});
		gpick = 1;
	}
	else
	{
		js_set_str(&row[JS_CA_GENDER], (JsString) {"Non-binary", 10});
		gpick = (int) js_rng_below(&r, 2);
	}
	if (nat->nfirst[gpick] == 0)
		gpick = 1 - gpick;
	first = &ref->first_names[nat->first_first[gpick] + js_rng_below(&r, nat->nfirst[gpick])];
	last = &ref->last_names[nat->last_first + js_rng_below(&r, nat->nlast)];
	name = js_arena_alloc(arena, first->len + last->len + 1);
	if (name == NULL)
		return false;
	memcpy(name, first->ptr, first->len);
	name[first->len] = ' ';
	memcpy(name + first->len + 1, last->ptr, last->len);
	js_set_str(&row[JS_CA_FULL_NAME], (JsString) {name, first->len + last->len + 1});
	js_set_str(&row[JS_CA_NATIONALITY], nat->name);

	/* home: mostly the home country, else where some employer is */
	if (js_rng_below(&r, 100) < 85 || ref->ncompanies == 0)
		home = nat;
	else
		home = &ref->countries[ref->companies[js_rng_below(&r, ref->ncompanies)].country];
	js_set_str(&row[JS_CA_LOCATION_COUNTRY], home->name);
	if (home->ncities > 0)
		js_set_str(&row[JS_CA_LOCATION_CITY],
				   ref->cities[home->city_first +
							   js_pick_cum(&r, &ref->cities[home->city_first].cum,
										   sizeof(JsRefCity), home->ncities)].name);
	else
		js_set_null(&row[JS_CA_LOCATION_CITY]);

	/* education, graduation, age and experience, in that order */
	edu = &ref->education[js_pick_cum(&r, &ref->education[0].cum,
									  sizeof(JsRefEducation), ref->neducation)];
	grad_age = 18 + edu->years;
	if (js_rng_below(&r, 100) >= 70)
		grad_age += js_rng_range(&r, 1, 3);
	{
		int			a = (int) js_rng_below(&r, 41);
		int			b = (int) js_rng_below(&r, 41);

		since = a < b ? a : b;
	}
	age = grad_age + since;
	if (age > 67)
	{
		age = grad_age > 67 ? grad_age : 67;
		since = age - grad_age;
	}
	years = since;
	if (years > 2 && js_rng_below(&r, 100) < 30)
		years -= js_rng_range(&r, 1, 2);
	if (years > 70)
		years = 70;
	js_set_str(&row[JS_CA_EDUCATION_LEVEL], edu->name);
	js_set_int(&row[JS_CA_BIRTH_YEAR], as_of_year - age);
	js_set_int(&row[JS_CA_GRADUATION_YEAR], as_of_year - age + grad_age);
	row[JS_CA_GPA].isnull = false;
	row[JS_CA_GPA].v.i64 = js_rng_range(&r, edu->gpa_min, edu->gpa_max);
	js_set_int(&row[JS_CA_YEARS_EXPERIENCE], years);

	/* the family sought, employer and past employers */
	fam = &ref->families[ref->post_families[js_rng_below(&r, ref->npost_families)]];
	js_set_str(&row[JS_CA_JOB_CATEGORY], fam->name);
	employed = js_rng_below(&r, 100) < (years == 0 ? 30u : 88u);
	if (employed)
		js_set_str(&row[JS_CA_CURRENT_COMPANY],
				   js_pick_company_near(ref, &r, (int) (home - ref->countries), 80)->name);
	else
		js_set_null(&row[JS_CA_CURRENT_COMPANY]);
	nprev = (int) js_rng_below(&r, (uint64_t) (years / 3 < 4 ? years / 3 : 4) + 1);

	/* skills: more with experience, mostly of the family */
	nskills = 4 + (int) js_rng_below(&r, 4) + (years / 3 < 7 ? years / 3 : 7);
	if (nskills > fam->nskills)
		nskills = fam->nskills;
	ncerts = js_cert_count(&r, fam);
	items = js_arena_alloc(arena, (size_t) (nprev + nskills + 1 + ncerts + 1) * sizeof(JsString));
	if (items == NULL)
		return false;
	for (int k = 0; k < nprev; k++)
		items[k] = js_pick_company_near(ref, &r, (int) (home - ref->countries), 60)->name;
	js_set_arr(&row[JS_CA_PREVIOUS_COMPANIES], items, nprev);
	items += nprev;
	js_pick_popular(&r, fam->nskills, nskills, idx);
	for (int k = 0; k < nskills; k++)
		items[k] = ref->family_skills[fam->skill_first + idx[k]];
	if (ref->nfamily_skills > 0 && js_rng_below(&r, 100) < 25)
	{
		const JsString *extra = &ref->family_skills[js_rng_below(&r, ref->nfamily_skills)];
		bool		dup = false;

		for (int k = 0; k < nskills && !dup; k++)
			dup = js_str_cmp(&items[k], extra) == 0;
		if (!dup)
			items[nskills++] = *extra;
	}
	js_set_arr(&row[JS_CA_SKILLS], items, nskills);
	items += nskills;
	js_pick_distinct(&r, fam->ncerts, ncerts, idx);
	for (int k = 0; k < ncerts; k++)
		items[k] = ref->family_certs[fam->cert_first + idx[k]];
	js_set_arr(&row[JS_CA_CERTIFICATIONS], items, ncerts);

	/* level by experience at a personal pace, salaries by level */
	level = js_level_for_years(ref, &r, years, js_rng_range(&r, 55, 110));
	if (ref->nlevels == 0)
	{
		js_set_null(&row[JS_CA_EXPERIENCE_LEVEL]);
		js_set_null(&row[JS_CA_CURRENT_SALARY]);
		js_set_null(&row[JS_CA_EXPECTED_SALARY]);
		return true;
	}
	js_set_str(&row[JS_CA_EXPERIENCE_LEVEL], ref->levels[level].name);
	{
		int			base = js_salary_in_band(ref, &r, level);
		int			expected = js_round_down((int) ((int64_t) base * js_rng_range(&r, 105, 130) / 100) + 999, 1000);

		if (employed)
			js_set_int(&row[JS_CA_CURRENT_SALARY], base);
		else
			js_set_null(&row[JS_CA_CURRENT_SALARY]);
		js_set_int(&row[JS_CA_EXPECTED_SALARY], expected);
	}
	return true;
}

/* ----------------------------------------------------------------
 * Tracking events
 * ----------------------------------------------------------------
 */

/* The campaigns of a post's tracking events; see generate.h. */
int
js_gen_post_campaigns(const uint8_t post_id[16], int32_t *first)
{
	uint64_t	h;

	memcpy(&h, post_id, 8);
	h = js_fmix64(h);
	*first = 1000 + (int32_t) ((h >> 8) % 200000) * 3;
	return 1 + (int) (h % 3);
}

/* Event i; see generate.h. */
void
js_gen_tracking_event(const JsRefData *ref, const JsGenOptions *opt,
					  uint64_t i, int64_t from_usec, int64_t to_usec,
					  const JsGenTrackPost *posts, int nposts, JsValue *row)
{
	JsRng		r;
	const JsGenTrackPost *post;
	const JsRefPlatform *pf;
	uint64_t	u,
				h;
	int			track;
	int			ncamp,
				nplat;
	int32_t		campaign;
	int64_t		bid;

	js_rng_init(&r, opt->seed, JS_STREAM_EVENTS, i);
	row[JS_TE_EVENT_ID].isnull = false;
	js_rng_uuid(&r, row[JS_TE_EVENT_ID].v.uuid);
	row[JS_TE_TS].isnull = false;
	row[JS_TE_TS].v.i64 = js_seasonal_ts(&r, from_usec, to_usec, true);

	/* popularity: index n * u^2 favours the first posts */
	u = js_rng_next(&r) >> 32;
	post = &posts[((u * u >> 32) * (uint64_t) nposts) >> 32];
	row[JS_TE_POST_ID].isnull = false;
	memcpy(row[JS_TE_POST_ID].v.uuid, post->post_id, 16);
	js_set_int(&row[JS_TE_COMPANY_ID], post->company_id);

	/* a post's campaigns, ad groups and publishers derive from its id */
	memcpy(&h, post->post_id, 8);
	h = js_fmix64(h);
	ncamp = js_gen_post_campaigns(post->post_id, &campaign);
	campaign += (int32_t) js_rng_below(&r, ncamp);
	js_set_int(&row[JS_TE_CAMPAIGN_ID], campaign);
	js_set_int(&row[JS_TE_GROUP_ID], campaign * JS_GEN_GROUPS_PER_CAMPAIGN +
			   (int32_t) js_rng_below(&r, JS_GEN_GROUPS_PER_CAMPAIGN));
	nplat = 1 + (int) ((h >> 32) % 4);
	pf = &ref->platforms[((h >> 40) + 7919 * js_rng_below(&r, nplat)) % ref->nplatforms];
	js_set_int(&row[JS_TE_PUBLISHER_ID], pf->publisher_id);

	/* the funnel, in per mille */
	track = (int) js_rng_below(&r, 1000);
	if (track < 880)
		js_set_str(&row[JS_TE_CUSTOM_TRACK], (JsString) {"click", 5});
	else if (track < 930)
		js_set_str(&row[JS_TE_CUSTOM_TRACK], (JsString) {"qualified", 9});
	else if (track < 970)
		js_set_str(&row[JS_TE_CUSTOM_TRACK], (JsString) {"unqualified", 11});
	else
		js_set_str(&row[JS_TE_CUSTOM_TRACK], (JsString) {"conversion", 10});

	/* bid: base bid x per-post factor 0.80-1.30 x noise 0.90-1.10 */
	bid = pf->base_bid * (80 + (int64_t) ((h >> 16) % 51)) / 100;
	bid = bid * js_rng_range(&r, 900, 1100) / 1000;
	row[JS_TE_BID].isnull = false;
	row[JS_TE_BID].v.i64 = bid;
}

/* ----------------------------------------------------------------
 * Applications
 * ----------------------------------------------------------------
 */

static const JsGenOpening *js_sort_posts;

/* qsort comparator of post indexes by category hash (none last), index. */
static int
js_opening_cmp(const void *a, const void *b)
{
	const JsGenOpening *x = &js_sort_posts[*(const int *) a];
	const JsGenOpening *y = &js_sort_posts[*(const int *) b];

	if (x->side.has_category != y->side.has_category)
		return x->side.has_category ? -1 : 1;
	if (x->side.category != y->side.category)
		return x->side.category < y->side.category ? -1 : 1;
	return *(const int *) a - *(const int *) b;
}

/* Fill pool->by_category: post indexes ordered by category. */
void
js_gen_pool_prepare(JsGenPool *pool)
{
	for (int p = 0; p < pool->nposts; p++)
		pool->by_category[p] = p;
	js_sort_posts = pool->posts;
	qsort(pool->by_category, pool->nposts, sizeof(int), js_opening_cmp);
	js_sort_posts = NULL;
	pool->nindexed = pool->nposts;
}

/*
 * Where post p goes in by_category[0..nindexed): the first slot whose
 * post orders after it (js_opening_cmp's order).
 */
static int
js_pool_position(const JsGenPool *pool, int p)
{
	int			lo = 0,
				hi = pool->nindexed;

	js_sort_posts = pool->posts;
	while (lo < hi)
	{
		int			mid = (lo + hi) / 2;

		if (js_opening_cmp(&pool->by_category[mid], &p) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	js_sort_posts = NULL;
	return lo;
}

/* Take post p out of the category index; see generate.h. */
void
js_gen_pool_unindex(JsGenPool *pool, int p)
{
	int			pos = js_pool_position(pool, p);

	if (pos < pool->nindexed && pool->by_category[pos] == p)
	{
		memmove(&pool->by_category[pos], &pool->by_category[pos + 1],
				(size_t) (pool->nindexed - pos - 1) * sizeof(int));
		pool->nindexed--;
	}
}

/* Put post p into the category index; see generate.h. */
void
js_gen_pool_index(JsGenPool *pool, int p)
{
	int			pos = js_pool_position(pool, p);

	memmove(&pool->by_category[pos + 1], &pool->by_category[pos],
			(size_t) (pool->nindexed - pos) * sizeof(int));
	pool->by_category[pos] = p;
	pool->nindexed++;
}

/* A post of category cat (by the pool's index), or -1 if there is none. */
static int
js_pool_post_in_category(const JsGenPool *pool, JsRng *r, uint64_t cat)
{
	int			lo = 0,
				hi = pool->nindexed,
				first,
				end;

	/* first slot whose category is >= cat */
	while (lo < hi)
	{
		int			mid = (lo + hi) / 2;
		const JsGenOpening *o = &pool->posts[pool->by_category[mid]];

		if (o->side.has_category && o->side.category < cat)
			lo = mid + 1;
		else
			hi = mid;
	}
	first = lo;
	hi = pool->nindexed;
	while (lo < hi)
	{
		int			mid = (lo + hi) / 2;
		const JsGenOpening *o = &pool->posts[pool->by_category[mid]];

		if (o->side.has_category && o->side.category <= cat)
			lo = mid + 1;
		else
			hi = mid;
	}
	end = lo;
	if (end <= first)
		return -1;
	return pool->by_category[first + js_rng_below(r, end - first)];
}

/* Application i; see generate.h. */
bool
js_gen_application(const JsGenPool *pool, const JsGenOptions *opt,
				   uint64_t i, int64_t now_usec, JsValue *row)
{
	JsRng		r;
	int			c = -1,
				p = -1;
	bool		found = false;
	const JsGenApplicant *cand;
	const JsGenOpening *post;
	int64_t		cents;
	JsBreakdown bd;
	int64_t		parts[JS_SCORE_NCOMPONENTS];
	double		u;
	const char *status;

	if (pool->ncands == 0 || pool->nposts == 0)
		return false;
	js_rng_init(&r, opt->seed, JS_STREAM_APPLICATIONS, i);
	row[JS_AP_APPLICATION_ID].isnull = false;
	js_rng_uuid(&r, row[JS_AP_APPLICATION_ID].v.uuid);

	for (int attempt = 0; attempt < 48 && !found; attempt++)
	{
		c = (int) js_rng_below(&r, pool->ncands);
		p = -1;
		if (pool->cands[c].side.has_category && js_rng_below(&r, 100) < 70)
		{
			/* the best of three posts of the family: people pick */
			int64_t		best = -1;

			for (int k = 0; k < 3; k++)
			{
				int			q = js_pool_post_in_category(pool, &r, pool->cands[c].side.category);
				int64_t		sc;

				if (q < 0)
					break;
				if (pool->pair_used(pool->pair_arg, c, q))
					continue;
				sc = js_score(&pool->cands[c].side, &pool->posts[q].side,
							  &js_default_weights, NULL);
				if (sc > best)
				{
					best = sc;
					p = q;
				}
			}
			if (p >= 0)
			{
				found = true;
				break;
			}
		}
		if (p < 0)
			p = (int) js_rng_below(&r, pool->nposts);
		found = !pool->pair_used(pool->pair_arg, c, p);
	}
	if (!found)
	{
		/* nearly every pair is used: walk the pairs from a random start */
		int			c0 = (int) js_rng_below(&r, pool->ncands);
		int			p0 = (int) js_rng_below(&r, pool->nposts);
		int64_t		budget = pool->walk_limit > 0 ? pool->walk_limit : INT64_MAX;

		for (int dc = 0; dc < pool->ncands && !found && budget > 0; dc++)
			for (int dp = 0; dp < pool->nposts && !found && budget > 0; dp++, budget--)
			{
				c = (c0 + dc) % pool->ncands;
				p = (p0 + dp) % pool->nposts;
				found = !pool->pair_used(pool->pair_arg, c, p);
			}
		if (!found)
			return false;
	}
	pool->pair_mark(pool->pair_arg, c, p);
	cand = &pool->cands[c];
	post = &pool->posts[p];

	row[JS_AP_CANDIDATE_ID].isnull = false;
	memcpy(row[JS_AP_CANDIDATE_ID].v.uuid, cand->id, 16);
	row[JS_AP_POST_ID].isnull = false;
	memcpy(row[JS_AP_POST_ID].v.uuid, post->id, 16);

	cents = js_score(&cand->side, &post->side, &js_default_weights, &bd);
	js_breakdown_cents(&bd, parts);
	for (int k = 0; k < JS_SCORE_NCOMPONENTS; k++)
	{
		row[JS_AP_CATEGORY_SCORE + k].isnull = false;
		row[JS_AP_CATEGORY_SCORE + k].v.i64 = parts[k];
	}
	u = (double) (js_rng_next(&r) >> 11) * (1.0 / 9007199254740992.0);
	status = js_application_status((double) cents / 100.0, u);
	if (status == NULL)
		status = "Applied";
	js_set_str(&row[JS_AP_STATUS], (JsString) {status, strlen(status)});
	row[JS_AP_COMPATIBILITY_SCORE].isnull = false;
	row[JS_AP_COMPATIBILITY_SCORE].v.i64 = cents;

	row[JS_AP_APPLIED_AT].isnull = false;
	if (now_usec >= 0)
		row[JS_AP_APPLIED_AT].v.i64 = now_usec;
	else
	{
		int32_t		day;
		int			span;

		if (post->has_dates)
		{
			/* from the day after posting to the deadline, within 30 days */
			span = post->deadline_date - post->posted_date;
			span = span < 1 ? 1 : span > 30 ? 30 : span;
			day = post->posted_date + 1 + (int32_t) js_rng_below(&r, span);
		}
		else
			day = opt->as_of - (int32_t) js_rng_below(&r, opt->posted_window > 0 ? opt->posted_window : 1);
		/* a working hour of that day, never before the post appeared */
		row[JS_AP_APPLIED_AT].v.i64 =
			js_seasonal_ts(&r, (int64_t) day * JS_USECS_PER_DAY,
						   (int64_t) (day + 1) * JS_USECS_PER_DAY, false);
	}
	return true;
}

/* ----------------------------------------------------------------
 * Pair sets
 * ----------------------------------------------------------------
 */

/* An empty set over cap slots (a power of two) of caller memory. */
void
js_pairset_init(JsPairSet *set, uint64_t *slots, size_t cap)
{
	set->slots = slots;
	set->cap = cap;
	set->n = 0;
	memset(slots, 0, cap * sizeof(uint64_t));
}

/* A 64-bit fingerprint of (candidate, post), never 0. */
uint64_t
js_pair_fingerprint(const uint8_t cand[16], const uint8_t post[16])
{
	uint64_t	a,
				b,
				c,
				d,
				h;

	memcpy(&a, cand, 8);
	memcpy(&b, cand + 8, 8);
	memcpy(&c, post, 8);
	memcpy(&d, post + 8, 8);
	h = js_fmix64(a ^ js_fmix64(b ^ js_fmix64(c ^ js_fmix64(d))));
	return h ? h : 1;
}

/* Whether fp is in the set (linear probing). */
bool
js_pairset_contains(const JsPairSet *set, uint64_t fp)
{
	size_t		mask = set->cap - 1;

	for (size_t k = fp & mask;; k = (k + 1) & mask)
	{
		if (set->slots[k] == fp)
			return true;
		if (set->slots[k] == 0)
			return false;
	}
}

/* Add fp (the caller keeps the set at most 3/4 full). */
void
js_pairset_add(JsPairSet *set, uint64_t fp)
{
	size_t		mask = set->cap - 1;

	for (size_t k = fp & mask;; k = (k + 1) & mask)
	{
		if (set->slots[k] == fp)
			return;
		if (set->slots[k] == 0)
		{
			set->slots[k] = fp;
			set->n++;
			return;
		}
	}
}
