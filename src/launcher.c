/*
 * launcher.c
 *		The jobstream launcher: one static background worker that keeps one
 *		ingest worker running per (source, slice).
 *
 * What.  The launcher connects to jobstream.database, reads
 * jobstream.sources and starts a dynamic background worker for every slice
 * 0 .. parallelism-1 of every source that is not paused.  It stops the
 * workers of sources that were paused, dropped or changed (a change is a
 * new updated_at: the workers of that source are restarted so they pick up
 * the new settings), and restarts a worker that exited on its own with an
 * exponential backoff of 1 s, 2 s, ... 30 s (reset once a worker has run
 * for a minute).  Workers cannot run out of slots silently: a WARNING with
 * a max_worker_processes hint is logged.
 *
 * Why this way.  Dynamic workers with BGW_NEVER_RESTART and
 * bgw_notify_pid = the launcher let one process own the policy (backoff,
 * stopping on change) while the postmaster tells it about every start and
 * exit by setting its latch.  A change of jobstream.sources is noticed
 * within a second: a statement trigger on the table registers a
 * transaction callback that, at commit, bumps a generation counter in
 * shared memory and sets the launcher's latch; the launcher also re-reads
 * the table every jobstream.launcher_naptime as a safety net (for example
 * after PREPARE TRANSACTION, which the callback does not see).
 *
 * Invariants.  The launcher never sleeps outside WaitLatch and exits on
 * postmaster death.  If the extension is not installed in the database it
 * idles and looks again every naptime.  Exactly-once delivery does not
 * depend on the launcher: two workers consuming the same partition (for
 * example a worker of a previous launcher incarnation) are fenced by the
 * offsets table (see consumer.c).
 */
#include "postgres.h"

#include <signal.h>

#include "access/xact.h"
#include "catalog/namespace.h"
#include "commands/extension.h"
#include "commands/trigger.h"
#include "executor/spi.h"
#include "fmgr.h"
#include "miscadmin.h"
#include "pgstat.h"
#include "postmaster/bgworker.h"
#include "postmaster/interrupt.h"
#include "storage/ipc.h"
#include "storage/latch.h"
#include "storage/proc.h"
#include "tcop/tcopprot.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/snapmgr.h"
#include "utils/timestamp.h"

#include "jobstream.h"

PG_FUNCTION_INFO_V1(jobstream_sources_trigger);

/* A worker the launcher wants running, or runs. */
typedef struct JsLaunchEntry
{
	int32		source_id;
	int32		slice;
	TimestampTz updated_at;		/* of the source when started */
	BackgroundWorkerHandle *handle; /* NULL when not running */
	bool		stopping;		/* we asked it to stop */
	int			failures;		/* consecutive unexpected exits */
	TimestampTz started_at;
	TimestampTz next_start;		/* do not start before */
	bool		desired;		/* scratch: seen in the last read */
} JsLaunchEntry;

/* A (source, slice) the sources table asks for. */
typedef struct JsWanted
{
	int32		source_id;
	int32		slice;
	TimestampTz updated_at;
} JsWanted;

#define JS_BACKOFF_MAX_MS	30000

static MemoryContext launcher_cxt = NULL;
static JsLaunchEntry *entries = NULL;
static int	nentries = 0;
static int	maxentries = 0;
static TimestampTz last_slot_warning = 0;

/*
 * js_launcher_register
 *		Registers the static launcher; called from _PG_init while
 *		shared_preload_libraries is processed.
 */
void
js_launcher_register(void)
{
	BackgroundWorker worker;

	js_bgw_init(&worker, "jobstream_launcher_main", "jobstream launcher", 5);
	RegisterBackgroundWorker(&worker);
}

/*
 * launcher_detach
 *		on_shmem_exit callback: forget the launcher's latch.
 */
static void
launcher_detach(int code, Datum arg)
{
	SpinLockAcquire(&js_shared->mutex);
	if (js_shared->launcher_pid == MyProcPid)
	{
		js_shared->launcher_latch = NULL;
		js_shared->launcher_pid = 0;
	}
	SpinLockRelease(&js_shared->mutex);
}

/*
 * read_wanted
 *		Reads the (source, slice) pairs that should run.  Returns the number
 *		of pairs in *wanted (palloc'd in the current memory context), or 0
 *		when the extension is not installed (or only in a version without
 *		sources).
 */
static int
read_wanted(JsWanted **wanted)
{
	int			n = 0;
	MemoryContext outer = CurrentMemoryContext;

	*wanted = NULL;
	SetCurrentStatementStartTimestamp();
	StartTransactionCommand();
	PushActiveSnapshot(GetTransactionSnapshot());
	pgstat_report_activity(STATE_RUNNING, "reading jobstream.sources");

	if (OidIsValid(get_extension_oid("jobstream", true)) &&
		OidIsValid(get_namespace_oid("jobstream", true)) &&
		OidIsValid(get_relname_relid("sources", get_namespace_oid("jobstream", true))))
	{
		int			ret;
		uint64		i;
		int			cap = 0;

		if (SPI_connect() != SPI_OK_CONNECT)
			elog(ERROR, "SPI_connect failed");
		ret = SPI_execute("SELECT source_id, parallelism, updated_at "
						  "FROM jobstream.sources WHERE NOT paused "
						  "ORDER BY source_id", true, 0);
		if (ret != SPI_OK_SELECT)
			elog(ERROR, "could not read jobstream.sources: %s",
				 SPI_result_code_string(ret));
		for (i = 0; i < SPI_processed; i++)
		{
			bool		isnull;

			cap += Max(1, DatumGetInt32(SPI_getbinval(SPI_tuptable->vals[i],
													  SPI_tuptable->tupdesc,
													  2, &isnull)));
		}
		*wanted = MemoryContextAlloc(outer, sizeof(JsWanted) * Max(cap, 1));
		for (i = 0; i < SPI_processed; i++)
		{
			HeapTuple	tup = SPI_tuptable->vals[i];
			TupleDesc	desc = SPI_tuptable->tupdesc;
			bool		isnull;
			int32		id = DatumGetInt32(SPI_getbinval(tup, desc, 1, &isnull));
			int32		par = DatumGetInt32(SPI_getbinval(tup, desc, 2, &isnull));
			TimestampTz upd = DatumGetTimestampTz(SPI_getbinval(tup, desc, 3, &isnull));
			int			s;

			for (s = 0; s < Max(par, 1); s++)
			{
				(*wanted)[n].source_id = id;
				(*wanted)[n].slice = s;
				(*wanted)[n].updated_at = upd;
				n++;
			}
		}
		SPI_finish();
	}
	PopActiveSnapshot();
	CommitTransactionCommand();
	pgstat_report_activity(STATE_IDLE, NULL);
	return n;
}

/*
 * find_entry
 *		The entry of (source, slice), or NULL.
 */
static JsLaunchEntry *
find_entry(int32 source_id, int32 slice)
{
	int			i;

	for (i = 0; i < nentries; i++)
		if (entries[i].source_id == source_id && entries[i].slice == slice)
			return &entries[i];
	return NULL;
}

/*
 * start_worker
 *		Starts the worker of an entry; on failure (no free slot) warns at
 *		most once a minute and retries later.
 */
static void
start_worker(JsLaunchEntry *e, TimestampTz now)
{
	BackgroundWorker worker;
	int32		extra[2];

	js_bgw_init(&worker, "jobstream_worker_main", "jobstream worker",
				BGW_NEVER_RESTART);
	snprintf(worker.bgw_name, BGW_MAXLEN, "jobstream worker for source %d slice %d",
			 e->source_id, e->slice);
	worker.bgw_main_arg = Int32GetDatum(e->source_id);
	extra[0] = e->slice;
	extra[1] = (int32) MyDatabaseId;
	memcpy(worker.bgw_extra, extra, sizeof(extra));
	worker.bgw_notify_pid = MyProcPid;

	if (!RegisterDynamicBackgroundWorker(&worker, &e->handle))
	{
		e->handle = NULL;
		e->next_start = TimestampTzPlusMilliseconds(now, 5000);
		if (TimestampDifferenceExceeds(last_slot_warning, now, 60000))
		{
			ereport(WARNING,
					(errcode(ERRCODE_CONFIGURATION_LIMIT_EXCEEDED),
					 errmsg("could not start the jobstream worker for source %d slice %d: out of background worker slots",
							e->source_id, e->slice),
					 errhint("Increase max_worker_processes (now %d) and restart the server.",
							 max_worker_processes)));
			last_slot_warning = now;
		}
		return;
	}
	e->stopping = false;
	e->started_at = now;
}

/*
 * reconcile
 *		Makes the running workers match the wanted list.  Returns how long
 *		the launcher may sleep before something is due (ms).
 */
static long
reconcile(JsWanted *wanted, int nwanted)
{
	TimestampTz now = GetCurrentTimestamp();
	long		sleep_ms = js_launcher_naptime;
	int			running = 0;
	int			i,
				j;

	for (i = 0; i < nentries; i++)
		entries[i].desired = false;

	/*
	 * What workers that exited on an error left for sources and slices not
	 * run any more (dropped or paused while no launcher knew of them, say
	 * after a restart of the launcher) is dropped too.
	 */
	if (js_shared != NULL)
	{
		int32	   *fsrc = palloc(sizeof(int32) * js_shared->nslots);
		int32	   *fslice = palloc(sizeof(int32) * js_shared->nslots);
		int			nf = js_slot_failed_list(fsrc, fslice, js_shared->nslots);

		for (i = 0; i < nf; i++)
		{
			for (j = 0; j < nwanted; j++)
				if (wanted[j].source_id == fsrc[i] && wanted[j].slice == fslice[i])
					break;
			if (j == nwanted)
				js_slot_forget(fsrc[i], fslice[i]);
		}
		pfree(fsrc);
		pfree(fslice);
	}

	for (j = 0; j < nwanted; j++)
	{
		JsLaunchEntry *e = find_entry(wanted[j].source_id, wanted[j].slice);

		if (e == NULL)
		{
			if (nentries == maxentries)
			{
				maxentries = Max(16, maxentries * 2);
				entries = entries ? repalloc(entries, sizeof(JsLaunchEntry) * maxentries)
					: MemoryContextAlloc(launcher_cxt, sizeof(JsLaunchEntry) * maxentries);
			}
			e = &entries[nentries++];
			memset(e, 0, sizeof(*e));
			e->source_id = wanted[j].source_id;
			e->slice = wanted[j].slice;
			e->updated_at = wanted[j].updated_at;
			e->next_start = now;
		}
		e->desired = true;
		if (e->updated_at != wanted[j].updated_at)
		{
			/*
			 * Configuration changed: restart now, forget past failures.  The
			 * new updated_at is taken at once: the worker started once this
			 * one has stopped reads the new settings.  (Taking it only once
			 * the worker had stopped restarted the worker on every pass,
			 * since the pass that sees it stopped also starts it again.)
			 */
			if (e->handle && !e->stopping)
			{
				TerminateBackgroundWorker(e->handle);
				e->stopping = true;
			}
			e->updated_at = wanted[j].updated_at;
			e->failures = 0;
			if (e->handle == NULL)
				e->next_start = now;
		}
	}

	for (i = 0; i < nentries; i++)
	{
		JsLaunchEntry *e = &entries[i];

		if (e->handle)
		{
			pid_t		pid;

			if (GetBackgroundWorkerPid(e->handle, &pid) == BGWH_STOPPED)
			{
				pfree(e->handle);
				e->handle = NULL;
				if (e->stopping)
				{
					e->stopping = false;
					e->next_start = now;
				}
				else
				{
					long		backoff;

					if (TimestampDifferenceExceeds(e->started_at, now, JS_BACKOFF_RESET_MS))
						e->failures = 0;
					e->failures++;
					backoff = 1000L << Min(e->failures - 1, 5);
					backoff = Min(backoff, JS_BACKOFF_MAX_MS);
					e->next_start = TimestampTzPlusMilliseconds(now, backoff);
					ereport(LOG,
							(errmsg("jobstream worker for source %d slice %d exited, restarting in %ld ms",
									e->source_id, e->slice, backoff)));
				}
			}
			else if (!e->desired && !e->stopping)
			{
				TerminateBackgroundWorker(e->handle);
				e->stopping = true;
			}
		}
		if (e->handle)
			running++;
	}

	/* drop entries nobody wants and that have stopped */
	for (i = 0, j = 0; i < nentries; i++)
	{
		if (!entries[i].desired && entries[i].handle == NULL)
			continue;
		if (i != j)
			entries[j] = entries[i];
		j++;
	}
	nentries = j;

	for (i = 0; i < nentries; i++)
	{
		JsLaunchEntry *e = &entries[i];

		if (e->handle)
		{
			if (e->stopping)
				sleep_ms = Min(sleep_ms, 100);
			continue;
		}
		if (!e->desired)
			continue;
		if (now >= e->next_start)
		{
			if (running >= js_max_workers)
			{
				if (TimestampDifferenceExceeds(last_slot_warning, now, 60000))
				{
					ereport(WARNING,
							(errcode(ERRCODE_CONFIGURATION_LIMIT_EXCEEDED),
							 errmsg("jobstream.max_workers (%d) reached: the worker for source %d slice %d is not started",
									js_max_workers, e->source_id, e->slice),
							 errhint("Increase jobstream.max_workers (and max_worker_processes) and restart the server, or lower the parallelism of sources.")));
					last_slot_warning = now;
				}
				sleep_ms = Min(sleep_ms, 1000);
				continue;
			}
			start_worker(e, now);
			if (e->handle)
				running++;
		}
		if (e->handle == NULL)
		{
			long		secs_ms = 0;
			long		secs;
			int			usecs;

			TimestampDifference(now, e->next_start, &secs, &usecs);
			secs_ms = secs * 1000 + usecs / 1000 + 1;
			sleep_ms = Min(sleep_ms, Max(secs_ms, 10));
		}
	}
	return sleep_ms;
}

/*
 * terminate_stale_workers
 *		Asks the workers of a previous launcher incarnation to exit: this
 *		launcher does not know their handles and will start its own.
 */
static void
terminate_stale_workers(void)
{
	int			i;

	for (i = 0; i < js_shared->nslots; i++)
	{
		int			pid;

		SpinLockAcquire(&js_shared->slots[i].mutex);
		pid = js_shared->slots[i].in_use ? js_shared->slots[i].pid : 0;
		SpinLockRelease(&js_shared->slots[i].mutex);
		if (pid > 0)
			kill(pid, SIGTERM);
	}
}

/*
 * jobstream_launcher_main
 *		Entry point of the launcher.
 */
void
jobstream_launcher_main(Datum main_arg)
{
	uint64		seen_generation = 0;
	TimestampTz next_read = 0;
	JsWanted   *wanted = NULL;
	int			nwanted = 0;
	MemoryContext read_cxt;

	pqsignal(SIGHUP, SignalHandlerForConfigReload);
	pqsignal(SIGTERM, die);
	BackgroundWorkerUnblockSignals();

	if (js_shared == NULL)
		ereport(ERROR,
				(errmsg("jobstream shared memory is not initialised"),
				 errhint("Add jobstream to shared_preload_libraries.")));

	js_worker_connect(InvalidOid);
	pgstat_report_appname("jobstream launcher");

	SpinLockAcquire(&js_shared->mutex);
	js_shared->launcher_latch = &MyProc->procLatch;
	js_shared->launcher_pid = MyProcPid;
	SpinLockRelease(&js_shared->mutex);
	on_shmem_exit(launcher_detach, (Datum) 0);

	terminate_stale_workers();

	launcher_cxt = AllocSetContextCreate(TopMemoryContext, "jobstream launcher",
										 ALLOCSET_DEFAULT_SIZES);
	read_cxt = AllocSetContextCreate(launcher_cxt, "jobstream launcher read",
									 ALLOCSET_DEFAULT_SIZES);

	ereport(LOG, (errmsg("jobstream launcher started in database \"%s\"", js_database)));

	for (;;)
	{
		uint64		generation;
		TimestampTz now;
		long		sleep_ms;

		CHECK_FOR_INTERRUPTS();
		if (ConfigReloadPending)
		{
			ConfigReloadPending = false;
			ProcessConfigFile(PGC_SIGHUP);
		}

		generation = pg_atomic_read_u64(&js_shared->generation);
		now = GetCurrentTimestamp();
		if (generation != seen_generation || now >= next_read)
		{
			MemoryContextReset(read_cxt);
			MemoryContextSwitchTo(read_cxt);
			nwanted = read_wanted(&wanted);
			seen_generation = generation;
			next_read = TimestampTzPlusMilliseconds(GetCurrentTimestamp(),
													js_launcher_naptime);
		}
		MemoryContextSwitchTo(launcher_cxt);
		sleep_ms = reconcile(wanted, nwanted);

		(void) WaitLatch(MyLatch,
						 WL_LATCH_SET | WL_TIMEOUT | WL_EXIT_ON_PM_DEATH,
						 Max(sleep_ms, 1), PG_WAIT_EXTENSION);
		ResetLatch(MyLatch);
	}
}

/* Whether this transaction changed jobstream.sources. */
static bool sources_changed = false;
static bool xact_callback_registered = false;

/*
 * sources_xact_callback
 *		At commit of a transaction that changed jobstream.sources, tells the
 *		launcher.
 */
static void
sources_xact_callback(XactEvent event, void *arg)
{
	switch (event)
	{
		case XACT_EVENT_COMMIT:
		case XACT_EVENT_PARALLEL_COMMIT:
			if (sources_changed)
				js_wake_launcher();
			sources_changed = false;
			break;
		case XACT_EVENT_ABORT:
		case XACT_EVENT_PARALLEL_ABORT:
		case XACT_EVENT_PREPARE:
			sources_changed = false;
			break;
		default:
			break;
	}
}

/*
 * jobstream_sources_trigger
 *		Statement trigger on jobstream.sources: notes the change, so that
 *		the launcher is woken when (and only if) the transaction commits.
 */
Datum
jobstream_sources_trigger(PG_FUNCTION_ARGS)
{
	static const char *const tables[] = {"sources"};

	js_trigger_check(fcinfo, "sources_notify", tables, lengthof(tables));
	if (!xact_callback_registered)
	{
		RegisterXactCallback(sources_xact_callback, NULL);
		xact_callback_registered = true;
	}
	sources_changed = true;
	return PointerGetDatum(NULL);
}
