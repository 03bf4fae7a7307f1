/*
 * jobstream.c
 *		Module entry point: registers settings and, when loaded through
 *		shared_preload_libraries, the shared memory, the ingest launcher
 *		and the refresher background workers.
 */
#include "postgres.h"

#include "fmgr.h"
#include "miscadmin.h"

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
}
