-- Real-time matching (issue 7): new candidates and job posts become job
-- applications, written by the "jobstream matcher" background worker (or by
-- jobstream.match_now() in the calling session).  See src/match.c for the
-- design and its invariants.
--
-- New rows are queued by statement triggers with transition tables, in the
-- transaction that inserts them, so the queue is exactly the set of
-- committed inserts.  Updates (including the update branch of an upsert)
-- are not queued: a changed candidate or post is seen by the matcher at its
-- next index reload.  Candidates without a job_category belong to no family
-- and are not queued.

CREATE TABLE jobstream.match_queue (
	seq bigserial PRIMARY KEY,
	kind "char" NOT NULL CHECK (kind IN ('c', 'p')),
	id uuid NOT NULL,
	enqueued_at timestamptz NOT NULL DEFAULT pg_catalog.now()
) WITH (autovacuum_vacuum_scale_factor = 0, autovacuum_vacuum_threshold = 10000);
CREATE INDEX match_queue_id_idx ON jobstream.match_queue (id);
COMMENT ON TABLE jobstream.match_queue IS 'Candidates (kind c) and job posts (kind p) inserted but not yet matched, in insertion order (seq)';

-- One row: the matcher's counters, updated in the transaction of each batch
-- (so they count exactly what committed), and its last error.  epoch moves
-- with every batch and every DELETE or TRUNCATE of candidates or posts: a
-- matcher whose in-memory index was built at another epoch reloads it.
CREATE TABLE jobstream.match_state (
	one boolean PRIMARY KEY DEFAULT true CHECK (one),
	pairs_scored bigint NOT NULL DEFAULT 0,
	applications bigint NOT NULL DEFAULT 0,
	processed bigint NOT NULL DEFAULT 0,
	batches bigint NOT NULL DEFAULT 0,
	produced bigint NOT NULL DEFAULT 0,
	epoch bigint NOT NULL DEFAULT 0,
	last_batch_at timestamptz,
	last_batch_ms double precision,
	last_error text,
	last_error_at timestamptz
);
INSERT INTO jobstream.match_state DEFAULT VALUES;
COMMENT ON TABLE jobstream.match_state IS 'Counters of the matcher (pairs scored, applications made, queue items processed, batches, applications produced to Kafka) and its last error';

-- Producing to Kafka (src/match_produce.c).  When
-- jobstream.match_produce_brokers is set, the statement that writes a
-- pass's applications also puts their ids here, in the same transaction;
-- after the commit the matcher sends them as contract JSON to
-- jobstream.match_produce_topic (key: application_id) with an idempotent
-- producer, and deletes an id once Kafka acknowledged its message.
-- Delivery guarantee: at least once.  Every committed application reaches
-- the topic, whatever crashes; a crash or restart between the
-- acknowledgement and the delete (or a message that timed out in the
-- client yet reached the broker) sends it again, with the same key and
-- content.  A consumer that upserts by application_id - jobstream's own
-- ingestion, when the topic is also a source - therefore stores each
-- application exactly once.  Applications written while producing is off
-- are not sent; outbox rows whose application was deleted are dropped.
CREATE TABLE jobstream.match_outbox (
	application_id uuid PRIMARY KEY,
	enqueued_at timestamptz NOT NULL DEFAULT pg_catalog.now()
) WITH (autovacuum_vacuum_scale_factor = 0, autovacuum_vacuum_threshold = 10000);
COMMENT ON TABLE jobstream.match_outbox IS 'Applications written by the matcher and not yet acknowledged by Kafka (only while jobstream.match_produce_brokers is set); sent at least once';

CREATE FUNCTION jobstream.match_wake()
RETURNS void
AS 'MODULE_PATHNAME', 'jobstream_match_wake'
LANGUAGE C VOLATILE STRICT;
COMMENT ON FUNCTION jobstream.match_wake() IS
'Wakes the matcher worker when the current transaction commits (no-op without the worker)';
REVOKE ALL ON FUNCTION jobstream.match_wake() FROM PUBLIC;

CREATE FUNCTION jobstream.match_enqueue()
RETURNS trigger
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
	IF TG_TABLE_NAME = 'candidates' THEN
		INSERT INTO jobstream.match_queue (kind, id)
		SELECT 'c', candidate_id FROM new_rows WHERE job_category IS NOT NULL;
	ELSE
		INSERT INTO jobstream.match_queue (kind, id)
		SELECT 'p', post_id FROM new_rows;
	END IF;
	PERFORM jobstream.match_wake();
	RETURN NULL;
END
$$;
COMMENT ON FUNCTION jobstream.match_enqueue() IS 'Statement trigger: queues inserted candidates and job posts for the matcher';

CREATE TRIGGER match_enqueue AFTER INSERT ON jobstream.candidates
	REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION jobstream.match_enqueue();
CREATE TRIGGER match_enqueue AFTER INSERT ON jobstream.job_posts
	REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION jobstream.match_enqueue();

CREATE FUNCTION jobstream.match_invalidate()
RETURNS trigger
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
	UPDATE jobstream.match_state SET epoch = epoch + 1;
	RETURN NULL;
END
$$;
COMMENT ON FUNCTION jobstream.match_invalidate() IS 'Statement trigger: deleted or truncated candidates or posts make the matcher reload its index';

CREATE TRIGGER match_invalidate AFTER DELETE OR TRUNCATE ON jobstream.candidates
	FOR EACH STATEMENT EXECUTE FUNCTION jobstream.match_invalidate();
CREATE TRIGGER match_invalidate AFTER DELETE OR TRUNCATE ON jobstream.job_posts
	FOR EACH STATEMENT EXECUTE FUNCTION jobstream.match_invalidate();

CREATE FUNCTION jobstream.match_now(max_items integer DEFAULT NULL)
RETURNS TABLE (processed bigint, pairs_scored bigint, applications bigint)
AS 'MODULE_PATHNAME', 'jobstream_match_now'
LANGUAGE C VOLATILE
SET search_path = pg_catalog, pg_temp;
COMMENT ON FUNCTION jobstream.match_now(integer) IS
'Runs one matching pass in this session over up to max_items queued candidates and posts (all of them when NULL), with the worker''s code and settings; returns what it did.  Needs READ COMMITTED';
REVOKE ALL ON FUNCTION jobstream.match_now(integer) FROM PUBLIC;

CREATE FUNCTION jobstream.match_draw(candidate_id uuid, post_id uuid, purpose text,
	seed integer DEFAULT pg_catalog.current_setting('jobstream.match_seed')::integer)
RETURNS double precision
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
RETURN ('x' || pg_catalog.substr(pg_catalog.md5(seed::text || ':' || candidate_id::text || ':'
	|| post_id::text || ':' || purpose), 1, 13))::bit(52)::bigint / 4503599627370496.0::double precision;
COMMENT ON FUNCTION jobstream.match_draw(uuid, uuid, text, integer) IS
'The matcher''s deterministic uniform draw in [0,1) for a pair: purpose ''apply'' decides whether the candidate applies (draw < jobstream.match_apply_share), ''status'' is the u of application_status';

CREATE FUNCTION jobstream.match_application_id(candidate_id uuid, post_id uuid)
RETURNS uuid
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
RETURN (SELECT (pg_catalog.substr(h, 1, 12) || '3' || pg_catalog.substr(h, 14, 3)
	|| pg_catalog.substr('89ab', (('x' || pg_catalog.substr(h, 17, 1))::bit(4)::integer & 3) + 1, 1)
	|| pg_catalog.substr(h, 18))::uuid
	FROM (SELECT pg_catalog.md5(candidate_id::text || post_id::text) AS h) m);
COMMENT ON FUNCTION jobstream.match_application_id(uuid, uuid) IS
'The application_id the matcher gives a pair: md5 of the two ids as text, marked as a version 3 (name-based, MD5) UUID; a replay writes the same id';

CREATE VIEW jobstream.match_stats AS
SELECT s.pairs_scored, s.applications, s.processed, s.batches,
	q.queued AS queue_length,
	pg_catalog.now() - q.oldest AS queue_lag,
	s.produced,
	o.waiting AS outbox_length,
	pg_catalog.now() - o.oldest AS outbox_lag,
	s.last_batch_at, s.last_batch_ms, s.last_error, s.last_error_at
FROM jobstream.match_state s,
	(SELECT pg_catalog.count(*) AS queued, pg_catalog.min(enqueued_at) AS oldest
	FROM jobstream.match_queue) q,
	(SELECT pg_catalog.count(*) AS waiting, pg_catalog.min(enqueued_at) AS oldest
	FROM jobstream.match_outbox) o;
COMMENT ON VIEW jobstream.match_stats IS
'Matcher progress: pairs scored, applications made, queue items processed, queue length (lag in rows) and age of the oldest queued item (lag in time, NULL when empty); applications produced to Kafka, outbox length (applications waiting to be produced) and age of its oldest row; last batch and last error';
