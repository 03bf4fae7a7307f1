/*
 * campaign.c
 *		The campaign rollups of tracking_events, folded in C.
 *
 * What.  jobstream.rollup_tracking_events() is the AFTER INSERT FOR EACH
 * STATEMENT trigger of tracking_events and of each of its partitions.  It
 * reads the statement's transition table once, adds every event to a hash
 * table keyed by the finest grain of the campaign table (post, UTC date and
 * hour, publisher, campaign, group), derives the coarser rollups from that
 * much smaller delta by sorting it, and applies each rollup with ONE
 * prepared INSERT ... SELECT FROM unnest(rows) ... ON CONFLICT DO UPDATE
 * whose rows, an array of the rollup's own row type, are in its key order.
 * jobstream.rebuild_campaign_rollups() folds the whole table the same way,
 * so the incremental rollups and a rebuild share one definition.
 *
 * Why in C.  The plpgsql trigger it replaces aggregated the transition
 * table with SQL (FILTER clauses, numeric sums) and then re-aggregated a
 * materialized CTE three times; the trigger cost about twice the insert of
 * the rows.  Here each event costs a hash probe and a few additions: spend
 * is summed as an integer count of ten-thousandths (bid is numeric(10,4)),
 * so no numeric arithmetic per event.  What remains is one upsert per
 * touched group, which is the rollup's real work.
 *
 * Invariants.
 *	- Exactly once: the deltas are written in the inserting statement's
 *	  transaction, so they commit or roll back with the rows.  A statement
 *	  fires the triggers of the table it names only: inserts through
 *	  tracking_events fire the parent's, rows written straight into a
 *	  partition fire that partition's, so each row is counted once.
 *	- Only tracking_events and its partitions may fire the trigger (it is
 *	  SECURITY DEFINER and writes the rollups): any other table raises
 *	  insufficient_privilege.
 *	- One row per group in campaign_hourly (slice 0), so the campaign table
 *	  reads its rows without summing: writers that touch the same group
 *	  queue on its row until the first commits.  The other rollups, few
 *	  rows that every batch touches, keep the writer's slice (backend pid
 *	  modulo 16) in their keys, as in sql/0.2/60_analytics.sql, so that
 *	  writers do not queue on them.
 *	- Deadlock freedom: each rollup's rows are written in key order, and
 *	  the rollups in the same order.  (A statement of more than
 *	  CAMP_MAX_GROUPS groups, a bulk load, is written in several ordered
 *	  rounds; a writer of the same slice may then be chosen as a deadlock
 *	  victim, and a worker retries its batch.)
 *	- Memory: one hash entry per group, at most CAMP_MAX_GROUPS of them.
 *	- Buckets are by ts in UTC; ts must be finite.
 */
#include "postgres.h"

#include "access/htup_details.h"
#include "catalog/namespace.h"
#include "catalog/partition.h"
#include "catalog/pg_type.h"
#include "commands/trigger.h"
#include "executor/executor.h"
#include "executor/spi.h"
#include "executor/tuptable.h"
#include "fmgr.h"
#include "funcapi.h"
#include "miscadmin.h"
#include "storage/lmgr.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/date.h"
#include "utils/hsearch.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/numeric.h"
#include "utils/rel.h"
#include "utils/timestamp.h"
#include "utils/tuplestore.h"
#include "utils/typcache.h"
#include "utils/uuid.h"

#include "jobstream.h"

PG_FUNCTION_INFO_V1(jobstream_rollup_tracking_events);
PG_FUNCTION_INFO_V1(jobstream_rebuild_campaign_rollups);

/* The columns the rollups read, in this order. */
enum
{
	CA_TS, CA_POST, CA_COMPANY, CA_CAMPAIGN, CA_GROUP, CA_PUBLISHER,
	CA_TRACK, CA_BID, CA_NCOLS
};
static const char *const ca_columns[CA_NCOLS] = {
	"ts", "post_id", "company_id", "campaign_id", "group_id", "publisher_id",
	"custom_track", "bid"
};

/* The finest grain: one row of campaign_hourly (per slice). */
typedef struct CampKey
{
	pg_uuid_t	post_id;
	int32		event_date;		/* DateADT, UTC */
	int32		publisher_id;
	int32		campaign_id;
	int32		group_id;
	int32		event_hour;		/* 0..23, UTC */
} CampKey;

/* What a group adds to the rollups. */
typedef struct CampGroup
{
	CampKey		key;			/* first: the hash key */
	int32		company_id;		/* the largest seen */
	int64		events;
	int64		clicks;
	int64		spend;			/* sum of click bids, in 1/10000 */
	int64		conversions;
	int64		qualified;
	int64		unqualified;
	TimestampTz last_ts;
} CampGroup;

/* A fold in progress: the groups and the constants it needs. */
typedef struct CampFold
{
	HTAB	   *groups;
	MemoryContext cxt;			/* holds the table; reset per flush */
	MemoryContext scratch;		/* per-event work; reset every few events */
	int			unreset;		/* events since scratch was reset */
	Datum		ten_thousand;	/* numeric 10000 */
	int16		slice;
} CampFold;

/*
 * The rollups a fold writes, in this order (also the order their rows are
 * locked in).  Each is applied by one prepared statement that reads the
 * delta as an array of the rollup's own row type:
 *
 *	INSERT INTO jobstream.<table> AS r (<columns>)
 *	SELECT u.<columns> FROM unnest($1::jobstream.<table>[]) u
 *	ON CONFLICT <update>
 *
 * One array of rows built in C replaces unnest() of one array per column,
 * which took each element of each array apart in a separate call.
 */
enum
{
	CR_HOURLY, CR_TOTALS, CR_POSTS, CR_DAILY, CR_NROLLUPS
};

/* Every rollup's measures, in this order, after its key. */
#define CAMP_COUNTS {"clicks", INT8OID}, {"spend", NUMERICOID}, {"conversions", INT8OID}, \
	{"qualified", INT8OID}, {"unqualified", INT8OID}
#define CAMP_ADD_COUNTS "clicks = r.clicks + EXCLUDED.clicks, spend = r.spend + EXCLUDED.spend, " \
	"conversions = r.conversions + EXCLUDED.conversions, qualified = r.qualified + EXCLUDED.qualified, " \
	"unqualified = r.unqualified + EXCLUDED.unqualified"
#define CAMP_MAX_COLUMNS 14
#define CAMP_RESTORE_HINT "The campaign rollups are the extension's; restore their definition " \
	"(reinstall the extension, or ALTER EXTENSION jobstream UPDATE)."

typedef struct CampColumn
{
	const char *name;
	Oid			type;			/* what the C code stores in it */
} CampColumn;

typedef struct CampRollup
{
	const char *table;			/* in schema jobstream */
	CampColumn	columns[CAMP_MAX_COLUMNS + 1];	/* the delta's, name NULL-ended */
	const char *update;			/* what ON CONFLICT does */
} CampRollup;

static const CampRollup camp_rollups[CR_NROLLUPS] = {
	[CR_HOURLY] = {"campaign_hourly",
		{{"slice", INT2OID}, {"post_id", UUIDOID}, {"event_date", DATEOID}, {"event_hour", INT2OID},
			{"publisher_id", INT4OID}, {"campaign_id", INT4OID}, {"group_id", INT4OID},
		{"company_id", INT4OID}, CAMP_COUNTS, {"updated_at", TIMESTAMPTZOID}},
		"(event_date, event_hour, post_id, publisher_id, campaign_id, group_id, slice) DO UPDATE SET "
	"company_id = EXCLUDED.company_id, " CAMP_ADD_COUNTS ", updated_at = EXCLUDED.updated_at"},
	[CR_TOTALS] = {"campaign_hourly_totals",
		{{"slice", INT2OID}, {"hour", TIMESTAMPTZOID}, {"events", INT8OID}, CAMP_COUNTS},
	"(hour, slice) DO UPDATE SET events = r.events + EXCLUDED.events, " CAMP_ADD_COUNTS},
	[CR_POSTS] = {"campaign_posts",
		{{"slice", INT2OID}, {"post_id", UUIDOID}, {"company_id", INT4OID}, CAMP_COUNTS,
		{"last_event_at", TIMESTAMPTZOID}},
		"(post_id, slice) DO UPDATE SET company_id = EXCLUDED.company_id, " CAMP_ADD_COUNTS ", "
	"last_event_at = greatest(r.last_event_at, EXCLUDED.last_event_at)"},
	[CR_DAILY] = {"campaign_daily",
		{{"slice", INT2OID}, {"event_date", DATEOID}, {"publisher_id", INT4OID}, {"events", INT8OID},
		CAMP_COUNTS},
	"(event_date, publisher_id, slice) DO UPDATE SET events = r.events + EXCLUDED.events, " CAMP_ADD_COUNTS},
};

/*
 * A rollup's statement, prepared once per backend for the row type it was
 * prepared with (a new one, after the extension was dropped and created
 * again in this session, prepares it again).
 */
static SPIPlanPtr camp_plans[CR_NROLLUPS];
static Oid	camp_plan_types[CR_NROLLUPS];
static SPIPlanPtr camp_changed_plan;

/* The campaign rollups, for rebuild_campaign_rollups' TRUNCATE and lock. */
#define CAMP_ROLLUPS "jobstream.campaign_hourly, jobstream.campaign_hourly_totals, " \
	"jobstream.campaign_daily, jobstream.campaign_posts"

/* Folds rows in memory up to this many groups before writing them out. */
#define CAMP_MAX_GROUPS 1000000

/*
 * camp_rollup_type
 *		The row type of rollup r's table; an error when it is missing.
 */
static Oid
camp_rollup_type(int r)
{
	Oid			nsp = get_namespace_oid("jobstream", false);
	Oid			relid = get_relname_relid(camp_rollups[r].table, nsp);
	Oid			typid;

	if (!OidIsValid(relid))
		elog(ERROR, "relation jobstream.%s does not exist", camp_rollups[r].table);
	/* the lock the upsert takes, before its row type is read */
	LockRelationOid(relid, RowExclusiveLock);
	typid = get_rel_type_id(relid);
	if (!OidIsValid(typid))
		elog(ERROR, "relation jobstream.%s has no row type", camp_rollups[r].table);
	return typid;
}

/*
 * camp_prepare
 *		Prepares rollup r's statement for row type typid, unless it already
 *		is.
 */
static void
camp_prepare(int r, Oid typid)
{
	const CampRollup *cr = &camp_rollups[r];
	MemoryContext mcxt = CurrentMemoryContext;
	StringInfoData sql;
	Oid			argtype = get_array_type(typid);
	SPIPlanPtr	plan;
	int			i;

	if (camp_plans[r] != NULL && camp_plan_types[r] == typid)
		return;
	if (camp_plans[r] != NULL)
	{
		SPI_freeplan(camp_plans[r]);
		camp_plans[r] = NULL;
	}
	initStringInfo(&sql);
	appendStringInfo(&sql, "INSERT INTO jobstream.%s AS r (", cr->table);
	for (i = 0; cr->columns[i].name != NULL; i++)
		appendStringInfo(&sql, "%s%s", i > 0 ? ", " : "", cr->columns[i].name);
	appendStringInfoString(&sql, ") SELECT ");
	for (i = 0; cr->columns[i].name != NULL; i++)
		appendStringInfo(&sql, "%su.%s", i > 0 ? ", " : "", cr->columns[i].name);
	appendStringInfo(&sql, " FROM pg_catalog.unnest($1::jobstream.%s[]) u ON CONFLICT %s",
					 cr->table, cr->update);
	plan = SPI_prepare(sql.data, 1, &argtype);
	if (plan == NULL)
		elog(ERROR, "could not prepare the rollup statement of jobstream.%s: %s",
			 cr->table, SPI_result_code_string(SPI_result));
	SPI_keepplan(plan);
	MemoryContextSwitchTo(mcxt);	/* SPI returns in its own context */
	pfree(sql.data);
	camp_plans[r] = plan;
	camp_plan_types[r] = typid;
}

/*
 * The rows of one rollup's delta, each formed as a value of the rollup's
 * row type from the columns of camp_rollups[] set one by one.
 */
typedef struct CampRows
{
	int			rollup;
	TupleDesc	desc;
	AttrNumber	attnum[CAMP_MAX_COLUMNS];	/* of each column in desc */
	Datum	   *values;			/* one row, in desc's order */
	bool	   *nulls;
	Datum	   *rows;
	long		n;
} CampRows;

/*
 * camp_rows_init
 *		Starts rollup r's delta of up to maxrows rows, in the current memory
 *		context.  Every column the delta names must exist with the type the
 *		code stores; the table's other columns get their defaults.
 */
static void
camp_rows_init(CampRows *rows, int r, long maxrows)
{
	const CampRollup *cr = &camp_rollups[r];
	Oid			typid = camp_rollup_type(r);
	int			i,
				k;

	camp_prepare(r, typid);
	rows->rollup = r;
	rows->desc = lookup_rowtype_tupdesc_copy(typid, -1);
	rows->values = palloc0(sizeof(Datum) * rows->desc->natts);
	rows->nulls = palloc(sizeof(bool) * rows->desc->natts);
	memset(rows->nulls, true, sizeof(bool) * rows->desc->natts);
	for (k = 0; cr->columns[k].name != NULL; k++)
	{
		rows->attnum[k] = InvalidAttrNumber;
		for (i = 0; i < rows->desc->natts; i++)
		{
			Form_pg_attribute att = TupleDescAttr(rows->desc, i);

			if (!att->attisdropped && strcmp(NameStr(att->attname), cr->columns[k].name) == 0)
			{
				if (att->atttypid != cr->columns[k].type)
					ereport(ERROR,
							(errcode(ERRCODE_DATATYPE_MISMATCH),
							 errmsg("column \"%s\" of jobstream.%s is of type %s, not %s",
									cr->columns[k].name, cr->table, format_type_be(att->atttypid),
									format_type_be(cr->columns[k].type)),
							 errhint(CAMP_RESTORE_HINT)));
				rows->attnum[k] = att->attnum;
				rows->nulls[i] = false;
				break;
			}
		}
		if (rows->attnum[k] == InvalidAttrNumber)
			ereport(ERROR,
					(errcode(ERRCODE_UNDEFINED_COLUMN),
					 errmsg("jobstream.%s has no column \"%s\"", cr->table, cr->columns[k].name),
					 errhint(CAMP_RESTORE_HINT)));
	}
	rows->rows = palloc(sizeof(Datum) * Max(maxrows, 1));
	rows->n = 0;
}

/* Sets column k (an index into the rollup's columns) of the next row. */
static inline void
camp_rows_set(CampRows *rows, int k, Datum value)
{
	rows->values[rows->attnum[k] - 1] = value;
}

/*
 * camp_rows_add
 *		Adds the row whose columns are set so far to the delta.
 */
static void
camp_rows_add(CampRows *rows)
{
	HeapTuple	tuple = heap_form_tuple(rows->desc, rows->values, rows->nulls);

	/* formed as a datum of the row type: nothing toasted, no copy */
	rows->rows[rows->n++] = HeapTupleGetDatum(tuple);
}

/*
 * camp_rows_run
 *		Applies the delta to its rollup, in the order the rows were added.
 */
static void
camp_rows_run(CampRows *rows)
{
	MemoryContext mcxt = CurrentMemoryContext;
	int16		typlen;
	bool		typbyval;
	char		typalign;
	Datum		array;

	if (rows->n == 0)
		return;
	get_typlenbyvalalign(rows->desc->tdtypeid, &typlen, &typbyval, &typalign);
	array = PointerGetDatum(construct_array(rows->rows, (int) rows->n, rows->desc->tdtypeid,
											typlen, typbyval, typalign));
	if (SPI_execute_plan(camp_plans[rows->rollup], &array, NULL, false, 0) < 0)
		elog(ERROR, "could not apply a delta to jobstream.%s", camp_rollups[rows->rollup].table);
	/* SPI returns in its own context, which lives until SPI_finish */
	MemoryContextSwitchTo(mcxt);
	pfree(DatumGetPointer(array));
}

/*
 * camp_prepare_changed
 *		Prepares (once per backend) the count of changes the refresher reads.
 */
static void
camp_prepare_changed(void)
{
	Oid			argtype = INT2OID;
	SPIPlanPtr	plan;

	if (camp_changed_plan != NULL)
		return;
	plan = SPI_prepare("UPDATE jobstream.rollup_changes SET changes = changes + 1 "
					   "WHERE rollup = 'events' AND slice = $1", 1, &argtype);
	if (plan == NULL)
		elog(ERROR, "could not prepare the count of rollup changes: %s",
			 SPI_result_code_string(SPI_result));
	SPI_keepplan(plan);
	camp_changed_plan = plan;
}

/*
 * camp_fold_init
 *		Starts a fold for the current writer's slice, its memory under the
 *		current context.
 */
static void
camp_fold_init(CampFold *f)
{
	HASHCTL		ctl;

	f->cxt = AllocSetContextCreate(CurrentMemoryContext, "jobstream campaign fold",
								   ALLOCSET_DEFAULT_SIZES);
	memset(&ctl, 0, sizeof(ctl));
	ctl.keysize = sizeof(CampKey);
	ctl.entrysize = sizeof(CampGroup);
	ctl.hcxt = f->cxt;
	f->groups = hash_create("jobstream campaign groups", 1024, &ctl,
							HASH_ELEM | HASH_BLOBS | HASH_CONTEXT);
	f->scratch = AllocSetContextCreate(f->cxt, "jobstream campaign event",
									   ALLOCSET_SMALL_SIZES);
	f->unreset = 0;
	f->ten_thousand = DirectFunctionCall1(int4_numeric, Int32GetDatum(10000));
	f->slice = (int16) (MyProcPid % 16);
}

/*
 * camp_bid_units
 *		A bid (numeric(10,4)) as a whole number of ten-thousandths.
 */
static int64
camp_bid_units(CampFold *f, Datum bid)
{
	return DatumGetInt64(DirectFunctionCall1(numeric_int8,
											 DirectFunctionCall2(numeric_mul, bid, f->ten_thousand)));
}

/*
 * camp_add
 *		Adds one event, given as the CA_NCOLS columns, to the fold.
 */
static void
camp_add(CampFold *f, const Datum *v, const bool *isnull)
{
	CampKey		key;
	CampGroup  *g;
	bool		found;
	TimestampTz ts;
	int64		day;
	text	   *track;
	const char *t;
	int			len;
	int			i;
	MemoryContext old;

	if (++f->unreset >= 1024)
	{
		MemoryContextReset(f->scratch);
		f->unreset = 0;
	}
	old = MemoryContextSwitchTo(f->scratch);
	for (i = 0; i < CA_NCOLS; i++)
		if (isnull[i])
			ereport(ERROR,
					(errcode(ERRCODE_NOT_NULL_VIOLATION),
					 errmsg("tracking event with a null %s cannot be rolled up", ca_columns[i]),
					 errhint("Every column of jobstream.tracking_events is NOT NULL; check the table's definition.")));
	ts = DatumGetTimestampTz(v[CA_TS]);
	if (TIMESTAMP_NOT_FINITE(ts))
		ereport(ERROR,
				(errcode(ERRCODE_DATETIME_VALUE_OUT_OF_RANGE),
				 errmsg("tracking event with ts %s cannot be rolled up", TIMESTAMP_IS_NOBEGIN(ts) ? "-infinity" : "infinity"),
				 errhint("Give each event the finite time it happened.")));

	memset(&key, 0, sizeof(key));	/* the key is hashed as bytes */
	memcpy(&key.post_id, DatumGetUUIDP(v[CA_POST]), sizeof(pg_uuid_t));
	day = ts / USECS_PER_DAY;
	if (ts % USECS_PER_DAY < 0)
		day--;
	key.event_date = (int32) day;
	key.event_hour = (int32) ((ts - day * USECS_PER_DAY) / USECS_PER_HOUR);
	key.publisher_id = DatumGetInt32(v[CA_PUBLISHER]);
	key.campaign_id = DatumGetInt32(v[CA_CAMPAIGN]);
	key.group_id = DatumGetInt32(v[CA_GROUP]);

	g = (CampGroup *) hash_search(f->groups, &key, HASH_ENTER, &found);
	if (!found)
	{
		memset((char *) g + sizeof(CampKey), 0, sizeof(CampGroup) - sizeof(CampKey));
		g->company_id = DatumGetInt32(v[CA_COMPANY]);
		g->last_ts = ts;
	}
	else
	{
		g->company_id = Max(g->company_id, DatumGetInt32(v[CA_COMPANY]));
		g->last_ts = Max(g->last_ts, ts);
	}
	g->events++;

	track = DatumGetTextPP(v[CA_TRACK]);
	t = VARDATA_ANY(track);
	len = VARSIZE_ANY_EXHDR(track);
	if (len == 5 && memcmp(t, "click", 5) == 0)
	{
		g->clicks++;
		g->spend += camp_bid_units(f, v[CA_BID]);
	}
	else if (len == 10 && memcmp(t, "conversion", 10) == 0)
		g->conversions++;
	else if (len == 9 && memcmp(t, "qualified", 9) == 0)
		g->qualified++;
	else if (len == 11 && memcmp(t, "unqualified", 11) == 0)
		g->unqualified++;
	MemoryContextSwitchTo(old);
}

/* Orders of the delta: each rollup's key. */
static int
camp_cmp_hour(const void *a, const void *b)
{
	const CampKey *x = &(*(CampGroup *const *) a)->key;
	const CampKey *y = &(*(CampGroup *const *) b)->key;

	if (x->event_date != y->event_date)
		return x->event_date < y->event_date ? -1 : 1;
	if (x->event_hour != y->event_hour)
		return x->event_hour < y->event_hour ? -1 : 1;
	return 0;
}

static int
camp_cmp_hourly(const void *a, const void *b)
{
	const CampKey *x = &(*(CampGroup *const *) a)->key;
	const CampKey *y = &(*(CampGroup *const *) b)->key;
	int			c = camp_cmp_hour(a, b);

	if (c != 0)
		return c;
	c = memcmp(&x->post_id, &y->post_id, sizeof(pg_uuid_t));
	if (c != 0)
		return c;
	if (x->publisher_id != y->publisher_id)
		return x->publisher_id < y->publisher_id ? -1 : 1;
	if (x->campaign_id != y->campaign_id)
		return x->campaign_id < y->campaign_id ? -1 : 1;
	if (x->group_id != y->group_id)
		return x->group_id < y->group_id ? -1 : 1;
	return 0;
}

static int
camp_cmp_posts(const void *a, const void *b)
{
	const CampKey *x = &(*(CampGroup *const *) a)->key;
	const CampKey *y = &(*(CampGroup *const *) b)->key;

	return memcmp(&x->post_id, &y->post_id, sizeof(pg_uuid_t));
}

static int
camp_cmp_daily(const void *a, const void *b)
{
	const CampKey *x = &(*(CampGroup *const *) a)->key;
	const CampKey *y = &(*(CampGroup *const *) b)->key;

	if (x->event_date != y->event_date)
		return x->event_date < y->event_date ? -1 : 1;
	if (x->publisher_id != y->publisher_id)
		return x->publisher_id < y->publisher_id ? -1 : 1;
	return 0;
}

/*
 * camp_merge
 *		Adds group g's measures to sum (counts summed, company and last
 *		event the greatest), for the coarser rollups.
 */
static void
camp_merge(CampGroup *sum, const CampGroup *g)
{
	sum->company_id = Max(sum->company_id, g->company_id);
	sum->events += g->events;
	sum->clicks += g->clicks;
	sum->spend += g->spend;
	sum->conversions += g->conversions;
	sum->qualified += g->qualified;
	sum->unqualified += g->unqualified;
	sum->last_ts = Max(sum->last_ts, g->last_ts);
}

/*
 * camp_sum_run
 *		Sums into *sum the run of groups from g[i] that equal it under
 *		cmp, the order g is sorted in; returns the index after the run.
 */
static long
camp_sum_run(CampGroup **g, long n, long i, int (*cmp) (const void *, const void *),
			 CampGroup *sum)
{
	long		j;

	*sum = *g[i];
	for (j = i + 1; j < n && cmp(&g[i], &g[j]) == 0; j++)
		camp_merge(sum, g[j]);
	return j;
}

/*
 * camp_put_counts
 *		Sets the measures of g in the delta's row: clicks, spend, conversions,
 *		qualified and unqualified, the columns from k on (every rollup has
 *		them in that order).  Spend is numeric with four decimals, as the
 *		bids it sums.
 */
static void
camp_put_counts(CampRows *rows, int k, const CampGroup *g)
{
	camp_rows_set(rows, k, Int64GetDatum(g->clicks));
	camp_rows_set(rows, k + 1, NumericGetDatum(int64_div_fast_to_numeric(g->spend, 4)));
	camp_rows_set(rows, k + 2, Int64GetDatum(g->conversions));
	camp_rows_set(rows, k + 3, Int64GetDatum(g->qualified));
	camp_rows_set(rows, k + 4, Int64GetDatum(g->unqualified));
}

/*
 * camp_flush
 *		Writes the fold's groups to the four rollups and empties the fold.
 *		The caller is connected to SPI.
 */
static void
camp_flush(CampFold *f)
{
	long		n = hash_get_num_entries(f->groups);
	TimestampTz now = GetCurrentTimestamp();
	CampGroup **g;
	CampGroup  *e;
	HASH_SEQ_STATUS seq;
	CampRows	rows;
	MemoryContext old;
	long		i,
				j;

	if (n == 0)
		return;
	old = MemoryContextSwitchTo(f->cxt);
	g = palloc(sizeof(CampGroup *) * n);
	i = 0;
	hash_seq_init(&seq, f->groups);
	while ((e = (CampGroup *) hash_seq_search(&seq)) != NULL)
		g[i++] = e;

	/* campaign_hourly: every group, one row each (slice 0) */
	qsort(g, n, sizeof(CampGroup *), camp_cmp_hourly);
	camp_rows_init(&rows, CR_HOURLY, n);
	camp_rows_set(&rows, 0, Int16GetDatum(0));
	camp_rows_set(&rows, 13, TimestampTzGetDatum(now));
	for (i = 0; i < n; i++)
	{
		e = g[i];
		if ((i & 1023) == 1023)
			CHECK_FOR_INTERRUPTS();
		camp_rows_set(&rows, 1, UUIDPGetDatum(&e->key.post_id));
		camp_rows_set(&rows, 2, DateADTGetDatum(e->key.event_date));
		camp_rows_set(&rows, 3, Int16GetDatum((int16) e->key.event_hour));
		camp_rows_set(&rows, 4, Int32GetDatum(e->key.publisher_id));
		camp_rows_set(&rows, 5, Int32GetDatum(e->key.campaign_id));
		camp_rows_set(&rows, 6, Int32GetDatum(e->key.group_id));
		camp_rows_set(&rows, 7, Int32GetDatum(e->company_id));
		camp_put_counts(&rows, 8, e);
		camp_rows_add(&rows);
	}
	camp_rows_run(&rows);

	/* campaign_hourly_totals: per hour, in the same order */
	camp_rows_init(&rows, CR_TOTALS, n);
	camp_rows_set(&rows, 0, Int16GetDatum(f->slice));
	for (i = 0; i < n; i = j)
	{
		CampGroup	sum;

		j = camp_sum_run(g, n, i, camp_cmp_hour, &sum);
		camp_rows_set(&rows, 1, TimestampTzGetDatum((TimestampTz) sum.key.event_date * USECS_PER_DAY +
												   (TimestampTz) sum.key.event_hour * USECS_PER_HOUR));
		camp_rows_set(&rows, 2, Int64GetDatum(sum.events));
		camp_put_counts(&rows, 3, &sum);
		camp_rows_add(&rows);
	}
	camp_rows_run(&rows);

	/* campaign_posts */
	qsort(g, n, sizeof(CampGroup *), camp_cmp_posts);
	camp_rows_init(&rows, CR_POSTS, n);
	camp_rows_set(&rows, 0, Int16GetDatum(f->slice));
	for (i = 0; i < n; i = j)
	{
		CampGroup	sum;

		j = camp_sum_run(g, n, i, camp_cmp_posts, &sum);
		camp_rows_set(&rows, 1, UUIDPGetDatum(&g[i]->key.post_id));
		camp_rows_set(&rows, 2, Int32GetDatum(sum.company_id));
		camp_put_counts(&rows, 3, &sum);
		camp_rows_set(&rows, 8, TimestampTzGetDatum(sum.last_ts));
		camp_rows_add(&rows);
	}
	camp_rows_run(&rows);

	/* campaign_daily */
	qsort(g, n, sizeof(CampGroup *), camp_cmp_daily);
	camp_rows_init(&rows, CR_DAILY, n);
	camp_rows_set(&rows, 0, Int16GetDatum(f->slice));
	for (i = 0; i < n; i = j)
	{
		CampGroup	sum;

		j = camp_sum_run(g, n, i, camp_cmp_daily, &sum);
		camp_rows_set(&rows, 1, DateADTGetDatum(sum.key.event_date));
		camp_rows_set(&rows, 2, Int32GetDatum(sum.key.publisher_id));
		camp_rows_set(&rows, 3, Int64GetDatum(sum.events));
		camp_put_counts(&rows, 4, &sum);
		camp_rows_add(&rows);
	}
	camp_rows_run(&rows);

	MemoryContextSwitchTo(old);
	MemoryContextReset(f->cxt);
	f->scratch = AllocSetContextCreate(f->cxt, "jobstream campaign event",
									   ALLOCSET_SMALL_SIZES);
	f->unreset = 0;
	{
		HASHCTL		ctl;

		memset(&ctl, 0, sizeof(ctl));
		ctl.keysize = sizeof(CampKey);
		ctl.entrysize = sizeof(CampGroup);
		ctl.hcxt = f->cxt;
		f->groups = hash_create("jobstream campaign groups", 1024, &ctl,
								HASH_ELEM | HASH_BLOBS | HASH_CONTEXT);
	}
}

/*
 * camp_changed
 *		Counts one change of the events rollups, for the refresher.
 */
static void
camp_changed(CampFold *f)
{
	Datum		slice = Int16GetDatum(f->slice);

	camp_prepare_changed();
	if (SPI_execute_plan(camp_changed_plan, &slice, NULL, false, 0) < 0)
		elog(ERROR, "could not count a change of the campaign rollups");
}

/*
 * camp_tracking_events_relid
 *		The OID of jobstream.tracking_events; an error when it is missing.
 */
static Oid
camp_tracking_events_relid(void)
{
	Oid			nsp = get_namespace_oid("jobstream", false);
	Oid			relid = get_relname_relid("tracking_events", nsp);

	if (!OidIsValid(relid))
		elog(ERROR, "relation jobstream.tracking_events does not exist");
	return relid;
}

/*
 * camp_check_relation
 *		Raises insufficient_privilege unless relid is tracking_events or one
 *		of its partitions (at any depth).
 */
static void
camp_check_relation(Oid relid)
{
	Oid			parent = camp_tracking_events_relid();
	List	   *ancestors;

	if (relid == parent)
		return;
	if (get_rel_relispartition(relid))
	{
		ancestors = get_partition_ancestors(relid);
		if (list_member_oid(ancestors, parent))
			return;
	}
	ereport(ERROR,
			(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
			 errmsg("jobstream.rollup_tracking_events() may only fire for jobstream.tracking_events and its partitions, not for %s",
					get_rel_name(relid) ?
					quote_qualified_identifier(get_namespace_name(get_rel_namespace(relid)), get_rel_name(relid)) :
					"an unknown relation"),
			 errhint("Drop this trigger; the campaign rollups count the rows of jobstream.tracking_events only.")));
}

/*
 * camp_attnums
 *		The attribute numbers of the columns the rollups read in desc.
 */
static void
camp_attnums(TupleDesc desc, AttrNumber *attnums)
{
	int			i,
				k;

	for (k = 0; k < CA_NCOLS; k++)
	{
		attnums[k] = InvalidAttrNumber;
		for (i = 0; i < desc->natts; i++)
		{
			Form_pg_attribute att = TupleDescAttr(desc, i);

			if (!att->attisdropped && strcmp(NameStr(att->attname), ca_columns[k]) == 0)
			{
				attnums[k] = att->attnum;
				break;
			}
		}
		if (attnums[k] == InvalidAttrNumber)
			elog(ERROR, "tracking_events has no column \"%s\"", ca_columns[k]);
	}
}

/*
 * jobstream_rollup_tracking_events
 *		AFTER INSERT FOR EACH STATEMENT trigger, REFERENCING NEW TABLE, of
 *		tracking_events and its partitions: adds the statement's events to
 *		the campaign rollups.
 */
Datum
jobstream_rollup_tracking_events(PG_FUNCTION_ARGS)
{
	TriggerData *td = (TriggerData *) fcinfo->context;
	TupleDesc	desc;
	TupleTableSlot *slot;
	AttrNumber	attnums[CA_NCOLS];
	Datum		v[CA_NCOLS];
	bool		isnull[CA_NCOLS];
	CampFold	f;
	int			readptr;
	uint64		nrows = 0;
	int			k;

	if (!CALLED_AS_TRIGGER(fcinfo))
		ereport(ERROR,
				(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
				 errmsg("jobstream.rollup_tracking_events() can only be called as a trigger"),
				 errhint("Insert into jobstream.tracking_events; its trigger calls this function.")));
	camp_check_relation(RelationGetRelid(td->tg_relation));
	if (!TRIGGER_FIRED_AFTER(td->tg_event) || !TRIGGER_FIRED_FOR_STATEMENT(td->tg_event) ||
		!TRIGGER_FIRED_BY_INSERT(td->tg_event) || td->tg_newtable == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
				 errmsg("jobstream.rollup_tracking_events() must be an AFTER INSERT FOR EACH STATEMENT trigger with a NEW TABLE"),
				 errhint("Create it as jobstream.create_tracking_partitions() does: AFTER INSERT ... REFERENCING NEW TABLE AS new_events FOR EACH STATEMENT.")));

	desc = RelationGetDescr(td->tg_relation);
	camp_attnums(desc, attnums);
	camp_fold_init(&f);
	slot = MakeSingleTupleTableSlot(desc, &TTSOpsMinimalTuple);
	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");

	/*
	 * A read pointer of our own, from the start, as other triggers may read
	 * the transition table too.  A statement of more than CAMP_MAX_GROUPS
	 * groups is written out in several rounds, each in key order.
	 */
	readptr = tuplestore_alloc_read_pointer(td->tg_newtable, EXEC_FLAG_REWIND);
	tuplestore_select_read_pointer(td->tg_newtable, readptr);
	tuplestore_rescan(td->tg_newtable);
	while (tuplestore_gettupleslot(td->tg_newtable, true, false, slot))
	{
		if ((++nrows & 4095) == 0)
			CHECK_FOR_INTERRUPTS();
		for (k = 0; k < CA_NCOLS; k++)
			v[k] = slot_getattr(slot, attnums[k], &isnull[k]);
		camp_add(&f, v, isnull);
		if (hash_get_num_entries(f.groups) >= CAMP_MAX_GROUPS)
			camp_flush(&f);
	}
	tuplestore_select_read_pointer(td->tg_newtable, 0);
	ExecDropSingleTupleTableSlot(slot);
	camp_flush(&f);
	camp_changed(&f);
	SPI_finish();
	MemoryContextDelete(f.cxt);
	return PointerGetDatum(NULL);
}

/*
 * jobstream_rebuild_campaign_rollups
 *		Empties the campaign rollups and folds every row of tracking_events
 *		into them again, with the trigger's code.
 */
Datum
jobstream_rebuild_campaign_rollups(PG_FUNCTION_ARGS)
{
	CampFold	f;
	Portal		portal;
	Datum		v[CA_NCOLS];
	bool		isnull[CA_NCOLS];
	uint64		i;
	int			k;
	int64		rows = 0;

	camp_fold_init(&f);
	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	if (SPI_execute("LOCK TABLE jobstream.tracking_events IN SHARE MODE", false, 0) < 0 ||
		SPI_execute("TRUNCATE " CAMP_ROLLUPS, false, 0) < 0)
		elog(ERROR, "could not empty the campaign rollups");
	portal = SPI_cursor_open_with_args(NULL,
									   "SELECT ts, post_id, company_id, campaign_id, group_id, publisher_id, "
									   "custom_track, bid FROM jobstream.tracking_events",
									   0, NULL, NULL, NULL, true, 0);
	for (;;)
	{
		SPI_cursor_fetch(portal, true, 10000);
		if (SPI_processed == 0)
			break;
		for (i = 0; i < SPI_processed; i++)
		{
			for (k = 0; k < CA_NCOLS; k++)
				v[k] = SPI_getbinval(SPI_tuptable->vals[i], SPI_tuptable->tupdesc, k + 1, &isnull[k]);
			camp_add(&f, v, isnull);
		}
		rows += SPI_processed;
		SPI_freetuptable(SPI_tuptable);
		if (hash_get_num_entries(f.groups) >= CAMP_MAX_GROUPS)
			camp_flush(&f);
		CHECK_FOR_INTERRUPTS();
	}
	SPI_cursor_close(portal);
	camp_flush(&f);
	camp_changed(&f);
	SPI_finish();
	MemoryContextDelete(f.cxt);
	PG_RETURN_INT64(rows);
}
