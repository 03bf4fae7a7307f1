-- Ingest hardening: dead letters that stay small, and workers that say
-- when they are failing and for how long.

-- A dead letter keeps at most jobstream.dead_letter_bytes of the payload
-- (and of the key); the full length and the SHA-256 tell the original.
ALTER TABLE jobstream.dead_letters
	ADD COLUMN payload_bytes bigint CHECK (payload_bytes >= 0),
	ADD COLUMN payload_sha256 bytea CHECK (octet_length(payload_sha256) = 32);
COMMENT ON COLUMN jobstream.dead_letters.payload IS
'The message''s payload, or its first jobstream.dead_letter_bytes bytes when it was longer (compare with payload_bytes)';
COMMENT ON COLUMN jobstream.dead_letters.payload_bytes IS
'Length of the whole payload in bytes (NULL for rows written before 0.3)';
COMMENT ON COLUMN jobstream.dead_letters.payload_sha256 IS
'SHA-256 of the whole payload (NULL for a tombstone and for rows written before 0.3)';
COMMENT ON COLUMN jobstream.dead_letters.key IS
'The message''s key, or its first jobstream.dead_letter_bytes bytes';
COMMENT ON COLUMN jobstream.dead_letters.error IS
'Why the message was not stored: the decoder''s reason (naming the field) or PostgreSQL''s error message and detail';

-- The workers' statistics gain the current run of failed attempts.  The
-- views over them are rebuilt with it.
DROP VIEW jobstream.source_stats;
DROP VIEW jobstream.workers;
DROP FUNCTION jobstream.source_stats_internal();

CREATE FUNCTION jobstream.source_stats_internal(
	OUT pid integer, OUT source_id integer, OUT slice integer, OUT state text,
	OUT started_at timestamptz, OUT last_batch_at timestamptz,
	OUT last_batch_ms double precision, OUT messages bigint, OUT rows bigint,
	OUT dead_letters bigint, OUT batches bigint, OUT errors bigint,
	OUT messages_per_sec double precision, OUT last_error text,
	OUT last_error_at timestamptz, OUT partition integer, OUT assigned boolean,
	OUT high_watermark bigint, OUT partition_next_offset bigint,
	OUT partition_messages bigint, OUT partition_dead_letters bigint,
	OUT failing_since timestamptz, OUT retries integer)
RETURNS SETOF record
AS 'MODULE_PATHNAME', 'jobstream_source_stats_internal'
LANGUAGE C STRICT VOLATILE;
COMMENT ON FUNCTION jobstream.source_stats_internal() IS
'Shared-memory statistics of the running ingest workers, one row per worker and assigned partition (empty unless jobstream is in shared_preload_libraries)';
REVOKE ALL ON FUNCTION jobstream.source_stats_internal() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION jobstream.source_stats_internal() TO pg_monitor, jobstream_writer;

CREATE VIEW jobstream.workers AS
SELECT DISTINCT ON (w.pid) w.pid, w.source_id, s.topic, s.target, w.slice, w.state,
	w.started_at, w.last_batch_at, w.last_batch_ms, w.messages, w.rows,
	w.dead_letters, w.batches, w.errors, w.messages_per_sec, w.last_error, w.last_error_at,
	w.failing_since, w.retries
FROM jobstream.source_stats_internal() w
LEFT JOIN jobstream.sources s USING (source_id)
ORDER BY w.pid;
COMMENT ON VIEW jobstream.workers IS
'The running ingest workers: state (running, backing off after error, stuck, ...), counters since start, messages/s, last error, and since when and how often the current batch has failed';

CREATE VIEW jobstream.source_stats AS
WITH w AS (
	SELECT * FROM jobstream.source_stats_internal() WHERE partition IS NOT NULL
), parts AS (
	SELECT o.source_id, o.partition FROM jobstream.source_offsets o
	UNION
	SELECT w.source_id, w.partition FROM w
)
SELECT s.source_id, s.topic, s.target, p.partition,
	o.next_offset AS committed_offset,
	w.high_watermark,
	CASE WHEN w.high_watermark IS NOT NULL
		 THEN greatest(w.high_watermark - coalesce(o.next_offset, 0), 0) END AS lag,
	coalesce(w.partition_messages - w.partition_dead_letters, 0) AS rows,
	coalesce(w.partition_dead_letters, 0) AS dead_letters,
	w.messages_per_sec,
	w.last_batch_at,
	o.updated_at AS committed_at,
	w.last_error,
	w.last_error_at,
	w.pid AS worker_pid,
	coalesce(w.state, CASE WHEN s.paused THEN 'paused' ELSE 'not running' END) AS state,
	w.failing_since,
	w.retries
FROM jobstream.sources s
LEFT JOIN parts p ON p.source_id = s.source_id
LEFT JOIN jobstream.source_offsets o ON o.source_id = s.source_id AND o.partition = p.partition
LEFT JOIN w ON w.source_id = s.source_id AND w.partition = p.partition;
COMMENT ON VIEW jobstream.source_stats IS
'Per source and partition: committed offset (stored with the rows), high watermark, lag, rows and dead letters since the worker started, worker messages/s, last batch, last error, state (a stuck worker is stuck at committed_offset) and the current run of failures';

GRANT SELECT ON jobstream.source_stats, jobstream.workers TO pg_monitor, jobstream_writer;
