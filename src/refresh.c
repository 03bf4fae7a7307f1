/*
 * refresh.c
 *		The refresher: a background worker that keeps the analytics
 *		materialized views fresh.
 *
 * The rollups under the views are maintained in the same transaction as the
 * raw rows (statement triggers, see sql/0.2/60_analytics.sql), so they are
 * always exact; the materialized views on top are small and only need to be
 * recomputed from the rollups.  Every jobstream.refresh_interval the worker
 * refreshes each view registered in jobstream.refresh_state with REFRESH
 * ... CONCURRENTLY, one transaction per view, so a failing view neither
 * blocks the others nor readers.  A failure is written to the view's row in
 * refresh_state in a transaction of its own, and the next round tries again.
 *
 * Once an hour it also creates the partitions of tracking_events for the
 * next seven days (jobstream.tracking_partition_interval each), ahead of
 * need.
 *
 * The worker connects to jobstream.database.  When the extension is not
 * installed there it checks again every ten intervals, so CREATE EXTENSION
 * after the server started needs no restart.
 */
#include "postgres.h"

#include "access/xact.h"
#include "executor/spi.h"
#include "miscadmin.h"
#include "pgstat.h"
#include "postmaster/bgworker.h"
#include "postmaster/interrupt.h"
#include "storage/ipc.h"
#include "storage/latch.h"
#include "storage/proc.h"
#include "tcop/tcopprot.h"
#include "utils/builtins.h"
#include "utils/memutils.h"
#include "utils/snapmgr.h"
#include "utils/timestamp.h"

#include "jobstream.h"

PGDLLEXPORT void jobstream_refresher_main(Datum main_arg);

/*
 * js_refresher_register
 *		Registers the refresher as a static background worker; called from
 *		_PG_init while shared_preload_libraries is being processed.
 */
void
js_refresher_register(void)
{
	BackgroundWorker worker;

	js_bgw_init(&worker, "jobstream_refresher_main", "jobstream refresher", 10);
	RegisterBackgroundWorker(&worker);
}

/*
 * js_refresher_views
 *		Returns the analytics views to refresh, as a list of palloc'd names
 *		in the caller's memory context, or NIL when the extension (or its
 *		refresh_state table) is not installed in this database.
 */
static List *
js_refresher_views(MemoryContext cxt)
{
	List	   *views = NIL;
	uint64		i;

	SetCurrentStatementStartTimestamp();
	StartTransactionCommand();
	SPI_connect();
	PushActiveSnapshot(GetTransactionSnapshot());
	pgstat_report_activity(STATE_RUNNING, "jobstream: listing analytics views");

	if (SPI_execute("SELECT 1 FROM pg_catalog.pg_extension WHERE extname = 'jobstream' "
					"AND pg_catalog.to_regclass('jobstream.refresh_state') IS NOT NULL",
					true, 1) == SPI_OK_SELECT && SPI_processed == 1 &&
		SPI_execute("SELECT view_name::text FROM jobstream.refresh_state ORDER BY 1",
					true, 0) == SPI_OK_SELECT)
	{
		for (i = 0; i < SPI_processed; i++)
		{
			char	   *name = SPI_getvalue(SPI_tuptable->vals[i], SPI_tuptable->tupdesc, 1);
			MemoryContext old = MemoryContextSwitchTo(cxt);

			views = lappend(views, pstrdup(name));
			MemoryContextSwitchTo(old);
		}
	}

	SPI_finish();
	PopActiveSnapshot();
	CommitTransactionCommand();
	return views;
}

/*
 * js_refresher_record_error
 *		Stores a refresh failure in the view's row of refresh_state, in a
 *		transaction of its own since the refresh's was aborted.
 */
static void
js_refresher_record_error(const char *view, const char *message)
{
	Datum		args[2];
	Oid			types[2] = {TEXTOID, TEXTOID};

	SetCurrentStatementStartTimestamp();
	StartTransactionCommand();
	SPI_connect();
	PushActiveSnapshot(GetTransactionSnapshot());
	args[0] = CStringGetTextDatum(view);
	args[1] = CStringGetTextDatum(message);
	SPI_execute_with_args("UPDATE jobstream.refresh_state SET last_error = $2, "
						  "last_error_at = pg_catalog.now() WHERE view_name::text = $1",
						  2, types, args, NULL, false, 0);
	SPI_finish();
	PopActiveSnapshot();
	CommitTransactionCommand();
}

/*
 * js_refresher_run
 *		Runs one statement in a transaction of its own: the refresh of a view
 *		(view given, passed as $1) or a maintenance statement (view NULL).
 *		Errors are caught, logged and swallowed; a view's error is also
 *		recorded in refresh_state.
 */
static void
js_refresher_run(const char *sql, const char *view, const char *activity,
				 MemoryContext cxt)
{
	PG_TRY();
	{
		SetCurrentStatementStartTimestamp();
		StartTransactionCommand();
		SPI_connect();
		PushActiveSnapshot(GetTransactionSnapshot());
		pgstat_report_activity(STATE_RUNNING, activity);
		if (view != NULL)
		{
			Datum		arg = CStringGetTextDatum(view);
			Oid			type = TEXTOID;

			SPI_execute_with_args(sql, 1, &type, &arg, NULL, false, 0);
		}
		else
			SPI_execute(sql, false, 0);
		SPI_finish();
		PopActiveSnapshot();
		CommitTransactionCommand();
	}
	PG_CATCH();
	{
		ErrorData  *edata;

		MemoryContextSwitchTo(cxt);
		edata = CopyErrorData();
		FlushErrorState();
		AbortCurrentTransaction();
		ereport(LOG,
				(errmsg("jobstream refresher could not run \"%s\"%s%s: %s", sql,
						view ? " for " : "", view ? view : "", edata->message)));
		if (view != NULL)
			js_refresher_record_error(view, edata->message);
		FreeErrorData(edata);
	}
	PG_END_TRY();
}

/*
 * jobstream_refresher_main
 *		Entry point of the refresher worker.
 */
void
jobstream_refresher_main(Datum main_arg)
{
	MemoryContext round_cxt;
	int			idle_rounds = 0;
	TimestampTz partitions_checked = 0;

	pqsignal(SIGHUP, SignalHandlerForConfigReload);
	pqsignal(SIGTERM, die);
	BackgroundWorkerUnblockSignals();

	js_worker_connect(InvalidOid);
	pgstat_report_appname("jobstream refresher");

	round_cxt = AllocSetContextCreate(TopMemoryContext, "jobstream refresher",
									  ALLOCSET_DEFAULT_SIZES);

	for (;;)
	{
		TimestampTz started = GetCurrentTimestamp();
		long		wait_ms;
		List	   *views;
		ListCell   *lc;

		CHECK_FOR_INTERRUPTS();
		if (ConfigReloadPending)
		{
			ConfigReloadPending = false;
			ProcessConfigFile(PGC_SIGHUP);
		}

		MemoryContextReset(round_cxt);
		views = NIL;
		if (js_refresh_interval > 0 && idle_rounds == 0)
			views = js_refresher_views(round_cxt);
		foreach(lc, views)
		{
			CHECK_FOR_INTERRUPTS();
			js_refresher_run("SELECT jobstream.refresh($1::regclass)", (const char *) lfirst(lc),
							 "jobstream: refreshing analytics view", round_cxt);
		}

		/*
		 * Once an hour, create the partitions of tracking_events for the
		 * next seven days, so that partition DDL never happens under load
		 * and events do not pile up in the default partition.
		 */
		if (views != NIL &&
			TimestampDifferenceExceeds(partitions_checked, started, 3600 * 1000))
		{
			js_refresher_run("SELECT jobstream.create_tracking_partitions(pg_catalog.now(), "
							 "pg_catalog.now() + interval '7 days')", NULL,
							 "jobstream: creating tracking_events partitions", round_cxt);
			partitions_checked = started;
		}
		pgstat_report_activity(STATE_IDLE, NULL);

		/* Not installed here (yet): look again every ten intervals. */
		if (views == NIL)
			idle_rounds = (idle_rounds + 1) % 10;

		wait_ms = js_refresh_interval > 0 ? js_refresh_interval : 1000;
		wait_ms -= TimestampDifferenceMilliseconds(started, GetCurrentTimestamp());
		if (wait_ms < 10)
			wait_ms = 10;
		(void) WaitLatch(MyLatch, WL_LATCH_SET | WL_TIMEOUT | WL_EXIT_ON_PM_DEATH,
						 wait_ms, PG_WAIT_EXTENSION);
		ResetLatch(MyLatch);
	}
}
