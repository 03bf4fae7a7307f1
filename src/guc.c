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

/*
 * js_guc_init
 *		Defines the settings and reserves the "jobstream" prefix, so that a
 *		misspelled jobstream.* setting is reported instead of ignored.
 */
void
js_guc_init(void)
{
	MarkGUCPrefixReserved("jobstream");
}
