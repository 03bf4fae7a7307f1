/*
 * generate_sql.c
 *		SQL-callable generators: jobstream.generate_job_posts,
 *		generate_candidates, generate_applications and
 *		generate_tracking_events.
 *
 * The rows come from generate.c; this file feeds it and turns its rows
 * into tuples (row.c).
 *
 * Reference snapshot.  The generators draw from the jobstream.* reference
 * tables, read through SPI into a JsRefData that is kept for the life of
 * the backend: loading it costs a few milliseconds, a generator call may
 * ask for ten rows.  A statement-level trigger on each of those tables
 * (jobstream.reference_changed, see 40_generate.sql) sends a relcache
 * invalidation for it; the callback registered here then marks the
 * snapshot stale, and the next call reloads it.  Invalidations reach this
 * backend at the end of its own commands and at other backends' commits,
 * and undo on rollback, so a generator always sees the reference rows of
 * its snapshot, users' additions included.  The snapshot lives in malloc'ed
 * memory (generate.c is plain C); a load that fails half-way is freed by
 * the next one.
 *
 * Results are materialised into the tuplestore of the call; the row arena
 * and a per-row memory context are reset every few rows, so memory stays
 * flat however many rows are asked for.
 */
#include "postgres.h"

#include "access/htup_details.h"
#include "catalog/namespace.h"
#include "catalog/pg_type.h"
#include "commands/trigger.h"
#include "executor/spi.h"
#include "fmgr.h"
#include "funcapi.h"
#include "miscadmin.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/date.h"
#include "utils/inval.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/numeric.h"
#include "utils/timestamp.h"
#include "utils/uuid.h"

#include "decode.h"
#include "generate.h"
#include "jobstream.h"
#include "row.h"
#include "score.h"

PG_FUNCTION_INFO_V1(jobstream_generate_job_posts);
PG_FUNCTION_INFO_V1(jobstream_generate_candidates);
PG_FUNCTION_INFO_V1(jobstream_generate_applications);
PG_FUNCTION_INFO_V1(jobstream_generate_tracking_events);
PG_FUNCTION_INFO_V1(jobstream_reference_changed);
PG_FUNCTION_INFO_V1(jobstream_post_campaigns);

/* Days from 1970-01-01 to 2000-01-01, PostgreSQL's epoch. */
#define JS_EPOCH_SHIFT_DAYS (POSTGRES_EPOCH_JDATE - UNIX_EPOCH_JDATE)

/* Rows generated between resets of the row memory. */
#define JS_ROWS_PER_RESET	64

/* How many posts and candidates generate_applications and
 * generate_tracking_events read at most (those with the lowest ids). */
#define JS_POOL_MAX			500000

/* Virtual posts of tracking events when jobstream.job_posts is empty. */
#define JS_VIRTUAL_POSTS	1000

/* The cached snapshot and what invalidates it. */
static JsRefData *js_snapshot = NULL;
static JsRefData *js_building = NULL;
static bool js_snapshot_valid = false;
static bool js_callback_registered = false;
static uint64 js_inval_count = 0;
static Oid	js_snapshot_relids[JS_REF_NTABLES];

/*
 * An optional reference table was missing at the last load (the extension
 * is not updated yet): the snapshot is not kept, since no invalidation
 * would announce the table's creation.
 */
static bool js_snapshot_partial = false;

/* Strings and arrays of the rows being generated; reset every few rows. */
static JsArena js_row_arena;
static bool js_row_arena_ready = false;

/*
 * js_ref_inval_callback
 *		Relcache invalidation callback: a change to a reference table (or a
 *		reset of the whole cache) makes the snapshot stale.
 */
static void
js_ref_inval_callback(Datum arg, Oid relid)
{
	if (relid == InvalidOid)
	{
		js_snapshot_valid = false;
		js_inval_count++;
		return;
	}
	for (int t = 0; t < JS_REF_NTABLES; t++)
		if (js_snapshot_relids[t] == relid)
		{
			js_snapshot_valid = false;
			js_inval_count++;
			return;
		}
}

/*
 * js_load_table
 *		Reads the columns the generators need of one reference table into
 *		the snapshot being built.  Runs inside an SPI connection.
 */
static void
js_load_table(JsRefData *ref, JsRefTable t, Oid nsp)
{
	const JsRefTableDef *def = &js_ref_tables[t];
	StringInfoData sql;
	JsString	cols[JS_REF_MAX_COLUMNS];

	js_snapshot_relids[t] = get_relname_relid(def->table, nsp);
	if (!OidIsValid(js_snapshot_relids[t]) && def->optional)
	{
		/* an extension not yet updated: no rows, and no caching */
		js_snapshot_partial = true;
		return;
	}
	if (!OidIsValid(js_snapshot_relids[t]))
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_TABLE),
				 errmsg("reference table jobstream.%s does not exist", def->table),
				 errhint("Reinstall the extension with DROP EXTENSION jobstream and CREATE EXTENSION jobstream.")));

	initStringInfo(&sql);
	appendStringInfoString(&sql, "SELECT ");
	for (int k = 0; k < def->ncolumns; k++)
		appendStringInfo(&sql, "%s%s::pg_catalog.text", k ? ", " : "",
						 quote_identifier(def->columns[k]));
	appendStringInfo(&sql, " FROM jobstream.%s", quote_identifier(def->table));
	if (SPI_execute(sql.data, true, 0) != SPI_OK_SELECT)
		elog(ERROR, "could not read jobstream.%s", def->table);

	for (uint64 r = 0; r < SPI_processed; r++)
	{
		HeapTuple	tup = SPI_tuptable->vals[r];
		TupleDesc	desc = SPI_tuptable->tupdesc;

		for (int k = 0; k < def->ncolumns; k++)
		{
			bool		isnull;
			Datum		d = SPI_getbinval(tup, desc, k + 1, &isnull);

			if (isnull)
			{
				cols[k].ptr = NULL;
				cols[k].len = 0;
			}
			else
			{
				text	   *txt = DatumGetTextPP(d);

				cols[k].ptr = VARDATA_ANY(txt);
				cols[k].len = VARSIZE_ANY_EXHDR(txt);
			}
		}
		if (!js_ref_add_row(ref, t, cols))
			ereport(ERROR,
					(errcode(ERRCODE_OUT_OF_MEMORY),
					 errmsg("out of memory loading the reference data")));
	}
	SPI_freetuptable(SPI_tuptable);
	pfree(sql.data);
}

/*
 * js_get_snapshot
 *		The reference snapshot, loaded if it is missing or stale.  Must be
 *		called inside an SPI connection.
 */
static const JsRefData *
js_get_snapshot(void)
{
	char		err[256];
	Oid			nsp;
	uint64		count_before;

	if (!js_callback_registered)
	{
		CacheRegisterRelcacheCallback(js_ref_inval_callback, (Datum) 0);
		js_callback_registered = true;
	}
	/* pick up changes committed by others since the last command */
	AcceptInvalidationMessages();
	if (js_snapshot != NULL && js_snapshot_valid && !js_snapshot_partial)
		return js_snapshot;
	js_snapshot_partial = false;

	if (js_building != NULL)
	{
		js_ref_free(js_building);
		free(js_building);
		js_building = NULL;
	}
	js_building = malloc(sizeof(JsRefData));
	if (js_building == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_OUT_OF_MEMORY),
				 errmsg("out of memory loading the reference data")));
	js_ref_init(js_building);

	count_before = js_inval_count;
	nsp = get_namespace_oid("jobstream", false);
	for (int t = 0; t < JS_REF_NTABLES; t++)
		js_load_table(js_building, t, nsp);
	if (!js_ref_finish(js_building, err, sizeof(err)))
		ereport(ERROR,
				(errcode(ERRCODE_DATA_EXCEPTION),
				 errmsg("invalid reference data: %s", err),
				 errhint("Correct the row of the jobstream reference table named in the message.")));

	if (js_snapshot != NULL)
	{
		js_ref_free(js_snapshot);
		free(js_snapshot);
	}
	js_snapshot = js_building;
	js_building = NULL;
	/* a change that arrived while loading forces a reload next time */
	js_snapshot_valid = (js_inval_count == count_before);
	return js_snapshot;
}

/*
 * js_require
 *		ERROR unless the snapshot has what the generator of topic needs.
 */
static void
js_require(const JsRefData *ref, JsTopic topic)
{
	const char *table;
	char		err[256];

	if (!js_ref_check(ref, topic, &table, err, sizeof(err)))
		ereport(ERROR,
				(errcode(ERRCODE_NO_DATA_FOUND),
				 errmsg("cannot generate %s: %s", js_topics[topic].table, err),
				 errhint("Add rows to jobstream.%s, or reload the shipped ones with jobstream.load_reference_csv.",
						 table)));
}

/* ERROR unless n is a valid row count. */
static void
js_check_count(int64 n)
{
	if (n < 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("number of rows must not be negative: " INT64_FORMAT, n),
				 errhint("Pass the number of rows to generate, 0 or more.")));
}

/* The options of a call: the seed and, as unix days, as_of. */
static JsGenOptions
js_options(int64 seed, DateADT as_of)
{
	JsGenOptions opt;

	if (DATE_NOT_FINITE(as_of) ||
		as_of + JS_EPOCH_SHIFT_DAYS < 0 || as_of + JS_EPOCH_SHIFT_DAYS > 47481)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("as_of date must be between 1970-01-01 and 2099-12-31"),
				 errhint("Pass a date such as current_date, or omit the argument.")));
	opt.seed = (uint64_t) seed;
	opt.as_of = as_of + JS_EPOCH_SHIFT_DAYS;
	opt.posted_window = JS_GEN_DEFAULT_WINDOW;
	return opt;
}

/* The row arena, ready and empty. */
static JsArena *
js_arena(void)
{
	if (!js_row_arena_ready)
	{
		js_arena_init(&js_row_arena, 256 * 1024);
		js_row_arena_ready = true;
	}
	js_arena_reset(&js_row_arena);
	return &js_row_arena;
}

/*
 * p, allocated in cxt, grown to size bytes; p NULL allocates.  For the
 * arrays that grow as cursor rows arrive.
 */
static void *
js_grow(MemoryContext cxt, void *p, Size size)
{
	return p == NULL ? MemoryContextAllocHuge(cxt, size) : repalloc_huge(p, size);
}

/* ERROR for an arena that ran out of memory. */
static void
js_arena_oom(void)
{
	ereport(ERROR,
			(errcode(ERRCODE_OUT_OF_MEMORY),
			 errmsg("out of memory generating rows")));
}

/*
 * What a materialising generator needs between rows: the tuple store and
 * descriptor, the field map and a row memory context.
 */
typedef struct JsEmitter
{
	ReturnSetInfo *rsinfo;
	JsRowMap	map;
	MemoryContext rowcxt;
	Datum		values[JS_MAX_FIELDS];
	bool		nulls[JS_MAX_FIELDS];
	uint64		since_reset;
	int			updated_at;		/* attribute that repeats updated_from, or -1 */
	int			updated_from;	/* a field */
} JsEmitter;

/*
 * Set up materialize mode for the rows of topic.  The result has the
 * topic's fields in order; when updated_from is a field (not -1), an
 * updated_at timestamptz column follows that field and repeats its value,
 * as in job_applications, whose optional fields come after updated_at, so
 * that INSERT INTO <table> SELECT * still lines up.
 */
static void
js_emitter_init(JsEmitter *em, FunctionCallInfo fcinfo, JsTopic topic, int updated_from)
{
	const JsTopicDef *def = &js_topics[topic];
	TupleDesc	desc;

	InitMaterializedSRF(fcinfo, 0);
	em->rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	desc = em->rsinfo->setDesc;
	js_row_map_init(&em->map, def, desc, updated_from < 0);
	em->updated_at = -1;
	em->updated_from = updated_from;
	if (updated_from >= 0)
	{
		bool		ok = desc->natts == def->nfields + 1 &&
			strcmp(NameStr(TupleDescAttr(desc, updated_from + 1)->attname), "updated_at") == 0 &&
			TupleDescAttr(desc, updated_from + 1)->atttypid == TIMESTAMPTZOID;

		for (int f = 0; ok && f < def->nfields; f++)
			ok = em->map.attidx[f] == (f <= updated_from ? f : f + 1);
		if (!ok)
			ereport(ERROR,
					(errcode(ERRCODE_DATATYPE_MISMATCH),
					 errmsg("result type does not have the columns of table jobstream.%s in order",
							def->table),
					 errhint("Declare the function with the columns of table jobstream.%s, updated_at included.",
							 def->table)));
		em->updated_at = updated_from + 1;
	}
	em->rowcxt = AllocSetContextCreate(CurrentMemoryContext,
									   "jobstream generated row",
									   ALLOCSET_DEFAULT_SIZES);
	em->since_reset = 0;
}

/*
 * Store one row; every JS_ROWS_PER_RESET rows also reset the row arena
 * (which the row may point into: it is copied before).
 */
static void
js_emit(JsEmitter *em, const JsValue *row)
{
	MemoryContext old = MemoryContextSwitchTo(em->rowcxt);

	js_row_to_datums(&em->map, row, em->values, em->nulls);
	if (em->updated_at >= 0)
	{
		em->values[em->updated_at] = em->values[em->map.attidx[em->updated_from]];
		em->nulls[em->updated_at] = em->nulls[em->map.attidx[em->updated_from]];
	}
	MemoryContextSwitchTo(old);
	tuplestore_putvalues(em->rsinfo->setResult, em->rsinfo->setDesc,
						 em->values, em->nulls);
	if (++em->since_reset == JS_ROWS_PER_RESET)
	{
		MemoryContextReset(em->rowcxt);
		js_arena_reset(&js_row_arena);
		em->since_reset = 0;
		CHECK_FOR_INTERRUPTS();
	}
}

/* A generator of row i of a topic: js_gen_job_post, js_gen_candidate. */
typedef bool (*JsRowGenerator) (const JsRefData *ref, const JsGenOptions *opt,
								uint64_t i, JsValue *row, JsArena *arena);

/*
 * The body of generate_job_posts and generate_candidates (n bigint, seed
 * bigint, as_of date): rows 0..n-1 of the seed, made by gen, of topic.
 */
static void
js_generate_rows(FunctionCallInfo fcinfo, JsTopic topic, JsRowGenerator gen)
{
	int64		n = PG_GETARG_INT64(0);
	JsGenOptions opt = js_options(PG_GETARG_INT64(1), PG_GETARG_DATEADT(2));
	const JsRefData *ref;
	JsArena    *arena;
	JsEmitter	em;
	JsValue		row[JS_MAX_FIELDS];

	js_check_count(n);
	SPI_connect();
	ref = js_get_snapshot();
	SPI_finish();
	js_require(ref, topic);

	js_emitter_init(&em, fcinfo, topic, -1);
	arena = js_arena();
	for (int64 i = 0; i < n; i++)
	{
		if (!gen(ref, &opt, (uint64_t) i, row, arena))
			js_arena_oom();
		js_emit(&em, row);
	}
}

/*
 * generate_job_posts(n bigint, seed bigint, as_of date)
 *		n job posts, rows 0..n-1 of the seed.
 */
Datum
jobstream_generate_job_posts(PG_FUNCTION_ARGS)
{
	js_generate_rows(fcinfo, JS_TOPIC_JOB_POSTS, js_gen_job_post);
	return (Datum) 0;
}

/*
 * generate_candidates(n bigint, seed bigint, as_of date)
 *		n candidates, rows 0..n-1 of the seed.
 */
Datum
jobstream_generate_candidates(PG_FUNCTION_ARGS)
{
	js_generate_rows(fcinfo, JS_TOPIC_CANDIDATES, js_gen_candidate);
	return (Datum) 0;
}

/*
 * A stable positive id for a company that is not in jobstream.companies
 * (tracking events need an integer company_id): 10^9 + a hash of its name.
 */
static int32
js_unknown_company_id(const char *name, size_t len)
{
	uint64		h = UINT64CONST(0xcbf29ce484222325);

	for (size_t k = 0; k < len; k++)
		h = (h ^ (unsigned char) name[k]) * UINT64CONST(0x100000001b3);
	return (int32) (1000000000 + h % 1000000000);
}

/*
 * generate_tracking_events(n bigint, seed bigint, from_ts timestamptz,
 *							to_ts timestamptz)
 *		n events with ts in [from_ts, to_ts), about the posts of
 *		jobstream.job_posts, or about the first posts that
 *		generate_job_posts(…, seed) would make when there are none.
 */
Datum
jobstream_generate_tracking_events(PG_FUNCTION_ARGS)
{
	int64		n = PG_GETARG_INT64(0);
	TimestampTz from_ts = PG_GETARG_TIMESTAMPTZ(2);
	TimestampTz to_ts = PG_GETARG_TIMESTAMPTZ(3);
	JsGenOptions opt = js_options(PG_GETARG_INT64(1),
								  JS_GEN_DEFAULT_AS_OF - JS_EPOCH_SHIFT_DAYS);
	const JsRefData *ref;
	JsGenTrackPost *posts = NULL;
	int			nposts = 0;
	JsEmitter	em;
	JsValue		row[JS_TE_NFIELDS];
	MemoryContext callcxt = CurrentMemoryContext;
	int64_t		from_usec,
				to_usec;

	js_check_count(n);
	if (TIMESTAMP_NOT_FINITE(from_ts) || TIMESTAMP_NOT_FINITE(to_ts) || from_ts >= to_ts)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("invalid time range for tracking events: from_ts must be finite and earlier than to_ts"),
				 errhint("Pass a range such as now() - interval '7 days', now().")));
	from_usec = from_ts + (int64) JS_EPOCH_SHIFT_DAYS * USECS_PER_DAY;
	to_usec = to_ts + (int64) JS_EPOCH_SHIFT_DAYS * USECS_PER_DAY;

	SPI_connect();
	ref = js_get_snapshot();
	js_require(ref, JS_TOPIC_TRACKING_EVENTS);
	{
		Portal		portal;
		int			cap = 0;

		portal = SPI_cursor_open_with_args(NULL,
										   "SELECT post_id, company FROM jobstream.job_posts "
										   "ORDER BY post_id LIMIT " CppAsString2(JS_POOL_MAX),
										   0, NULL, NULL, NULL, true, 0);
		for (;;)
		{
			SPI_cursor_fetch(portal, true, 10000);
			if (SPI_processed == 0)
				break;
			if (nposts + (int) SPI_processed > cap)
			{
				cap = Max(cap * 2, nposts + (int) SPI_processed);
				posts = js_grow(callcxt, posts, cap * sizeof(JsGenTrackPost));
			}
			for (uint64 r = 0; r < SPI_processed; r++)
			{
				HeapTuple	tup = SPI_tuptable->vals[r];
				bool		isnull;
				pg_uuid_t  *id = DatumGetUUIDP(SPI_getbinval(tup, SPI_tuptable->tupdesc, 1, &isnull));
				text	   *company = DatumGetTextPP(SPI_getbinval(tup, SPI_tuptable->tupdesc, 2, &isnull));
				JsGenTrackPost *p = &posts[nposts++];

				memcpy(p->post_id, id->data, 16);
				p->company_id = js_ref_company_id(ref, VARDATA_ANY(company),
												  VARSIZE_ANY_EXHDR(company));
				if (p->company_id < 0)
					p->company_id = js_unknown_company_id(VARDATA_ANY(company),
														  VARSIZE_ANY_EXHDR(company));
			}
			SPI_freetuptable(SPI_tuptable);
		}
		SPI_cursor_close(portal);
	}
	SPI_finish();

	if (nposts == 0)
	{
		js_require(ref, JS_TOPIC_JOB_POSTS);
		posts = MemoryContextAlloc(callcxt, JS_VIRTUAL_POSTS * sizeof(JsGenTrackPost));
		if (!js_gen_virtual_posts(ref, &opt, JS_VIRTUAL_POSTS, posts, js_arena()))
			js_arena_oom();
		nposts = JS_VIRTUAL_POSTS;
	}

	js_emitter_init(&em, fcinfo, JS_TOPIC_TRACKING_EVENTS, -1);
	js_arena();
	for (int64 i = 0; i < n; i++)
	{
		js_gen_tracking_event(ref, &opt, (uint64_t) i, from_usec, to_usec,
							  posts, nposts, row);
		js_emit(&em, row);
	}
	return (Datum) 0;
}

/* ----------------------------------------------------------------
 * Applications
 * ----------------------------------------------------------------
 */

/* The pools and the set of used pairs of one generate_applications call. */
typedef struct JsAppState
{
	JsGenApplicant *cands;
	int			ncands;
	JsGenOpening *posts;
	int			nposts;
	JsPairSet	used;
} JsAppState;

/* pair_used callback: is (c, p) in the set? */
static bool
js_app_pair_used(void *arg, int c, int p)
{
	JsAppState *st = arg;

	return js_pairset_contains(&st->used,
							   js_pair_fingerprint(st->cands[c].id, st->posts[p].id));
}

/* pair_mark callback: add (c, p) to the set. */
static void
js_app_pair_mark(void *arg, int c, int p)
{
	JsAppState *st = arg;

	js_pairset_add(&st->used, js_pair_fingerprint(st->cands[c].id, st->posts[p].id));
}

/*
 * The prepared skill set of a text[] value, its hashes appended to
 * *hashes (grown in cxt); returns the offset of the first one and sets
 * *n.  The caller points the JsSkillSet at the array once it stops
 * growing.
 */
static int64
js_skill_hashes(Datum arr, uint64 **hashes, int64 *nhashes, int64 *cap,
				MemoryContext cxt, int *n)
{
	ArrayType  *a = DatumGetArrayTypeP(arr);
	int			nelems = ArrayGetNItems(ARR_NDIM(a), ARR_DIMS(a));
	int64		first = *nhashes;

	if (*nhashes + nelems > *cap)
	{
		*cap = Max(*cap * 2, *nhashes + nelems + 1024);
		*hashes = js_grow(cxt, *hashes, *cap * sizeof(uint64));
	}
	*n = js_hash_skill_array(a, *hashes + first);
	*nhashes = first + *n;
	return first;
}

/* Category hash and seniority rank of text columns, NULL-aware. */
static void
js_text_attr(HeapTuple tup, TupleDesc desc, int col, bool *has, uint64 *hash,
			 int *level)
{
	bool		isnull;
	Datum		d = SPI_getbinval(tup, desc, col, &isnull);
	text	   *t;

	if (has)
		*has = !isnull;
	if (isnull)
	{
		if (level)
			*level = JS_SENIORITY_NONE;
		return;
	}
	t = DatumGetTextPP(d);
	if (hash)
		*hash = js_category_hash(VARDATA_ANY(t), VARSIZE_ANY_EXHDR(t));
	if (level)
		*level = js_sql_level(VARDATA_ANY(t), VARSIZE_ANY_EXHDR(t));
}

/* An integer column as a double, NULL-aware. */
static void
js_int_attr(HeapTuple tup, TupleDesc desc, int col, bool *has, double *value)
{
	bool		isnull;
	Datum		d = SPI_getbinval(tup, desc, col, &isnull);

	*has = !isnull;
	if (!isnull)
		*value = (double) DatumGetInt32(d);
}

/*
 * Read the candidates, the posts and the used pairs into st; runs inside
 * an SPI connection, allocates in cxt.
 */
static void
js_load_pools(JsAppState *st, MemoryContext cxt, int64 n)
{
	Portal		portal;
	uint64	   *hashes = NULL;
	int64		nhashes = 0,
				cap = 0;
	int64	   *cand_first = NULL;
	int64	   *post_first = NULL;
	int			ccap = 0,
				pcap = 0;
	int64		existing = 0;
	int64		pairs;
	size_t		slots;

	/* candidates */
	portal = SPI_cursor_open_with_args(NULL,
									   "SELECT candidate_id, job_category, skills, years_experience, "
									   "experience_level, expected_salary FROM jobstream.candidates "
									   "ORDER BY candidate_id LIMIT " CppAsString2(JS_POOL_MAX),
									   0, NULL, NULL, NULL, true, 0);
	for (;;)
	{
		SPI_cursor_fetch(portal, true, 10000);
		if (SPI_processed == 0)
			break;
		if (st->ncands + (int) SPI_processed > ccap)
		{
			ccap = Max(ccap * 2, st->ncands + (int) SPI_processed);
			st->cands = js_grow(cxt, st->cands, ccap * sizeof(JsGenApplicant));
			cand_first = js_grow(cxt, cand_first, ccap * sizeof(int64));
		}
		for (uint64 r = 0; r < SPI_processed; r++)
		{
			HeapTuple	tup = SPI_tuptable->vals[r];
			TupleDesc	desc = SPI_tuptable->tupdesc;
			JsGenApplicant *a = &st->cands[st->ncands];
			bool		isnull;
			Datum		d;

			memset(a, 0, sizeof(*a));
			memcpy(a->id, DatumGetUUIDP(SPI_getbinval(tup, desc, 1, &isnull))->data, 16);
			js_text_attr(tup, desc, 2, &a->side.has_category, &a->side.category, NULL);
			d = SPI_getbinval(tup, desc, 3, &isnull);
			a->side.has_skills = !isnull;
			if (!isnull)
				cand_first[st->ncands] = js_skill_hashes(d, &hashes, &nhashes, &cap, cxt,
														 &a->side.skills.n);
			js_int_attr(tup, desc, 4, &a->side.has_years, &a->side.years);
			js_text_attr(tup, desc, 5, NULL, NULL, &a->side.level);
			js_int_attr(tup, desc, 6, &a->side.has_salary, &a->side.expected_salary);
			st->ncands++;
		}
		SPI_freetuptable(SPI_tuptable);
	}
	SPI_cursor_close(portal);

	/* posts */
	portal = SPI_cursor_open_with_args(NULL,
									   "SELECT post_id, job_category, required_skills, min_years_experience, "
									   "experience_level, salary_max, posted_date, deadline_date "
									   "FROM jobstream.job_posts "
									   "ORDER BY post_id LIMIT " CppAsString2(JS_POOL_MAX),
									   0, NULL, NULL, NULL, true, 0);
	for (;;)
	{
		SPI_cursor_fetch(portal, true, 10000);
		if (SPI_processed == 0)
			break;
		if (st->nposts + (int) SPI_processed > pcap)
		{
			pcap = Max(pcap * 2, st->nposts + (int) SPI_processed);
			st->posts = js_grow(cxt, st->posts, pcap * sizeof(JsGenOpening));
			post_first = js_grow(cxt, post_first, pcap * sizeof(int64));
		}
		for (uint64 r = 0; r < SPI_processed; r++)
		{
			HeapTuple	tup = SPI_tuptable->vals[r];
			TupleDesc	desc = SPI_tuptable->tupdesc;
			JsGenOpening *o = &st->posts[st->nposts];
			bool		isnull,
						dnull;
			Datum		d;

			memset(o, 0, sizeof(*o));
			memcpy(o->id, DatumGetUUIDP(SPI_getbinval(tup, desc, 1, &isnull))->data, 16);
			js_text_attr(tup, desc, 2, &o->side.has_category, &o->side.category, NULL);
			d = SPI_getbinval(tup, desc, 3, &isnull);
			o->side.has_skills = !isnull;
			if (!isnull)
				post_first[st->nposts] = js_skill_hashes(d, &hashes, &nhashes, &cap, cxt,
														 &o->side.skills.n);
			js_int_attr(tup, desc, 4, &o->side.has_min_years, &o->side.min_years);
			js_text_attr(tup, desc, 5, NULL, NULL, &o->side.level);
			js_int_attr(tup, desc, 6, &o->side.has_salary_max, &o->side.salary_max);
			d = SPI_getbinval(tup, desc, 7, &isnull);
			{
				Datum		d2 = SPI_getbinval(tup, desc, 8, &dnull);

				if (!isnull && !DATE_NOT_FINITE(DatumGetDateADT(d)))
				{
					o->has_dates = true;
					o->posted_date = DatumGetDateADT(d) + JS_EPOCH_SHIFT_DAYS;
					o->deadline_date = o->posted_date + 30;
					if (!dnull && !DATE_NOT_FINITE(DatumGetDateADT(d2)) &&
						DatumGetDateADT(d2) + JS_EPOCH_SHIFT_DAYS >= o->posted_date)
						o->deadline_date = DatumGetDateADT(d2) + JS_EPOCH_SHIFT_DAYS;
				}
			}
			st->nposts++;
		}
		SPI_freetuptable(SPI_tuptable);
	}
	SPI_cursor_close(portal);

	/* the hash array has stopped moving: point the skill sets into it */
	for (int c = 0; c < st->ncands; c++)
		if (st->cands[c].side.has_skills)
			st->cands[c].side.skills.hashes = hashes + cand_first[c];
	for (int p = 0; p < st->nposts; p++)
		if (st->posts[p].side.has_skills)
			st->posts[p].side.skills.hashes = hashes + post_first[p];

	if (st->ncands == 0 || st->nposts == 0)
		ereport(ERROR,
				(errcode(ERRCODE_NO_DATA_FOUND),
				 errmsg("cannot generate job applications: there are no %s",
						st->ncands == 0 ? "candidates" : "job posts"),
				 errhint("Insert some first, for example with INSERT INTO jobstream.%s SELECT * FROM jobstream.generate_%s(1000).",
						 st->ncands == 0 ? "candidates" : "job_posts",
						 st->ncands == 0 ? "candidates" : "job_posts")));

	/* the pairs already in the table are used */
	if (SPI_execute("SELECT count(*) FROM jobstream.job_applications", true, 0) == SPI_OK_SELECT &&
		SPI_processed == 1)
	{
		bool		isnull;

		existing = DatumGetInt64(SPI_getbinval(SPI_tuptable->vals[0],
											   SPI_tuptable->tupdesc, 1, &isnull));
	}
	pairs = (int64) st->ncands * st->nposts;
	if (n > pairs)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("cannot generate " INT64_FORMAT " job applications from %d candidates and %d job posts",
						n, st->ncands, st->nposts),
				 errdetail("A candidate applies to a post at most once."),
				 errhint("Generate fewer applications, or more candidates or job posts.")));
	slots = 16;
	while ((double) slots * 3 / 4 < (double) existing + (double) n + 1)
		slots *= 2;
	js_pairset_init(&st->used, MemoryContextAllocHuge(cxt, slots * sizeof(uint64)), slots);

	portal = SPI_cursor_open_with_args(NULL,
									   "SELECT candidate_id, post_id FROM jobstream.job_applications",
									   0, NULL, NULL, NULL, true, 0);
	for (;;)
	{
		SPI_cursor_fetch(portal, true, 10000);
		if (SPI_processed == 0)
			break;
		for (uint64 r = 0; r < SPI_processed; r++)
		{
			bool		isnull;
			pg_uuid_t  *c = DatumGetUUIDP(SPI_getbinval(SPI_tuptable->vals[r],
														 SPI_tuptable->tupdesc, 1, &isnull));
			pg_uuid_t  *p = DatumGetUUIDP(SPI_getbinval(SPI_tuptable->vals[r],
														 SPI_tuptable->tupdesc, 2, &isnull));

			js_pairset_add(&st->used, js_pair_fingerprint(c->data, p->data));
		}
		SPI_freetuptable(SPI_tuptable);
	}
	SPI_cursor_close(portal);
}

/*
 * generate_applications(n bigint, seed bigint)
 *		n applications of the candidates in jobstream.candidates to the
 *		posts in jobstream.job_posts, none for a (candidate, post) pair that
 *		has one already, scored by the compatibility rules.
 */
Datum
jobstream_generate_applications(PG_FUNCTION_ARGS)
{
	int64		n = PG_GETARG_INT64(0);
	JsGenOptions opt = js_options(PG_GETARG_INT64(1),
								  JS_GEN_DEFAULT_AS_OF - JS_EPOCH_SHIFT_DAYS);
	MemoryContext callcxt = CurrentMemoryContext;
	JsAppState	st;
	JsGenPool	pool;
	JsEmitter	em;
	JsValue		row[JS_AP_NFIELDS];

	js_check_count(n);
	memset(&st, 0, sizeof(st));
	SPI_connect();
	js_load_pools(&st, callcxt, n);
	SPI_finish();

	memset(&pool, 0, sizeof(pool));
	pool.cands = st.cands;
	pool.ncands = st.ncands;
	pool.posts = st.posts;
	pool.nposts = st.nposts;
	pool.by_category = palloc(st.nposts * sizeof(int));
	pool.pair_used = js_app_pair_used;
	pool.pair_mark = js_app_pair_mark;
	pool.pair_arg = &st;
	js_gen_pool_prepare(&pool);

	js_emitter_init(&em, fcinfo, JS_TOPIC_APPLICATIONS, JS_AP_APPLIED_AT);
	js_arena();
	for (int64 i = 0; i < n; i++)
	{
		if (!js_gen_application(&pool, &opt, (uint64_t) i, -1, row))
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("no (candidate, post) pair is left for application " INT64_FORMAT, i),
					 errhint("Generate fewer applications, or more candidates or job posts.")));
		js_emit(&em, row);
	}
	return (Datum) 0;
}

/*
 * post_campaigns(post_id uuid) RETURNS TABLE (campaign_id integer,
 *											  group_id integer)
 *		The campaigns and ad groups that generate_tracking_events and
 *		jobstream-gen run a post's events in (js_gen_post_campaigns).
 */
Datum
jobstream_post_campaigns(PG_FUNCTION_ARGS)
{
	pg_uuid_t  *id = PG_GETARG_UUID_P(0);
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	int32_t		first;
	int			n = js_gen_post_campaigns(id->data, &first);

	InitMaterializedSRF(fcinfo, 0);
	for (int c = 0; c < n; c++)
		for (int g = 0; g < JS_GEN_GROUPS_PER_CAMPAIGN; g++)
		{
			Datum		values[2];
			bool		nulls[2] = {false, false};

			values[0] = Int32GetDatum(first + c);
			values[1] = Int32GetDatum((first + c) * JS_GEN_GROUPS_PER_CAMPAIGN + g);
			tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
		}
	return (Datum) 0;
}

/*
 * reference_changed() trigger
 *		Statement-level trigger on the reference tables: sends a relcache
 *		invalidation for the table, so that every backend reloads its
 *		generator snapshot once the change is visible to it.
 */
Datum
jobstream_reference_changed(PG_FUNCTION_ARGS)
{
	TriggerData *trigdata = (TriggerData *) fcinfo->context;

	js_trigger_check(fcinfo, "reference_changed", NULL, 0);
	CacheInvalidateRelcache(trigdata->tg_relation);
	return PointerGetDatum(NULL);
}
