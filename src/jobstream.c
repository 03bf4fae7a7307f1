/*
 * jobstream.c
 *		Module entry point: registers settings and, when loaded through
 *		shared_preload_libraries, the shared memory, the ingest launcher
 *		and the refresher background workers.
 */
#include "postgres.h"

#include "fmgr.h"
#include "mb/pg_wchar.h"
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

/*
 * clip_pass
 *		Copies valid characters of s[0..len) into dst up to limit bytes,
 *		each invalid byte as '?'.  Returns the bytes written; *consumed
 *		tells how much of s was used.
 */
static int
clip_pass(char *dst, const char *s, int len, int limit, int *consumed)
{
	int			enc = GetDatabaseEncoding();
	int			in = 0,
				out = 0;

	while (in < len)
	{
		int			l = pg_encoding_verifymbchar(enc, s + in, len - in);
		const char *c = s + in;

		if (l <= 0)
		{
			l = 1;
			c = "?";
		}
		if (out + l > limit)
			break;
		memcpy(dst + out, c, l);
		out += l;
		in += (c == s + in) ? l : 1;
	}
	*consumed = in;
	return out;
}

/*
 * js_clip_text_into
 *		Copies s into dst (dstsize bytes, NUL included) as text valid in the
 *		database encoding: bytes that do not form a valid character become
 *		'?', and a text too long is cut at a character boundary and ends in
 *		"...".  For error texts that quote message content and go into
 *		fixed buffers or text columns (dead letters, workers.last_error).
 *		Allocates nothing.
 */
void
js_clip_text_into(char *dst, const char *s, int dstsize)
{
	int			len = s ? strlen(s) : 0;
	int			consumed,
				out;

	if (dstsize <= 0)
		return;
	out = clip_pass(dst, s, len, dstsize - 1, &consumed);
	if (consumed < len && dstsize > 4)
	{
		out = clip_pass(dst, s, len, dstsize - 4, &consumed);
		memcpy(dst + out, "...", 3);
		out += 3;
	}
	dst[out] = '\0';
}

/*
 * js_clip_text
 *		js_clip_text_into() into a palloc'd string of at most maxbytes bytes
 *		(plus the NUL).
 */
char *
js_clip_text(const char *s, int maxbytes)
{
	char	   *dst = palloc(maxbytes + 1);

	js_clip_text_into(dst, s, maxbytes + 1);
	return dst;
}
