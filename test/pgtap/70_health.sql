-- Pipeline health for BI logins: jobstream_reader reads the ingest, dead
-- letter and matcher figures through views, and none of them shows a
-- payload, an error text, brokers or options.
BEGIN;
SELECT plan(10);

TRUNCATE jobstream.dead_letters;
SET LOCAL client_min_messages = error;
SELECT jobstream.add_source('js_health_a', 'job_posts', '127.0.0.1:9', 'js_health',
	'{"sasl.password": "s3cret"}');
SELECT jobstream.add_source('js_health_b', 'candidates', '127.0.0.1:9', 'js_health');
SELECT jobstream.pause_source(source_id) FROM jobstream.sources WHERE topic = 'js_health_b';
RESET client_min_messages;
INSERT INTO jobstream.dead_letters (topic, partition, "offset", payload, error, received_at) VALUES
	('js_health_a', 0, 1, 'secret payload', 'bad JSON', now()),
	('js_health_a', 0, 2, 'secret payload', 'bad JSON', now() - interval '3 hours'),
	('js_health_a', 1, 5, 'secret payload', 'bad JSON', now() - interval '2 days'),
	('js_health_b', 0, 9, NULL, 'unknown category', now() - interval '10 minutes');

SET LOCAL ROLE jobstream_reader;
SELECT results_eq($$SELECT topic, target, state, workers, partitions, rows, dead_letters
	FROM jobstream.ingest_health WHERE topic LIKE 'js_health%' ORDER BY topic$$,
	$$VALUES ('js_health_a'::text, 'job_posts'::text, 'not running'::text, 0::bigint, 0::bigint, 0::bigint, 0::bigint),
	('js_health_b', 'candidates', 'paused', 0, 0, 0, 0)$$,
	'the reader sees every source''s state and counters (no worker consumes this database)');
SELECT results_eq($$SELECT topic, dead_letters, last_hour, last_day FROM jobstream.dead_letter_counts ORDER BY topic$$,
	$$VALUES ('js_health_a'::text, 3::bigint, 1::bigint, 2::bigint), ('js_health_b', 1, 1, 1)$$,
	'dead letters per topic, in all, in the last hour and day');
SELECT is((SELECT count(*) FROM jobstream.matcher_health), 1::bigint, 'the reader sees the matcher''s figures');
SELECT throws_ok('SELECT * FROM jobstream.source_stats', '42501', NULL, 'but not source_stats, which has error texts');
SELECT throws_ok('SELECT * FROM jobstream.dead_letters', '42501', NULL, 'nor the dead letters themselves');
SELECT throws_ok('SELECT * FROM jobstream.match_stats', '42501', NULL, 'nor match_stats');
RESET ROLE;

SELECT is((SELECT count(*) FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid
	WHERE c.relnamespace = 'jobstream'::regnamespace
		AND c.relname IN ('ingest_health', 'dead_letter_counts', 'matcher_health')
		AND a.attnum > 0 AND (a.attname ~ '(payload|options|brokers|password|key|last_error$)'
			OR (a.atttypid IN ('text'::regtype, 'bytea'::regtype, 'jsonb'::regtype)
				AND a.attname NOT IN ('topic', 'target', 'state')))), 0::bigint,
	'the health views have no payload, option, broker or error text column');
SELECT ok((SELECT prosecdef AND has_function_privilege('jobstream_reader', p.oid, 'EXECUTE')
		AND NOT has_function_privilege('public', p.oid, 'EXECUTE')
	FROM pg_proc p WHERE p.oid = 'jobstream.ingest_health_rows()'::regprocedure),
	'ingest_health_rows runs as the owner, for the reader and not for PUBLIC');
SELECT results_eq($$SELECT country_code, region, largest_city FROM jobstream.country_locations WHERE country = 'Germany'$$,
	$$VALUES ('DE'::text, 'Europe'::text, 'Berlin'::text)$$, 'country_locations: region and largest city');
SELECT is((SELECT count(*) FROM jobstream.country_locations), (SELECT count(*) FROM jobstream.countries),
	'country_locations has every country once');

SELECT * FROM finish();
ROLLBACK;
