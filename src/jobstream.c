/*
 * jobstream.c
 *		Module entry point: registers settings and, when loaded through
 *		shared_preload_libraries, the background workers.
 */
#include "postgres.h"

#include "fmgr.h"
#include "miscadmin.h"

#include "jobstream.h"

PG_MODULE_MAGIC;

void		_PG_init(void);

/*
 * _PG_init
 *		Called once when the library is loaded into a process.
 */
void
_PG_init(void)
{
	js_guc_init();

	if (process_shared_preload_libraries_in_progress)
		js_refresher_register();
}
