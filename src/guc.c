/*
 * guc.c
 *		Every jobstream.* setting, in one place.
 *
 * Each setting is documented in the README's settings table; keep the two
 * in step.  Worker counts and the database are fixed at server start
 * (they size shared memory and the launcher connects once); batch shape
 * and intervals are reloaded on SIGHUP by the running workers.
 */
#include "postgres.h"

#include "miscadmin.h"
#include "utils/guc.h"

#include "jobstream.h"

char	   *js_database = NULL;
char	   *js_worker_role = NULL;
int			js_max_workers = 8;
int			js_batch_size = 50000;
int			js_batch_time = 100;
int			js_max_message_bytes = 1024 * 1024;
int			js_batch_bytes = 32 * 1024 * 1024;
int			js_dead_letter_bytes = 64 * 1024;
int			js_retry_max_delay = 60000;
int			js_stuck_after = 300000;
int			js_launcher_naptime = 5000;
int			js_refresh_interval = 1000;
int			js_tracking_partition_interval = 24 * 60;
bool		js_match_enabled = true;
int			js_match_interval = 100;
int			js_match_batch_size = 5000;
int			js_match_k = 5;
double		js_match_min_score = 60.0;
double		js_match_apply_share = 0.5;
int			js_match_seed = 0;
char	   *js_match_produce_brokers = NULL;
char	   *js_match_produce_topic = NULL;

/*
 * check_database
 *		A database name must not be empty.
 */
static bool
check_database(char **newval, void **extra, GucSource source)
{
	if (*newval == NULL || (*newval)[0] == '\0')
	{
		GUC_check_errdetail("jobstream.database must not be empty.");
		return false;
	}
	return true;
}

/*
 * check_topic
 *		A Kafka topic name must not be empty.
 */
static bool
check_topic(char **newval, void **extra, GucSource source)
{
	if (*newval == NULL || (*newval)[0] == '\0')
	{
		GUC_check_errdetail("jobstream.match_produce_topic must not be empty.");
		return false;
	}
	return true;
}

/*
 * js_guc_init
 *		Defines the settings and reserves the "jobstream" prefix, so that a
 *		misspelled jobstream.* setting is reported instead of ignored.
 */
void
js_guc_init(void)
{
	/*
	 * Settings read only at server start exist in a backend that loads the
	 * library later (CREATE EXTENSION without shared_preload_libraries) too,
	 * so that SHOW works; PostgreSQL forbids defining PGC_POSTMASTER ones
	 * then, and no worker runs anyway, so they are reloadable there.
	 */
	GucContext	at_start = process_shared_preload_libraries_in_progress ?
		PGC_POSTMASTER : PGC_SIGHUP;

	DefineCustomStringVariable("jobstream.database",
							   gettext_noop("Database the jobstream launcher and ingest workers connect to."),
							   gettext_noop("The extension must be created in this database for ingestion to run."),
							   &js_database,
							   "postgres",
							   at_start,
							   0,
							   check_database, NULL, NULL);

	DefineCustomStringVariable("jobstream.worker_role",
							   gettext_noop("Role the jobstream launcher, ingest workers, refresher and matcher connect as."),
							   gettext_noop("Empty: the bootstrap superuser.  The role needs LOGIN and membership in jobstream_worker."),
							   &js_worker_role,
							   "",
							   at_start,
							   0,
							   NULL, NULL, NULL);

	DefineCustomIntVariable("jobstream.max_workers",
							gettext_noop("Maximum number of Kafka ingest workers running at once."),
							gettext_noop("Each worker also needs a slot in max_worker_processes."),
							&js_max_workers,
							8, 0, 1024,
							at_start,
							0,
							NULL, NULL, NULL);

	DefineCustomIntVariable("jobstream.batch_size",
							gettext_noop("Most Kafka messages an ingest worker stores in one transaction."),
							NULL,
							&js_batch_size,
							50000, 1, 1000000,
							PGC_SIGHUP,
							0,
							NULL, NULL, NULL);

	DefineCustomIntVariable("jobstream.batch_time",
							gettext_noop("Longest time an ingest worker collects messages before storing them."),
							gettext_noop("A batch is stored when it holds batch_size messages or is this old, whichever comes first."),
							&js_batch_time,
							100, 1, 60000,
							PGC_SIGHUP,
							GUC_UNIT_MS,
							NULL, NULL, NULL);

	DefineCustomIntVariable("jobstream.max_message_bytes",
							gettext_noop("Largest Kafka message an ingest worker decodes; larger ones become dead letters."),
							NULL,
							&js_max_message_bytes,
							1024 * 1024, 1024, 4 * 1024 * 1024,
							PGC_SIGHUP,
							GUC_UNIT_BYTE,
							NULL, NULL, NULL);

	DefineCustomIntVariable("jobstream.batch_bytes",
							gettext_noop("Most message bytes an ingest worker collects into one batch."),
							gettext_noop("A batch is stored when it holds batch_size messages, batch_bytes bytes or is batch_time old, whichever comes first; this bounds a worker's memory."),
							&js_batch_bytes,
							32 * 1024 * 1024, 64 * 1024, 1024 * 1024 * 1024,
							PGC_SIGHUP,
							GUC_UNIT_BYTE,
							NULL, NULL, NULL);

	DefineCustomIntVariable("jobstream.dead_letter_bytes",
							gettext_noop("Most bytes of a message's payload (and key) kept in jobstream.dead_letters."),
							gettext_noop("A longer payload is kept as a prefix of this size with its full length and SHA-256."),
							&js_dead_letter_bytes,
							64 * 1024, 0, 4 * 1024 * 1024,
							PGC_SIGHUP,
							GUC_UNIT_BYTE,
							NULL, NULL, NULL);

	DefineCustomIntVariable("jobstream.retry_max_delay",
							gettext_noop("Longest wait of an ingest worker between two attempts at a batch that failed."),
							gettext_noop("After an error that is not about one message (lost connection, lock timeout, disk full...) the worker waits 1 s, doubling up to this."),
							&js_retry_max_delay,
							60000, 1000, 3600 * 1000,
							PGC_SIGHUP,
							GUC_UNIT_MS,
							NULL, NULL, NULL);

	DefineCustomIntVariable("jobstream.stuck_after",
							gettext_noop("How long an ingest worker may keep failing on the same offsets before it is reported as stuck."),
							gettext_noop("A stuck worker shows state \"stuck\" in jobstream.workers and source_stats, logs a WARNING naming the partitions and offsets, and keeps retrying."),
							&js_stuck_after,
							300000, 1000, INT_MAX,
							PGC_SIGHUP,
							GUC_UNIT_MS,
							NULL, NULL, NULL);

	DefineCustomIntVariable("jobstream.launcher_naptime",
							gettext_noop("How often the jobstream launcher re-reads jobstream.sources even without a change notice."),
							gettext_noop("Changes made through SQL are noticed at commit; this is a safety net."),
							&js_launcher_naptime,
							5000, 100, 3600 * 1000,
							PGC_SIGHUP,
							GUC_UNIT_MS,
							NULL, NULL, NULL);

	DefineCustomIntVariable("jobstream.refresh_interval",
							gettext_noop("How often the refresher recomputes the analytics materialized views."),
							gettext_noop("0 disables the refresher."),
							&js_refresh_interval,
							1000, 0, 3600 * 1000,
							PGC_SIGHUP,
							GUC_UNIT_MS,
							NULL, NULL, NULL);

	DefineCustomIntVariable("jobstream.tracking_partition_interval",
							gettext_noop("How much event time each new partition of tracking_events covers."),
							gettext_noop("Partitions are aligned to it from 2000-01-01 UTC; existing partitions keep their range."),
							&js_tracking_partition_interval,
							24 * 60, 60, 366 * 24 * 60,
							PGC_SUSET,
							GUC_UNIT_MIN,
							NULL, NULL, NULL);

	DefineCustomBoolVariable("jobstream.match_enabled",
							 gettext_noop("Whether the matcher worker turns new candidates and job posts into applications."),
							 gettext_noop("When off the worker idles; inserts are still queued and matched once it is back on."),
							 &js_match_enabled,
							 true,
							 PGC_SIGHUP,
							 0,
							 NULL, NULL, NULL);

	DefineCustomIntVariable("jobstream.match_interval",
							gettext_noop("How often the matcher looks at its queue when no commit wakes it."),
							gettext_noop("Commits that queue rows wake the matcher at once; this bounds the delay otherwise."),
							&js_match_interval,
							100, 1, 60000,
							PGC_SIGHUP,
							GUC_UNIT_MS,
							NULL, NULL, NULL);

	DefineCustomIntVariable("jobstream.match_batch_size",
							gettext_noop("Most queued candidates and posts the matcher handles in one transaction."),
							NULL,
							&js_match_batch_size,
							5000, 1, 1000000,
							PGC_SIGHUP,
							0,
							NULL, NULL, NULL);

	DefineCustomIntVariable("jobstream.match_k",
							gettext_noop("Length of a candidate's shortlist: the best open posts of its family it may apply to."),
							NULL,
							&js_match_k,
							5, 1, 1000,
							PGC_SIGHUP,
							0,
							NULL, NULL, NULL);

	DefineCustomRealVariable("jobstream.match_min_score",
							 gettext_noop("Lowest compatibility score of a post on a candidate's shortlist."),
							 NULL,
							 &js_match_min_score,
							 60.0, 0.0, 100.0,
							 PGC_SIGHUP,
							 0,
							 NULL, NULL, NULL);

	DefineCustomRealVariable("jobstream.match_apply_share",
							 gettext_noop("Share of shortlisted pairs that become applications."),
							 gettext_noop("Decided per pair by the deterministic draw jobstream.match_draw(candidate, post, 'apply')."),
							 &js_match_apply_share,
							 0.5, 0.0, 1.0,
							 PGC_SIGHUP,
							 0,
							 NULL, NULL, NULL);

	DefineCustomIntVariable("jobstream.match_seed",
							gettext_noop("Seed of the matcher's deterministic draws (whether to apply, and the status)."),
							NULL,
							&js_match_seed,
							0, 0, INT_MAX,
							PGC_SIGHUP,
							0,
							NULL, NULL, NULL);

	DefineCustomStringVariable("jobstream.match_produce_brokers",
							   gettext_noop("Kafka bootstrap servers the matcher produces its applications to; empty to produce nothing."),
							   gettext_noop("When set, every application the matcher writes is also sent, as contract JSON, to jobstream.match_produce_topic, at least once."),
							   &js_match_produce_brokers,
							   "",
							   PGC_SIGHUP,
							   0,
							   NULL, NULL, NULL);

	DefineCustomStringVariable("jobstream.match_produce_topic",
							   gettext_noop("Kafka topic the matcher produces its applications to."),
							   NULL,
							   &js_match_produce_topic,
							   "job_applications",
							   PGC_SIGHUP,
							   0,
							   check_topic, NULL, NULL);

	MarkGUCPrefixReserved("jobstream");
}
