/*
 * jobstream.c
 *		Module entry point: registers settings and, when loaded through
 *		shared_preload_libraries, the shared memory, the ingest launcher
 *		and the refresher background workers.
 */
#include "postgres.h"

#include "fmgr.h"
#include "miscadmin.h"
#include "postmaster/bgworker.h"

#include "jobstream.h"

PG_MODULE_MAGIC;

void		_PG_init(void);

/*
 * _PG_init
 *		Called once when the library is loaded into a process.  Loaded by
 *		CREATE EXTENSION or a function call only, the SQL functions work but
 *		no worker runs (source_stats is then empty).
 */
void
_PG_init(void)
{
	js_guc_init();

	if (!process_shared_preload_libraries_in_progress)
		return;

	js_shmem_init();
	js_launcher_register();
	js_refresher_register();
	js_matcher_register();
}

/*
 * js_bgw_init
 *		Fills *worker for one of jobstream's background workers: shared
 *		memory and a database connection, started once recovery has
 *		finished, entry point function of this library, bgw_name and
 *		bgw_type both type, restarted after restart_time seconds (or
 *		BGW_NEVER_RESTART).  bgw_main_arg, bgw_extra and bgw_notify_pid are
 *		zeroed; the caller sets them, and a more specific bgw_name, if
 *		needed.
 */
void
js_bgw_init(BackgroundWorker *worker, const char *function, const char *type,
			int restart_time)
{
	memset(worker, 0, sizeof(*worker));
	worker->bgw_flags = BGWORKER_SHMEM_ACCESS | BGWORKER_BACKEND_DATABASE_CONNECTION;
	worker->bgw_start_time = BgWorkerStart_RecoveryFinished;
	worker->bgw_restart_time = restart_time;
	snprintf(worker->bgw_library_name, BGW_MAXLEN, "jobstream");
	snprintf(worker->bgw_function_name, BGW_MAXLEN, "%s", function);
	snprintf(worker->bgw_name, BGW_MAXLEN, "%s", type);
	snprintf(worker->bgw_type, BGW_MAXLEN, "%s", type);
}
