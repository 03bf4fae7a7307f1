/*
 * consumer.c
 *		The ingest worker: one Kafka consumer for one slice of one source,
 *		storing messages in PostgreSQL exactly once.
 *
 * What.  The launcher starts one of these per (source, slice).  The worker
 * joins the source's consumer group, collects messages into a batch
 * (jobstream.batch_size messages or jobstream.batch_time, whichever comes
 * first) and stores the batch in ONE transaction: the decoded rows, the
 * messages that could not be stored (jobstream.dead_letters) and the next
 * offset of every partition in the batch (jobstream.source_offsets).
 *
 * Exactly once.  Kafka's own committed offsets are never used to resume:
 * on every assignment the worker reads jobstream.source_offsets and starts
 * each partition there (a partition without a row starts per the source's
 * "start" option, earliest by default).  The offsets update is a fence:
 * UPDATE ... WHERE next_offset = <the value this worker last read or
 * wrote>, or INSERT when there was no row.  If a rebalance gave the
 * partition to another worker that committed in between, the update finds
 * nothing, the whole transaction rolls back and this worker re-reads its
 * offsets and seeks.  So a batch is stored at most once, and since
 * offsets only advance with their rows, at least once.  Within a batch,
 * a message whose offset is below the partition's position is dropped
 * (duplicates after a seek or a re-assignment).
 *
 * Bulk path.  Messages are decoded in C (decode.c) straight into Datums
 * and multi-inserted (table_multi_insert, no SPI per row) into a temporary
 * staging table ON COMMIT DELETE ROWS (no WAL, local buffers).  One
 * statement then moves the batch: for keyed topics the last message per
 * key wins (DISTINCT ON ... ORDER BY key, _rn DESC) and is upserted, or
 * deletes the row when it is a tombstone (NULL payload); tracking events
 * are inserted with ON CONFLICT DO NOTHING.
 *
 * Dead letters.  A message that is too big, not UTF-8, not JSON or not the
 * contract (a field over its cap, say) becomes a dead letter with the
 * decoder's reason.  When the move statement fails because of a row,
 * whatever the SQLSTATE (a constraint, a trigger's exception, a value too
 * large for an index...), the worker first runs one DELETE ... RETURNING
 * per CHECK and FOREIGN KEY constraint of the target over the staging
 * table, built from the catalog at that moment (a batch of unknown
 * categories costs a few statements), then retries the rest in
 * subtransactions over halves of the batch, with an index on the staging
 * table made for that batch only, until the single failing messages are
 * found; each becomes a dead letter with PostgreSQL's message, and every
 * other row lands.  Errors that are not about a row (error_is_about_batch:
 * a lost connection, a lock timeout, a serialization failure, a full disk,
 * a dropped column, the offset fence) abort the batch, which is retried
 * after a backoff doubling from 1 s to jobstream.retry_max_delay; a worker
 * that keeps failing on the same offsets for jobstream.stuck_after is
 * reported as stuck.  A dead letter keeps a prefix of a long payload with
 * its length and SHA-256, and batches are closed by bytes too
 * (jobstream.batch_bytes), so a worker's memory is bounded.
 *
 * librdkafka.  Callbacks (rebalance, error, log) are served on this
 * thread from within rd_kafka_consume_batch_queue; they never ereport:
 * errors and log lines are copied into fixed buffers and reported after
 * the call returns.  The rebalance callback reads offsets from the
 * database inside a transaction wrapped in PG_TRY with interrupts held, so
 * no longjmp crosses librdkafka frames; if that fails the partitions are
 * assigned paused and re-synchronised from the main loop.  The worker
 * waits on its latch and on a pipe that librdkafka writes when the
 * consumer queue becomes non-empty (rd_kafka_queue_io_event_enable), so
 * SIGTERM stops it within a second and an idle worker uses no CPU.
 * After a PostgreSQL commit nothing is committed to Kafka: the group's
 * offsets there are not used.
 */
#include "postgres.h"

#include <fcntl.h>
#include <unistd.h>

#include "access/heapam.h"
#include "access/table.h"
#include "access/tableam.h"
#include "access/xact.h"
#include "catalog/pg_type.h"
#include "common/cryptohash.h"
#include "common/sha2.h"
#include "executor/spi.h"
#include "executor/tuptable.h"
#include "fmgr.h"
#include "miscadmin.h"
#include "pgstat.h"
#include "postmaster/bgworker.h"
#include "postmaster/interrupt.h"
#include "storage/ipc.h"
#include "storage/latch.h"
#include "tcop/tcopprot.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/memutils.h"
#include "utils/rel.h"
#include "utils/snapmgr.h"
#include "utils/timestamp.h"

#include <librdkafka/rdkafka.h>

#include "contract.h"
#include "decode.h"
#include "jobstream.h"
#include "row.h"

PG_FUNCTION_INFO_V1(jobstream_kafka_property_error);

#define JS_STAGE_CHUNK		1000	/* rows per table_multi_insert */
#define JS_MAX_PARTS		1024	/* partitions one worker can own */
#define JS_LOG_LINES		16
#define JS_BACKOFF_MS		1000	/* first wait after a failure */
#define JS_DEAD_ERRLEN		2000	/* bytes of a dead letter's reason */
#define JS_CONSUME_CHUNK	256		/* messages taken from librdkafka at once */

/* A partition this worker owns (or owned). */
typedef struct JsPart
{
	int32		partition;
	bool		assigned;
	bool		synced;			/* position read from the database */
	int64		stored;			/* next_offset in source_offsets, -1 none */
	int64		pos;			/* next offset to accept; -1 = any */
	int64		batch_first;	/* first offset in the current batch, -1 */
	int64		messages;		/* stats */
	int64		dead_letters;
	int64		high_watermark;
} JsPart;

/* A dead letter waiting for the batch's insert. */
typedef struct JsDead
{
	int			msg;			/* index into the batch */
	char	   *error;
} JsDead;

/* The worker's configuration and state; one per process. */
typedef struct JsWorker
{
	int32		source_id;
	int32		slice;
	char	   *topic;
	char	   *target;
	const JsTopicDef *def;
	bool		keyed;			/* upsert/delete by key */
	bool		start_latest;

	rd_kafka_t *rk;
	rd_kafka_queue_t *queue;
	int			pipefd[2];
	bool		cooperative;

	SPIPlanPtr	move_plan;
	SPIPlanPtr	dead_plan;
	SPIPlanPtr	read_plan;
	SPIPlanPtr	update_plan;
	SPIPlanPtr	insert_plan;
	Oid			stage_relid;
	TupleDesc	stage_desc;
	JsRowMap	stage_map;		/* contract fields → staging columns */
	TupleTableSlot **slots;

	JsPart		parts[JS_MAX_PARTS];
	int			nparts;

	rd_kafka_message_t **msgs;
	int			nmsgs;
	int			maxmsgs;
	int64		nbytes;			/* payload and key bytes of msgs[] */
	double		avg_bytes;		/* running mean message size */
	TimestampTz batch_started;

	int			backoff_ms;		/* wait before the next attempt */
	TimestampTz failing_since;	/* 0 unless the last attempt failed */
	int32		retries;
	bool		stuck;			/* reported as stuck */
	bool		carried;		/* failing_since and retries continue the
								 * run of a worker that exited on an error,
								 * and this one has not failed yet */

	bool		need_resync;
	bool		in_callback;
	bool		closing;		/* in worker_shutdown */
	bool		outage;
	char		pending_error[JS_ERRMSG_LEN];
	bool		have_pending_error;
	bool		fatal_error;
	char		log_lines[JS_LOG_LINES][256];
	int			nlog_lines;
	TimestampTz last_warning;

	JsArena		arena;
	JsWorkerSlot *slot;
	int64		rate_messages;
	TimestampTz rate_at;
} JsWorker;

static JsWorker *W = NULL;
static MemoryContext worker_cxt = NULL;
static MemoryContext batch_cxt = NULL;

static void resync_offsets(void);
static bool newly_stuck(TimestampTz since, char *last);
static void note_success(void);
static void worker_log_hook(ErrorData *edata);
static emit_log_hook_type prev_emit_log_hook = NULL;
static char last_reported_error[JS_ERRMSG_LEN];
static volatile sig_atomic_t exit_requested = false;

/*
 * worker_sigterm
 *		SIGTERM: PostgreSQL's die(), remembering that the exit that follows
 *		was asked for (die's flag is cleared before the FATAL it raises).
 */
static void
worker_sigterm(SIGNAL_ARGS)
{
	exit_requested = true;
	die(postgres_signal_arg);
}

/* ----------------------------------------------------------------
 * librdkafka callbacks (our thread, inside consume calls; never ereport)
 * ----------------------------------------------------------------
 */

/*
 * find_part
 *		The JsPart of a partition, created if asked.
 */
static JsPart *
find_part(int32 partition, bool create)
{
	int			i;

	for (i = 0; i < W->nparts; i++)
		if (W->parts[i].partition == partition)
			return &W->parts[i];
	if (!create || W->nparts == JS_MAX_PARTS)
		return NULL;
	W->parts[W->nparts].partition = partition;
	W->parts[W->nparts].assigned = false;
	W->parts[W->nparts].synced = false;
	W->parts[W->nparts].stored = -1;
	W->parts[W->nparts].pos = -1;
	W->parts[W->nparts].batch_first = -1;
	W->parts[W->nparts].messages = 0;
	W->parts[W->nparts].dead_letters = 0;
	W->parts[W->nparts].high_watermark = -1;
	return &W->parts[W->nparts++];
}

/*
 * note_error
 *		Keeps an error text for the main loop to report.
 */
static void
note_error(const char *fmt,...)
{
	va_list		ap;

	va_start(ap, fmt);
	vsnprintf(W->pending_error, sizeof(W->pending_error), fmt, ap);
	va_end(ap);
	W->have_pending_error = true;
}

/*
 * kafka_error_cb
 *		Errors of the client.  Connectivity errors mark an outage; the main
 *		loop logs it once.
 */
static void
kafka_error_cb(rd_kafka_t *rk, int err, const char *reason, void *opaque)
{
	if (W == NULL)
		return;
	if (err == RD_KAFKA_RESP_ERR__ALL_BROKERS_DOWN ||
		err == RD_KAFKA_RESP_ERR__TRANSPORT ||
		err == RD_KAFKA_RESP_ERR__RESOLVE)
	{
		if (err == RD_KAFKA_RESP_ERR__ALL_BROKERS_DOWN && !W->outage)
		{
			W->outage = true;
			note_error("Kafka brokers unreachable: %s", reason);
		}
		return;
	}
	if (err == RD_KAFKA_RESP_ERR__FATAL)
		W->fatal_error = true;
	note_error("Kafka error: %s: %s", rd_kafka_err2str(err), reason);
}

/*
 * kafka_log_cb
 *		librdkafka's log lines, kept for DEBUG1 output by the main loop.
 */
static void
kafka_log_cb(const rd_kafka_t *rk, int level, const char *fac, const char *buf)
{
	if (W == NULL || W->nlog_lines >= JS_LOG_LINES)
		return;
	snprintf(W->log_lines[W->nlog_lines++], 256, "%s: %s", fac, buf);
}

/*
 * read_stored_offsets
 *		Reads source_offsets of this source into parts[].stored, in a
 *		transaction of its own.  Raises errors; callers catch them.
 */
static void
read_stored_offsets(void)
{
	Datum		arg = Int32GetDatum(W->source_id);
	uint64		i;
	int			j;

	SetCurrentStatementStartTimestamp();
	StartTransactionCommand();
	PushActiveSnapshot(GetTransactionSnapshot());
	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	if (SPI_execute_plan(W->read_plan, &arg, NULL, true, 0) != SPI_OK_SELECT)
		elog(ERROR, "could not read jobstream.source_offsets");
	for (j = 0; j < W->nparts; j++)
		W->parts[j].stored = -1;
	for (i = 0; i < SPI_processed; i++)
	{
		bool		isnull;
		int32		p = DatumGetInt32(SPI_getbinval(SPI_tuptable->vals[i],
													SPI_tuptable->tupdesc, 1, &isnull));
		int64		o = DatumGetInt64(SPI_getbinval(SPI_tuptable->vals[i],
													SPI_tuptable->tupdesc, 2, &isnull));
		JsPart	   *part = find_part(p, true);

		if (part)
			part->stored = o;
	}
	SPI_finish();
	PopActiveSnapshot();
	CommitTransactionCommand();
	MemoryContextSwitchTo(worker_cxt);
}

/*
 * message_bytes
 *		What a message weighs in a batch: its payload and key.
 */
static inline int64
message_bytes(const rd_kafka_message_t *m)
{
	return (int64) m->len + (int64) m->key_len;
}

/*
 * drop_buffered
 *		Discards the buffered messages of one partition (all with -1).
 */
static void
drop_buffered(int32 partition)
{
	int			i,
				j;

	W->nbytes = 0;
	for (i = 0, j = 0; i < W->nmsgs; i++)
	{
		if (partition < 0 || W->msgs[i]->partition == partition)
		{
			rd_kafka_message_destroy(W->msgs[i]);
			continue;
		}
		W->nbytes += message_bytes(W->msgs[i]);
		W->msgs[j++] = W->msgs[i];
	}
	W->nmsgs = j;
	if (W->nmsgs == 0)
		W->batch_started = 0;
	for (i = 0; i < W->nparts; i++)
		if (partition < 0 || W->parts[i].partition == partition)
			W->parts[i].batch_first = -1;
}

/*
 * kafka_unassign
 *		Gives up the revoked partitions: incrementally under the cooperative
 *		protocol, else the whole assignment.  Errors are ignored (the
 *		partitions are going away either way).
 */
static void
kafka_unassign(rd_kafka_t *rk, rd_kafka_topic_partition_list_t *partitions)
{
	if (W->cooperative)
	{
		rd_kafka_error_t *e = rd_kafka_incremental_unassign(rk, partitions);

		if (e)
			rd_kafka_error_destroy(e);
	}
	else
		rd_kafka_assign(rk, NULL);
}

/*
 * kafka_rebalance_cb
 *		Assigns partitions at the offsets stored in PostgreSQL; on revoke
 *		drops what was buffered for the revoked partitions.
 */
static void
kafka_rebalance_cb(rd_kafka_t *rk, rd_kafka_resp_err_t err,
				   rd_kafka_topic_partition_list_t *partitions, void *opaque)
{
	int			i;
	volatile bool ok = true;

	if (W->closing)
	{
		/* leaving the group: no database access, just let go */
		kafka_unassign(rk, partitions);
		return;
	}

	HOLD_INTERRUPTS();
	W->in_callback = true;

	if (err == RD_KAFKA_RESP_ERR__ASSIGN_PARTITIONS)
	{
		MemoryContext oldcxt = CurrentMemoryContext;

		/* an ERROR resets the holdoff count; the catch below restores it */
		uint32		holdoff = InterruptHoldoffCount;

		for (i = 0; i < partitions->cnt; i++)
			if (find_part(partitions->elems[i].partition, true) == NULL)
				note_error("partition %d of topic \"%s\" is not consumed: a worker tracks at most %d partitions; raise the source's parallelism",
						   partitions->elems[i].partition, W->topic, JS_MAX_PARTS);

		PG_TRY();
		{
			read_stored_offsets();
		}
		PG_CATCH();
		{
			ErrorData  *edata;

			MemoryContextSwitchTo(worker_cxt);
			edata = CopyErrorData();
			FlushErrorState();
			AbortOutOfAnyTransaction();
			InterruptHoldoffCount = holdoff;
			note_error("could not read stored offsets: %s", edata->message);
			FreeErrorData(edata);
			ok = false;
		}
		PG_END_TRY();
		MemoryContextSwitchTo(oldcxt);

		for (i = 0; i < partitions->cnt; i++)
		{
			JsPart	   *part = find_part(partitions->elems[i].partition, true);

			if (part == NULL)
				continue;
			part->assigned = true;
			part->synced = ok;
			part->pos = ok ? part->stored : -1;
			part->batch_first = -1;
			if (ok && part->stored >= 0)
				partitions->elems[i].offset = part->stored;
			else
				partitions->elems[i].offset = W->start_latest ?
					RD_KAFKA_OFFSET_END : RD_KAFKA_OFFSET_BEGINNING;
		}
		if (W->cooperative)
		{
			rd_kafka_error_t *e = rd_kafka_incremental_assign(rk, partitions);

			if (e)
			{
				note_error("incremental assign failed: %s", rd_kafka_error_string(e));
				rd_kafka_error_destroy(e);
			}
		}
		else
			rd_kafka_assign(rk, partitions);
		if (!ok)
		{
			rd_kafka_pause_partitions(rk, partitions);
			W->need_resync = true;
		}
	}
	else
	{
		for (i = 0; i < partitions->cnt; i++)
		{
			JsPart	   *part = find_part(partitions->elems[i].partition, false);

			drop_buffered(partitions->elems[i].partition);
			if (part)
			{
				part->assigned = false;
				part->synced = false;
			}
		}
		kafka_unassign(rk, partitions);
	}

	W->in_callback = false;
	RESUME_INTERRUPTS();
}

/* ----------------------------------------------------------------
 * Setup
 * ----------------------------------------------------------------
 */

/*
 * kafka_set
 *		rd_kafka_conf_set or ERROR naming the property.
 */
static void
kafka_set(rd_kafka_conf_t *conf, const char *name, const char *value)
{
	char		errstr[512];

	if (rd_kafka_conf_set(conf, name, value, errstr, sizeof(errstr)) != RD_KAFKA_CONF_OK)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("invalid Kafka property \"%s\" of source %d: %s",
						name, W->source_id, errstr),
				 errhint("Correct the source's options with jobstream.alter_source().")));
}

/*
 * load_source
 *		Reads the source's settings, prepares the statements and creates
 *		the staging table, in one transaction.  Returns the librdkafka
 *		configuration, or NULL when the source is gone or paused.
 */
static rd_kafka_conf_t *
load_source(void)
{
	rd_kafka_conf_t *volatile conf = NULL;
	Datum		arg = Int32GetDatum(W->source_id);
	Oid			argtype = INT4OID;
	SPIPlanPtr	plan;
	bool		isnull;
	char	   *brokers,
			   *group_id;
	StringInfoData cols,
				sql;
	int			i;

	SetCurrentStatementStartTimestamp();
	StartTransactionCommand();
	PushActiveSnapshot(GetTransactionSnapshot());
	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	pgstat_report_activity(STATE_RUNNING, "loading source");

	plan = SPI_prepare("SELECT topic, target, brokers, group_id, paused "
					   "FROM jobstream.sources WHERE source_id = $1", 1, &argtype);
	if (plan == NULL || SPI_execute_plan(plan, &arg, NULL, true, 0) != SPI_OK_SELECT)
		elog(ERROR, "could not read jobstream.sources");
	if (SPI_processed != 1 ||
		DatumGetBool(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 5, &isnull)))
	{
		SPI_finish();
		PopActiveSnapshot();
		CommitTransactionCommand();
		return NULL;
	}
	W->topic = MemoryContextStrdup(worker_cxt, SPI_getvalue(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1));
	W->target = MemoryContextStrdup(worker_cxt, SPI_getvalue(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 2));
	brokers = SPI_getvalue(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 3);
	group_id = SPI_getvalue(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 4);

	W->def = js_topic_by_name(W->target);
	if (W->def == NULL || strcmp(W->def->table, W->target) != 0)
		elog(ERROR, "source %d has an unknown target \"%s\"", W->source_id, W->target);
	W->keyed = strcmp(W->target, "tracking_events") != 0;

	conf = rd_kafka_conf_new();
	PG_TRY();
	{
		char		buf[64];

		kafka_set(conf, "bootstrap.servers", brokers);
		kafka_set(conf, "group.id", group_id);
		snprintf(buf, sizeof(buf), "jobstream-%d-%d", W->source_id, W->slice);
		kafka_set(conf, "client.id", buf);
		kafka_set(conf, "log.queue", "true");

		/*
		 * Defaults a source may override: notice a crashed worker's
		 * departure from the group in 10 s instead of 45 s (brokers accept
		 * 6 s and up by default), so its partitions move on quickly.
		 */
		kafka_set(conf, "session.timeout.ms", "10000");
		kafka_set(conf, "heartbeat.interval.ms", "1000");

		/*
		 * A join waits up to the members' max.poll.interval.ms for members
		 * that may be dead; the worker polls at least every second, so 30 s
		 * (not 300 s) bounds the stall after a crash.
		 */
		kafka_set(conf, "max.poll.interval.ms", "30000");

		/*
		 * What librdkafka prefetches counts against the worker's memory
		 * beside the batch (jobstream.batch_bytes): 32 MB instead of 64.
		 */
		kafka_set(conf, "queued.max.messages.kbytes", "32768");

		/* the source's options, except jobstream's own keys */
		plan = SPI_prepare("SELECT key, CASE WHEN jsonb_typeof(value) <> 'object' "
						   "THEN value #>> '{}' END, value ->> 'env', value ->> 'file' "
						   "FROM jobstream.sources, jsonb_each(options) "
						   "WHERE source_id = $1 AND jsonb_typeof(value) <> 'null'",
						   1, &argtype);
		if (plan == NULL || SPI_execute_plan(plan, &arg, NULL, true, 0) != SPI_OK_SELECT)
			elog(ERROR, "could not read the options of source %d", W->source_id);
		for (i = 0; i < SPI_processed; i++)
		{
			char	   *k = SPI_getvalue(SPI_tuptable->vals[i], SPI_tuptable->tupdesc, 1);
			char	   *v = SPI_getvalue(SPI_tuptable->vals[i], SPI_tuptable->tupdesc, 2);

			if (strcmp(k, "start") == 0)
				W->start_latest = (v != NULL && strcmp(v, "latest") == 0);
			else if (strcmp(k, "parallelism") == 0)
				continue;
			else				/* refused properties and secret references */
				kafka_set(conf, k, js_kafka_option_value(W->source_id, k, v,
														 SPI_getvalue(SPI_tuptable->vals[i], SPI_tuptable->tupdesc, 3),
														 SPI_getvalue(SPI_tuptable->vals[i], SPI_tuptable->tupdesc, 4)));
		}
		/* what exactly-once relies on: no offsets stored in Kafka */
		kafka_set(conf, "enable.auto.commit", "false");
		kafka_set(conf, "enable.auto.offset.store", "false");
		kafka_set(conf, "auto.offset.reset", W->start_latest ? "latest" : "earliest");
	}
	PG_CATCH();
	{
		rd_kafka_conf_destroy(conf);
		PG_RE_THROW();
	}
	PG_END_TRY();

	/* staging table: the target's contract columns, _rn and _del */
	initStringInfo(&cols);
	for (i = 0; i < W->def->nfields; i++)
		appendStringInfo(&cols, "%s%s", i ? ", " : "", quote_identifier(W->def->fields[i].name));
	initStringInfo(&sql);
	appendStringInfo(&sql,
					 "CREATE TEMP TABLE IF NOT EXISTS jobstream_stage ON COMMIT DELETE ROWS AS "
					 "SELECT %s, 0::int4 AS _rn, false AS _del FROM jobstream.%s WITH NO DATA",
					 cols.data, quote_identifier(W->target));
	if (SPI_execute(sql.data, false, 0) < 0)
		elog(ERROR, "could not create the staging table");
	if (SPI_execute("SELECT 'pg_temp.jobstream_stage'::regclass::oid", true, 1) != SPI_OK_SELECT)
		elog(ERROR, "could not find the staging table");
	W->stage_relid = DatumGetObjectId(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull));
	{
		Relation	rel = table_open(W->stage_relid, AccessShareLock);
		MemoryContext old = MemoryContextSwitchTo(worker_cxt);

		W->stage_desc = CreateTupleDescCopy(RelationGetDescr(rel));
		js_row_map_init(&W->stage_map, W->def, W->stage_desc, false);
		W->slots = palloc(sizeof(TupleTableSlot *) * JS_STAGE_CHUNK);
		for (i = 0; i < JS_STAGE_CHUNK; i++)
			W->slots[i] = MakeSingleTupleTableSlot(W->stage_desc, &TTSOpsHeapTuple);
		MemoryContextSwitchTo(old);
		table_close(rel, AccessShareLock);
	}

	/* the move statement */
	resetStringInfo(&sql);
	if (W->keyed)
	{
		const char *key = quote_identifier(W->def->key_field);
		const char *tgt = quote_identifier(W->target);

		appendStringInfo(&sql,
						 "WITH last AS (SELECT DISTINCT ON (%s) * FROM pg_temp.jobstream_stage "
						 "WHERE _rn BETWEEN $1 AND $2 ORDER BY %s, _rn DESC), "
						 "del AS (DELETE FROM jobstream.%s t USING last "
						 "WHERE last._del AND t.%s = last.%s) "
						 "INSERT INTO jobstream.%s AS t (%s) SELECT %s FROM last WHERE NOT _del "
						 "ON CONFLICT (%s) DO UPDATE SET ",
						 key, key, tgt, key, key, tgt, cols.data, cols.data, key);
		for (i = 0; i < W->def->nfields; i++)
		{
			const char *c = quote_identifier(W->def->fields[i].name);

			if (strcmp(W->def->fields[i].name, W->def->key_field) == 0)
				continue;
			appendStringInfo(&sql, "%s = EXCLUDED.%s, ", c, c);
		}
		appendStringInfoString(&sql, "updated_at = now()");
	}
	else
		appendStringInfo(&sql,
						 "INSERT INTO jobstream.%s (%s) SELECT %s FROM pg_temp.jobstream_stage "
						 "WHERE _rn BETWEEN $1 AND $2 ON CONFLICT DO NOTHING",
						 quote_identifier(W->target), cols.data, cols.data);
	{
		Oid			types2[2] = {INT4OID, INT4OID};
		Oid			dtypes[9] = {TEXTOID, TEXTOID, INT4ARRAYOID, INT8ARRAYOID,
			BYTEAARRAYOID, BYTEAARRAYOID, INT8ARRAYOID, BYTEAARRAYOID, TEXTARRAYOID};
		Oid			otypes[4] = {INT4OID, INT4ARRAYOID, INT8ARRAYOID, INT8ARRAYOID};

		W->move_plan = SPI_prepare(sql.data, 2, types2);
		W->dead_plan = SPI_prepare("INSERT INTO jobstream.dead_letters "
								   "(source, topic, partition, \"offset\", key, payload, "
								   "payload_bytes, payload_sha256, error) "
								   "SELECT $1, $2, p, o, k, v, n, h, e FROM "
								   "unnest($3, $4, $5, $6, $7, $8, $9) AS u(p, o, k, v, n, h, e)",
								   9, dtypes);
		W->read_plan = SPI_prepare("SELECT partition, next_offset FROM jobstream.source_offsets "
								   "WHERE source_id = $1", 1, &argtype);
		W->update_plan = SPI_prepare("UPDATE jobstream.source_offsets o "
									 "SET next_offset = u.n, updated_at = now() "
									 "FROM unnest($2, $3, $4) AS u(p, n, e) "
									 "WHERE o.source_id = $1 AND o.partition = u.p "
									 "AND o.next_offset = u.e", 4, otypes);
		W->insert_plan = SPI_prepare("INSERT INTO jobstream.source_offsets "
									 "(source_id, partition, next_offset) "
									 "SELECT $1, p, n FROM unnest($2, $3) AS u(p, n) "
									 "ON CONFLICT DO NOTHING", 3, otypes);
		if (!W->move_plan || !W->dead_plan || !W->read_plan ||
			!W->update_plan || !W->insert_plan)
			elog(ERROR, "could not prepare the statements of source %d: %s",
				 W->source_id, SPI_result_code_string(SPI_result));
		SPI_keepplan(W->move_plan);
		SPI_keepplan(W->dead_plan);
		SPI_keepplan(W->read_plan);
		SPI_keepplan(W->update_plan);
		SPI_keepplan(W->insert_plan);
	}

	SPI_finish();
	PopActiveSnapshot();
	CommitTransactionCommand();
	MemoryContextSwitchTo(worker_cxt);
	pgstat_report_activity(STATE_IDLE, NULL);
	return conf;
}

/*
 * start_consumer
 *		Creates the consumer, hooks its queue to a pipe and subscribes.
 */
static void
start_consumer(rd_kafka_conf_t *conf)
{
	char		errstr[512];
	rd_kafka_topic_partition_list_t *topics;
	rd_kafka_resp_err_t err;

	rd_kafka_conf_set_rebalance_cb(conf, kafka_rebalance_cb);
	rd_kafka_conf_set_error_cb(conf, kafka_error_cb);
	rd_kafka_conf_set_log_cb(conf, kafka_log_cb);

	W->rk = rd_kafka_new(RD_KAFKA_CONSUMER, conf, errstr, sizeof(errstr));
	if (W->rk == NULL)
	{
		rd_kafka_conf_destroy(conf);
		ereport(ERROR,
				(errcode(ERRCODE_CONNECTION_FAILURE),
				 errmsg("could not create the Kafka consumer of source %d: %s",
						W->source_id, errstr),
				 errhint("Correct the source's options with jobstream.alter_source(); the launcher starts the worker again.")));
	}
	W->cooperative = strcmp(rd_kafka_rebalance_protocol(W->rk), "COOPERATIVE") == 0;
	rd_kafka_set_log_queue(W->rk, NULL);
	rd_kafka_poll_set_consumer(W->rk);
	W->queue = rd_kafka_queue_get_consumer(W->rk);

	if (pipe(W->pipefd) != 0 ||
		fcntl(W->pipefd[0], F_SETFL, O_NONBLOCK) != 0 ||
		fcntl(W->pipefd[1], F_SETFL, O_NONBLOCK) != 0)
		ereport(ERROR, (errcode_for_file_access(), errmsg("could not create pipe: %m")));
	rd_kafka_queue_io_event_enable(W->queue, W->pipefd[1], "1", 1);

	topics = rd_kafka_topic_partition_list_new(1);
	rd_kafka_topic_partition_list_add(topics, W->topic, RD_KAFKA_PARTITION_UA);
	err = rd_kafka_subscribe(W->rk, topics);
	rd_kafka_topic_partition_list_destroy(topics);
	if (err)
		ereport(ERROR,
				(errcode(ERRCODE_CONNECTION_FAILURE),
				 errmsg("could not subscribe to topic \"%s\": %s", W->topic,
						rd_kafka_err2str(err))));
}

/*
 * worker_shutdown
 *		before_shmem_exit callback: leaves the consumer group (bounded to
 *		about a second, so SIGTERM stops the worker quickly) and frees the
 *		stats slot.
 */
static void
worker_shutdown(int code, Datum arg)
{
	if (W == NULL)
		return;
	if (W->rk && !W->in_callback)
	{
		TimestampTz deadline = TimestampTzPlusMilliseconds(GetCurrentTimestamp(), 800);
		rd_kafka_error_t *e;
		bool		closed = false;

		W->closing = true;
		drop_buffered(-1);
		e = rd_kafka_consumer_close_queue(W->rk, W->queue);
		if (e)
			rd_kafka_error_destroy(e);
		else
		{
			while (!(closed = rd_kafka_consumer_closed(W->rk)) &&
				   GetCurrentTimestamp() < deadline)
			{
				rd_kafka_event_t *ev = rd_kafka_queue_poll(W->queue, 50);

				if (ev == NULL)
					continue;
				if (rd_kafka_event_type(ev) == RD_KAFKA_EVENT_REBALANCE)
				{
					if (W->cooperative)
					{
						rd_kafka_error_t *e2 =
							rd_kafka_incremental_unassign(W->rk,
														  rd_kafka_event_topic_partition_list(ev));

						if (e2)
							rd_kafka_error_destroy(e2);
					}
					else
						rd_kafka_assign(W->rk, NULL);
				}
				rd_kafka_event_destroy(ev);
			}
		}
		rd_kafka_queue_destroy(W->queue);

		/*
		 * A close that did not finish (the broker is gone, say) leaves the
		 * consumer group operation pending, and rd_kafka_destroy() then
		 * waits for it forever, with or without
		 * RD_KAFKA_DESTROY_F_NO_CONSUMER_CLOSE: seen with librdkafka 2.0.2,
		 * a worker spinning after SIGTERM.  The process is exiting, so its
		 * threads go with it; the group notices at its session timeout.
		 */
		if (closed)
			rd_kafka_destroy(W->rk);
		W->rk = NULL;
	}
	if (W->slot)
	{
		/*
		 * An exit on an error (not on SIGTERM, whose FATAL is a request:
		 * the launcher stopping or restarting it, a pause, shutdown)
		 * leaves the run of failures to the next worker; a run that has
		 * gone on for jobstream.stuck_after is reported, once.
		 */
		bool		failed = code != 0 && !exit_requested;

		if (failed)
		{
			TimestampTz since = W->failing_since ? W->failing_since : GetCurrentTimestamp();
			char		last[JS_ERRMSG_LEN];

			if (last_reported_error[0] != '\0')
				js_slot_set_error(W->slot, last_reported_error);
			if (newly_stuck(since, last))
				ereport(WARNING,
						(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
						 errmsg("jobstream source %d is stuck: its worker for slice %d has exited on an error %d times since %s",
								W->source_id, W->slice, W->retries + 1, timestamptz_to_str(since)),
						 errdetail("Last error: %s", last),
						 errhint("Fix the cause (see the server log and jobstream.workers.last_error); the launcher starts the worker again with a backoff of up to 30 s.")));
		}
		js_slot_release(W->slot, failed);
	}
	W->slot = NULL;
}

/*
 * worker_log_hook
 *		emit_log_hook of a worker: remembers the last error it reported.  An
 *		error that nothing catches ends the worker (the background worker's
 *		own handler reports it and exits), and worker_shutdown makes it the
 *		slot's last error; errors inside a batch are recorded where they are
 *		caught.
 */
static void
worker_log_hook(ErrorData *edata)
{
	if (edata->elevel >= ERROR && edata->message != NULL)
		js_clip_text_into(last_reported_error, edata->message, JS_ERRMSG_LEN);
	if (prev_emit_log_hook)
		prev_emit_log_hook(edata);
}

/* ----------------------------------------------------------------
 * Storing a batch
 * ----------------------------------------------------------------
 */

/* Batch state kept while a batch is stored. */
typedef struct JsBatch
{
	int		   *staged;			/* _rn of staged rows, ascending */
	int			nstaged;
	JsDead	   *dead;
	int			ndead;
	int64		rows;
} JsBatch;

/*
 * add_dead
 *		Notes that message i of the batch is a dead letter.
 */
static void
add_dead(JsBatch *b, int i, const char *error)
{
	MemoryContext old = MemoryContextSwitchTo(batch_cxt);

	b->dead[b->ndead].msg = i;
	b->dead[b->ndead].error = js_clip_text(error, JS_DEAD_ERRLEN);
	MemoryContextSwitchTo(old);
	b->ndead++;
}

/*
 * stage_rows
 *		Decodes every message of the batch; good ones go to the staging
 *		table, bad ones to b->dead.
 */
static void
stage_rows(JsBatch *b)
{
	Relation	rel = table_open(W->stage_relid, RowExclusiveLock);
	BulkInsertState bistate = GetBulkInsertState();
	CommandId	cid = GetCurrentCommandId(true);
	MemoryContext chunk_cxt = AllocSetContextCreate(batch_cxt, "jobstream chunk",
													ALLOCSET_DEFAULT_SIZES);
	MemoryContext old = MemoryContextSwitchTo(chunk_cxt);
	const JsTopicDef *def = W->def;
	JsValue    *row = MemoryContextAlloc(batch_cxt, sizeof(JsValue) * def->nfields);
	int			keyidx = js_field_index(def, def->key_field);
	int			nslots = 0;
	int			i,
				f;
	char		err[JS_ERRLEN];

	for (i = 0; i < W->nmsgs; i++)
	{
		rd_kafka_message_t *m = W->msgs[i];
		TupleTableSlot *slot = W->slots[nslots];

		if (m->payload == NULL)
		{
			uint8_t		uuid[16];

			if (!W->keyed)
			{
				add_dead(b, i, "tombstone (null payload) on an append-only topic");
				continue;
			}
			if (m->key == NULL || !js_uuid_parse(m->key, m->key_len, uuid))
			{
				snprintf(err, sizeof(err), "tombstone whose key is not a UUID (%s expected)",
						 def->key_field);
				add_dead(b, i, err);
				continue;
			}
			ExecClearTuple(slot);
			for (f = 0; f < slot->tts_tupleDescriptor->natts; f++)
				slot->tts_isnull[f] = true;
			{
				JsValue		kv;
				int			a = W->stage_map.attidx[keyidx];

				kv.isnull = false;
				memcpy(kv.v.uuid, uuid, 16);
				slot->tts_values[a] = js_value_to_datum(def->fields[keyidx].type,
														def->fields[keyidx].scale, &kv);
				slot->tts_isnull[a] = false;
			}
		}
		else if (m->len > (size_t) js_max_message_bytes)
		{
			snprintf(err, sizeof(err),
					 "message of %zu bytes exceeds jobstream.max_message_bytes (%d)",
					 m->len, js_max_message_bytes);
			add_dead(b, i, err);
			continue;
		}
		else if (!js_decode(def, m->payload, m->len, row, &W->arena, err, sizeof(err)))
		{
			add_dead(b, i, err);
			continue;
		}
		else
		{
			ExecClearTuple(slot);
			js_row_to_datums(&W->stage_map, row, slot->tts_values, slot->tts_isnull);
		}
		slot->tts_values[def->nfields] = Int32GetDatum(i);
		slot->tts_isnull[def->nfields] = false;
		slot->tts_values[def->nfields + 1] = BoolGetDatum(m->payload == NULL);
		slot->tts_isnull[def->nfields + 1] = false;
		ExecStoreVirtualTuple(slot);
		b->staged[b->nstaged++] = i;
		if (++nslots == JS_STAGE_CHUNK)
		{
			table_multi_insert(rel, W->slots, nslots, cid, 0, bistate);
			for (f = 0; f < nslots; f++)
				ExecClearTuple(W->slots[f]);
			nslots = 0;
			MemoryContextReset(chunk_cxt);
		}
	}
	if (nslots > 0)
	{
		table_multi_insert(rel, W->slots, nslots, cid, 0, bistate);
		for (f = 0; f < nslots; f++)
			ExecClearTuple(W->slots[f]);
	}
	MemoryContextSwitchTo(old);
	MemoryContextDelete(chunk_cxt);
	FreeBulkInsertState(bistate);
	table_close(rel, NoLock);
	CommandCounterIncrement();
}

/*
 * error_is_about_batch
 *		Whether an error is about the batch's circumstances rather than one
 *		of its rows: a lost connection, a lock or statement timeout, a
 *		serialization failure or deadlock, a full disk, an I/O error, a
 *		schema that no longer fits the statement (a dropped column, a
 *		revoked privilege).  Such errors retry the whole batch after a
 *		backoff; trying rows one by one would only turn good messages into
 *		dead letters.  Every other error (data, constraint, program limit,
 *		a trigger's exception, out of memory on a huge row...) is taken to
 *		come from a row, and bisection finds which.
 */
static bool
error_is_about_batch(int sqlerrcode)
{
	switch (ERRCODE_TO_CATEGORY(sqlerrcode))
	{
		case ERRCODE_CONNECTION_EXCEPTION:	/* 08 */
		case ERRCODE_INVALID_TRANSACTION_STATE: /* 25 */
		case ERRCODE_TRANSACTION_ROLLBACK:	/* 40: serialization, deadlock */
		case ERRCODE_SYNTAX_ERROR_OR_ACCESS_RULE_VIOLATION: /* 42: schema */
		case ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE:	/* 55: lock timeout */
		case ERRCODE_OPERATOR_INTERVENTION: /* 57: canceled, shutdown */
		case ERRCODE_SYSTEM_ERROR:	/* 58: I/O */
		case ERRCODE_CONFIG_FILE_ERROR: /* F0 */
			return true;
		default:
			break;
	}
	return sqlerrcode == ERRCODE_INTERNAL_ERROR ||	/* elog(ERROR): a bug or the system, not data */
		sqlerrcode == ERRCODE_DISK_FULL ||
		sqlerrcode == ERRCODE_TOO_MANY_CONNECTIONS ||
		sqlerrcode == ERRCODE_CONFIGURATION_LIMIT_EXCEEDED ||
		sqlerrcode == ERRCODE_DATA_CORRUPTED ||
		sqlerrcode == ERRCODE_INDEX_CORRUPTED;
}

/*
 * try_plan
 *		Runs a prepared statement (or else sql) in a subtransaction.  Returns NULL on
 *		success (the statement's rows are in SPI_tuptable), else the error
 *		of a row; errors about the batch (error_is_about_batch) are
 *		re-thrown and abort it.
 */
static ErrorData *
try_plan(SPIPlanPtr plan, const char *sql, Datum *args, uint64 *processed)
{
	MemoryContext oldcxt = CurrentMemoryContext;
	ResourceOwner oldowner = CurrentResourceOwner;
	ErrorData  *volatile edata = NULL;

	BeginInternalSubTransaction(NULL);
	MemoryContextSwitchTo(oldcxt);
	PG_TRY();
	{
		int			ret = plan ? SPI_execute_plan(plan, args, NULL, false, 0) :
			SPI_execute(sql, false, 0);

		if (ret < 0)
			elog(ERROR, "storing the batch failed: %s", SPI_result_code_string(ret));
		*processed = SPI_processed;
		ReleaseCurrentSubTransaction();
		MemoryContextSwitchTo(oldcxt);
		CurrentResourceOwner = oldowner;
	}
	PG_CATCH();
	{
		MemoryContextSwitchTo(oldcxt);
		edata = CopyErrorData();
		if (error_is_about_batch(edata->sqlerrcode))
			PG_RE_THROW();
		FlushErrorState();
		RollbackAndReleaseCurrentSubTransaction();
		MemoryContextSwitchTo(oldcxt);
		CurrentResourceOwner = oldowner;
	}
	PG_END_TRY();
	return edata;
}

/*
 * try_move
 *		Runs the move statement for staged rows lo..hi (indexes into
 *		b->staged) in a subtransaction; NULL on success, else the row error.
 */
static ErrorData *
try_move(JsBatch *b, int lo, int hi)
{
	Datum		args[2];
	uint64		n = 0;
	ErrorData  *edata;

	args[0] = Int32GetDatum(b->staged[lo]);
	args[1] = Int32GetDatum(b->staged[hi]);
	edata = try_plan(W->move_plan, NULL, args, &n);
	if (edata == NULL)
		b->rows += n;
	return edata;
}

/*
 * dead_reason
 *		The text a dead letter keeps for a PostgreSQL error: message and
 *		detail.
 */
static char *
dead_reason(ErrorData *edata)
{
	return psprintf("%s%s%s", edata->message ? edata->message : "",
					edata->detail ? ": " : "", edata->detail ? edata->detail : "");
}

/*
 * move_range
 *		Moves staged rows lo..hi, bisecting on failure down to the single
 *		rows that fail, which become dead letters.
 */
static void
move_range(JsBatch *b, int lo, int hi)
{
	ErrorData  *edata;
	int			mid;

	CHECK_FOR_INTERRUPTS();
	edata = try_move(b, lo, hi);
	if (edata == NULL)
		return;
	if (lo == hi)
	{
		add_dead(b, b->staged[lo], dead_reason(edata));
		FreeErrorData(edata);
		return;
	}
	FreeErrorData(edata);
	mid = lo + (hi - lo) / 2;
	move_range(b, lo, mid);
	move_range(b, mid + 1, hi);
}

/*
 * constraint_checks
 *		One statement per CHECK and FOREIGN KEY constraint of the target
 *		table whose columns all come from the contract: it deletes the
 *		staged rows that violate the constraint and returns their _rn and
 *		PostgreSQL's message for the violation.  Built from the catalog
 *		each time prefilter() runs (only when a batch has failed), so they
 *		follow constraints added or dropped while the worker runs.
 */
static List *
constraint_checks(void)
{
	List	   *checks = NIL;
	StringInfoData sql,
				cond,
				msg;
	uint64		i,
				nrows;
	SPITupleTable *tab;

	initStringInfo(&sql);
	appendStringInfo(&sql,
					 "SELECT c.conname, c.contype, pg_catalog.pg_get_expr(c.conbin, c.conrelid), "
					 "ARRAY(SELECT a.attname FROM pg_catalog.unnest(c.conkey) WITH ORDINALITY k(n, i) "
					 "      JOIN pg_catalog.pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = k.n ORDER BY k.i)::text[], "
					 "c.confrelid::regclass::text, "
					 "ARRAY(SELECT a.attname FROM pg_catalog.unnest(c.confkey) WITH ORDINALITY k(n, i) "
					 "      JOIN pg_catalog.pg_attribute a ON a.attrelid = c.confrelid AND a.attnum = k.n ORDER BY k.i)::text[], "
					 "(SELECT relname FROM pg_catalog.pg_class WHERE oid = c.confrelid) "
					 "FROM pg_catalog.pg_constraint c "
					 "WHERE c.conrelid = 'jobstream.%s'::regclass AND c.contype IN ('c', 'f') "
					 "ORDER BY c.contype DESC, c.conname",
					 quote_identifier(W->target));
	if (SPI_execute(sql.data, true, 0) != SPI_OK_SELECT)
		elog(ERROR, "could not read the constraints of jobstream.%s", W->target);
	tab = SPI_tuptable;
	nrows = SPI_processed;

	for (i = 0; i < nrows; i++)
	{
		HeapTuple	tup = tab->vals[i];
		TupleDesc	desc = tab->tupdesc;
		char	   *conname = SPI_getvalue(tup, desc, 1);
		char	   *contype = SPI_getvalue(tup, desc, 2);
		char	   *expr = SPI_getvalue(tup, desc, 3);
		bool		isnull;
		Datum		d;
		Datum	   *keys = NULL,
				   *refkeys = NULL;
		int			nkeys = 0,
					nrefkeys = 0,
					k;
		bool		usable = true;

		d = SPI_getbinval(tup, desc, 4, &isnull);
		if (!isnull)
			deconstruct_array(DatumGetArrayTypeP(d), TEXTOID, -1, false, TYPALIGN_INT,
							  &keys, NULL, &nkeys);
		d = SPI_getbinval(tup, desc, 6, &isnull);
		if (!isnull)
			deconstruct_array(DatumGetArrayTypeP(d), TEXTOID, -1, false, TYPALIGN_INT,
							  &refkeys, NULL, &nrefkeys);
		for (k = 0; k < nkeys; k++)
			if (js_field_index(W->def, TextDatumGetCString(keys[k])) < 0)
				usable = false;
		if (!usable || nkeys == 0)
			continue;

		initStringInfo(&cond);
		initStringInfo(&msg);
		if (contype[0] == 'c')
		{
			appendStringInfo(&cond, "(%s) IS FALSE", expr);
			appendStringInfo(&msg, "%s",
							 quote_literal_cstr(psprintf("new row for relation \"%s\" violates check constraint \"%s\": %s",
														 W->target, conname, expr)));
		}
		else
		{
			char	   *reftable = SPI_getvalue(tup, desc, 5);
			char	   *refname = SPI_getvalue(tup, desc, 7);
			StringInfoData keylist,
						vallist,
						match;

			if (nrefkeys != nkeys)
				continue;
			initStringInfo(&keylist);
			initStringInfo(&vallist);
			initStringInfo(&match);
			for (k = 0; k < nkeys; k++)
			{
				const char *col = quote_identifier(TextDatumGetCString(keys[k]));
				const char *refcol = quote_identifier(TextDatumGetCString(refkeys[k]));

				appendStringInfo(&cond, "s.%s IS NOT NULL AND ", col);
				appendStringInfo(&match, "%sr.%s = s.%s", k ? " AND " : "", refcol, col);
				appendStringInfo(&keylist, "%s%s", k ? ", " : "", col);
				appendStringInfo(&vallist, "%ss.%s::text", k ? " || ', ' || " : "", col);
			}
			appendStringInfo(&cond, "NOT EXISTS (SELECT 1 FROM %s r WHERE %s)",
							 reftable, match.data);
			appendStringInfo(&msg, "%s || %s || %s",
							 quote_literal_cstr(psprintf("insert or update on table \"%s\" violates foreign key constraint \"%s\": Key (%s)=(",
														 W->target, conname, keylist.data)),
							 vallist.data,
							 quote_literal_cstr(psprintf(") is not present in table \"%s\".", refname)));
		}
		checks = lappend(checks,
						 psprintf("DELETE FROM pg_temp.jobstream_stage s WHERE NOT s._del AND %s "
								  "RETURNING s._rn, %s",
								  cond.data, msg.data));
	}
	return checks;
}

/*
 * prefilter
 *		Runs the constraint pre-checks (constraint_checks) over the staged
 *		rows: the violating rows leave the staging table and become dead
 *		letters, and b->staged keeps the others.  A pre-check that fails
 *		is skipped: bisection still finds its rows.
 */
static void
prefilter(JsBatch *b)
{
	bool	   *gone = palloc0(sizeof(bool) * Max(W->nmsgs, 1));
	ListCell   *lc;
	int			i,
				j;
	bool		any = false;

	foreach(lc, constraint_checks())
	{
		uint64		n = 0;
		ErrorData  *edata = try_plan(NULL, lfirst(lc), NULL, &n);

		if (edata)
		{
			FreeErrorData(edata);
			continue;
		}
		for (i = 0; i < (int) n; i++)
		{
			bool		isnull;
			int			rn = DatumGetInt32(SPI_getbinval(SPI_tuptable->vals[i],
														 SPI_tuptable->tupdesc, 1, &isnull));
			char	   *reason = SPI_getvalue(SPI_tuptable->vals[i], SPI_tuptable->tupdesc, 2);

			if (rn < 0 || rn >= W->nmsgs || gone[rn])
				continue;
			gone[rn] = true;
			any = true;
			add_dead(b, rn, reason ? reason : "constraint violation");
		}
	}
	if (!any)
		return;
	for (i = 0, j = 0; i < b->nstaged; i++)
		if (!gone[b->staged[i]])
			b->staged[j++] = b->staged[i];
	b->nstaged = j;
}

/*
 * move_batch
 *		Moves every staged row.  When the batch fails on a row, the
 *		constraint pre-checks take out the rows they can name, and
 *		bisection the rest.
 */
static void
move_batch(JsBatch *b)
{
	ErrorData  *edata;

	if (b->nstaged == 0)
		return;
	edata = try_move(b, 0, b->nstaged - 1);
	if (edata == NULL)
		return;
	FreeErrorData(edata);
	prefilter(b);
	if (b->nstaged == 0)
		return;

	/*
	 * Bisection runs the move statement over ranges of _rn, a subtransaction
	 * each: an index makes each range cost its size rather than the whole
	 * batch.  Made here, for this batch only, so that batches that do not
	 * fail pay nothing for it.
	 */
	if (b->nstaged > 64 &&
		SPI_execute("CREATE INDEX jobstream_stage_rn ON pg_temp.jobstream_stage (_rn)", false, 0) < 0)
		elog(ERROR, "could not index the staging table");
	move_range(b, 0, b->nstaged - 1);
	if (b->nstaged > 64 &&
		SPI_execute("DROP INDEX pg_temp.jobstream_stage_rn", false, 0) < 0)
		elog(ERROR, "could not drop the staging table's index");
}

/*
 * bytes_prefix
 *		A bytea of the first jobstream.dead_letter_bytes bytes of data.
 */
static Datum
bytes_prefix(const void *data, size_t len)
{
	size_t		n = Min(len, (size_t) js_dead_letter_bytes);
	bytea	   *b = palloc(VARHDRSZ + n);

	SET_VARSIZE(b, VARHDRSZ + n);
	memcpy(VARDATA(b), data, n);
	return PointerGetDatum(b);
}

/*
 * payload_sha256
 *		The SHA-256 of data, as a bytea.
 */
static Datum
payload_sha256(const void *data, size_t len)
{
	pg_cryptohash_ctx *ctx = pg_cryptohash_create(PG_SHA256);
	bytea	   *b = palloc(VARHDRSZ + PG_SHA256_DIGEST_LENGTH);

	SET_VARSIZE(b, VARHDRSZ + PG_SHA256_DIGEST_LENGTH);
	if (ctx == NULL ||
		pg_cryptohash_init(ctx) < 0 ||
		pg_cryptohash_update(ctx, data, len) < 0 ||
		pg_cryptohash_final(ctx, (uint8 *) VARDATA(b), PG_SHA256_DIGEST_LENGTH) < 0)
		elog(ERROR, "could not compute SHA-256: %s", pg_cryptohash_error(ctx));
	pg_cryptohash_free(ctx);
	return PointerGetDatum(b);
}

/*
 * insert_dead_letters
 *		One INSERT for all dead letters of the batch.  A payload or key
 *		longer than jobstream.dead_letter_bytes is kept as a prefix; the
 *		payload's full length and SHA-256 are kept always, so the message
 *		can be found again in Kafka and told apart from others.
 */
static void
insert_dead_letters(JsBatch *b)
{
	int			n = b->ndead;
	Datum	   *parts = palloc(sizeof(Datum) * Max(n, 1));
	Datum	   *offs = palloc(sizeof(Datum) * Max(n, 1));
	Datum	   *keys = palloc(sizeof(Datum) * Max(n, 1));
	Datum	   *payloads = palloc(sizeof(Datum) * Max(n, 1));
	Datum	   *lens = palloc(sizeof(Datum) * Max(n, 1));
	Datum	   *hashes = palloc(sizeof(Datum) * Max(n, 1));
	Datum	   *errors = palloc(sizeof(Datum) * Max(n, 1));
	bool	   *keynulls = palloc(sizeof(bool) * Max(n, 1));
	bool	   *paynulls = palloc(sizeof(bool) * Max(n, 1));
	Datum		args[9];
	int			dims[1];
	int			lbs[1] = {1};
	char		source[16];
	int			i;

	if (n == 0)
		return;
	for (i = 0; i < n; i++)
	{
		rd_kafka_message_t *m = W->msgs[b->dead[i].msg];
		JsPart	   *part = find_part(m->partition, false);

		parts[i] = Int32GetDatum(m->partition);
		offs[i] = Int64GetDatum(m->offset);
		keynulls[i] = m->key == NULL;
		keys[i] = keynulls[i] ? (Datum) 0 : bytes_prefix(m->key, m->key_len);
		paynulls[i] = m->payload == NULL;
		payloads[i] = paynulls[i] ? (Datum) 0 : bytes_prefix(m->payload, m->len);
		lens[i] = Int64GetDatum(paynulls[i] ? 0 : (int64) m->len);
		hashes[i] = paynulls[i] ? (Datum) 0 : payload_sha256(m->payload, m->len);
		errors[i] = CStringGetTextDatum(b->dead[i].error);
		if (part)
			part->dead_letters++;
	}
	dims[0] = n;
	snprintf(source, sizeof(source), "%d", W->source_id);
	args[0] = CStringGetTextDatum(source);
	args[1] = CStringGetTextDatum(W->topic);
	args[2] = PointerGetDatum(construct_array(parts, n, INT4OID, 4, true, TYPALIGN_INT));
	args[3] = PointerGetDatum(construct_array(offs, n, INT8OID, 8, FLOAT8PASSBYVAL, TYPALIGN_DOUBLE));
	args[4] = PointerGetDatum(construct_md_array(keys, keynulls, 1, dims, lbs, BYTEAOID, -1, false, TYPALIGN_INT));
	args[5] = PointerGetDatum(construct_md_array(payloads, paynulls, 1, dims, lbs, BYTEAOID, -1, false, TYPALIGN_INT));
	args[6] = PointerGetDatum(construct_array(lens, n, INT8OID, 8, FLOAT8PASSBYVAL, TYPALIGN_DOUBLE));
	args[7] = PointerGetDatum(construct_md_array(hashes, paynulls, 1, dims, lbs, BYTEAOID, -1, false, TYPALIGN_INT));
	args[8] = PointerGetDatum(construct_array(errors, n, TEXTOID, -1, false, TYPALIGN_INT));
	if (SPI_execute_plan(W->dead_plan, args, NULL, false, 0) != SPI_OK_INSERT)
		elog(ERROR, "could not insert dead letters");
}

/*
 * store_offsets
 *		Advances the stored offset of every partition in the batch, fenced
 *		on the value this worker last saw.  Raises an error when another
 *		consumer moved an offset meanwhile.
 */
static void
store_offsets(void)
{
	Datum	   *up = palloc(sizeof(Datum) * W->nparts);
	Datum	   *un = palloc(sizeof(Datum) * W->nparts);
	Datum	   *ue = palloc(sizeof(Datum) * W->nparts);
	Datum	   *ip = palloc(sizeof(Datum) * W->nparts);
	Datum	   *in = palloc(sizeof(Datum) * W->nparts);
	int			nu = 0,
				ni = 0,
				i;
	Datum		args[4];

	for (i = 0; i < W->nparts; i++)
	{
		JsPart	   *p = &W->parts[i];

		if (p->batch_first < 0)
			continue;
		if (p->stored >= 0)
		{
			up[nu] = Int32GetDatum(p->partition);
			un[nu] = Int64GetDatum(p->pos);
			ue[nu] = Int64GetDatum(p->stored);
			nu++;
		}
		else
		{
			ip[ni] = Int32GetDatum(p->partition);
			in[ni] = Int64GetDatum(p->pos);
			ni++;
		}
	}
	args[0] = Int32GetDatum(W->source_id);
	if (nu > 0)
	{
		args[1] = PointerGetDatum(construct_array(up, nu, INT4OID, 4, true, TYPALIGN_INT));
		args[2] = PointerGetDatum(construct_array(un, nu, INT8OID, 8, FLOAT8PASSBYVAL, TYPALIGN_DOUBLE));
		args[3] = PointerGetDatum(construct_array(ue, nu, INT8OID, 8, FLOAT8PASSBYVAL, TYPALIGN_DOUBLE));
		if (SPI_execute_plan(W->update_plan, args, NULL, false, 0) != SPI_OK_UPDATE)
			elog(ERROR, "could not update jobstream.source_offsets");
		if (SPI_processed != (uint64) nu)
			ereport(ERROR,
					(errcode(ERRCODE_T_R_SERIALIZATION_FAILURE),
					 errmsg("stored offsets of source %d moved under this worker",
							W->source_id),
					 errdetail("Another consumer of the group stored offsets of a partition this worker was consuming; the batch is discarded."),
					 errhint("This happens after a consumer group rebalance; the worker re-reads its offsets and goes on.")));
	}
	if (ni > 0)
	{
		args[1] = PointerGetDatum(construct_array(ip, ni, INT4OID, 4, true, TYPALIGN_INT));
		args[2] = PointerGetDatum(construct_array(in, ni, INT8OID, 8, FLOAT8PASSBYVAL, TYPALIGN_DOUBLE));
		if (SPI_execute_plan(W->insert_plan, args, NULL, false, 0) != SPI_OK_INSERT)
			elog(ERROR, "could not insert into jobstream.source_offsets");
		if (SPI_processed != (uint64) ni)
			ereport(ERROR,
					(errcode(ERRCODE_T_R_SERIALIZATION_FAILURE),
					 errmsg("stored offsets of source %d appeared under this worker",
							W->source_id),
					 errdetail("Another consumer of the group stored the first offsets of a partition this worker was consuming; the batch is discarded."),
					 errhint("This happens after a consumer group rebalance; the worker re-reads its offsets and goes on.")));
	}
}

/*
 * publish_stats
 *		Copies the worker's partition figures into its shared slot.
 */
static void
publish_stats(void)
{
	JsWorkerSlot *s = W->slot;
	int			i,
				n = 0;

	if (s == NULL)
		return;
	for (i = 0; i < W->nparts; i++)
	{
		JsPart	   *p = &W->parts[i];
		int64		lo,
					hi;

		if (p->assigned &&
			rd_kafka_get_watermark_offsets(W->rk, W->topic, p->partition, &lo, &hi) == 0 &&
			hi >= 0)
			p->high_watermark = hi;
	}
	SpinLockAcquire(&s->mutex);
	for (i = 0; i < W->nparts && n < JS_STATS_PARTITIONS; i++)
	{
		JsPart	   *p = &W->parts[i];

		if (!p->assigned)
			continue;
		s->partitions[n].partition = p->partition;
		s->partitions[n].assigned = p->assigned;
		s->partitions[n].high_watermark = p->high_watermark;
		s->partitions[n].next_offset = p->stored;
		s->partitions[n].messages = p->messages;
		s->partitions[n].dead_letters = p->dead_letters;
		n++;
	}
	s->npartitions = n;
	SpinLockRelease(&s->mutex);
}

/*
 * record_caught_error
 *		For a PG_CATCH block of the main loop: logs the current error,
 *		aborts the transaction and notes the error in the worker's shared
 *		slot.  Leaves the worker's long-lived context current.
 */
static void
record_caught_error(void)
{
	ErrorData  *edata;

	MemoryContextSwitchTo(worker_cxt);
	edata = CopyErrorData();
	EmitErrorReport();
	last_reported_error[0] = '\0';	/* handled here, not an exit's cause */
	FlushErrorState();
	AbortOutOfAnyTransaction();
	js_slot_set_error(W->slot, edata->message);
	FreeErrorData(edata);
}

/*
 * failing_offsets
 *		"partition P from offset O, ..." for the partitions of the batch
 *		being stored, for the stuck report.
 */
static char *
failing_offsets(void)
{
	StringInfoData buf;
	int			i,
				n = 0;

	initStringInfo(&buf);
	for (i = 0; i < W->nparts; i++)
	{
		if (W->parts[i].batch_first < 0)
			continue;
		if (n++ == 8)
		{
			appendStringInfoString(&buf, ", ...");
			break;
		}
		appendStringInfo(&buf, "%spartition %d from offset " INT64_FORMAT,
						 n > 1 ? ", " : "", W->parts[i].partition, W->parts[i].batch_first);
	}
	return buf.data;
}

/*
 * newly_stuck
 *		Whether the run of failures that began at since has gone on for
 *		jobstream.stuck_after and was not reported yet: then marks it
 *		reported (W->stuck, and the slot's warned for the workers that
 *		continue the run) and copies the slot's last error into last.
 */
static bool
newly_stuck(TimestampTz since, char *last)
{
	if (W->stuck || !TimestampDifferenceExceeds(since, GetCurrentTimestamp(), js_stuck_after))
		return false;
	W->stuck = true;
	SpinLockAcquire(&W->slot->mutex);
	W->slot->warned = true;
	memcpy(last, W->slot->last_error, JS_ERRMSG_LEN);
	SpinLockRelease(&W->slot->mutex);
	return true;
}

/*
 * note_failure
 *		After a batch failed on an error about the batch: doubles the wait
 *		before the next attempt (1 s up to jobstream.retry_max_delay) and,
 *		once the failures have gone on for jobstream.stuck_after, reports
 *		the worker as stuck at the batch's offsets (once per run of
 *		failures; the state stays "stuck" until a batch is stored).
 */
static void
note_failure(void)
{
	TimestampTz now = GetCurrentTimestamp();
	char		last[JS_ERRMSG_LEN];

	if (W->failing_since == 0)
	{
		W->failing_since = now;
		W->backoff_ms = JS_BACKOFF_MS;
	}
	else
		W->backoff_ms = Min((int64) W->backoff_ms * 2, (int64) js_retry_max_delay);
	W->retries++;
	W->carried = false;
	if (newly_stuck(W->failing_since, last))
		ereport(WARNING,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("jobstream source %d (topic \"%s\") is stuck at %s: %d attempts have failed since %s",
						W->source_id, W->topic, failing_offsets(), W->retries,
						timestamptz_to_str(W->failing_since)),
				 errdetail("Last error: %s", last),
				 errhint("Fix the cause (see the server log and jobstream.workers.last_error); the worker retries every %d ms.",
						 W->backoff_ms)));
	if (W->slot)
	{
		SpinLockAcquire(&W->slot->mutex);
		W->slot->state = W->stuck ? JS_WORKER_STUCK : JS_WORKER_BACKOFF;
		W->slot->failing_since = W->failing_since;
		W->slot->retries = W->retries;
		W->slot->warned = W->stuck;
		SpinLockRelease(&W->slot->mutex);
	}
}

/*
 * note_success
 *		A batch was stored: the next failure starts a new run.
 */
static void
note_success(void)
{
	if (W->stuck)
		ereport(LOG,
				(errmsg("jobstream source %d (topic \"%s\") is moving again after %d failed attempts",
						W->source_id, W->topic, W->retries)));
	W->stuck = false;
	W->carried = false;
	last_reported_error[0] = '\0';
	W->failing_since = 0;
	W->retries = 0;
	W->backoff_ms = JS_BACKOFF_MS;
	if (W->slot)
	{
		SpinLockAcquire(&W->slot->mutex);
		W->slot->failing_since = 0;
		W->slot->retries = 0;
		W->slot->warned = false;
		SpinLockRelease(&W->slot->mutex);
	}
}

/*
 * flush_batch
 *		Stores the collected messages in one transaction.  On an error the
 *		transaction is rolled back, the error recorded, the messages
 *		dropped and the partitions re-synchronised from the stored offsets.
 */
static void
flush_batch(void)
{
	TimestampTz start = GetCurrentTimestamp();
	JsBatch		b;
	volatile bool failed = false;
	int			i;

	if (W->nmsgs == 0)
		return;

	MemoryContextReset(batch_cxt);
	MemoryContextSwitchTo(batch_cxt);
	memset(&b, 0, sizeof(b));
	b.staged = palloc(sizeof(int) * W->nmsgs);
	b.dead = palloc(sizeof(JsDead) * W->nmsgs);

	SetCurrentStatementStartTimestamp();
	StartTransactionCommand();
	PushActiveSnapshot(GetTransactionSnapshot());
	pgstat_report_activity(STATE_RUNNING, "storing a batch");
	PG_TRY();
	{
		if (SPI_connect() != SPI_OK_CONNECT)
			elog(ERROR, "SPI_connect failed");
		MemoryContextSwitchTo(batch_cxt);
		stage_rows(&b);
		move_batch(&b);
		MemoryContextSwitchTo(batch_cxt);
		insert_dead_letters(&b);
		store_offsets();
		SPI_finish();
		PopActiveSnapshot();
		CommitTransactionCommand();
	}
	PG_CATCH();
	{
		record_caught_error();
		failed = true;
	}
	PG_END_TRY();
	MemoryContextSwitchTo(worker_cxt);
	pgstat_report_activity(STATE_IDLE, NULL);
	js_arena_reset(&W->arena);

	if (failed)
	{
		note_failure();
		drop_buffered(-1);
		W->need_resync = true;
		return;
	}
	note_success();

	for (i = 0; i < W->nmsgs; i++)
	{
		JsPart	   *p = find_part(W->msgs[i]->partition, false);

		if (p)
			p->messages++;
		rd_kafka_message_destroy(W->msgs[i]);
	}
	for (i = 0; i < W->nparts; i++)
	{
		if (W->parts[i].batch_first >= 0)
			W->parts[i].stored = W->parts[i].pos;
		W->parts[i].batch_first = -1;
	}
	W->rate_messages += W->nmsgs;
	if (W->slot)
	{
		TimestampTz now = GetCurrentTimestamp();

		SpinLockAcquire(&W->slot->mutex);
		W->slot->messages += W->nmsgs;
		W->slot->rows += b.rows;
		W->slot->dead_letters += b.ndead;
		W->slot->batches++;
		W->slot->last_batch_at = now;
		W->slot->last_batch_ms = (double) (now - start) / 1000.0;
		W->slot->state = JS_WORKER_RUNNING;
		SpinLockRelease(&W->slot->mutex);
	}
	W->nmsgs = 0;
	W->nbytes = 0;
	W->batch_started = 0;
	publish_stats();
}

/*
 * resync_offsets
 *		Re-reads the stored offsets and seeks every assigned partition to
 *		them (after a failed batch or a failed read in the rebalance
 *		callback).  On failure leaves need_resync set.
 */
static void
resync_offsets(void)
{
	rd_kafka_topic_partition_list_t *list;
	volatile bool ok = true;
	int			i;

	PG_TRY();
	{
		read_stored_offsets();
	}
	PG_CATCH();
	{
		record_caught_error();
		ok = false;
	}
	PG_END_TRY();
	MemoryContextSwitchTo(worker_cxt);
	if (!ok)
		return;

	drop_buffered(-1);
	list = rd_kafka_topic_partition_list_new(W->nparts);
	for (i = 0; i < W->nparts; i++)
	{
		JsPart	   *p = &W->parts[i];

		if (!p->assigned)
			continue;
		p->pos = p->stored;
		p->synced = true;
		rd_kafka_topic_partition_list_add(list, W->topic, p->partition)->offset =
			p->stored >= 0 ? p->stored :
			(W->start_latest ? RD_KAFKA_OFFSET_END : RD_KAFKA_OFFSET_BEGINNING);
	}
	if (list->cnt > 0)
	{
		rd_kafka_error_t *e = rd_kafka_seek_partitions(W->rk, list, 2000);

		if (e)
		{
			js_slot_set_error(W->slot, rd_kafka_error_string(e));
			rd_kafka_error_destroy(e);
			ok = false;
		}
		else
			rd_kafka_resume_partitions(W->rk, list);
	}
	rd_kafka_topic_partition_list_destroy(list);
	W->need_resync = !ok;
}

/* ----------------------------------------------------------------
 * Main loop
 * ----------------------------------------------------------------
 */

/*
 * report_pending
 *		Logs what the callbacks noted; connectivity is logged once per
 *		outage.
 */
static void
report_pending(void)
{
	int			i;

	for (i = 0; i < W->nlog_lines; i++)
		ereport(DEBUG1, (errmsg_internal("librdkafka: %s", W->log_lines[i])));
	W->nlog_lines = 0;

	if (W->have_pending_error)
	{
		TimestampTz now = GetCurrentTimestamp();

		W->have_pending_error = false;
		js_slot_set_error(W->slot, W->pending_error);
		if (W->outage && strncmp(W->pending_error, "Kafka brokers unreachable", 25) == 0)
		{
			js_slot_set_state(W->slot, JS_WORKER_BROKER_DOWN);
			ereport(WARNING,
					(errcode(ERRCODE_CONNECTION_FAILURE),
					 errmsg("jobstream source %d (topic \"%s\"): %s",
							W->source_id, W->topic, W->pending_error),
					 errhint("The worker keeps retrying; check the brokers and the source's settings.")));
		}
		else if (TimestampDifferenceExceeds(W->last_warning, now, 10000))
		{
			ereport(WARNING,
					(errcode(ERRCODE_CONNECTION_FAILURE),
					 errmsg("jobstream source %d (topic \"%s\"): %s",
							W->source_id, W->topic, W->pending_error)));
			W->last_warning = now;
		}
	}
	if (W->fatal_error)
	{
		char		errstr[512];
		rd_kafka_resp_err_t err = rd_kafka_fatal_error(W->rk, errstr, sizeof(errstr));

		ereport(ERROR,
				(errcode(ERRCODE_CONNECTION_FAILURE),
				 errmsg("fatal Kafka error in source %d: %s: %s", W->source_id,
						rd_kafka_err2str(err), errstr),
				 errhint("The worker exits and the launcher starts a new one, which resumes from the stored offsets; if it recurs, check the brokers and the source's options.")));
	}
}

/*
 * accept_messages
 *		Keeps the messages of synchronised partitions at or after their
 *		position; frees the others.  Messages are in W->msgs[from..to).
 */
static void
accept_messages(int from, int to)
{
	int			i,
				j = from;

	for (i = from; i < to; i++)
	{
		rd_kafka_message_t *m = W->msgs[i];
		JsPart	   *p;

		if (m->err)
		{
			if (m->err != RD_KAFKA_RESP_ERR__PARTITION_EOF)
				note_error("Kafka consumer error: %s", rd_kafka_message_errstr(m));
			rd_kafka_message_destroy(m);
			continue;
		}
		p = find_part(m->partition, false);
		if (p == NULL || !p->assigned || !p->synced ||
			(p->pos >= 0 && m->offset < p->pos))
		{
			rd_kafka_message_destroy(m);
			continue;
		}
		if (p->batch_first < 0)
			p->batch_first = m->offset;
		p->pos = m->offset + 1;
		W->nbytes += message_bytes(m);
		W->avg_bytes = W->avg_bytes <= 0 ? message_bytes(m) :
			0.99 * W->avg_bytes + 0.01 * message_bytes(m);
		W->msgs[j++] = m;
	}
	W->nmsgs = j;
}

/*
 * consume_chunk
 *		How many messages to take from librdkafka next: at most what the
 *		batch has room for by count, and few enough that, at the mean
 *		message size seen so far, the batch does not overshoot
 *		jobstream.batch_bytes by more than a few messages.
 */
static int
consume_chunk(void)
{
	int			room = W->maxmsgs - W->nmsgs;
	int64		bytes_left = (int64) js_batch_bytes - W->nbytes;
	int64		by_bytes;

	if (room <= 0)
		return 0;
	if (bytes_left <= 0)
		return 1;
	by_bytes = W->avg_bytes > 0 ? (int64) (bytes_left / W->avg_bytes) + 1 : 1;
	return (int) Max(1, Min(Min((int64) room, by_bytes), JS_CONSUME_CHUNK));
}

/*
 * update_rate
 *		EWMA of messages/s, once a second.
 */
static void
update_rate(TimestampTz now)
{
	long		secs;
	int			usecs;
	double		elapsed;

	if (W->rate_at == 0)
	{
		W->rate_at = now;
		return;
	}
	TimestampDifference(W->rate_at, now, &secs, &usecs);
	elapsed = secs + usecs / 1e6;
	if (elapsed < 1.0)
		return;
	if (W->slot)
	{
		SpinLockAcquire(&W->slot->mutex);
		W->slot->rate = 0.5 * W->slot->rate + 0.5 * (W->rate_messages / elapsed);
		SpinLockRelease(&W->slot->mutex);
	}
	W->rate_messages = 0;
	W->rate_at = now;
	publish_stats();
}

/*
 * jobstream_worker_main
 *		Entry point of an ingest worker: main_arg is the source id,
 *		bgw_extra the slice and the database.
 */
void
jobstream_worker_main(Datum main_arg)
{
	int32		extra[2];
	rd_kafka_conf_t *conf;

	memcpy(extra, MyBgworkerEntry->bgw_extra, sizeof(extra));

	pqsignal(SIGHUP, SignalHandlerForConfigReload);
	pqsignal(SIGTERM, worker_sigterm);
	BackgroundWorkerUnblockSignals();

	worker_cxt = AllocSetContextCreate(TopMemoryContext, "jobstream worker",
									   ALLOCSET_DEFAULT_SIZES);
	batch_cxt = AllocSetContextCreate(worker_cxt, "jobstream batch",
									  ALLOCSET_DEFAULT_SIZES);
	MemoryContextSwitchTo(worker_cxt);
	W = palloc0(sizeof(JsWorker));
	W->source_id = DatumGetInt32(main_arg);
	W->slice = extra[0];
	W->pipefd[0] = W->pipefd[1] = -1;
	js_arena_init(&W->arena, 0);

	/*
	 * The slot first, so that an error that ends this worker before it
	 * consumes anything (the connection, a secret file, the source's
	 * options) is shown in jobstream.workers and counted in the run of
	 * failures the next worker of this source and slice continues.
	 */
	W->slot = js_slot_claim(W->source_id, W->slice);
	before_shmem_exit(worker_shutdown, (Datum) 0);
	if (W->slot == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_CONFIGURATION_LIMIT_EXCEEDED),
				 errmsg("no free jobstream worker slot for source %d", W->source_id),
				 errhint("Increase jobstream.max_workers.")));
	SpinLockAcquire(&W->slot->mutex);
	W->failing_since = W->slot->failing_since;
	W->retries = W->slot->retries;
	W->stuck = W->slot->warned;
	SpinLockRelease(&W->slot->mutex);
	W->carried = W->failing_since != 0;
	W->backoff_ms = JS_BACKOFF_MS;
	prev_emit_log_hook = emit_log_hook;
	emit_log_hook = worker_log_hook;

	js_worker_connect((Oid) extra[1]);

	conf = load_source();
	if (conf == NULL)
	{
		ereport(LOG, (errmsg("jobstream source %d is gone or paused, worker exits",
							 W->source_id)));
		proc_exit(0);
	}
	pgstat_report_appname("jobstream worker");
	start_consumer(conf);
	js_slot_set_state(W->slot, JS_WORKER_WAITING);
	W->maxmsgs = Max(js_batch_size, 1);
	W->msgs = MemoryContextAlloc(worker_cxt, sizeof(rd_kafka_message_t *) * W->maxmsgs);

	ereport(LOG, (errmsg("jobstream worker for source %d slice %d consuming topic \"%s\" into %s",
						 W->source_id, W->slice, W->topic, W->target)));

	for (;;)
	{
		ssize_t		got;
		TimestampTz now;
		char		drain[64];
		bool		full;

		CHECK_FOR_INTERRUPTS();
		if (ConfigReloadPending)
		{
			ConfigReloadPending = false;
			ProcessConfigFile(PGC_SIGHUP);
		}
		/*
		 * A worker that has run as long as the launcher's rule for
		 * resetting its backoff without failing ends the run of failures
		 * it inherited, even if no batch came to store.
		 */
		if (W->carried &&
			TimestampDifferenceExceeds(W->slot->started_at, GetCurrentTimestamp(), JS_BACKOFF_RESET_MS))
			note_success();
		/* a new batch_size takes effect once the batch is empty */
		if (Max(js_batch_size, 1) != W->maxmsgs && W->nmsgs == 0)
		{
			W->maxmsgs = Max(js_batch_size, 1);
			pfree(W->msgs);
			W->msgs = MemoryContextAlloc(worker_cxt, sizeof(rd_kafka_message_t *) * W->maxmsgs);
		}
		if (W->need_resync)
		{
			(void) WaitLatch(MyLatch, WL_LATCH_SET | WL_TIMEOUT | WL_EXIT_ON_PM_DEATH,
							 Max(W->backoff_ms, JS_BACKOFF_MS), PG_WAIT_EXTENSION);
			ResetLatch(MyLatch);
			CHECK_FOR_INTERRUPTS();
			resync_offsets();
			if (W->need_resync)
				continue;
		}

		while (read(W->pipefd[0], drain, sizeof(drain)) > 0)
			;
		got = rd_kafka_consume_batch_queue(W->queue, 0, W->msgs + W->nmsgs,
										   consume_chunk());
		if (got > 0)
		{
			int			before = W->nmsgs;

			accept_messages(before, before + (int) got);
			if (W->outage)
			{
				W->outage = false;
				ereport(LOG, (errmsg("jobstream source %d (topic \"%s\"): Kafka brokers reachable again",
									 W->source_id, W->topic)));
			}
		}
		report_pending();
		now = GetCurrentTimestamp();
		if (W->nmsgs > 0 && W->batch_started == 0)
			W->batch_started = now;
		if (W->slot && !W->outage && W->nmsgs > 0 && W->failing_since == 0)
			js_slot_set_state(W->slot, JS_WORKER_RUNNING);

		full = W->nmsgs >= W->maxmsgs || W->nbytes >= js_batch_bytes;
		if (full || (W->nmsgs > 0 &&
					 TimestampDifferenceExceeds(W->batch_started, now, js_batch_time)))
		{
			flush_batch();
			update_rate(GetCurrentTimestamp());
			continue;
		}
		update_rate(now);
		if (got > 0)
			continue;			/* the queue may hold more */

		{
			long		timeout = 1000;

			if (W->nmsgs > 0)
			{
				long		secs;
				int			usecs;

				TimestampDifference(now, TimestampTzPlusMilliseconds(W->batch_started, js_batch_time),
									&secs, &usecs);
				timeout = Max(1, secs * 1000 + usecs / 1000);
			}
			(void) WaitLatchOrSocket(MyLatch,
									 WL_LATCH_SET | WL_SOCKET_READABLE | WL_TIMEOUT | WL_EXIT_ON_PM_DEATH,
									 W->pipefd[0], timeout, PG_WAIT_EXTENSION);
			ResetLatch(MyLatch);
		}
	}
}

/*
 * jobstream_kafka_property_error(name text, value text) returns text
 *		NULL if librdkafka accepts the property for a consumer, else its
 *		complaint.  Used by add_source/alter_source to validate options
 *		without connecting anywhere.
 */
Datum
jobstream_kafka_property_error(PG_FUNCTION_ARGS)
{
	char	   *name = text_to_cstring(PG_GETARG_TEXT_PP(0));
	char	   *value = text_to_cstring(PG_GETARG_TEXT_PP(1));
	rd_kafka_conf_t *conf = rd_kafka_conf_new();
	char		errstr[512];
	rd_kafka_conf_res_t res;

	res = rd_kafka_conf_set(conf, name, value, errstr, sizeof(errstr));
	rd_kafka_conf_destroy(conf);
	if (res == RD_KAFKA_CONF_OK)
		PG_RETURN_NULL();
	PG_RETURN_TEXT_P(cstring_to_text(errstr));
}
