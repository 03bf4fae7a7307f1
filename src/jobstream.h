/*
 * jobstream.h
 *		Declarations shared by the extension's PostgreSQL-facing modules.
 */
#ifndef JOBSTREAM_H
#define JOBSTREAM_H

#include "fmgr.h"
#include "port/atomics.h"
#include "postmaster/bgworker.h"
#include "storage/latch.h"
#include "storage/spin.h"
#include "utils/array.h"
#include "utils/timestamp.h"

/* jobstream.c */
extern void js_bgw_init(BackgroundWorker *worker, const char *function,
						const char *type, int restart_time);
extern char *js_clip_text(const char *s, int maxbytes);
extern void js_clip_text_into(char *dst, const char *s, int dstsize);

/* guc.c */
extern char *js_database;
extern char *js_worker_role;
extern int	js_max_workers;
extern int	js_batch_size;
extern int	js_batch_time;
extern int	js_max_message_bytes;
extern int	js_batch_bytes;
extern int	js_dead_letter_bytes;
extern int	js_retry_max_delay;
extern int	js_stuck_after;
extern int	js_launcher_naptime;
extern int	js_refresh_interval;
extern int	js_tracking_partition_interval;
extern bool js_match_enabled;
extern int	js_match_interval;
extern int	js_match_batch_size;
extern int	js_match_k;
extern double js_match_min_score;
extern double js_match_apply_share;
extern int	js_match_seed;
extern char *js_match_produce_brokers;
extern char *js_match_produce_topic;
extern void js_guc_init(void);

/* security.c */
extern void js_worker_connect(Oid dboid);
extern void js_trigger_check(FunctionCallInfo fcinfo, const char *func,
							 const char *const *tables, int ntables);

/* kafka_conf.c */
extern const char *js_kafka_property_refused(const char *name);
extern char *js_kafka_option_value(int32 source_id, const char *name,
								   const char *value, const char *env,
								   const char *file);

/* refresh.c */
extern void js_refresher_register(void);

/* score_sql.c */
extern int	js_hash_skill_array(ArrayType *arr, uint64 *out);
extern int	js_sql_level(const char *s, size_t len);
extern uint64 js_sql_ladder_version(void);
extern Datum jobstream_extract_skills(PG_FUNCTION_ARGS);

/* match.c */
extern void js_matcher_register(void);
extern void js_matcher_record_error(const char *message);

/* match_produce.c: the matcher's Kafka producer (see there) */
extern bool js_produce_enabled(void);
extern void js_produce_step(bool new_applications, long *wait_ms);
extern int	js_produce_wait_fd(void);
extern void js_produce_shutdown(void);

/*
 * shmem.c: the shared state of the launcher and the ingest workers.
 *
 * One JsWorkerSlot per possible worker (jobstream.max_workers).  A worker
 * claims a free slot when it starts and frees it when it exits; it alone
 * writes its slot, under the slot's spinlock, once per batch.  Readers (the
 * source_stats view) copy a slot under the same spinlock.
 */
#define JS_STATS_PARTITIONS	64	/* partitions tracked per worker slot */
#define JS_BACKOFF_RESET_MS 60000	/* a worker that ran this long without
									 * failing ends its run of failures (and
									 * the launcher's restart backoff) */
#define JS_ERRMSG_LEN		256

typedef enum JsWorkerState
{
	JS_WORKER_FREE = 0,
	JS_WORKER_STARTING,
	JS_WORKER_WAITING,			/* waiting for a partition assignment */
	JS_WORKER_RUNNING,
	JS_WORKER_BROKER_DOWN,
	JS_WORKER_BACKOFF,			/* after an error, before retrying */
	JS_WORKER_STUCK,			/* failing on the same offsets for longer
								 * than jobstream.stuck_after */
	JS_WORKER_EXITED			/* the worker exited on an error; the
								 * launcher starts another */
} JsWorkerState;

typedef struct JsPartitionStats
{
	int32		partition;
	bool		assigned;
	int64		high_watermark; /* -1 when unknown */
	int64		next_offset;	/* next offset the worker will commit */
	int64		messages;
	int64		dead_letters;
} JsPartitionStats;

typedef struct JsWorkerSlot
{
	slock_t		mutex;
	bool		in_use;
	int			pid;
	int32		source_id;
	int32		slice;
	JsWorkerState state;
	TimestampTz started_at;
	TimestampTz last_batch_at;
	double		last_batch_ms;
	int64		messages;
	int64		rows;
	int64		dead_letters;
	int64		batches;
	int64		errors;
	double		rate;			/* EWMA messages/s */
	TimestampTz last_error_at;
	char		last_error[JS_ERRMSG_LEN];
	TimestampTz failing_since;	/* first failure of the current run of
								 * failed attempts, 0 when the last one
								 * succeeded */
	int32		retries;		/* failed attempts in that run */
	bool		failed_exit;	/* not in use, but holds the run of failures
								 * of its source and slice, whose worker
								 * exited on an error, for the next one */
	bool		warned;			/* the run was reported as stuck */
	int			npartitions;
	JsPartitionStats partitions[JS_STATS_PARTITIONS];
} JsWorkerSlot;

typedef struct JsShared
{
	pg_atomic_uint64 generation;	/* bumped on every committed change of
									 * jobstream.sources */
	slock_t		mutex;			/* protects launcher_latch and slot claims */
	Latch	   *launcher_latch; /* NULL when no launcher runs */
	int			launcher_pid;
	int			nslots;
	JsWorkerSlot slots[FLEXIBLE_ARRAY_MEMBER];
} JsShared;

extern JsShared *js_shared;
extern void js_shmem_init(void);
extern JsWorkerSlot *js_slot_claim(int32 source_id, int32 slice);
extern void js_slot_release(JsWorkerSlot *slot, bool failed);
extern void js_slot_forget(int32 source_id, int32 slice);
extern int	js_slot_failed_list(int32 *source_ids, int32 *slices, int max);
extern void js_slot_set_error(JsWorkerSlot *slot, const char *msg);
extern void js_slot_set_state(JsWorkerSlot *slot, JsWorkerState state);
extern void js_wake_launcher(void);
extern const char *js_worker_state_name(JsWorkerState state);

/* launcher.c */
extern void js_launcher_register(void);
extern PGDLLEXPORT void jobstream_launcher_main(Datum main_arg);

/* consumer.c */
extern PGDLLEXPORT void jobstream_worker_main(Datum main_arg);

#endif							/* JOBSTREAM_H */
