-- Kafka ingestion (issue 5): sources, stored offsets, the SQL API that
-- manages sources, and monitoring views.
--
-- A source is one Kafka topic consumed into one of the four core tables.
-- Background workers (launcher.c, consumer.c) read jobstream.sources and
-- store rows, dead letters and their offsets (jobstream.source_offsets) in
-- one transaction: exactly once.  Changes to sources take effect within a
-- second: a trigger wakes the launcher at commit.
--
-- Security: options may hold secrets (sasl.password, ssl.key.password ...),
-- so jobstream.sources is readable only by superusers; jobstream.source_list
-- shows the same rows with the values of keys that look secret masked.

CREATE TABLE jobstream.sources (
	source_id integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	topic text NOT NULL CHECK (topic ~ '^[A-Za-z0-9._-]{1,249}$'),
	target text NOT NULL
		CHECK (target IN ('job_posts', 'candidates', 'job_applications', 'tracking_events')),
	brokers text NOT NULL CHECK (brokers <> ''),
	group_id text NOT NULL CHECK (group_id <> ''),
	options jsonb NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(options) = 'object'),
	parallelism integer NOT NULL DEFAULT 1 CHECK (parallelism BETWEEN 1 AND 64),
	paused boolean NOT NULL DEFAULT false,
	created_at timestamptz NOT NULL DEFAULT now(),
	updated_at timestamptz NOT NULL DEFAULT now(),
	CONSTRAINT sources_topic_target_key UNIQUE (topic, target)
);
COMMENT ON TABLE jobstream.sources IS
'Kafka topics consumed into jobstream tables, one row per topic and target table; options are librdkafka properties (superuser only: they may hold secrets; see source_list)';
REVOKE ALL ON jobstream.sources FROM PUBLIC;

CREATE TABLE jobstream.source_offsets (
	source_id integer NOT NULL REFERENCES jobstream.sources ON DELETE CASCADE,
	partition integer NOT NULL CHECK (partition >= 0),
	next_offset bigint NOT NULL CHECK (next_offset >= 0),
	updated_at timestamptz NOT NULL DEFAULT now(),
	PRIMARY KEY (source_id, partition)
);
COMMENT ON TABLE jobstream.source_offsets IS
'Next Kafka offset to consume per source and partition, written in the same transaction as the rows: workers resume from here, not from Kafka''s committed offsets';
REVOKE ALL ON jobstream.source_offsets FROM PUBLIC;

SELECT pg_catalog.pg_extension_config_dump('jobstream.sources', '');
SELECT pg_catalog.pg_extension_config_dump('jobstream.source_offsets', '');

CREATE FUNCTION jobstream.kafka_property_error(name text, value text)
RETURNS text
AS 'MODULE_PATHNAME', 'jobstream_kafka_property_error'
LANGUAGE C STRICT STABLE;
COMMENT ON FUNCTION jobstream.kafka_property_error(text, text) IS
'NULL when librdkafka accepts the property name and value for a consumer, else its complaint; connects to nothing';
REVOKE ALL ON FUNCTION jobstream.kafka_property_error(text, text) FROM PUBLIC;

-- Checks options and returns them without jobstream's own keys moved out;
-- raises with a hint on a bad key or value.
CREATE FUNCTION jobstream.check_source_options(options jsonb)
RETURNS void
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	k text;
	v jsonb;
	complaint text;
BEGIN
	IF options IS NULL OR jsonb_typeof(options) <> 'object' THEN
		RAISE EXCEPTION 'source options must be a JSON object'
			USING ERRCODE = 'invalid_parameter_value',
				  HINT = 'Pass librdkafka properties as {"name": "value", ...}.';
	END IF;
	FOR k, v IN SELECT * FROM jsonb_each(options) LOOP
		IF jsonb_typeof(v) IN ('object', 'array', 'null') THEN
			RAISE EXCEPTION 'option "%" must be a string, number or boolean', k
				USING ERRCODE = 'invalid_parameter_value';
		END IF;
		IF k = 'parallelism' THEN
			IF jsonb_typeof(v) <> 'number' OR (v #>> '{}')::numeric NOT BETWEEN 1 AND 64
			   OR (v #>> '{}')::numeric <> trunc((v #>> '{}')::numeric) THEN
				RAISE EXCEPTION 'option "parallelism" must be an integer between 1 and 64, not %', v
					USING ERRCODE = 'invalid_parameter_value';
			END IF;
		ELSIF k = 'start' THEN
			IF (v #>> '{}') NOT IN ('earliest', 'latest') THEN
				RAISE EXCEPTION 'option "start" must be "earliest" or "latest", not %', v
					USING ERRCODE = 'invalid_parameter_value',
						  HINT = 'It says where a partition without a stored offset starts.';
			END IF;
		ELSIF k IN ('bootstrap.servers', 'metadata.broker.list', 'group.id',
					'enable.auto.commit', 'enable.auto.offset.store', 'auto.offset.reset',
					'log.queue', 'client.id') THEN
			RAISE EXCEPTION 'option "%" is set by jobstream', k
				USING ERRCODE = 'invalid_parameter_value',
					  HINT = CASE k
						WHEN 'bootstrap.servers' THEN 'Pass the brokers as the brokers argument.'
						WHEN 'metadata.broker.list' THEN 'Pass the brokers as the brokers argument.'
						WHEN 'group.id' THEN 'Pass the group as the group_id argument.'
						WHEN 'auto.offset.reset' THEN 'Use the option "start": "earliest" or "latest".'
						ELSE 'Offsets are stored in PostgreSQL for exactly-once delivery; Kafka''s offset commits stay off.' END;
		ELSE
			complaint := jobstream.kafka_property_error(k, v #>> '{}');
			IF complaint IS NOT NULL THEN
				RAISE EXCEPTION 'invalid Kafka option "%": %', k, complaint
					USING ERRCODE = 'invalid_parameter_value',
						  HINT = 'Options are librdkafka consumer properties (see librdkafka''s CONFIGURATION.md), plus "parallelism" and "start".';
			END IF;
		END IF;
	END LOOP;
END
$$;
COMMENT ON FUNCTION jobstream.check_source_options(jsonb) IS
'Raises an error with a hint when source options hold an unknown or invalid librdkafka property or a bad jobstream key (parallelism, start)';
REVOKE ALL ON FUNCTION jobstream.check_source_options(jsonb) FROM PUBLIC;

-- Sources are consumed by workers that only run when the library is
-- preloaded and jobstream.database names this database: say so at once
-- rather than leave a source silently idle.
CREATE FUNCTION jobstream.warn_if_no_workers()
RETURNS boolean
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
	IF NOT 'jobstream' = ANY (string_to_array(replace(current_setting('shared_preload_libraries'), ' ', ''), ',')) THEN
		RAISE WARNING 'jobstream is not in shared_preload_libraries, so no worker will consume the sources'
			USING HINT = 'Add jobstream to shared_preload_libraries in postgresql.conf, set jobstream.database, and restart the server.';
		RETURN false;
	ELSIF current_setting('jobstream.database') <> current_database() THEN
		RAISE WARNING 'the jobstream workers connect to database "%", not to this one ("%")',
			current_setting('jobstream.database'), current_database()
			USING HINT = format('Set jobstream.database = %L in postgresql.conf and restart the server.', current_database());
		RETURN false;
	END IF;
	RETURN true;
END
$$;
COMMENT ON FUNCTION jobstream.warn_if_no_workers() IS
'Warns, and returns false, when no jobstream worker can serve this database (library not preloaded, or jobstream.database names another database)';

CREATE FUNCTION jobstream.add_source(topic text, target text, brokers text,
	group_id text DEFAULT NULL, options jsonb DEFAULT '{}')
RETURNS integer
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	id integer;
	t text := lower(btrim(target));
BEGIN
	IF t = 'candidate_info' THEN
		t := 'candidates';
	END IF;
	IF t IS NULL OR t NOT IN ('job_posts', 'candidates', 'job_applications', 'tracking_events') THEN
		RAISE EXCEPTION 'unknown target table "%"', target
			USING ERRCODE = 'invalid_parameter_value',
				  HINT = 'The target is one of job_posts, candidates, job_applications, tracking_events.';
	END IF;
	IF brokers IS NULL OR btrim(brokers) = '' THEN
		RAISE EXCEPTION 'brokers must not be empty'
			USING ERRCODE = 'invalid_parameter_value',
				  HINT = 'Pass the bootstrap servers, e.g. ''kafka1:9092,kafka2:9092''.';
	END IF;
	PERFORM jobstream.check_source_options(coalesce(options, '{}'));
	-- Two sources of one topic in one consumer group would split its
	-- partitions between them: give each its own group.
	IF EXISTS (SELECT FROM jobstream.sources s
			   WHERE s.topic = add_source.topic
				 AND s.group_id = coalesce(add_source.group_id, 'jobstream_' || t)) THEN
		RAISE EXCEPTION 'consumer group "%" already consumes topic "%"',
			coalesce(add_source.group_id, 'jobstream_' || t), topic
			USING ERRCODE = 'unique_violation',
				  HINT = 'Use another group_id, or jobstream.alter_source() to change the existing source.';
	END IF;
	INSERT INTO jobstream.sources (topic, target, brokers, group_id, options, parallelism)
	VALUES (topic, t, btrim(brokers), coalesce(group_id, 'jobstream_' || t),
			coalesce(options, '{}') - 'parallelism',
			coalesce((options ->> 'parallelism')::integer, 1))
	RETURNING source_id INTO id;
	PERFORM jobstream.warn_if_no_workers();
	RETURN id;
EXCEPTION
	WHEN unique_violation THEN
		IF SQLERRM LIKE '%sources_topic_target_key%' THEN
			RAISE EXCEPTION 'topic "%" is already a source of %', topic, t
				USING ERRCODE = 'unique_violation',
					  HINT = 'Use jobstream.alter_source() to change it.';
		END IF;
		RAISE;
END
$$;
COMMENT ON FUNCTION jobstream.add_source(text, text, text, text, jsonb) IS
'Starts consuming a Kafka topic into a jobstream table (job_posts, candidates, job_applications, tracking_events); options are librdkafka properties plus "parallelism" (workers, default 1) and "start" (earliest|latest for partitions without a stored offset); group_id defaults to jobstream_<target>; returns the source id';
REVOKE ALL ON FUNCTION jobstream.add_source(text, text, text, text, jsonb) FROM PUBLIC;

CREATE FUNCTION jobstream.alter_source(source_id integer, brokers text DEFAULT NULL,
	group_id text DEFAULT NULL, options jsonb DEFAULT NULL)
RETURNS void
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
	IF options IS NOT NULL THEN
		PERFORM jobstream.check_source_options(options);
	END IF;
	UPDATE jobstream.sources s
	   SET brokers = coalesce(btrim(alter_source.brokers), s.brokers),
		   group_id = coalesce(alter_source.group_id, s.group_id),
		   options = coalesce(alter_source.options - 'parallelism', s.options),
		   parallelism = coalesce((alter_source.options ->> 'parallelism')::integer,
								  CASE WHEN alter_source.options IS NULL THEN s.parallelism ELSE 1 END)
	 WHERE s.source_id = alter_source.source_id;
	IF NOT FOUND THEN
		RAISE EXCEPTION 'source % does not exist', source_id
			USING ERRCODE = 'no_data_found',
				  HINT = 'See jobstream.source_list for the sources.';
	END IF;
END
$$;
COMMENT ON FUNCTION jobstream.alter_source(integer, text, text, jsonb) IS
'Changes the brokers, group or options (replaced as a whole) of a source; its workers restart with the new settings and resume from the stored offsets';
REVOKE ALL ON FUNCTION jobstream.alter_source(integer, text, text, jsonb) FROM PUBLIC;

CREATE FUNCTION jobstream.set_source_paused(source_id integer, paused boolean)
RETURNS void
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
	UPDATE jobstream.sources s SET paused = set_source_paused.paused
	 WHERE s.source_id = set_source_paused.source_id;
	IF NOT FOUND THEN
		RAISE EXCEPTION 'source % does not exist', source_id
			USING ERRCODE = 'no_data_found',
				  HINT = 'See jobstream.source_list for the sources.';
	END IF;
END
$$;
COMMENT ON FUNCTION jobstream.set_source_paused(integer, boolean) IS
'Pauses or resumes a source (used by pause_source and resume_source)';
REVOKE ALL ON FUNCTION jobstream.set_source_paused(integer, boolean) FROM PUBLIC;

CREATE FUNCTION jobstream.pause_source(source_id integer)
RETURNS void
LANGUAGE sql
SET search_path = pg_catalog, pg_temp
AS $$ SELECT jobstream.set_source_paused($1, true) $$;
COMMENT ON FUNCTION jobstream.pause_source(integer) IS
'Stops the workers of a source; its offsets are kept, so resume_source continues where it stopped';
REVOKE ALL ON FUNCTION jobstream.pause_source(integer) FROM PUBLIC;

CREATE FUNCTION jobstream.resume_source(source_id integer)
RETURNS void
LANGUAGE sql
SET search_path = pg_catalog, pg_temp
AS $$ SELECT jobstream.set_source_paused($1, false) $$;
COMMENT ON FUNCTION jobstream.resume_source(integer) IS
'Starts the workers of a paused source again, from its stored offsets';
REVOKE ALL ON FUNCTION jobstream.resume_source(integer) FROM PUBLIC;

CREATE FUNCTION jobstream.drop_source(source_id integer)
RETURNS void
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
	DELETE FROM jobstream.sources s WHERE s.source_id = drop_source.source_id;
	IF NOT FOUND THEN
		RAISE EXCEPTION 'source % does not exist', source_id
			USING ERRCODE = 'no_data_found',
				  HINT = 'See jobstream.source_list for the sources.';
	END IF;
END
$$;
COMMENT ON FUNCTION jobstream.drop_source(integer) IS
'Stops and removes a source and its stored offsets; rows and dead letters stay';
REVOKE ALL ON FUNCTION jobstream.drop_source(integer) FROM PUBLIC;

CREATE FUNCTION jobstream.drop_source(topic text)
RETURNS integer
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	n integer;
BEGIN
	DELETE FROM jobstream.sources s WHERE s.topic = drop_source.topic;
	GET DIAGNOSTICS n = ROW_COUNT;
	IF n = 0 THEN
		RAISE EXCEPTION 'no source consumes topic "%"', topic
			USING ERRCODE = 'no_data_found',
				  HINT = 'See jobstream.source_list for the sources.';
	END IF;
	RETURN n;
END
$$;
COMMENT ON FUNCTION jobstream.drop_source(text) IS
'Stops and removes every source of a topic and their stored offsets; returns how many';
REVOKE ALL ON FUNCTION jobstream.drop_source(text) FROM PUBLIC;

-- Keep updated_at current (a new updated_at restarts the source's workers)
-- and wake the launcher at commit.
CREATE FUNCTION jobstream.sources_touch()
RETURNS trigger
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
	NEW.updated_at := clock_timestamp();
	RETURN NEW;
END
$$;
COMMENT ON FUNCTION jobstream.sources_touch() IS
'Trigger: sets updated_at of a changed source';

CREATE FUNCTION jobstream.sources_notify()
RETURNS trigger
AS 'MODULE_PATHNAME', 'jobstream_sources_trigger'
LANGUAGE C;
COMMENT ON FUNCTION jobstream.sources_notify() IS
'Trigger: wakes the jobstream launcher when the transaction that changed sources commits';

CREATE TRIGGER sources_touch BEFORE UPDATE ON jobstream.sources
	FOR EACH ROW EXECUTE FUNCTION jobstream.sources_touch();
CREATE TRIGGER sources_notify AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON jobstream.sources
	FOR EACH STATEMENT EXECUTE FUNCTION jobstream.sources_notify();

CREATE VIEW jobstream.source_list AS
SELECT s.source_id, s.topic, s.target, s.brokers, s.group_id,
	(SELECT coalesce(jsonb_object_agg(e.key,
				CASE WHEN e.key ~* '(password|secret|key|token|credential|jaas)'
					 THEN '"********"'::jsonb ELSE e.value END), '{}'::jsonb)
	   FROM jsonb_each(s.options) AS e) AS options,
	s.parallelism, s.paused, s.created_at, s.updated_at
FROM jobstream.sources s;
COMMENT ON VIEW jobstream.source_list IS
'The sources with the values of secret-looking options (password, secret, key, token, credential, jaas) masked';

CREATE FUNCTION jobstream.source_stats_internal(
	OUT pid integer, OUT source_id integer, OUT slice integer, OUT state text,
	OUT started_at timestamptz, OUT last_batch_at timestamptz,
	OUT last_batch_ms double precision, OUT messages bigint, OUT rows bigint,
	OUT dead_letters bigint, OUT batches bigint, OUT errors bigint,
	OUT messages_per_sec double precision, OUT last_error text,
	OUT last_error_at timestamptz, OUT partition integer, OUT assigned boolean,
	OUT high_watermark bigint, OUT partition_next_offset bigint,
	OUT partition_messages bigint, OUT partition_dead_letters bigint)
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
	w.dead_letters, w.batches, w.errors, w.messages_per_sec, w.last_error, w.last_error_at
FROM jobstream.source_stats_internal() w
LEFT JOIN jobstream.sources s USING (source_id)
ORDER BY w.pid;
COMMENT ON VIEW jobstream.workers IS
'The running ingest workers: state, counters since start, messages/s and last error';

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
	coalesce(w.state, CASE WHEN s.paused THEN 'paused' ELSE 'not running' END) AS state
FROM jobstream.sources s
LEFT JOIN parts p ON p.source_id = s.source_id
LEFT JOIN jobstream.source_offsets o ON o.source_id = s.source_id AND o.partition = p.partition
LEFT JOIN w ON w.source_id = s.source_id AND w.partition = p.partition;
COMMENT ON VIEW jobstream.source_stats IS
'Per source and partition: committed offset (stored with the rows), high watermark, lag, rows and dead letters since the worker started, worker messages/s, last batch, last error and state';

GRANT SELECT ON jobstream.source_list, jobstream.source_stats, jobstream.workers
	TO pg_monitor, jobstream_writer;
