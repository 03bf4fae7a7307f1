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
 * prepared INSERT ... SELECT FROM unnest(arrays) ... ON CONFLICT DO UPDATE
 * whose rows are in the rollup's key order.  jobstream.rebuild_campaign_
 * rollups() folds the whole table the same way, so the incremental rollups
 * and a rebuild share one definition.
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
#include "miscadmin.h"
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

/* Rollup statements, prepared once per backend. */
enum
{
	CS_HOURLY, CS_TOTALS, CS_POSTS, CS_DAILY, CS_CHANGED, CS_NSTMTS
};
static SPIPlanPtr camp_plans[CS_NSTMTS];

/* The campaign rollups, for rebuild_campaign_rollups' TRUNCATE and lock. */
#define CAMP_ROLLUPS "jobstream.campaign_hourly, jobstream.campaign_hourly_totals, " \
	"jobstream.campaign_daily, jobstream.campaign_posts"

/* Folds rows in memory up to this many groups before writing them out. */
#define CAMP_MAX_GROUPS 1000000

/*
 * camp_prepare
 *		Prepares (once per backend) the statements that apply a delta, each
 *		reading parallel arrays in the rollup's key order.  $1 is the slice.
 */
static void
camp_prepare(void)
{
	static const char *const sql[CS_NSTMTS] = {
		[CS_HOURLY] =
		"INSERT INTO jobstream.campaign_hourly AS r "
		"SELECT $1, u.p, u.d, u.h, u.pub, u.cam, u.grp, u.co, u.cl, u.sp * 0.0001, u.cv, u.q, u.uq, "
		"pg_catalog.clock_timestamp() "
		"FROM unnest($2::uuid[], $3::date[], $4::int2[], $5::int4[], $6::int4[], $7::int4[], "
		"$8::int4[], $9::int8[], $10::int8[], $11::int8[], $12::int8[], $13::int8[]) "
		"AS u(p, d, h, pub, cam, grp, co, cl, sp, cv, q, uq) "
		"ON CONFLICT (event_date, event_hour, post_id, publisher_id, campaign_id, group_id, slice) DO UPDATE SET "
		"company_id = EXCLUDED.company_id, clicks = r.clicks + EXCLUDED.clicks, "
		"spend = r.spend + EXCLUDED.spend, conversions = r.conversions + EXCLUDED.conversions, "
		"qualified = r.qualified + EXCLUDED.qualified, unqualified = r.unqualified + EXCLUDED.unqualified, "
		"updated_at = EXCLUDED.updated_at",
		[CS_TOTALS] =
		"INSERT INTO jobstream.campaign_hourly_totals AS r "
		"SELECT $1, u.hr, u.ev, u.cl, u.sp * 0.0001, u.cv, u.q, u.uq "
		"FROM unnest($2::timestamptz[], $3::int8[], $4::int8[], "
		"$5::int8[], $6::int8[], $7::int8[], $8::int8[]) AS u(hr, ev, cl, sp, cv, q, uq) "
		"ON CONFLICT (hour, slice) DO UPDATE SET "
		"events = r.events + EXCLUDED.events, clicks = r.clicks + EXCLUDED.clicks, "
		"spend = r.spend + EXCLUDED.spend, conversions = r.conversions + EXCLUDED.conversions, "
		"qualified = r.qualified + EXCLUDED.qualified, unqualified = r.unqualified + EXCLUDED.unqualified",
		[CS_POSTS] =
		"INSERT INTO jobstream.campaign_posts AS r "
		"SELECT $1, u.p, u.co, u.cl, u.sp * 0.0001, u.cv, u.q, u.uq, u.last "
		"FROM unnest($2::uuid[], $3::int4[], $4::int8[], $5::int8[], "
		"$6::int8[], $7::int8[], $8::int8[], $9::timestamptz[]) AS u(p, co, cl, sp, cv, q, uq, last) "
		"ON CONFLICT (post_id, slice) DO UPDATE SET "
		"company_id = EXCLUDED.company_id, clicks = r.clicks + EXCLUDED.clicks, "
		"spend = r.spend + EXCLUDED.spend, conversions = r.conversions + EXCLUDED.conversions, "
		"qualified = r.qualified + EXCLUDED.qualified, unqualified = r.unqualified + EXCLUDED.unqualified, "
		"last_event_at = greatest(r.last_event_at, EXCLUDED.last_event_at)",
		[CS_DAILY] =
		"INSERT INTO jobstream.campaign_daily AS r "
		"SELECT $1, u.d, u.pub, u.ev, u.cl, u.sp * 0.0001, u.cv, u.q, u.uq "
		"FROM unnest($2::date[], $3::int4[], $4::int8[], $5::int8[], "
		"$6::int8[], $7::int8[], $8::int8[], $9::int8[]) AS u(d, pub, ev, cl, sp, cv, q, uq) "
		"ON CONFLICT (event_date, publisher_id, slice) DO UPDATE SET "
		"events = r.events + EXCLUDED.events, clicks = r.clicks + EXCLUDED.clicks, "
		"spend = r.spend + EXCLUDED.spend, conversions = r.conversions + EXCLUDED.conversions, "
		"qualified = r.qualified + EXCLUDED.qualified, unqualified = r.unqualified + EXCLUDED.unqualified",
		[CS_CHANGED] =
		"UPDATE jobstream.rollup_changes SET changes = changes + 1 WHERE rollup = 'events' AND slice = $1",
	};
	static const Oid types[CS_NSTMTS][13] = {
		[CS_HOURLY] = {INT2OID, UUIDARRAYOID, DATEARRAYOID, INT2ARRAYOID, INT4ARRAYOID, INT4ARRAYOID,
		INT4ARRAYOID, INT4ARRAYOID, INT8ARRAYOID, INT8ARRAYOID, INT8ARRAYOID, INT8ARRAYOID, INT8ARRAYOID},
		[CS_TOTALS] = {INT2OID, TIMESTAMPTZARRAYOID, INT8ARRAYOID, INT8ARRAYOID, INT8ARRAYOID,
		INT8ARRAYOID, INT8ARRAYOID, INT8ARRAYOID},
		[CS_POSTS] = {INT2OID, UUIDARRAYOID, INT4ARRAYOID, INT8ARRAYOID, INT8ARRAYOID,
		INT8ARRAYOID, INT8ARRAYOID, INT8ARRAYOID, TIMESTAMPTZARRAYOID},
		[CS_DAILY] = {INT2OID, DATEARRAYOID, INT4ARRAYOID, INT8ARRAYOID, INT8ARRAYOID,
		INT8ARRAYOID, INT8ARRAYOID, INT8ARRAYOID, INT8ARRAYOID},
		[CS_CHANGED] = {INT2OID},
	};
	static const int nargs[CS_NSTMTS] = {13, 8, 9, 9, 1};
	int			i;

	for (i = 0; i < CS_NSTMTS; i++)
	{
		SPIPlanPtr	plan;

		if (camp_plans[i] != NULL)
			continue;
		plan = SPI_prepare(sql[i], nargs[i], (Oid *) types[i]);
		if (plan == NULL)
			elog(ERROR, "could not prepare a campaign rollup statement: %s",
				 SPI_result_code_string(SPI_result));
		SPI_keepplan(plan);
		camp_plans[i] = plan;
	}
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

/* Parallel arrays of one statement's parameters, filled row by row. */
typedef struct CampArgs
{
	int			n;
	int			nargs;
	Datum	   *col[13];
	Oid			elem[13];
} CampArgs;

static void
camp_args_init(CampArgs *a, int rows, int nargs, const Oid *elem)
{
	int			i;

	a->n = 0;
	a->nargs = nargs;
	for (i = 0; i < nargs; i++)
	{
		a->elem[i] = elem[i];
		a->col[i] = palloc(sizeof(Datum) * Max(rows, 1));
	}
}

/*
 * camp_args_run
 *		Runs statement s with $1 the slice and $2.. the arrays.
 */
static void
camp_args_run(int16 slice, int s, CampArgs *a)
{
	Datum		values[14];
	int			i;

	values[0] = Int16GetDatum(slice);
	for (i = 0; i < a->nargs; i++)
	{
		int16		typlen;
		bool		typbyval;
		char		typalign;

		get_typlenbyvalalign(a->elem[i], &typlen, &typbyval, &typalign);
		values[i + 1] = PointerGetDatum(construct_array(a->col[i], a->n, a->elem[i],
														typlen, typbyval, typalign));
	}
	if (SPI_execute_plan(camp_plans[s], values, NULL, false, 0) < 0)
		elog(ERROR, "could not apply a campaign rollup delta");
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
 *		Puts clicks, spend, conversions, qualified and unqualified of g into
 *		row a->n of columns col .. col + 4, the order every rollup has them in.
 */
static void
camp_put_counts(CampArgs *a, int col, const CampGroup *g)
{
	a->col[col][a->n] = Int64GetDatum(g->clicks);
	a->col[col + 1][a->n] = Int64GetDatum(g->spend);
	a->col[col + 2][a->n] = Int64GetDatum(g->conversions);
	a->col[col + 3][a->n] = Int64GetDatum(g->qualified);
	a->col[col + 4][a->n] = Int64GetDatum(g->unqualified);
}

/*
 * camp_flush
 *		Writes the fold's groups to the four rollups and empties the fold.
 *		The caller is connected to SPI.
 */
static void
camp_flush(CampFold *f)
{
	static const Oid hourly_elem[12] = {UUIDOID, DATEOID, INT2OID, INT4OID, INT4OID, INT4OID,
	INT4OID, INT8OID, INT8OID, INT8OID, INT8OID, INT8OID};
	static const Oid totals_elem[7] = {TIMESTAMPTZOID, INT8OID, INT8OID, INT8OID, INT8OID,
	INT8OID, INT8OID};
	static const Oid posts_elem[8] = {UUIDOID, INT4OID, INT8OID, INT8OID, INT8OID, INT8OID,
	INT8OID, TIMESTAMPTZOID};
	static const Oid daily_elem[8] = {DATEOID, INT4OID, INT8OID, INT8OID, INT8OID, INT8OID,
	INT8OID, INT8OID};
	long		n = hash_get_num_entries(f->groups);
	CampGroup **g;
	CampGroup  *e;
	HASH_SEQ_STATUS seq;
	CampArgs	a;
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

	/* campaign_hourly: every group, and per hour the totals */
	qsort(g, n, sizeof(CampGroup *), camp_cmp_hourly);
	camp_args_init(&a, n, 12, hourly_elem);
	for (i = 0; i < n; i++)
	{
		e = g[i];
		a.col[0][a.n] = UUIDPGetDatum(&e->key.post_id);
		a.col[1][a.n] = DateADTGetDatum(e->key.event_date);
		a.col[2][a.n] = Int16GetDatum((int16) e->key.event_hour);
		a.col[3][a.n] = Int32GetDatum(e->key.publisher_id);
		a.col[4][a.n] = Int32GetDatum(e->key.campaign_id);
		a.col[5][a.n] = Int32GetDatum(e->key.group_id);
		a.col[6][a.n] = Int32GetDatum(e->company_id);
		camp_put_counts(&a, 7, e);
		a.n++;
	}
	camp_args_run(0, CS_HOURLY, &a);

	camp_args_init(&a, n, 7, totals_elem);
	for (i = 0; i < n; i = j)
	{
		CampGroup	sum;

		j = camp_sum_run(g, n, i, camp_cmp_hour, &sum);
		a.col[0][a.n] = TimestampTzGetDatum((TimestampTz) sum.key.event_date * USECS_PER_DAY +
											(TimestampTz) sum.key.event_hour * USECS_PER_HOUR);
		a.col[1][a.n] = Int64GetDatum(sum.events);
		camp_put_counts(&a, 2, &sum);
		a.n++;
	}
	camp_args_run(f->slice, CS_TOTALS, &a);

	/* campaign_posts */
	qsort(g, n, sizeof(CampGroup *), camp_cmp_posts);
	camp_args_init(&a, n, 8, posts_elem);
	for (i = 0; i < n; i = j)
	{
		CampGroup	sum;

		j = camp_sum_run(g, n, i, camp_cmp_posts, &sum);
		a.col[0][a.n] = UUIDPGetDatum(&g[i]->key.post_id);
		a.col[1][a.n] = Int32GetDatum(sum.company_id);
		camp_put_counts(&a, 2, &sum);
		a.col[7][a.n] = TimestampTzGetDatum(sum.last_ts);
		a.n++;
	}
	camp_args_run(f->slice, CS_POSTS, &a);

	/* campaign_daily */
	qsort(g, n, sizeof(CampGroup *), camp_cmp_daily);
	camp_args_init(&a, n, 8, daily_elem);
	for (i = 0; i < n; i = j)
	{
		CampGroup	sum;

		j = camp_sum_run(g, n, i, camp_cmp_daily, &sum);
		a.col[0][a.n] = DateADTGetDatum(sum.key.event_date);
		a.col[1][a.n] = Int32GetDatum(sum.key.publisher_id);
		a.col[2][a.n] = Int64GetDatum(sum.events);
		camp_put_counts(&a, 3, &sum);
		a.n++;
	}
	camp_args_run(f->slice, CS_DAILY, &a);

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

	if (SPI_execute_plan(camp_plans[CS_CHANGED], &slice, NULL, false, 0) < 0)
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
	camp_prepare();

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
	camp_prepare();
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
