/*
 * score_sql.c
 *		SQL-callable compatibility scoring, top-k matching and skill
 *		extraction: thin fmgr glue over score.c and extract.c.
 *
 * top_matches and top_jobs read the post (or candidate) once through SPI,
 * then scan the other table with table_beginscan under the active snapshot,
 * scoring each row with the pure C scorer and keeping the k best in a
 * bounded heap: no fmgr call and no SQL per pair.  Because a direct scan
 * bypasses the executor, they check SELECT privilege themselves and refuse
 * tables with row-level security enabled for the current user.
 *
 * extract_skills keeps one Aho-Corasick automaton per backend, built from
 * jobstream.skills and jobstream.skill_aliases.  A relcache invalidation
 * callback on those two tables bumps a counter; triggers on the tables
 * (jobstream.skills_changed) raise a relcache invalidation on every
 * INSERT, UPDATE, DELETE or TRUNCATE, which is delivered to this backend at
 * the end of the statement and to the others at commit (and replayed on
 * rollback).  The cache is valid while the counter has not moved since the
 * build began, so changes made during a build are not missed.  The
 * callback only bumps the counter: the automaton is freed at the next
 * rebuild, never while in use.  The automaton is malloc'ed (extract.c is
 * pure C); everything that can fail with ereport is done before it is
 * built, so an error never leaks or leaves a dangling cache.
 */
#include "postgres.h"

#include "access/htup_details.h"
#include "access/table.h"
#include "access/tableam.h"
#include "catalog/namespace.h"
#include "catalog/pg_type.h"
#include "commands/trigger.h"
#include "executor/spi.h"
#include "executor/tuptable.h"
#include "funcapi.h"
#include "miscadmin.h"
#include "nodes/makefuncs.h"
#include "utils/acl.h"
#include "utils/array.h"
#include "utils/arrayaccess.h"
#include "utils/builtins.h"
#include "utils/date.h"
#include "utils/guc.h"
#include "utils/inval.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/numeric.h"
#include "utils/rel.h"
#include "utils/rls.h"
#include "utils/snapmgr.h"
#include "utils/tuplestore.h"
#include "utils/uuid.h"

#include "extract.h"
#include "jobstream.h"
#include "score.h"

PG_FUNCTION_INFO_V1(jobstream_compatibility_score);
PG_FUNCTION_INFO_V1(jobstream_score_breakdown);
PG_FUNCTION_INFO_V1(jobstream_application_status);
PG_FUNCTION_INFO_V1(jobstream_top_matches);
PG_FUNCTION_INFO_V1(jobstream_top_jobs);
PG_FUNCTION_INFO_V1(jobstream_extract_skills);
PG_FUNCTION_INFO_V1(jobstream_skills_changed);

#define JS_LADDER_HINT \
	"Use a level of jobstream.seniority_levels (case-insensitive), or add the level there."

/* Growable buffer of skill hashes, in the memory context it was made in. */
typedef struct JsHashBuf
{
	uint64_t   *h;
	int			cap;
} JsHashBuf;

/*
 * js_hash_skill_array
 *		Hashes the elements of a text array into out, which must have room
 *		for every element, and returns the size of the prepared set (sorted,
 *		duplicates removed).  NULL elements and blank names are skipped.
 *		The one conversion of a stored skill list for the scoring code, used
 *		by the SQL functions here, the generators and the matcher.
 */
int
js_hash_skill_array(ArrayType *arr, uint64 *out)
{
	array_iter	it;
	int			nitems = ArrayGetNItems(ARR_NDIM(arr), ARR_DIMS(arr));
	int			i,
				n = 0;

	if (ARR_ELEMTYPE(arr) != TEXTOID)
		ereport(ERROR,
				(errcode(ERRCODE_DATATYPE_MISMATCH),
				 errmsg("skill list must be an array of text")));
	array_iter_setup(&it, (AnyArrayType *) arr);
	for (i = 0; i < nitems; i++)
	{
		bool		isnull;
		Datum		d = array_iter_next(&it, &isnull, i, -1, false, TYPALIGN_INT);

		if (!isnull)
		{
			text	   *t = (text *) DatumGetPointer(d);

			if (js_skill_hash(VARDATA_ANY(t), VARSIZE_ANY_EXHDR(t), &out[n]))
				n++;
		}
	}
	return js_skillset_finish(out, n);
}

/*
 * js_prepare_skills
 *		Hashes the elements of a text array into buf (growing it) and
 *		returns the prepared set.  Allocates only when buf must grow.
 */
static JsSkillSet
js_prepare_skills(ArrayType *arr, JsHashBuf *buf)
{
	JsSkillSet	set;
	int			nitems = ArrayGetNItems(ARR_NDIM(arr), ARR_DIMS(arr));

	if (nitems > buf->cap)
	{
		int			cap = Max(nitems, Max(buf->cap * 2, 16));

		buf->h = buf->h ? repalloc(buf->h, sizeof(uint64_t) * cap) :
			palloc(sizeof(uint64_t) * cap);
		buf->cap = cap;
	}
	set.n = js_hash_skill_array(arr, buf->h);
	set.hashes = buf->h;
	return set;
}

/*
 * js_level
 *		Seniority rank of a level name; an unknown name is an error that
 *		names what (an argument, or a row) and the value.
 */
static int
js_level(text *t, const char *what)
{
	int			r = js_sql_level(VARDATA_ANY(t), VARSIZE_ANY_EXHDR(t));

	if (r == JS_SENIORITY_NONE)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("unknown seniority level \"%s\" in %s",
						text_to_cstring(t), what),
				 errhint(JS_LADDER_HINT)));
	return r;
}

/*
 * js_numeric_to_double
 *		numeric as double; NaN is an error naming the argument.
 */
static double
js_numeric_to_double(Numeric num, const char *argname)
{
	if (numeric_is_nan(num))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s must not be NaN", argname),
				 errhint("Pass a salary as a number, or NULL when it is unknown.")));
	return DatumGetFloat8(DirectFunctionCall1(numeric_float8,
											  NumericGetDatum(num)));
}

/*
 * js_datum_to_double
 *		A numeric-like column value (integer, bigint, numeric, real or
 *		double) as double.
 */
static double
js_datum_to_double(Datum d, Oid type, const char *column)
{
	switch (type)
	{
		case INT4OID:
			return (double) DatumGetInt32(d);
		case INT2OID:
			return (double) DatumGetInt16(d);
		case INT8OID:
			return (double) DatumGetInt64(d);
		case FLOAT4OID:
			return (double) DatumGetFloat4(d);
		case FLOAT8OID:
			return DatumGetFloat8(d);
		case NUMERICOID:
			return js_numeric_to_double(DatumGetNumeric(d), column);
		default:
			ereport(ERROR,
					(errcode(ERRCODE_DATATYPE_MISMATCH),
					 errmsg("column %s has unsupported type %s", column,
							format_type_be(type))));
	}
	return 0.0;					/* keep the compiler quiet */
}

/*
 * js_weights_from_args
 *		Reads the five weights from arguments first..first+4 and checks
 *		them: NULL, negative, non-finite or all-zero weights are errors.
 */
static void
js_weights_from_args(FunctionCallInfo fcinfo, int first, JsWeights *w)
{
	double		v[5];
	int			i,
				which;

	for (i = 0; i < 5; i++)
	{
		if (PG_NARGS() <= first + i)
		{
			const double d[5] = {30, 30, 20, 10, 10};

			v[i] = d[i];
			continue;
		}
		if (PG_ARGISNULL(first + i))
			ereport(ERROR,
					(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
					 errmsg("%s must not be null", js_weight_name(i)),
					 errhint("Omit the argument to use its default weight.")));
		v[i] = (double) PG_GETARG_FLOAT4(first + i);
	}
	w->category = v[0];
	w->skills = v[1];
	w->experience = v[2];
	w->seniority = v[3];
	w->salary = v[4];
	switch (js_weights_check(w, &which))
	{
		case JS_WEIGHTS_OK:
			break;
		case JS_WEIGHTS_NEGATIVE:
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("%s must not be negative: %g", js_weight_name(which),
							v[which]),
					 errhint("Weights are the points of each component; use 0 to ignore a component.")));
			break;
		case JS_WEIGHTS_NOT_FINITE:
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("%s must be a finite number: %g", js_weight_name(which),
							v[which]),
					 errhint("Weights are the points of each component, 30/30/20/10/10 by default.")));
			break;
		case JS_WEIGHTS_TOO_LARGE:
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("%s must not be above %g: %g", js_weight_name(which),
							JS_WEIGHT_MAX, v[which]),
					 errhint("Weights are the points of each component, 30/30/20/10/10 by default; scale them down together.")));
			break;
		case JS_WEIGHTS_ALL_ZERO:
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("all weights are zero"),
					 errhint("Give at least one of w_category, w_skills, w_experience, w_seniority, w_salary a positive weight.")));
			break;
	}
}

/*
 * js_sides_from_args
 *		Fills the candidate and post sides from the first ten arguments of
 *		compatibility_score / score_breakdown; NULL arguments leave their
 *		component at 0.
 */
static void
js_sides_from_args(FunctionCallInfo fcinfo, JsCandidateSide *c, JsPostSide *p)
{
	JsHashBuf	cb = {NULL, 0};
	JsHashBuf	pb = {NULL, 0};

	memset(c, 0, sizeof(*c));
	memset(p, 0, sizeof(*p));
	c->level = p->level = JS_SENIORITY_NONE;

	if (!PG_ARGISNULL(0))
	{
		text	   *t = PG_GETARG_TEXT_PP(0);

		c->has_category = true;
		c->category = js_category_hash(VARDATA_ANY(t), VARSIZE_ANY_EXHDR(t));
	}
	if (!PG_ARGISNULL(1))
	{
		c->has_skills = true;
		c->skills = js_prepare_skills(PG_GETARG_ARRAYTYPE_P(1), &cb);
	}
	if (!PG_ARGISNULL(2))
	{
		c->has_years = true;
		c->years = PG_GETARG_INT32(2);
	}
	if (!PG_ARGISNULL(3))
		c->level = js_level(PG_GETARG_TEXT_PP(3), "cand_level");
	if (!PG_ARGISNULL(4))
	{
		c->has_salary = true;
		c->expected_salary = js_numeric_to_double(PG_GETARG_NUMERIC(4),
												  "expected_salary");
	}
	if (!PG_ARGISNULL(5))
	{
		text	   *t = PG_GETARG_TEXT_PP(5);

		p->has_category = true;
		p->category = js_category_hash(VARDATA_ANY(t), VARSIZE_ANY_EXHDR(t));
	}
	if (!PG_ARGISNULL(6))
	{
		p->has_skills = true;
		p->skills = js_prepare_skills(PG_GETARG_ARRAYTYPE_P(6), &pb);
	}
	if (!PG_ARGISNULL(7))
	{
		p->has_min_years = true;
		p->min_years = PG_GETARG_INT32(7);
	}
	if (!PG_ARGISNULL(8))
		p->level = js_level(PG_GETARG_TEXT_PP(8), "job_level");
	if (!PG_ARGISNULL(9))
	{
		p->has_salary_max = true;
		p->salary_max = js_numeric_to_double(PG_GETARG_NUMERIC(9), "salary_max");
	}
}

/*
 * js_cents_numeric
 *		A number of hundredths as a numeric with 2 decimals.
 */
static Datum
js_cents_numeric(int64 cents)
{
	return NumericGetDatum(int64_div_fast_to_numeric(cents, 2));
}

/*
 * jobstream_compatibility_score
 *		compatibility_score(cand_category, cand_skills, years_experience,
 *		cand_level, expected_salary, job_category, required_skills,
 *		min_years_experience, job_level, salary_max, weights...) -> numeric.
 */
Datum
jobstream_compatibility_score(PG_FUNCTION_ARGS)
{
	JsCandidateSide c;
	JsPostSide	p;
	JsWeights	w;

	js_weights_from_args(fcinfo, 10, &w);
	js_sides_from_args(fcinfo, &c, &p);
	PG_RETURN_DATUM(js_cents_numeric(js_score(&c, &p, &w, NULL)));
}

/*
 * jobstream_score_breakdown
 *		Same arguments; returns (category, skills, experience, seniority,
 *		salary, total), each rounded to 2 decimals.  The total is the
 *		rounded sum of the unrounded components, so the rounded components
 *		may add up to it +/- 0.02.
 */
Datum
jobstream_score_breakdown(PG_FUNCTION_ARGS)
{
	JsCandidateSide c;
	JsPostSide	p;
	JsWeights	w;
	JsBreakdown b;
	TupleDesc	desc;
	Datum		values[6];
	bool		nulls[6] = {false};

	if (get_call_result_type(fcinfo, NULL, &desc) != TYPEFUNC_COMPOSITE)
		elog(ERROR, "return type must be a row type");
	js_weights_from_args(fcinfo, 10, &w);
	js_sides_from_args(fcinfo, &c, &p);
	js_score(&c, &p, &w, &b);
	values[0] = js_cents_numeric(js_round_cents(b.category));
	values[1] = js_cents_numeric(js_round_cents(b.skills));
	values[2] = js_cents_numeric(js_round_cents(b.experience));
	values[3] = js_cents_numeric(js_round_cents(b.seniority));
	values[4] = js_cents_numeric(js_round_cents(b.salary));
	values[5] = js_cents_numeric(b.total_cents);
	desc = BlessTupleDesc(desc);
	PG_RETURN_DATUM(HeapTupleGetDatum(heap_form_tuple(desc, values, nulls)));
}

/*
 * js_numeric_cmp
 *		Sign of num - v.
 */
static int
js_numeric_cmp(Numeric num, int64 v)
{
	return DatumGetInt32(DirectFunctionCall2(numeric_cmp, NumericGetDatum(num),
											 NumericGetDatum(int64_to_numeric(v))));
}

/*
 * jobstream_application_status
 *		application_status(score numeric, u double precision) -> text.
 *		STRICT; errors when score is outside [0, 100] or u outside [0, 1).
 */
Datum
jobstream_application_status(PG_FUNCTION_ARGS)
{
	Numeric		num = PG_GETARG_NUMERIC(0);
	double		u = PG_GETARG_FLOAT8(1);
	double		band;

	if (numeric_is_nan(num) || js_numeric_cmp(num, 0) < 0 ||
		js_numeric_cmp(num, 100) > 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("score must be between 0 and 100: %s",
						DatumGetCString(DirectFunctionCall1(numeric_out,
															NumericGetDatum(num)))),
				 errhint("Pass a compatibility score.")));
	if (!(u >= 0 && u < 1))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("u must be in [0, 1): %g", u),
				 errhint("Pass a uniform draw such as random().")));

	/*
	 * Bands are decided in numeric, so that 74.99999999999999999 is not
	 * rounded into the 75 band by a conversion to double.
	 */
	if (js_numeric_cmp(num, 75) >= 0)
		band = 75;
	else if (js_numeric_cmp(num, 60) >= 0)
		band = 60;
	else if (js_numeric_cmp(num, 40) >= 0)
		band = 40;
	else
		band = 0;
	PG_RETURN_TEXT_P(cstring_to_text(js_application_status(band, u)));
}

/*
 * Top-k scans.  The scanned table's columns, found by name so that column
 * order does not matter.
 */
typedef struct JsScanColumns
{
	AttrNumber	id;
	AttrNumber	category;
	AttrNumber	skills;
	AttrNumber	years;			/* years_experience / min_years_experience */
	AttrNumber	level;
	AttrNumber	salary;			/* expected_salary / salary_max */
	AttrNumber	deadline;		/* job_posts only */
	Oid			years_type;
	Oid			salary_type;
} JsScanColumns;

/*
 * One side's scoring features as read from a row, before they become a
 * JsCandidateSide or a JsPostSide (which name the same features
 * differently).
 */
typedef struct JsSideRow
{
	bool		has_category;
	uint64_t	category;
	bool		has_skills;
	JsSkillSet	skills;
	bool		has_years;
	double		years;			/* years_experience / min_years_experience */
	int			level;
	bool		has_salary;
	double		salary;			/* expected_salary / salary_max */
} JsSideRow;

/*
 * js_side_set
 *		Copies the features of r into *p when is_post, else into *c; the
 *		other side is not touched.
 */
static void
js_side_set(const JsSideRow *r, bool is_post, JsCandidateSide *c, JsPostSide *p)
{
	if (is_post)
	{
		p->has_category = r->has_category;
		p->category = r->category;
		p->has_skills = r->has_skills;
		p->skills = r->skills;
		p->has_min_years = r->has_years;
		p->min_years = r->years;
		p->level = r->level;
		p->has_salary_max = r->has_salary;
		p->salary_max = r->salary;
	}
	else
	{
		c->has_category = r->has_category;
		c->category = r->category;
		c->has_skills = r->has_skills;
		c->skills = r->skills;
		c->has_years = r->has_years;
		c->years = r->years;
		c->level = r->level;
		c->has_salary = r->has_salary;
		c->expected_salary = r->salary;
	}
}

/*
 * js_column
 *		Attribute number of a column of rel, checking its type when
 *		expected is valid; a missing column is an error.
 */
static AttrNumber
js_column(Relation rel, const char *name, Oid expected, Oid *type)
{
	AttrNumber	att = get_attnum(RelationGetRelid(rel), name);
	Oid			t;

	if (att == InvalidAttrNumber)
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_COLUMN),
				 errmsg("column \"%s\" of table \"%s\" does not exist", name,
						RelationGetRelationName(rel))));
	t = TupleDescAttr(RelationGetDescr(rel), att - 1)->atttypid;
	if (OidIsValid(expected) && t != expected)
		ereport(ERROR,
				(errcode(ERRCODE_DATATYPE_MISMATCH),
				 errmsg("column \"%s\" of table \"%s\" has type %s, expected %s",
						name, RelationGetRelationName(rel), format_type_be(t),
						format_type_be(expected))));
	if (type)
		*type = t;
	return att;
}

/*
 * js_open_scanned
 *		Opens jobstream.<name> for a direct scan, after the checks the
 *		executor would make: SELECT privilege, and no row-level security.
 */
static Relation
js_open_scanned(const char *name, const char *func)
{
	Oid			relid = RangeVarGetRelid(makeRangeVar("jobstream", (char *) name, -1),
										 AccessShareLock, false);
	AclResult	acl = pg_class_aclcheck(relid, GetUserId(), ACL_SELECT);

	if (acl != ACLCHECK_OK)
		aclcheck_error(acl, OBJECT_TABLE, get_rel_name(relid));
	if (check_enable_rls(relid, InvalidOid, false) == RLS_ENABLED)
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("%s does not support row-level security on jobstream.%s",
						func, name),
				 errhint("Rank the rows you may see with ORDER BY jobstream.compatibility_score(...) LIMIT k.")));
	return table_open(relid, NoLock);
}

/*
 * js_check_k
 *		k must be positive.
 */
static void
js_check_k(int32 k)
{
	if (k <= 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("k must be positive: %d", k),
				 errhint("Ask for at least one match, e.g. k => 10.")));
}

/*
 * js_emit_topk
 *		Returns the heap's items best first as (id, score, rank) rows.
 */
static void
js_emit_topk(FunctionCallInfo fcinfo, JsTopK *h)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	size_t		i;

	js_topk_sort(h);
	for (i = 0; i < h->n; i++)
	{
		Datum		values[3];
		bool		nulls[3] = {false};
		pg_uuid_t  *u = palloc(sizeof(pg_uuid_t));

		memcpy(u->data, h->items[i].id, UUID_LEN);
		values[0] = UUIDPGetDatum(u);
		values[1] = js_cents_numeric(h->items[i].score_cents);
		values[2] = Int32GetDatum((int32) (i + 1));
		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
	}
}

/*
 * js_copy_skills
 *		Prepares a skill array into a fresh hash buffer of the current
 *		memory context.
 */
static JsSkillSet
js_copy_skills(Datum d)
{
	JsHashBuf	b = {NULL, 0};

	return js_prepare_skills(DatumGetArrayTypeP(d), &b);
}

/*
 * js_scan_topk
 *		Scans rel (candidates when scanning_posts is false, job_posts
 *		otherwise), scores every row against the fixed other side, and
 *		keeps the k best in h.  Open posts only: a post whose deadline_date
 *		is before current_date is skipped.
 */
static void
js_scan_topk(Relation rel, bool scanning_posts, const JsCandidateSide *fixed_c,
			 const JsPostSide *fixed_p, int32 k, JsTopK *h)
{
	JsScanColumns col;
	TableScanDesc scan;
	TupleTableSlot *slot;
	MemoryContext rowcxt,
				oldcxt;
	JsHashBuf	buf = {NULL, 0};
	JsCandidateSide c = {0};
	JsPostSide	p = {0};
	AttrNumber	natts;
	DateADT		today = 0;

	col.id = js_column(rel, scanning_posts ? "post_id" : "candidate_id", UUIDOID, NULL);
	col.category = js_column(rel, "job_category", TEXTOID, NULL);
	col.skills = js_column(rel, scanning_posts ? "required_skills" : "skills",
						   TEXTARRAYOID, NULL);
	col.years = js_column(rel, scanning_posts ? "min_years_experience" : "years_experience",
						  InvalidOid, &col.years_type);
	col.level = js_column(rel, "experience_level", TEXTOID, NULL);
	col.salary = js_column(rel, scanning_posts ? "salary_max" : "expected_salary",
						   InvalidOid, &col.salary_type);
	col.deadline = scanning_posts ? js_column(rel, "deadline_date", DATEOID, NULL) :
		InvalidAttrNumber;
	natts = Max(Max(Max(col.id, col.category), Max(col.skills, col.years)),
				Max(Max(col.level, col.salary), col.deadline));
	if (scanning_posts)
	{
		today = GetSQLCurrentDate();
		c = *fixed_c;
	}
	else
		p = *fixed_p;

	/* a first buffer; grown as needed */
	buf.cap = 64;
	buf.h = palloc(sizeof(uint64_t) * buf.cap);
	h->items = palloc(sizeof(JsTopKItem) * Min(k, 1024));
	js_topk_init(h, h->items, Min(k, 1024), k);

	rowcxt = AllocSetContextCreate(CurrentMemoryContext, "jobstream top-k row",
								   ALLOCSET_SMALL_SIZES);
	scan = table_beginscan(rel, GetActiveSnapshot(), 0, NULL);
	slot = table_slot_create(rel, NULL);
	while (table_scan_getnextslot(scan, ForwardScanDirection, slot))
	{
		Datum	   *v;
		bool	   *n;
		int64		cents,
					worst;
		bool		has_cat,
					has_skills,
					has_years,
					has_salary;
		uint64_t	cat = 0;
		JsSkillSet	skills = {NULL, 0};
		double		years = 0,
					salary = 0;
		int			level = JS_SENIORITY_NONE;

		CHECK_FOR_INTERRUPTS();
		slot_getsomeattrs(slot, natts);
		v = slot->tts_values;
		n = slot->tts_isnull;
		if (n[col.id - 1])
			continue;
		if (scanning_posts && !n[col.deadline - 1] &&
			DatumGetDateADT(v[col.deadline - 1]) < today)
			continue;

		MemoryContextReset(rowcxt);
		oldcxt = MemoryContextSwitchTo(rowcxt);
		has_cat = !n[col.category - 1];
		if (has_cat)
		{
			text	   *t = DatumGetTextPP(v[col.category - 1]);

			cat = js_category_hash(VARDATA_ANY(t), VARSIZE_ANY_EXHDR(t));
		}
		has_skills = !n[col.skills - 1];
		has_years = !n[col.years - 1];
		if (has_years)
			years = js_datum_to_double(v[col.years - 1], col.years_type,
									   scanning_posts ? "min_years_experience" : "years_experience");
		if (!n[col.level - 1])
		{
			text	   *t = DatumGetTextPP(v[col.level - 1]);

			level = js_sql_level(VARDATA_ANY(t), VARSIZE_ANY_EXHDR(t));
			if (level == JS_SENIORITY_NONE)
				ereport(ERROR,
						(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
						 errmsg("unknown seniority level \"%s\" in experience_level of %s %s",
								text_to_cstring(t),
								scanning_posts ? "job post" : "candidate",
								DatumGetCString(DirectFunctionCall1(uuid_out, v[col.id - 1]))),
						 errhint(JS_LADDER_HINT)));
		}
		has_salary = !n[col.salary - 1];
		if (has_salary)
			salary = js_datum_to_double(v[col.salary - 1], col.salary_type,
										scanning_posts ? "salary_max" : "expected_salary");

		{
			JsSideRow	r = {has_cat, cat, has_skills, skills, has_years, years,
			level, has_salary, salary};

			js_side_set(&r, scanning_posts, &c, &p);
		}

		/* Rows that cannot enter the heap even with a perfect skills match. */
		if (js_topk_threshold(h, &worst) &&
			js_score_bound(&c, &p, &js_default_weights) < worst)
		{
			MemoryContextSwitchTo(oldcxt);
			continue;
		}
		if (has_skills)
		{
			/* detoast in the row context, grow buf in the outer one */
			ArrayType  *arr = DatumGetArrayTypeP(v[col.skills - 1]);

			MemoryContextSwitchTo(oldcxt);
			skills = js_prepare_skills(arr, &buf);
			if (scanning_posts)
				p.skills = skills;
			else
				c.skills = skills;
		}
		MemoryContextSwitchTo(oldcxt);
		cents = js_score(&c, &p, &js_default_weights, NULL);

		if (js_topk_needs_room(h))
		{
			size_t		cap = Min((size_t) k, h->cap * 2);

			h->items = repalloc_huge(h->items, sizeof(JsTopKItem) * cap);
			h->cap = cap;
		}
		js_topk_offer(h, cents, DatumGetUUIDP(v[col.id - 1])->data);
	}
	ExecDropSingleTupleTableSlot(slot);
	table_endscan(scan);
	MemoryContextDelete(rowcxt);
}

/*
 * js_fetch_one
 *		Runs a one-parameter (uuid) query through SPI expecting at most one
 *		row; returns it (copied into the caller's context) or NULL.
 */
static HeapTuple
js_fetch_one(const char *sql, Datum id, TupleDesc *desc)
{
	Oid			argtypes[1] = {UUIDOID};
	Datum		args[1] = {id};
	HeapTuple	tup = NULL;
	MemoryContext caller = CurrentMemoryContext;
	int			rc;

	SPI_connect();
	rc = SPI_execute_with_args(sql, 1, argtypes, args, NULL, true, 2);
	if (rc != SPI_OK_SELECT)
		elog(ERROR, "SPI_execute_with_args failed: %s", SPI_result_code_string(rc));
	if (SPI_processed > 0)
	{
		MemoryContext old = MemoryContextSwitchTo(caller);

		tup = heap_copytuple(SPI_tuptable->vals[0]);
		*desc = CreateTupleDescCopy(SPI_tuptable->tupdesc);
		MemoryContextSwitchTo(old);
	}
	SPI_finish();
	return tup;
}

/*
 * What top_matches and top_jobs differ in: the subject, whose row is
 * fetched by the id argument, and the table of the other side, scanned.
 */
typedef struct JsTopKQuery
{
	bool		scanning_posts; /* the subject is a candidate (top_jobs) */
	const char *fetch_sql;		/* the subject's category, skills, years,
								 * level and salary, by id ($1) */
	const char *noun;			/* "job post" / "candidate", for messages */
	const char *missing_hint;	/* errhint when the id matches no row */
	const char *scanned;		/* table of the other side */
	const char *func;			/* SQL function name, for messages */
} JsTopKQuery;

/*
 * js_top_k
 *		The body of top_matches and top_jobs: (id uuid, k integer) ->
 *		(id, score, rank) of the k best rows of the other side for the
 *		subject row id, ties by id ascending.
 */
static void
js_top_k(FunctionCallInfo fcinfo, const JsTopKQuery *q)
{
	Datum		id = PG_GETARG_DATUM(0);
	int32		k = PG_GETARG_INT32(1);
	HeapTuple	tup;
	TupleDesc	desc;
	JsSideRow	r = {0};
	JsCandidateSide c = {0};
	JsPostSide	p = {0};
	JsTopK		h;
	Relation	rel;
	bool		isnull;
	Datum		d;

	js_check_k(k);
	InitMaterializedSRF(fcinfo, 0);
	tup = js_fetch_one(q->fetch_sql, id, &desc);
	if (tup == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_NO_DATA_FOUND),
				 errmsg("%s %s does not exist", q->noun,
						DatumGetCString(DirectFunctionCall1(uuid_out, id))),
				 errhint("%s", q->missing_hint)));

	r.level = JS_SENIORITY_NONE;
	d = heap_getattr(tup, 1, desc, &isnull);
	if ((r.has_category = !isnull))
	{
		text	   *t = DatumGetTextPP(d);

		r.category = js_category_hash(VARDATA_ANY(t), VARSIZE_ANY_EXHDR(t));
	}
	d = heap_getattr(tup, 2, desc, &isnull);
	if ((r.has_skills = !isnull))
		r.skills = js_copy_skills(d);
	d = heap_getattr(tup, 3, desc, &isnull);
	if ((r.has_years = !isnull))
		r.years = DatumGetFloat8(d);
	d = heap_getattr(tup, 4, desc, &isnull);
	if (!isnull)
		r.level = js_level(DatumGetTextPP(d),
						   psprintf("experience_level of the %s", q->noun));
	d = heap_getattr(tup, 5, desc, &isnull);
	if ((r.has_salary = !isnull))
		r.salary = DatumGetFloat8(d);
	js_side_set(&r, !q->scanning_posts, &c, &p);

	rel = js_open_scanned(q->scanned, q->func);
	js_scan_topk(rel, q->scanning_posts, &c, &p, k, &h);
	table_close(rel, NoLock);
	js_emit_topk(fcinfo, &h);
}

/*
 * jobstream_top_matches
 *		top_matches(post_id uuid, k integer) -> (candidate_id, score, rank):
 *		the k best candidates for a post, ties by candidate_id ascending.
 */
Datum
jobstream_top_matches(PG_FUNCTION_ARGS)
{
	static const JsTopKQuery q = {
		false,
		"SELECT job_category, required_skills, min_years_experience::pg_catalog.float8, "
		"experience_level, salary_max::pg_catalog.float8 "
		"FROM jobstream.job_posts WHERE post_id OPERATOR(pg_catalog.=) $1",
		"job post",
		"Pass the post_id of a row of jobstream.job_posts.",
		"candidates",
		"top_matches"
	};

	js_top_k(fcinfo, &q);
	return (Datum) 0;
}

/*
 * jobstream_top_jobs
 *		top_jobs(candidate_id uuid, k integer) -> (post_id, score, rank): the
 *		k best open posts (no deadline, or deadline today or later) for a
 *		candidate, ties by post_id ascending.
 */
Datum
jobstream_top_jobs(PG_FUNCTION_ARGS)
{
	static const JsTopKQuery q = {
		true,
		"SELECT job_category, skills, years_experience::pg_catalog.float8, "
		"experience_level, expected_salary::pg_catalog.float8 "
		"FROM jobstream.candidates WHERE candidate_id OPERATOR(pg_catalog.=) $1",
		"candidate",
		"Pass the candidate_id of a row of jobstream.candidates.",
		"job_posts",
		"top_jobs"
	};

	js_top_k(fcinfo, &q);
	return (Datum) 0;
}

/*
 * The per-backend extraction cache.
 */
static JsExtractor *js_ex = NULL;
static MemoryContext js_ex_cxt = NULL;	/* holds js_ex_names */
static text **js_ex_names = NULL;	/* canonical names by skill number */
static JsExtractScratch js_ex_scratch;
static uint64 js_inval_count = 0;	/* bumped by the relcache callback */
static uint64 js_built_count = 0;	/* js_inval_count when js_ex was built */
static bool js_callback_registered = false;
static Oid	js_skills_relid = InvalidOid;
static Oid	js_aliases_relid = InvalidOid;

/*
 * The per-backend seniority ladder, read from jobstream.seniority_levels
 * by rank, so that every scoring path (the SQL functions, the generators,
 * the matcher) places a level the same way, including levels users add.
 */
static JsLadder js_ladder_cache;
static MemoryContext js_ladder_cxt = NULL;
static uint64 js_ladder_inval = 0;	/* bumped by the relcache callback */
static uint64 js_ladder_built = 0;	/* js_ladder_inval when built, + 1 */
static Oid	js_seniority_relid = InvalidOid;

/*
 * js_relcache_callback
 *		Marks the cache stale when skills or skill_aliases (or everything)
 *		is invalidated.  Must not fail or free: it only bumps a counter.
 */
static void
js_relcache_callback(Datum arg, Oid relid)
{
	if (relid == InvalidOid || relid == js_skills_relid ||
		relid == js_aliases_relid)
		js_inval_count++;
	if (relid == InvalidOid || relid == js_seniority_relid)
		js_ladder_inval++;
}

/*
 * js_ladder_get
 *		The seniority ladder of jobstream.seniority_levels (positions by
 *		rank), re-read after the table changed.
 */
static const JsLadder *
js_ladder_get(void)
{
	uint64		start;
	int			nest,
				n,
				i;
	MemoryContext cxt;
	const char **names;
	size_t	   *lens;

	if (!js_callback_registered)
	{
		CacheRegisterRelcacheCallback(js_relcache_callback, (Datum) 0);
		js_callback_registered = true;
	}
	if (js_ladder_built == js_ladder_inval + 1)
		return &js_ladder_cache;

	start = js_ladder_inval;
	js_seniority_relid = RangeVarGetRelid(makeRangeVar("jobstream", "seniority_levels", -1),
										  NoLock, false);
	SPI_connect();
	nest = NewGUCNestLevel();
	(void) set_config_option("search_path", "pg_catalog, pg_temp",
							 PGC_USERSET, PGC_S_SESSION, GUC_ACTION_SAVE,
							 true, 0, false);
	if (SPI_execute("SELECT level FROM jobstream.seniority_levels ORDER BY rank",
					true, 0) != SPI_OK_SELECT)
		elog(ERROR, "could not read jobstream.seniority_levels");
	AtEOXact_GUC(true, nest);
	cxt = AllocSetContextCreate(TopMemoryContext, "jobstream seniority ladder",
								ALLOCSET_SMALL_SIZES);
	n = (int) SPI_processed;
	names = MemoryContextAlloc(cxt, sizeof(char *) * Max(n, 1));
	lens = MemoryContextAlloc(cxt, sizeof(size_t) * Max(n, 1));
	for (i = 0; i < n; i++)
	{
		char	   *v = SPI_getvalue(SPI_tuptable->vals[i], SPI_tuptable->tupdesc, 1);

		names[i] = MemoryContextStrdup(cxt, v ? v : "");
		lens[i] = strlen(names[i]);
	}
	SPI_finish();

	if (js_ladder_cxt != NULL)
		MemoryContextDelete(js_ladder_cxt);
	js_ladder_cxt = cxt;
	js_ladder_cache.n = n;
	js_ladder_cache.names = names;
	js_ladder_cache.lens = lens;
	js_ladder_built = start + 1;
	return &js_ladder_cache;
}

/*
 * js_sql_ladder_version
 *		Changes whenever the ladder is re-read from seniority_levels: who
 *		keeps levels as positions (the matcher's index) reloads then.
 */
uint64
js_sql_ladder_version(void)
{
	(void) js_ladder_get();
	return js_ladder_built;
}

/*
 * js_sql_level
 *		Position of a seniority level name on the ladder of
 *		jobstream.seniority_levels, or JS_SENIORITY_NONE.
 */
int
js_sql_level(const char *s, size_t len)
{
	return js_ladder_parse(js_ladder_get(), s, len);
}

/*
 * js_name_cmp
 *		bsearch order of canonical names (byte order, as ORDER BY ... COLLATE
 *		"C").
 */
static int
js_name_cmp(const void *key, const void *elem)
{
	const text *a = *(text *const *) key;
	const text *b = *(text *const *) elem;
	int			la = VARSIZE_ANY_EXHDR(a),
				lb = VARSIZE_ANY_EXHDR(b);
	int			r = memcmp(VARDATA_ANY(a), VARDATA_ANY(b), Min(la, lb));

	return r != 0 ? r : (la > lb) - (la < lb);
}

/*
 * js_extractor_get
 *		The current automaton, rebuilt from the tables when stale.
 */
static JsExtractor *
js_extractor_get(void)
{
	uint64		start;
	int			nest,
				nskills,
				nalias,
				npat = 0,
				i;
	MemoryContext cxt,
				old;
	text	  **names;
	const char **pats;
	size_t	   *lens;
	int		   *sk;
	JsExtractor *ex;

	if (!js_callback_registered)
	{
		CacheRegisterRelcacheCallback(js_relcache_callback, (Datum) 0);
		js_callback_registered = true;
	}
	if (js_ex != NULL && js_built_count == js_inval_count)
		return js_ex;

	start = js_inval_count;
	js_skills_relid = RangeVarGetRelid(makeRangeVar("jobstream", "skills", -1),
									   NoLock, false);
	js_aliases_relid = RangeVarGetRelid(makeRangeVar("jobstream", "skill_aliases", -1),
										NoLock, false);

	/* names live in cxt, made under the SPI context until all went well */
	SPI_connect();
	cxt = AllocSetContextCreate(CurrentMemoryContext, "jobstream skill names",
								ALLOCSET_SMALL_SIZES);
	nest = NewGUCNestLevel();
	(void) set_config_option("search_path", "pg_catalog, pg_temp",
							 PGC_USERSET, PGC_S_SESSION, GUC_ACTION_SAVE,
							 true, 0, false);
	if (SPI_execute("SELECT skill FROM jobstream.skills ORDER BY skill COLLATE \"C\"",
					true, 0) != SPI_OK_SELECT)
		elog(ERROR, "could not read jobstream.skills");
	nskills = (int) SPI_processed;
	old = MemoryContextSwitchTo(cxt);
	names = palloc(sizeof(text *) * Max(nskills, 1));
	for (i = 0; i < nskills; i++)
	{
		bool		isnull;
		Datum		d = SPI_getbinval(SPI_tuptable->vals[i], SPI_tuptable->tupdesc,
									  1, &isnull);

		names[i] = isnull ? cstring_to_text("") : DatumGetTextPCopy(d);
	}
	MemoryContextSwitchTo(old);

	if (SPI_execute("SELECT alias, skill FROM jobstream.skill_aliases ORDER BY alias COLLATE \"C\"",
					true, 0) != SPI_OK_SELECT)
		elog(ERROR, "could not read jobstream.skill_aliases");
	nalias = (int) SPI_processed;
	AtEOXact_GUC(true, nest);

	pats = palloc(sizeof(char *) * (nskills + nalias + 1));
	lens = palloc(sizeof(size_t) * (nskills + nalias + 1));
	sk = palloc(sizeof(int) * (nskills + nalias + 1));
	for (i = 0; i < nskills; i++)
	{
		pats[npat] = VARDATA_ANY(names[i]);
		lens[npat] = VARSIZE_ANY_EXHDR(names[i]);
		sk[npat++] = i;
	}
	for (i = 0; i < nalias; i++)
	{
		bool		n1,
					n2;
		Datum		a = SPI_getbinval(SPI_tuptable->vals[i], SPI_tuptable->tupdesc, 1, &n1);
		Datum		s = SPI_getbinval(SPI_tuptable->vals[i], SPI_tuptable->tupdesc, 2, &n2);
		text	   *at,
				   *st;
		text	  **found;

		if (n1 || n2)
			continue;
		at = DatumGetTextPP(a);
		st = DatumGetTextPP(s);
		found = bsearch(&st, names, nskills, sizeof(text *), js_name_cmp);
		if (found == NULL)
			continue;
		pats[npat] = VARDATA_ANY(at);
		lens[npat] = VARSIZE_ANY_EXHDR(at);
		sk[npat++] = (int) (found - names);
	}

	ex = js_extractor_build(pats, lens, sk, npat, nskills);
	if (ex == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_OUT_OF_MEMORY),
				 errmsg("out of memory building the skill automaton")));
	/* nothing below can fail: install the new cache */
	MemoryContextSetParent(cxt, TopMemoryContext);
	js_extractor_free(js_ex);
	if (js_ex_cxt)
		MemoryContextDelete(js_ex_cxt);
	js_ex = ex;
	js_ex_cxt = cxt;
	js_ex_names = names;
	js_built_count = start;
	SPI_finish();
	return js_ex;
}

/*
 * jobstream_extract_skills
 *		extract_skills(text) -> text[]: the canonical names of the skills
 *		(and aliases) found in the text, distinct, in order of first
 *		appearance.  STRICT.
 */
Datum
jobstream_extract_skills(PG_FUNCTION_ARGS)
{
	text	   *t = PG_GETARG_TEXT_PP(0);
	JsExtractor *ex = js_extractor_get();
	int		   *out = palloc(sizeof(int) * Max(js_extractor_nskills(ex), 1));
	int			n,
				i;
	Datum	   *elems;

	n = js_extract(ex, VARDATA_ANY(t), VARSIZE_ANY_EXHDR(t), &js_ex_scratch, out);
	if (n < 0)
		ereport(ERROR,
				(errcode(ERRCODE_OUT_OF_MEMORY),
				 errmsg("out of memory extracting skills")));
	elems = palloc(sizeof(Datum) * Max(n, 1));
	for (i = 0; i < n; i++)
		elems[i] = PointerGetDatum(js_ex_names[out[i]]);
	PG_RETURN_ARRAYTYPE_P(construct_array(elems, n, TEXTOID, -1, false,
										  TYPALIGN_INT));
}

/*
 * jobstream_skills_changed
 *		Statement trigger on skills and skill_aliases: raises a relcache
 *		invalidation so that every backend rebuilds its automaton.
 */
Datum
jobstream_skills_changed(PG_FUNCTION_ARGS)
{
	TriggerData *td = (TriggerData *) fcinfo->context;

	js_trigger_check(fcinfo, "skills_changed", NULL, 0);
	CacheInvalidateRelcache(td->tg_relation);
	return PointerGetDatum(NULL);
}
