/*
 * guc.c
 *		Every jobstream.* setting, in one place.
 *
 * Each setting is documented in the README's settings table; keep the two
 * in step.
 */
#include "postgres.h"

#include "utils/guc.h"

#include "jobstream.h"

/* The database the background workers connect to. */
char	   *js_database = NULL;

/* How often the refresher refreshes the analytics views, in ms; 0 = never. */
int			js_refresh_interval = 1000;

/*
 * js_guc_init
 *		Defines the settings and reserves the "jobstream" prefix, so that a
 *		misspelled jobstream.* setting is reported instead of ignored.
 */
void
js_guc_init(void)
{
	DefineCustomStringVariable("jobstream.database",
							   gettext_noop("Database the jobstream background workers connect to."),
							   gettext_noop("Create the extension in this database."),
							   &js_database,
							   "postgres",
							   PGC_POSTMASTER,
							   0,
							   NULL, NULL, NULL);

	DefineCustomIntVariable("jobstream.refresh_interval",
							gettext_noop("How often the refresher worker refreshes the analytics views."),
							gettext_noop("0 stops the refresher; jobstream.refresh() still works on demand."),
							&js_refresh_interval,
							1000, 0, 3600 * 1000,
							PGC_SIGHUP,
							GUC_UNIT_MS,
							NULL, NULL, NULL);

	MarkGUCPrefixReserved("jobstream");
}
