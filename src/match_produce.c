/*
 * match_produce.c
 *		The matcher's producer: the applications it writes also go, as
 *		contract JSON, to a Kafka topic, at least once.
 *
 * Outbox.  When jobstream.match_produce_brokers is set, the statement of a
 * matching pass that inserts the applications also inserts their ids into
 * jobstream.match_outbox (match.c, js_match_insert): same transaction, so
 * the outbox holds exactly the committed applications that are not yet
 * known to be in Kafka, whatever crashes.  Kafka is never talked to inside
 * a transaction, and before a batch is sent the WAL is flushed past every
 * commit it reads, so that asynchronous commit (synchronous_commit = off)
 * cannot make Kafka hold an application a crash took back.
 *
 * Rounds.  Between passes, the matcher worker calls js_produce_step, which
 * never waits on Kafka.  With no batch in flight it reads up to
 * JS_PRODUCE_BATCH outbox rows joined to their applications (one short
 * transaction), encodes each row with the contract's encoder (row.c turns
 * the tuple into a JsValue row, jsonw.c writes the JSON), and hands the
 * messages to an idempotent librdkafka producer, keyed by application_id.
 * Delivery reports arrive as events on the producer's main queue, which
 * writes to a pipe the worker's WaitLatchOrSocket watches; they are served
 * on the worker's own thread (events API: no callbacks run on librdkafka's
 * threads, so nothing there touches PostgreSQL).  When every message of
 * the batch has its report, the ids of the delivered ones are deleted from
 * the outbox and match_state.produced counts them, in one transaction.
 * Failed messages stay in the outbox; the failure is logged, recorded in
 * match_state.last_error, and the next round comes after a backoff (1 s
 * doubling to 30 s).  A message that librdkafka cannot deliver within
 * JS_PRODUCE_TIMEOUT_MS fails that way.
 *
 * Guarantee: at least once.  Kafka holds every committed application once
 * its outbox row is gone; a crash (or a SIGTERM, a change of broker or
 * topic, a message that timed out yet reached the broker) after a send and
 * before the delete sends it again.  Idempotence only removes the
 * duplicates of librdkafka's own retries.  Messages are keyed by
 * application_id and carry the row as it is when read, so a consumer that
 * upserts by key - jobstream's ingestion, when the topic is also a source -
 * ends up with each application exactly once.
 *
 * Rows of the outbox whose application was deleted before it was sent are
 * dropped.  Applications written while producing was off are never sent.
 */
#include "postgres.h"

#include <fcntl.h>
#include <unistd.h>

#include "access/xact.h"
#include "access/xlog.h"
#include "access/xlog_internal.h"
#include "catalog/namespace.h"
#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "miscadmin.h"
#include "pgstat.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/snapmgr.h"
#include "utils/timestamp.h"
#include "utils/uuid.h"

#include <librdkafka/rdkafka.h>

#include "contract.h"
#include "decode.h"
#include "jobstream.h"
#include "jsonw.h"
#include "row.h"

/* Most outbox rows sent in one round. */
#define JS_PRODUCE_BATCH		10000
/* librdkafka's message.timeout.ms: a report comes within this. */
#define JS_PRODUCE_TIMEOUT_MS	30000
/* How often an idle matcher looks at the outbox (rows from match_now). */
#define JS_PRODUCE_IDLE_MS		1000
#define JS_PRODUCE_MAX_BACKOFF	30000

/* The producer and the batch in flight; one per matcher process. */
typedef struct JsProducer
{
	rd_kafka_t *rk;
	rd_kafka_topic_t *rkt;
	rd_kafka_queue_t *queue;	/* main queue: reports, errors, logs */
	int			pipefd[2];
	char	   *brokers;		/* what rk was made for */
	char	   *topic;
	bool		fatal;			/* librdkafka raised a fatal error */
	char		error[512];		/* the latest error */

	MemoryContext cxt;			/* the batch; reset per batch */
	bool		in_flight;
	int			n;				/* messages of the batch */
	int			nreports;
	int			nfailed;
	pg_uuid_t  *ids;
	bool	   *reported;
	bool	   *delivered;
	size_t	   *offsets;		/* n + 1 offsets into json */
	JsBuf		json;			/* the encoded messages, back to back */
	bool		full;			/* the batch read was a full one */
	bool		wanted;			/* a pass wrote applications since the read */

	TimestampTz next_read;		/* when to read the outbox next */
	long		backoff_ms;
} JsProducer;

static JsProducer P = {.pipefd = {-1, -1}};

/*
 * js_produce_enabled
 *		Whether the matcher produces applications (a broker is set).
 */
bool
js_produce_enabled(void)
{
	return js_match_produce_brokers != NULL && js_match_produce_brokers[0] != '\0';
}

/*
 * js_produce_wait_fd
 *		The descriptor that becomes readable when the producer has events
 *		to serve, or -1 when there is no producer.
 */
int
js_produce_wait_fd(void)
{
	return P.rk ? P.pipefd[0] : -1;
}

/*
 * js_produce_destroy
 *		Drops the producer and forgets the batch in flight (its rows stay in
 *		the outbox).  Bounded: queued and in-flight messages are purged
 *		first, so rd_kafka_destroy has nothing to wait for.
 */
static void
js_produce_destroy(void)
{
	if (P.rk)
	{
		rd_kafka_purge(P.rk, RD_KAFKA_PURGE_F_QUEUE | RD_KAFKA_PURGE_F_INFLIGHT |
					   RD_KAFKA_PURGE_F_NON_BLOCKING);
		if (P.rkt)
			rd_kafka_topic_destroy(P.rkt);
		if (P.queue)
			rd_kafka_queue_destroy(P.queue);
		rd_kafka_destroy(P.rk);
	}
	P.rk = NULL;
	P.rkt = NULL;
	P.queue = NULL;
	if (P.pipefd[0] >= 0)
		close(P.pipefd[0]);
	if (P.pipefd[1] >= 0)
		close(P.pipefd[1]);
	P.pipefd[0] = P.pipefd[1] = -1;
	if (P.brokers)
		pfree(P.brokers);
	if (P.topic)
		pfree(P.topic);
	P.brokers = P.topic = NULL;
	P.fatal = false;
	P.in_flight = false;
}

/*
 * js_produce_shutdown
 *		Drops the producer when the worker exits.
 */
void
js_produce_shutdown(void)
{
	js_produce_destroy();
	js_buf_free(&P.json);
}

/*
 * js_produce_set
 *		rd_kafka_conf_set or false with the complaint in P.error.
 */
static bool
js_produce_set(rd_kafka_conf_t *conf, const char *name, const char *value)
{
	char		errstr[256];

	if (rd_kafka_conf_set(conf, name, value, errstr, sizeof(errstr)) == RD_KAFKA_CONF_OK)
		return true;
	snprintf(P.error, sizeof(P.error), "Kafka producer property \"%s\": %s", name, errstr);
	return false;
}

/*
 * js_produce_create
 *		Creates the producer for the current settings; false with the
 *		reason in P.error when it cannot.
 */
static bool
js_produce_create(void)
{
	rd_kafka_conf_t *conf = rd_kafka_conf_new();
	char		errstr[256];
	char		timeout[16];

	snprintf(timeout, sizeof(timeout), "%d", JS_PRODUCE_TIMEOUT_MS);
	if (!js_produce_set(conf, "bootstrap.servers", js_match_produce_brokers) ||
		!js_produce_set(conf, "client.id", "jobstream-matcher") ||
		!js_produce_set(conf, "enable.idempotence", "true") ||
		!js_produce_set(conf, "message.timeout.ms", timeout) ||
		!js_produce_set(conf, "linger.ms", "5") ||
		!js_produce_set(conf, "log.queue", "true"))
	{
		rd_kafka_conf_destroy(conf);
		return false;
	}
	rd_kafka_conf_set_events(conf, RD_KAFKA_EVENT_DR | RD_KAFKA_EVENT_ERROR |
							 RD_KAFKA_EVENT_LOG);
	P.rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, errstr, sizeof(errstr));
	if (P.rk == NULL)
	{
		rd_kafka_conf_destroy(conf);
		snprintf(P.error, sizeof(P.error), "could not create the Kafka producer: %s", errstr);
		return false;
	}
	rd_kafka_set_log_queue(P.rk, NULL);
	P.queue = rd_kafka_queue_get_main(P.rk);
	if (pipe(P.pipefd) != 0 ||
		fcntl(P.pipefd[0], F_SETFL, O_NONBLOCK) != 0 ||
		fcntl(P.pipefd[1], F_SETFL, O_NONBLOCK) != 0)
	{
		snprintf(P.error, sizeof(P.error), "could not create pipe: %m");
		js_produce_destroy();
		return false;
	}
	rd_kafka_queue_io_event_enable(P.queue, P.pipefd[1], "1", 1);
	P.rkt = rd_kafka_topic_new(P.rk, js_match_produce_topic, NULL);
	if (P.rkt == NULL)
	{
		snprintf(P.error, sizeof(P.error), "Kafka topic \"%s\": %s", js_match_produce_topic,
				 rd_kafka_err2str(rd_kafka_last_error()));
		js_produce_destroy();
		return false;
	}
	P.brokers = MemoryContextStrdup(TopMemoryContext, js_match_produce_brokers);
	P.topic = MemoryContextStrdup(TopMemoryContext, js_match_produce_topic);
	return true;
}

/*
 * js_produce_serve
 *		Serves the producer's pending events: delivery reports update the
 *		batch, errors are remembered (a fatal one marks the producer for
 *		re-creation), log lines go to DEBUG1.  Never waits.
 */
static void
js_produce_serve(void)
{
	char		drain[64];
	rd_kafka_event_t *ev;

	while (read(P.pipefd[0], drain, sizeof(drain)) > 0)
		;
	while ((ev = rd_kafka_queue_poll(P.queue, 0)) != NULL)
	{
		switch (rd_kafka_event_type(ev))
		{
			case RD_KAFKA_EVENT_DR:
				{
					const rd_kafka_message_t *m;

					while ((m = rd_kafka_event_message_next(ev)) != NULL)
					{
						intptr_t	i = (intptr_t) m->_private;

						if (!P.in_flight || i < 0 || i >= P.n || P.reported[i])
							continue;
						P.reported[i] = true;
						P.nreports++;
						if (m->err == RD_KAFKA_RESP_ERR_NO_ERROR)
							P.delivered[i] = true;
						else
						{
							P.nfailed++;
							snprintf(P.error, sizeof(P.error), "%s", rd_kafka_err2str(m->err));
						}
					}
					break;
				}
			case RD_KAFKA_EVENT_ERROR:
				if (rd_kafka_event_error_is_fatal(ev))
					P.fatal = true;
				snprintf(P.error, sizeof(P.error), "%s", rd_kafka_event_error_string(ev));
				break;
			case RD_KAFKA_EVENT_LOG:
				{
					const char *fac,
							   *str;
					int			level;

					if (rd_kafka_event_log(ev, &fac, &str, &level) == 0)
						elog(DEBUG1, "jobstream matcher: librdkafka %s: %s", fac, str);
					break;
				}
			default:
				break;
		}
		rd_kafka_event_destroy(ev);
	}
}

/*
 * js_wal_end
 *		The end of the WAL inserted so far, as XLogFlush accepts it.
 *		GetXLogInsertRecPtr() points past the page header when the insert
 *		position is at a page boundary, and XLogFlush refuses to flush past
 *		the WAL generated ("xlog flush request ... is not satisfied"): no
 *		record ends inside a header, so the boundary itself is the end.
 */
static XLogRecPtr
js_wal_end(void)
{
	XLogRecPtr	insert = GetXLogInsertRecPtr();

	if (XLogSegmentOffset(insert, wal_segment_size) == SizeOfXLogLongPHD)
		return insert - SizeOfXLogLongPHD;
	if (insert % XLOG_BLCKSZ == SizeOfXLogShortPHD)
		return insert - SizeOfXLogShortPHD;
	return insert;
}

/*
 * js_produce_read
 *		Reads up to JS_PRODUCE_BATCH outbox rows and encodes their
 *		applications into P (ids, json, offsets); rows whose application is
 *		gone are deleted from the outbox.  Runs in the caller's transaction;
 *		raises errors.
 */
static void
js_produce_read(void)
{
	const JsTopicDef *def = &js_topics[JS_TOPIC_APPLICATIONS];
	Oid			nsp = get_namespace_oid("jobstream", true);
	Datum		arg = Int32GetDatum(JS_PRODUCE_BATCH);
	Oid			argtype = INT4OID;
	JsRowMap	map;
	SPITupleTable *tt;
	uint64		nrows;
	Datum	   *values;
	bool	   *nulls;
	Datum	   *gone;
	int			ngone = 0;
	int			rc;

	if (!OidIsValid(nsp) || !OidIsValid(get_relname_relid("match_outbox", nsp)))
		return;
	SPI_connect();
	rc = SPI_execute_with_args("SELECT o.application_id AS outbox_id, a.application_id, a.candidate_id, "
							   "a.post_id, a.status, a.compatibility_score, a.applied_at, "
							   "a.category_score, a.skills_score, a.experience_score, "
							   "a.seniority_score, a.salary_score "
							   "FROM jobstream.match_outbox o "
							   "LEFT JOIN jobstream.job_applications a USING (application_id) "
							   "LIMIT $1",
							   1, &argtype, &arg, NULL, true, 0);
	if (rc != SPI_OK_SELECT)
		elog(ERROR, "reading jobstream.match_outbox failed: %s", SPI_result_code_string(rc));
	tt = SPI_tuptable;
	nrows = SPI_processed;

	/*
	 * What Kafka gets must survive a crash here: with synchronous_commit
	 * off, the commits of the rows read (and of the candidates and posts
	 * they came from) may not be on disk yet.
	 */
	if (nrows > 0)
		XLogFlush(js_wal_end());
	P.full = nrows >= JS_PRODUCE_BATCH;
	js_row_map_init(&map, def, tt->tupdesc, false);
	values = palloc(sizeof(Datum) * tt->tupdesc->natts);
	nulls = palloc(sizeof(bool) * tt->tupdesc->natts);
	gone = palloc(sizeof(Datum) * Max(nrows, 1));

	P.ids = MemoryContextAlloc(P.cxt, sizeof(pg_uuid_t) * Max(nrows, 1));
	P.offsets = MemoryContextAlloc(P.cxt, sizeof(size_t) * (nrows + 1));
	P.n = 0;
	js_buf_reset(&P.json);
	P.offsets[0] = 0;
	for (uint64 i = 0; i < nrows; i++)
	{
		JsValue		row[JS_AP_NFIELDS];

		heap_deform_tuple(tt->vals[i], tt->tupdesc, values, nulls);
		if (nulls[1])
		{
			gone[ngone++] = values[0];
			continue;
		}
		js_row_from_datums(&map, values, nulls, row);
		if (!js_encode(def, row, &P.json))
			ereport(ERROR,
					(errcode(ERRCODE_OUT_OF_MEMORY),
					 errmsg("out of memory encoding an application")));
		memcpy(P.ids[P.n].data, row[JS_AP_APPLICATION_ID].v.uuid, UUID_LEN);
		P.offsets[++P.n] = P.json.len;
	}
	if (ngone > 0)
	{
		Datum		garg = PointerGetDatum(construct_array(gone, ngone, UUIDOID, UUID_LEN,
														  false, TYPALIGN_CHAR));
		Oid			gtype = UUIDARRAYOID;

		rc = SPI_execute_with_args("DELETE FROM jobstream.match_outbox WHERE application_id = ANY ($1)",
								   1, &gtype, &garg, NULL, false, 0);
		if (rc != SPI_OK_DELETE)
			elog(ERROR, "deleting from jobstream.match_outbox failed: %s", SPI_result_code_string(rc));
	}
	SPI_finish();
}

/*
 * js_produce_send
 *		Hands the batch in P to librdkafka.  A message it refuses at once
 *		counts as failed.
 */
static void
js_produce_send(void)
{
	P.reported = MemoryContextAllocZero(P.cxt, sizeof(bool) * Max(P.n, 1));
	P.delivered = MemoryContextAllocZero(P.cxt, sizeof(bool) * Max(P.n, 1));
	P.nreports = P.nfailed = 0;
	P.in_flight = true;
	for (int i = 0; i < P.n; i++)
	{
		char		key[37];

		js_uuid_format(P.ids[i].data, key);
		if (rd_kafka_produce(P.rkt, RD_KAFKA_PARTITION_UA, RD_KAFKA_MSG_F_COPY,
							 P.json.data + P.offsets[i], P.offsets[i + 1] - P.offsets[i],
							 key, 36, (void *) (intptr_t) i) != 0)
		{
			P.reported[i] = true;
			P.nreports++;
			P.nfailed++;
			snprintf(P.error, sizeof(P.error), "%s", rd_kafka_err2str(rd_kafka_last_error()));
		}
	}
}

/*
 * js_produce_finish
 *		Deletes the delivered ids of the finished batch from the outbox and
 *		counts them, in the caller's transaction; raises errors.
 */
static void
js_produce_finish(int ndelivered)
{
	Datum	   *ids = palloc(sizeof(Datum) * Max(ndelivered, 1));
	Datum		args[2];
	Oid			types[2] = {UUIDARRAYOID, INT8OID};
	int			n = 0,
				rc;

	for (int i = 0; i < P.n; i++)
		if (P.delivered[i])
			ids[n++] = UUIDPGetDatum(&P.ids[i]);
	args[0] = PointerGetDatum(construct_array(ids, n, UUIDOID, UUID_LEN, false, TYPALIGN_CHAR));
	args[1] = Int64GetDatum(n);
	SPI_connect();
	rc = SPI_execute_with_args("WITH d AS (DELETE FROM jobstream.match_outbox WHERE application_id = ANY ($1)) "
							   "UPDATE jobstream.match_state SET produced = produced + $2",
							   2, types, args, NULL, false, 0);
	if (rc != SPI_OK_UPDATE)
		elog(ERROR, "recording delivered applications failed: %s", SPI_result_code_string(rc));
	SPI_finish();
}

/*
 * js_produce_fail
 *		Logs and records a failed round and schedules the next one after a
 *		backoff.  Called outside a transaction.
 */
static void
js_produce_fail(const char *message)
{
	ereport(LOG,
			(errmsg("jobstream matcher could not produce to Kafka topic \"%s\": %s",
					js_match_produce_topic, message)));
	js_matcher_record_error(message);
	P.backoff_ms = P.backoff_ms == 0 ? 1000 : Min(P.backoff_ms * 2, JS_PRODUCE_MAX_BACKOFF);
	P.next_read = TimestampTzPlusMilliseconds(GetCurrentTimestamp(), P.backoff_ms);
}

/*
 * js_produce_xact
 *		Runs js_produce_finish(ndelivered) when finish, else
 *		js_produce_read, in a transaction of its own; false, with the
 *		failure logged and recorded, when it raised an error.
 */
static bool
js_produce_xact(bool finish, int ndelivered)
{
	MemoryContext old = CurrentMemoryContext;

	PG_TRY();
	{
		SetCurrentStatementStartTimestamp();
		StartTransactionCommand();
		PushActiveSnapshot(GetTransactionSnapshot());
		pgstat_report_activity(STATE_RUNNING, "jobstream: producing applications");
		if (finish)
			js_produce_finish(ndelivered);
		else
			js_produce_read();
		PopActiveSnapshot();
		CommitTransactionCommand();
		MemoryContextSwitchTo(old);
	}
	PG_CATCH();
	{
		ErrorData  *edata;

		MemoryContextSwitchTo(old);
		edata = CopyErrorData();
		FlushErrorState();
		AbortCurrentTransaction();
		MemoryContextSwitchTo(old);
		pgstat_report_activity(STATE_IDLE, NULL);
		js_produce_fail(edata->message);
		FreeErrorData(edata);
		return false;
	}
	PG_END_TRY();
	pgstat_report_activity(STATE_IDLE, NULL);
	return true;
}

/*
 * js_produce_step
 *		One step of producing, called by the matcher between passes, outside
 *		a transaction: serves delivery reports, finishes a batch whose
 *		reports are all in, and starts the next one when the outbox is due
 *		(new_applications: the last pass wrote some).  Never waits on
 *		Kafka; lowers *wait_ms to when it wants to run again.  The caller
 *		also wakes up when js_produce_wait_fd() becomes readable.
 */
void
js_produce_step(bool new_applications, long *wait_ms)
{
	TimestampTz now;

	if (!js_produce_enabled())
	{
		js_produce_destroy();
		return;
	}
	if (new_applications)
		P.wanted = true;
	if (P.rk && (strcmp(P.brokers, js_match_produce_brokers) != 0 ||
				 strcmp(P.topic, js_match_produce_topic) != 0))
		js_produce_destroy();	/* settings changed: unsent rows go anew */
	if (P.cxt == NULL)
		P.cxt = AllocSetContextCreate(TopMemoryContext, "jobstream matcher producer",
									  ALLOCSET_DEFAULT_SIZES);

	now = GetCurrentTimestamp();
	if (P.rk == NULL)
	{
		if (now < P.next_read)
		{
			*wait_ms = Min(*wait_ms, Max(1, TimestampDifferenceMilliseconds(now, P.next_read)));
			return;
		}
		if (!js_produce_create())
		{
			js_produce_fail(P.error);
			*wait_ms = Min(*wait_ms, P.backoff_ms);
			return;
		}
	}

	js_produce_serve();
	if (P.fatal)
	{
		char		message[sizeof(P.error)];

		snprintf(message, sizeof(message), "fatal Kafka producer error: %s", P.error);
		js_produce_destroy();
		js_produce_fail(message);
		*wait_ms = Min(*wait_ms, P.backoff_ms);
		return;
	}

	if (P.in_flight)
	{
		int			failed = P.nfailed;
		char		message[sizeof(P.error) + 64];

		if (P.nreports < P.n)
		{
			*wait_ms = Min(*wait_ms, 1000);
			return;
		}
		P.in_flight = false;
		snprintf(message, sizeof(message), "%d of %d applications not delivered: %s",
				 failed, P.n, P.error);
		/* after a failure, the outbox still has the rows: next round */
		if (js_produce_xact(true, P.n - failed))
		{
			if (failed > 0)
				js_produce_fail(message);
			else
			{
				P.backoff_ms = 0;
				P.next_read = P.full ? now : TimestampTzPlusMilliseconds(now, JS_PRODUCE_IDLE_MS);
			}
		}
	}

	if (P.wanted && P.backoff_ms == 0)
		P.next_read = now;
	if (now < P.next_read)
	{
		*wait_ms = Min(*wait_ms, Max(1, TimestampDifferenceMilliseconds(now, P.next_read)));
		return;
	}

	MemoryContextReset(P.cxt);
	P.n = 0;
	P.wanted = false;
	if (!js_produce_xact(false, 0))
	{
		*wait_ms = Min(*wait_ms, P.backoff_ms);
		return;
	}
	if (P.n == 0)
	{
		P.next_read = TimestampTzPlusMilliseconds(now, P.full ? 0 : JS_PRODUCE_IDLE_MS);
		*wait_ms = Min(*wait_ms, P.full ? 1 : JS_PRODUCE_IDLE_MS);
		return;
	}
	js_produce_send();
	P.next_read = TimestampTzPlusMilliseconds(now, JS_PRODUCE_IDLE_MS);
	*wait_ms = Min(*wait_ms, 1000);
}
