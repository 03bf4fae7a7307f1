-- The security model (issue 10), attacked as a hostile user would:
-- jobstream_reader and jobstream_writer try every route to change state
-- (a trigger of theirs on every trigger function of the schema, every
-- function of the schema, direct writes to every table, refreshes, the
-- matcher's lock) and get insufficient_privilege; every function is
-- executable exactly by the roles the README documents; trigger functions
-- fired by a table that is not theirs refuse; pg_monitor reads the
-- monitoring views; Kafka options that load code are refused and secrets
-- are masked; small holes found in review stay closed; and a role that
-- exists beforehand under a jobstream name with other attributes is
-- refused at CREATE EXTENSION.  Everything is enumerated from the
-- catalogs, so objects added later are covered.
BEGIN;
SELECT plan(39);

-- pg_temp.try(role, statements): runs the statements as role in a
-- subtransaction that is always rolled back; returns 'ok' or the SQLSTATE
-- of the first error.
CREATE FUNCTION pg_temp.try(r text, VARIADIC stmts text[]) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
	s text;
BEGIN
	BEGIN
		IF r IS NOT NULL THEN
			EXECUTE format('SET LOCAL ROLE %I', r);
		END IF;
		FOREACH s IN ARRAY stmts LOOP
			EXECUTE s;
		END LOOP;
		RAISE EXCEPTION 'undo' USING ERRCODE = 'JSUND';
	EXCEPTION WHEN OTHERS THEN
		RETURN CASE SQLSTATE WHEN 'JSUND' THEN 'ok' ELSE SQLSTATE END;
	END;
END
$$;

CREATE TEMP VIEW trigger_functions AS
	SELECT p.oid::regprocedure AS f, p.proname FROM pg_proc p
	WHERE p.pronamespace = 'jobstream'::regnamespace AND p.prorettype = 'trigger'::regtype;
CREATE TEMP VIEW jobstream_tables AS
	SELECT c.oid::regclass AS t, c.relname FROM pg_class c
	WHERE c.relnamespace = 'jobstream'::regnamespace AND c.relkind IN ('r', 'p');
-- what jobstream_writer may write (README, "Security model")
CREATE TEMP TABLE writer_tables AS SELECT unnest(ARRAY['job_families', 'seniority_levels',
	'job_titles', 'skills', 'skill_aliases', 'family_skills', 'certifications', 'countries',
	'cities', 'employment_types', 'education_levels', 'work_modes', 'industries', 'platforms',
	'companies', 'first_names', 'last_names', 'application_statuses', 'custom_tracks',
	'title_skills', 'job_campaigns', 'job_posts', 'candidates', 'job_applications',
	'tracking_events', 'dead_letters']) AS relname;
CREATE ROLE js_nobody;

-- 1. Trigger functions ----------------------------------------------------------

SELECT cmp_ok((SELECT count(*) FROM trigger_functions), '>=', 10::bigint,
	'the schema''s trigger functions are enumerated');

-- A trigger of one's own on a temporary table named like the real one
-- (the attack of issue 10: TRUNCATE of a temp job_posts emptied post_counts).
SELECT is(ARRAY(SELECT r || ': ' || proname || ' ' || res FROM (
		SELECT r, proname, pg_temp.try(r,
			'CREATE TEMP TABLE job_posts (x int)',
			format('CREATE TRIGGER t AFTER TRUNCATE ON pg_temp.job_posts FOR EACH STATEMENT EXECUTE FUNCTION %s', f),
			'TRUNCATE pg_temp.job_posts') AS res
		FROM trigger_functions, unnest(ARRAY['jobstream_reader', 'jobstream_writer', 'js_nobody']) r) x
	WHERE res <> '42501' ORDER BY 1), '{}'::text[],
	'no role attaches a trigger function of jobstream to a table of its own');
SELECT is(ARRAY(SELECT p.proname FROM pg_proc p WHERE p.pronamespace = 'jobstream'::regnamespace
		AND p.prorettype = 'trigger'::regtype
		AND (p.proacl IS NULL OR EXISTS (SELECT FROM aclexplode(p.proacl) a
			WHERE a.grantee <> p.proowner AND a.privilege_type = 'EXECUTE'))
	ORDER BY 1), '{}'::name[],
	'no trigger function is executable by anyone but its owner');

-- Defence in depth: fired by another table (here by the owner, who can
-- attach them), every trigger function refuses.
CREATE TEMP TABLE others_triggers AS SELECT unnest(ARRAY['rollup_tracking_events',
	'job_posts_description_skills', 'refresh_description_skills'])::name AS proname;
CREATE TEMP TABLE js_fired AS
	SELECT proname, pg_temp.try(NULL,
		'CREATE TEMP TABLE job_posts (x int)',
		format('CREATE TRIGGER t AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON pg_temp.job_posts FOR EACH STATEMENT EXECUTE FUNCTION %s', f),
		'INSERT INTO pg_temp.job_posts VALUES (1)') AS res
	FROM trigger_functions;
SELECT is(ARRAY(SELECT proname || ' ' || res FROM js_fired
		WHERE res <> '42501' AND proname NOT IN (SELECT proname FROM others_triggers) ORDER BY 1),
	'{}'::text[], 'every trigger function refuses a table that is not its own');
SELECT is(ARRAY(SELECT proname || ' ' || res FROM js_fired
		WHERE res <> '42501' AND proname IN (SELECT proname FROM others_triggers) ORDER BY 1),
	'{}'::text[], 'rollup_tracking_events, job_posts_description_skills and refresh_description_skills refuse a table that is not their own');
SELECT is(pg_temp.try(NULL,
		'CREATE TEMP TABLE job_applications (x int)',
		'CREATE TRIGGER t AFTER TRUNCATE ON pg_temp.job_applications FOR EACH STATEMENT EXECUTE FUNCTION jobstream.rollup_truncate()',
		'TRUNCATE pg_temp.job_applications') || pg_temp.try(NULL,
		'CREATE TEMP TABLE tracking_events (x int)',
		'CREATE TRIGGER t AFTER TRUNCATE ON pg_temp.tracking_events FOR EACH STATEMENT EXECUTE FUNCTION jobstream.rollup_truncate()',
		'TRUNCATE pg_temp.tracking_events'), '4250142501',
	'rollup_truncate goes by the table''s oid, not its name');

-- The real triggers still work.
SELECT lives_ok($$TRUNCATE jobstream.job_applications$$, 'rollup_truncate serves the real tables');

-- 2. Functions: exactly the documented ones ---------------------------------------

-- (elements_fit, which CHECK constraints call, is everyone's: tested apart)
CREATE FUNCTION pg_temp.executable(r text) RETURNS SETOF text LANGUAGE sql AS $$
	SELECT p.oid::regprocedure::text FROM pg_proc p
	WHERE p.pronamespace = 'jobstream'::regnamespace AND has_function_privilege(r, p.oid, 'EXECUTE')
	  AND p.oid <> 'jobstream.elements_fit(text[], integer)'::regprocedure
$$;
CREATE FUNCTION pg_temp.procs(VARIADIC sigs text[]) RETURNS SETOF text LANGUAGE sql AS $$
	SELECT s::regprocedure::text FROM unnest(sigs) s
$$;

SELECT set_eq($$SELECT pg_temp.executable('jobstream_reader')$$,
	$$SELECT pg_temp.procs('jobstream.ingest_health_rows()', 'jobstream.match_worker_state()')$$,
	'jobstream_reader executes only what its pipeline-health views call');
SELECT set_eq($$SELECT pg_temp.executable('jobstream_writer')$$,
	$$SELECT pg_temp.procs(
		'jobstream.compatibility_score(text, text[], integer, text, numeric, text, text[], integer, text, numeric, real, real, real, real, real)',
		'jobstream.compatibility_score(jobstream.candidates, jobstream.job_posts, real, real, real, real, real)',
		'jobstream.score_breakdown(text, text[], integer, text, numeric, text, text[], integer, text, numeric, real, real, real, real, real)',
		'jobstream.score_breakdown(jobstream.candidates, jobstream.job_posts, real, real, real, real, real)',
		'jobstream.application_status(numeric, double precision)',
		'jobstream.top_matches(uuid, integer)', 'jobstream.top_jobs(uuid, integer)',
		'jobstream.extract_skills(text)',
		'jobstream.match_draw(uuid, uuid, text, integer)', 'jobstream.match_application_id(uuid, uuid)',
		'jobstream.generate_job_posts(bigint, bigint, date)', 'jobstream.generate_candidates(bigint, bigint, date)',
		'jobstream.generate_applications(bigint, bigint)',
		'jobstream.generate_tracking_events(bigint, bigint, timestamptz, timestamptz)',
		'jobstream.generate_job_campaigns()', 'jobstream.post_campaigns(uuid)',
		'jobstream.contract_fields()',
		'jobstream.refresh(regclass, boolean)',
		'jobstream.source_stats_internal()', 'jobstream.kafka_property_secret(text)',
		'jobstream.ingest_health_rows()', 'jobstream.match_worker_state()')$$,
	'jobstream_writer executes exactly the documented functions');
SELECT set_eq($$SELECT pg_temp.executable('jobstream_worker')$$,
	$$SELECT pg_temp.procs('jobstream.refresh(regclass, boolean)',
		'jobstream.create_tracking_partitions(timestamptz, timestamptz)')$$,
	'jobstream_worker executes exactly refresh and create_tracking_partitions');
SELECT set_eq($$SELECT pg_temp.executable('pg_monitor')$$,
	$$SELECT pg_temp.procs('jobstream.source_stats_internal()', 'jobstream.kafka_property_secret(text)',
		'jobstream.ingest_health_rows()', 'jobstream.match_worker_state()')$$,
	'pg_monitor executes exactly what the monitoring views call');
SELECT is(ARRAY(SELECT p.oid::regprocedure::text FROM pg_proc p
		WHERE p.pronamespace = 'jobstream'::regnamespace
		  AND (p.proacl IS NULL OR EXISTS (SELECT FROM aclexplode(p.proacl) a WHERE a.grantee = 0))
	ORDER BY 1), ARRAY['jobstream.elements_fit(text[],integer)'],
	'no function of jobstream but elements_fit (CHECK constraints call it) is executable by PUBLIC');
SELECT is(ARRAY(SELECT p.oid::regprocedure::text FROM pg_proc p
		WHERE p.pronamespace = 'jobstream'::regnamespace AND p.prosecdef
		  AND NOT EXISTS (SELECT FROM unnest(p.proconfig) c WHERE c LIKE 'search_path=%')
	ORDER BY 1), '{}'::text[], 'every SECURITY DEFINER function pins its search_path');

-- Calling them: everything not granted fails with insufficient_privilege.
-- (The NULL arguments are subqueries: a strict function of NULL constants
-- is folded to NULL by the planner without being called.)
SELECT is(ARRAY(SELECT r || ': ' || f || ' ' || res FROM (
		SELECT r, p.oid::regprocedure::text AS f,
			pg_temp.try(r, format('SELECT %s(%s)', p.oid::regproc,
				(SELECT string_agg('(SELECT NULL::' || format_type(t, NULL) || ')', ', ')
				 FROM unnest(p.proargtypes::oid[]) t))) AS res
		FROM pg_proc p, unnest(ARRAY['jobstream_reader', 'jobstream_writer', 'js_nobody']) r
		WHERE p.pronamespace = 'jobstream'::regnamespace AND p.prokind = 'f'
		  AND NOT has_function_privilege(r, p.oid, 'EXECUTE')) x
	WHERE res <> '42501' ORDER BY 1), '{}'::text[],
	'calling any function not granted to a role fails with insufficient_privilege');

-- 3. Direct writes and reads ----------------------------------------------------------

CREATE FUNCTION pg_temp.attacks(t regclass) RETURNS SETOF text LANGUAGE sql AS $$
	SELECT unnest(ARRAY[
		format('INSERT INTO %s DEFAULT VALUES', t),
		format('UPDATE %s SET %I = %I', t, a.attname, a.attname),
		format('DELETE FROM %s', t),
		format('TRUNCATE %s', t),
		format('SELECT FROM %s FOR UPDATE', t)])
	FROM (SELECT attname FROM pg_attribute WHERE attrelid = t AND attnum > 0 AND attidentity = ''
		  AND attgenerated = '' AND NOT attisdropped ORDER BY attnum LIMIT 1) a
$$;
SELECT is(ARRAY(SELECT s || ' ' || res FROM (
		SELECT s, pg_temp.try('jobstream_reader', s) AS res
		FROM jobstream_tables, pg_temp.attacks(t) s
		UNION ALL
		SELECT format('SELECT FROM %s', t), pg_temp.try('jobstream_reader', format('SELECT FROM %s', t))
		FROM jobstream_tables) x
	WHERE res <> '42501' ORDER BY 1), '{}'::text[],
	'jobstream_reader neither reads nor writes nor locks any table of jobstream');
SELECT is(ARRAY(SELECT s || ' ' || res FROM (
		SELECT s, pg_temp.try('jobstream_writer', s) AS res
		FROM jobstream_tables, pg_temp.attacks(t) s
		WHERE relname NOT IN (SELECT relname FROM writer_tables)) x
	WHERE res <> '42501' ORDER BY 1), '{}'::text[],
	'jobstream_writer cannot touch rollups, offsets, sources, queues or state tables');
SELECT cmp_ok((SELECT count(*) FROM jobstream_tables WHERE relname NOT IN (SELECT relname FROM writer_tables)),
	'>=', 15::bigint, '(those tables are enumerated: rollups, offsets, sources, queues, state)');
SELECT is(ARRAY(SELECT c.relname || ' ' || res FROM (
		SELECT c.relname, pg_temp.try(r, format('REFRESH MATERIALIZED VIEW jobstream.%I', c.relname)) AS res
		FROM pg_class c, unnest(ARRAY['jobstream_reader', 'jobstream_writer']) r
		WHERE c.relnamespace = 'jobstream'::regnamespace AND c.relkind = 'm') c
	WHERE res <> '42501' ORDER BY 1), '{}'::text[],
	'neither role refreshes a materialized view directly');
SELECT is(pg_temp.try('jobstream_reader', 'SELECT jobstream.refresh(force => true)'), '42501',
	'jobstream_reader cannot refresh through refresh()');
SELECT is(pg_temp.try('jobstream_writer', 'SELECT jobstream.refresh(force => true)'), 'ok',
	'refresh() works for jobstream_writer');
SELECT is(ARRAY(SELECT c.relname || ' ' || res FROM (
		SELECT c.relname, pg_temp.try(r, format('SELECT nextval(%L)', c.oid::regclass)) AS res
		FROM pg_class c, unnest(ARRAY['jobstream_reader', 'jobstream_writer']) r
		WHERE c.relnamespace = 'jobstream'::regnamespace AND c.relkind = 'S') c
	WHERE res <> '42501' ORDER BY 1), '{}'::text[], 'neither role advances a sequence');
SELECT is(pg_temp.try('jobstream_writer', 'LOCK TABLE jobstream.match_lock'), '42501',
	'jobstream_writer cannot lock the matcher''s lock table');
SELECT is(ARRAY(SELECT c.relname || ' ' || res FROM (
		SELECT c.relname, pg_temp.try('jobstream_reader', format('SELECT FROM jobstream.%I LIMIT 1', c.relname)) AS res
		FROM pg_class c WHERE c.relnamespace = 'jobstream'::regnamespace AND c.relkind IN ('v', 'm')
		  AND c.relname NOT IN ('source_list', 'source_stats', 'workers', 'match_stats')) c
	WHERE res <> 'ok' ORDER BY 1), '{}'::text[],
	'jobstream_reader reads every analytics view');
SELECT is(ARRAY(SELECT v || ' ' || res FROM (
		SELECT v, pg_temp.try(r, format('SELECT FROM jobstream.%I LIMIT 1', v)) AS res
		FROM unnest(ARRAY['source_list', 'source_stats', 'workers', 'refresh_stats', 'match_stats']) v,
			unnest(ARRAY['pg_monitor', 'jobstream_writer']) r) x
	WHERE res <> 'ok' ORDER BY 1), '{}'::text[],
	'pg_monitor and jobstream_writer read the monitoring views');
SELECT is(ARRAY(SELECT v || ' ' || res FROM (
		SELECT v, pg_temp.try('jobstream_reader', format('SELECT FROM jobstream.%I LIMIT 1', v)) AS res
		FROM unnest(ARRAY['source_list', 'source_stats', 'workers', 'match_stats']) v) x
	WHERE res <> '42501' ORDER BY 1), '{}'::text[],
	'jobstream_reader does not read sources or workers');

-- 4. Kafka options ---------------------------------------------------------------------

SELECT is(ARRAY(SELECT k || ' ' || res FROM (
		SELECT k, pg_temp.try(NULL, format('SELECT jobstream.add_source(''refused'', ''job_posts'', ''k:9092'', options => %L)',
			jsonb_build_object(k, '/tmp/x'))) AS res
		FROM unnest(ARRAY['plugin.library.paths', 'sasl.kerberos.kinit.cmd', 'ssl.engine.location',
			'ssl.engine.id', 'ssl.providers', 'offset.store.path']) k) x
	WHERE res <> '42501' ORDER BY 1), '{}'::text[],
	'add_source refuses properties that load code, run commands or write files');
SELECT ok(jobstream.add_source('sec', 'job_posts', 'k:9092') > 0, 'a source to alter');
SELECT throws_ok($$SELECT jobstream.alter_source((SELECT source_id FROM jobstream.sources WHERE topic = 'sec'),
		options => '{"sasl.kerberos.kinit.cmd": "touch /tmp/pwned"}')$$,
	'42501', 'Kafka option "sasl.kerberos.kinit.cmd" is refused: it runs a shell command on the server',
	'alter_source refuses them too');
SELECT lives_ok($$SELECT jobstream.alter_source((SELECT source_id FROM jobstream.sources WHERE topic = 'sec'),
		options => '{"security.protocol": "sasl_ssl", "sasl.mechanisms": "PLAIN",
			"sasl.username": {"env": "KAFKA_USER"}, "sasl.password": {"env": "KAFKA_PASSWORD"},
			"ssl.key.password": {"file": "/run/secrets/kafka_key_password"}}')$$,
	'options accept secret references to the environment and to files');
SELECT is(ARRAY(SELECT v || ' ' || res FROM (
		SELECT v, pg_temp.try(NULL, format('SELECT jobstream.add_source(''bad'', ''job_posts'', ''k:9092'', options => %L)', v)) AS res
		FROM unnest(ARRAY['{"sasl.password": {"env": "NOT A NAME"}}', '{"sasl.password": {"env": 7}}',
			'{"sasl.password": {"file": "relative/path"}}', '{"sasl.password": {"env": "A", "file": "/b"}}',
			'{"sasl.password": {"vault": "x"}}', '{"sasl.password": {}}', '{"start": {"env": "START"}}',
			'{"no.such.property": {"env": "X"}}']) v) x
	WHERE res <> '22023' ORDER BY 1), '{}'::text[],
	'malformed references, references for jobstream''s keys and unknown properties are invalid_parameter_value');
INSERT INTO jobstream.sources (topic, target, brokers, group_id, options)
SELECT 'masked', 'job_posts', 'k:9092', 'g', jsonb_object_agg(k, 'hunter2') || '{"sasl.username": "u", "sasl.oauthbearer.client.id": {"env": "CID"}}'
FROM unnest(ARRAY['sasl.password', 'ssl.key.password', 'ssl.key.pem', 'ssl_key', 'ssl.keystore.password',
	'sasl.oauthbearer.config', 'sasl.oauthbearer.client.secret', 'sasl.oauthbearer.extensions',
	'ssl.certificate.pem']) k;
SELECT is(ARRAY(SELECT e.key FROM jobstream.source_list l, jsonb_each_text(l.options) e
		WHERE l.topic = 'masked' AND e.value <> '********' ORDER BY 1),
	'{sasl.oauthbearer.client.id,sasl.username}'::text[],
	'source_list masks every librdkafka secret property, and only those');
SELECT is((SELECT options -> 'sasl.oauthbearer.client.id' FROM jobstream.source_list WHERE topic = 'masked'),
	'{"env": "CID"}'::jsonb, 'source_list shows a secret reference, which names no secret');

-- 5. Small holes ------------------------------------------------------------------------

SELECT throws_ok($$SELECT jobstream.load_reference_csv(0::regclass, 'skills.csv')$$, '22023',
	'0 is not a table of schema jobstream', 'load_reference_csv of oid 0 is an error, not a crash');
SELECT throws_ok($$SELECT jobstream.load_reference_csv('pg_catalog.pg_class', 'skills.csv')$$, '22023',
	NULL, 'load_reference_csv loads only into tables of jobstream');
SELECT is(ARRAY(SELECT q || ' ' || res FROM (
		SELECT q, pg_temp.try(NULL, q) AS res FROM unnest(ARRAY[
			$q$SELECT jobstream.compatibility_score('a', '{x}', 1, 'Mid', 1, 'a', '{x}', 1, 'Mid', 1, w_category => 1001)$q$,
			$q$SELECT jobstream.compatibility_score('a', '{x}', 1, 'Mid', 1, 'a', '{x}', 1, 'Mid', 1, w_salary => 'Infinity')$q$,
			$q$SELECT jobstream.compatibility_score('a', '{x}', 1, 'Mid', 1, 'a', '{x}', 1, 'Mid', 1, w_skills => 'NaN')$q$,
			$q$SELECT jobstream.compatibility_score('a', '{x}', 1, 'Mid', 1, 'a', '{x}', 1, 'Mid', 1, w_experience => -1)$q$,
			$q$SELECT jobstream.compatibility_score('a', '{x}', 1, 'Mid', 1, 'a', '{x}', 1, 'Mid', 1, w_seniority => 3e38)$q$,
			$q$SELECT * FROM jobstream.score_breakdown('a', '{x}', 1, 'Mid', 1, 'a', '{x}', 1, 'Mid', 1, w_skills => 1e6)$q$,
			$q$SELECT jobstream.compatibility_score(NULL::jobstream.candidates, NULL::jobstream.job_posts, w_category => 5000)$q$,
			$q$SELECT * FROM jobstream.score_breakdown(NULL::jobstream.candidates, NULL::jobstream.job_posts, w_salary => 1e9)$q$]) q) x
	WHERE res <> '22023' ORDER BY 1), '{}'::text[],
	'weights above 1000, negative, NaN or infinite are errors in every scoring function');
SELECT is(jobstream.compatibility_score('a', '{x}', 1, 'Mid', 1, 'a', '{x}', 1, 'Mid', 1,
	1000, 1000, 1000, 1000, 1000), 5000.00, 'weights of 1000 are accepted');

-- 6. Roles that exist beforehand with other attributes ----------------------------------

DROP EXTENSION jobstream;
ALTER ROLE jobstream_writer LOGIN CREATEROLE;
SELECT throws_ok('CREATE EXTENSION jobstream', '42501',
	'role "jobstream_writer" already exists with LOGIN, CREATEROLE, which jobstream does not give its roles',
	'CREATE EXTENSION refuses a jobstream_writer that can log in and create roles');
ALTER ROLE jobstream_writer NOLOGIN NOCREATEROLE;
GRANT pg_read_server_files TO jobstream_reader;
SELECT throws_ok('CREATE EXTENSION jobstream', '42501',
	'role "jobstream_reader" already exists with member of pg_read_server_files, which jobstream does not give its roles',
	'CREATE EXTENSION refuses a jobstream_reader that is a member of another role');
REVOKE pg_read_server_files FROM jobstream_reader;
SELECT lives_ok('CREATE EXTENSION jobstream', 'the roles as jobstream makes them are accepted');

SELECT * FROM finish();
ROLLBACK;
