-- Security (issue 10): roles that cannot be hijacked, trigger functions
-- that serve their own tables only, a role for the workers, Kafka options
-- that cannot load code and can keep secrets out of the database, and a
-- matcher lock nobody else can take.  Who may execute and read what is
-- stated once, completely, in 95_privileges.sql, which runs last.

-- Roles --------------------------------------------------------------------

-- jobstream_worker holds what the background workers need; the role named
-- by jobstream.worker_role (a LOGIN role) is made a member of it.
DO $$
BEGIN
	IF NOT EXISTS (SELECT FROM pg_catalog.pg_roles WHERE rolname = 'jobstream_worker') THEN
		CREATE ROLE jobstream_worker NOLOGIN;
	END IF;
END
$$;

-- The roles are created by name only when they do not exist (0.1), so a
-- role someone made beforehand under one of these names would receive the
-- extension's privileges with whatever else it has: a login with a
-- password its maker knows, superuser, CREATEROLE, membership in other
-- roles.  Such a role is refused: CREATE EXTENSION (or the update) fails
-- and nothing is granted.  Members of the roles are fine: that is how they
-- are used.
DO $$
DECLARE
	r record;
BEGIN
	FOR r IN
		SELECT a.rolname, concat_ws(', ',
				CASE WHEN a.rolsuper THEN 'SUPERUSER' END,
				CASE WHEN a.rolcanlogin THEN 'LOGIN' END,
				CASE WHEN a.rolcreaterole THEN 'CREATEROLE' END,
				CASE WHEN a.rolcreatedb THEN 'CREATEDB' END,
				CASE WHEN a.rolreplication THEN 'REPLICATION' END,
				CASE WHEN a.rolbypassrls THEN 'BYPASSRLS' END,
				(SELECT 'member of ' || pg_catalog.string_agg(pg_catalog.quote_ident(g.rolname), ', ' ORDER BY g.rolname)
				 FROM pg_catalog.pg_auth_members m JOIN pg_catalog.pg_roles g ON g.oid = m.roleid
				 WHERE m.member = a.oid)) AS what
		FROM pg_catalog.pg_roles a
		WHERE a.rolname IN ('jobstream_reader', 'jobstream_writer', 'jobstream_worker')
		ORDER BY a.rolname
	LOOP
		IF r.what <> '' THEN
			RAISE EXCEPTION 'role "%" already exists with %, which jobstream does not give its roles', r.rolname, r.what
				USING ERRCODE = 'insufficient_privilege',
					  HINT = format('Drop the role, or make it NOLOGIN NOSUPERUSER NOCREATEROLE NOCREATEDB NOREPLICATION NOBYPASSRLS and a member of no role (ALTER ROLE %I ...; REVOKE ... FROM %I), then run the command again.', r.rolname, r.rolname);
		END IF;
	END LOOP;
END
$$;

-- pg_monitor is granted the monitoring views; it also needs the schema.
GRANT USAGE ON SCHEMA jobstream TO pg_monitor, jobstream_worker;

-- Trigger functions --------------------------------------------------------

-- Every trigger function checks the table that fired it: EXECUTE is checked
-- only when a trigger is created, so this is the second line behind the
-- revoked EXECUTE (95_privileges.sql).
CREATE FUNCTION jobstream.trigger_guard(fired oid, func text, tables regclass[])
RETURNS void
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
	IF fired IS NULL OR NOT fired = ANY (tables::oid[]) THEN
		RAISE EXCEPTION 'jobstream.%() may not be fired by table %', func,
			(SELECT format('%I.%I', n.nspname, c.relname) FROM pg_class c
			 JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.oid = fired)
			USING ERRCODE = 'insufficient_privilege',
				  HINT = 'It serves ' || array_to_string(tables::text[], ', ') || ' only.';
	END IF;
END
$$;
COMMENT ON FUNCTION jobstream.trigger_guard(oid, text, regclass[]) IS
'Raises insufficient_privilege unless the table that fired trigger function func (TG_RELID) is one of tables';

-- The applications rollup as one statement over signed rows (a query with
-- columns sign and r), run by the trigger on its transition tables and by
-- rebuild_rollups() on the whole table; $1 is the slice.
CREATE FUNCTION jobstream.application_delta_sql(source text)
RETURNS text
LANGUAGE sql IMMUTABLE
AS $$
	SELECT format($q$
		WITH d AS MATERIALIZED (%s),
		hourly AS (
			INSERT INTO jobstream.application_hourly AS r
			SELECT $1, date_trunc('hour', (r).applied_at), sum(sign),
				coalesce(sum(sign) FILTER (WHERE (r).compatibility_score IS NOT NULL), 0),
				coalesce(sum(sign * (r).compatibility_score), 0)
			FROM d
			GROUP BY 2
			HAVING sum(sign) <> 0 OR coalesce(sum(sign * (r).compatibility_score), 0) <> 0
			ORDER BY 2
			ON CONFLICT (hour, slice) DO UPDATE SET
				applications = r.applications + EXCLUDED.applications,
				scored = r.scored + EXCLUDED.scored,
				score_sum = r.score_sum + EXCLUDED.score_sum)
		INSERT INTO jobstream.application_scores AS r
		SELECT $1, (r).status, coalesce((r).compatibility_score, -1), sum(sign)
		FROM d
		GROUP BY 2, 3
		HAVING sum(sign) <> 0
		ORDER BY 2, 3
		ON CONFLICT (status, score, slice) DO UPDATE SET
			applications = r.applications + EXCLUDED.applications
	$q$, source)
$$;
COMMENT ON FUNCTION jobstream.application_delta_sql(text) IS
'The statement that adds signed application rows to application_hourly and application_scores; its parameter $1 is the slice';

CREATE OR REPLACE FUNCTION jobstream.rollup_job_applications()
RETURNS trigger
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
SET timezone = 'UTC'
AS $$
BEGIN
	PERFORM jobstream.trigger_guard(TG_RELID, 'rollup_job_applications', '{jobstream.job_applications}');
	EXECUTE jobstream.application_delta_sql(jobstream.rollup_delta(TG_OP, 'jobstream.job_applications'))
		USING jobstream.rollup_slice();
	PERFORM jobstream.rollup_changed('applications');
	RETURN NULL;
END
$$;

-- After 65_counts.sql the posts' and candidates' rollups are emptied by
-- their own trigger functions; this one serves the other two raw tables.
CREATE OR REPLACE FUNCTION jobstream.rollup_truncate()
RETURNS trigger
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
	PERFORM jobstream.trigger_guard(TG_RELID, 'rollup_truncate',
		'{jobstream.tracking_events, jobstream.job_applications}');
	IF TG_RELID = 'jobstream.tracking_events'::regclass THEN
		TRUNCATE jobstream.campaign_hourly, jobstream.campaign_hourly_totals, jobstream.campaign_daily, jobstream.campaign_posts;
		PERFORM jobstream.rollup_changed('events');
	ELSE
		TRUNCATE jobstream.application_hourly, jobstream.application_scores;
		PERFORM jobstream.rollup_changed('applications');
	END IF;
	RETURN NULL;
END
$$;

CREATE OR REPLACE FUNCTION jobstream.match_enqueue()
RETURNS trigger
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
	PERFORM jobstream.trigger_guard(TG_RELID, 'match_enqueue', '{jobstream.candidates, jobstream.job_posts}');
	IF TG_RELID = 'jobstream.candidates'::regclass THEN
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

CREATE OR REPLACE FUNCTION jobstream.match_invalidate()
RETURNS trigger
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
	PERFORM jobstream.trigger_guard(TG_RELID, 'match_invalidate', '{jobstream.candidates, jobstream.job_posts}');
	UPDATE jobstream.match_state SET epoch = epoch + 1;
	RETURN NULL;
END
$$;

CREATE OR REPLACE FUNCTION jobstream.sources_touch()
RETURNS trigger
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
	PERFORM jobstream.trigger_guard(TG_RELID, 'sources_touch', '{jobstream.sources}');
	NEW.updated_at := clock_timestamp();
	RETURN NEW;
END
$$;

-- rebuild_rollups() is redefined in 95_privileges.sql, after the parts
-- that add rollups: it must no longer route applications through a
-- temporary table with rollup_job_applications attached.

-- Functions the workers run with the owner's rights --------------------------

-- REFRESH needs the materialized views' owner, and partitions of
-- tracking_events its owner: as SECURITY DEFINER functions (search_path
-- pinned, arguments checked against refresh_state and a bounded range)
-- jobstream_writer and the workers' role can run them without owning
-- anything.
ALTER FUNCTION jobstream.refresh(regclass, boolean) SECURITY DEFINER;
ALTER FUNCTION jobstream.create_tracking_partitions(timestamptz, timestamptz) SECURITY DEFINER;

-- Kafka options ----------------------------------------------------------------

CREATE FUNCTION jobstream.kafka_property_refused(name text)
RETURNS text
AS 'MODULE_PATHNAME', 'jobstream_kafka_property_refused'
LANGUAGE C STRICT IMMUTABLE;
COMMENT ON FUNCTION jobstream.kafka_property_refused(text) IS
'Why jobstream refuses a librdkafka property (it loads code, runs a command or writes files on the server), NULL when it does not';

CREATE FUNCTION jobstream.kafka_property_secret(name text)
RETURNS boolean
AS 'MODULE_PATHNAME', 'jobstream_kafka_property_secret'
LANGUAGE C STRICT IMMUTABLE;
COMMENT ON FUNCTION jobstream.kafka_property_secret(text) IS
'Whether the value of a librdkafka property is a secret (passwords, private keys, OAuth secrets and configurations), masked by source_list';

CREATE OR REPLACE FUNCTION jobstream.check_source_options(options jsonb)
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
		complaint := jobstream.kafka_property_refused(k);
		IF complaint IS NOT NULL THEN
			RAISE EXCEPTION 'Kafka option "%" is refused: %', k, complaint
				USING ERRCODE = 'insufficient_privilege',
					  HINT = 'jobstream does not let source options load code, run commands or write files on the database server.';
		END IF;
		IF jsonb_typeof(v) IN ('array', 'null')
		   OR (jsonb_typeof(v) = 'object' AND NOT coalesce(
				(SELECT count(*) FROM jsonb_object_keys(v)) = 1
				AND ((jsonb_typeof(v -> 'env') = 'string' AND v ->> 'env' ~ '^[A-Za-z_][A-Za-z0-9_]*$')
					 OR (jsonb_typeof(v -> 'file') = 'string' AND v ->> 'file' ~ '^/')), false)) THEN
			RAISE EXCEPTION 'option "%" must be a string, number, boolean or secret reference, not %', k, v
				USING ERRCODE = 'invalid_parameter_value',
					  HINT = 'A secret reference is {"env": "NAME"} (an environment variable of the server) or {"file": "/absolute/path"} (a file the server can read).';
		END IF;
		IF k = 'parallelism' THEN
			IF jsonb_typeof(v) <> 'number' OR (v #>> '{}')::numeric NOT BETWEEN 1 AND 64
			   OR (v #>> '{}')::numeric <> trunc((v #>> '{}')::numeric) THEN
				RAISE EXCEPTION 'option "parallelism" must be an integer between 1 and 64, not %', v
					USING ERRCODE = 'invalid_parameter_value';
			END IF;
		ELSIF k = 'start' THEN
			IF jsonb_typeof(v) = 'object' OR (v #>> '{}') NOT IN ('earliest', 'latest') THEN
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
			-- a reference's value is known only to the worker: check the name
			complaint := jobstream.kafka_property_error(k, CASE WHEN jsonb_typeof(v) = 'object' THEN '' ELSE v #>> '{}' END);
			IF complaint IS NOT NULL AND (jsonb_typeof(v) <> 'object' OR complaint LIKE 'No such configuration property%') THEN
				RAISE EXCEPTION 'invalid Kafka option "%": %', k, complaint
					USING ERRCODE = 'invalid_parameter_value',
						  HINT = 'Options are librdkafka consumer properties (see librdkafka''s CONFIGURATION.md), plus "parallelism" and "start".';
			END IF;
		END IF;
	END LOOP;
END
$$;
COMMENT ON FUNCTION jobstream.check_source_options(jsonb) IS
'Raises an error with a hint when source options hold an unknown, invalid or refused librdkafka property, a malformed secret reference or a bad jobstream key (parallelism, start)';

-- A secret reference names where the secret is, not the secret: shown.
CREATE OR REPLACE VIEW jobstream.source_list AS
SELECT s.source_id, s.topic, s.target, s.brokers, s.group_id,
	(SELECT coalesce(jsonb_object_agg(e.key,
				CASE WHEN jsonb_typeof(e.value) = 'object' THEN e.value
					 WHEN jobstream.kafka_property_secret(e.key)
						  OR e.key ~* '(password|secret|key|token|credential|jaas|pem|passphrase)'
					 THEN '"********"'::jsonb ELSE e.value END), '{}'::jsonb)
	   FROM jsonb_each(s.options) AS e) AS options,
	s.parallelism, s.paused, s.created_at, s.updated_at
FROM jobstream.sources s;
COMMENT ON VIEW jobstream.source_list IS
'The sources with the values of secret options masked (every librdkafka secret property, and any whose name contains password, secret, key, token, credential, jaas, pem or passphrase); secret references ({"env": ...}, {"file": ...}) are shown';

-- The matcher's lock -------------------------------------------------------

-- Matching passes are serialised by a row lock on the one row of this
-- table (SELECT ... FOR NO KEY UPDATE), which needs UPDATE on it: only the
-- owner and jobstream_worker have it, so no other session can stall the
-- matcher, as one could with the advisory lock used before.
CREATE TABLE jobstream.match_lock (
	one boolean PRIMARY KEY DEFAULT true CHECK (one)
);
INSERT INTO jobstream.match_lock DEFAULT VALUES;
COMMENT ON TABLE jobstream.match_lock IS 'One row, locked by the matching pass that runs (the matcher or match_now); only the extension''s owner and jobstream_worker may lock it';

CREATE FUNCTION jobstream.match_worker_state()
RETURNS text
AS 'MODULE_PATHNAME', 'jobstream_match_worker_state'
LANGUAGE C VOLATILE STRICT;
COMMENT ON FUNCTION jobstream.match_worker_state() IS
'What the matcher worker does: running, busy (another session holds the pass lock), off (jobstream.match_enabled is off) or not running';

CREATE OR REPLACE VIEW jobstream.match_stats AS
SELECT s.pairs_scored, s.applications, s.processed, s.batches,
	q.queued AS queue_length,
	pg_catalog.now() - q.oldest AS queue_lag,
	s.produced,
	o.waiting AS outbox_length,
	pg_catalog.now() - o.oldest AS outbox_lag,
	s.last_batch_at, s.last_batch_ms, s.last_error, s.last_error_at,
	jobstream.match_worker_state() AS state
FROM jobstream.match_state s,
	(SELECT pg_catalog.count(*) AS queued, pg_catalog.min(enqueued_at) AS oldest
	FROM jobstream.match_queue) q,
	(SELECT pg_catalog.count(*) AS waiting, pg_catalog.min(enqueued_at) AS oldest
	FROM jobstream.match_outbox) o;
COMMENT ON VIEW jobstream.match_stats IS
'Matcher progress: pairs scored, applications made, queue items processed, queue length (lag in rows) and age of the oldest queued item (lag in time, NULL when empty); applications produced to Kafka, outbox length (applications waiting to be produced) and age of its oldest row; last batch and last error; state of the worker (running, busy, off, not running)';
