-- The SQL interface of Kafka ingestion: adding, changing, pausing and
-- dropping sources, option validation (with SQLSTATEs), privileges and
-- the masking of secrets.  No broker is needed: options are checked by
-- librdkafka without connecting; the workers are tested by
-- test/integration/50_ingest.sh.
BEGIN;
SELECT plan(43);

SELECT has_table('jobstream', 'sources', 'table sources exists');
SELECT has_table('jobstream', 'source_offsets', 'table source_offsets exists');
SELECT has_view('jobstream', 'source_list', 'view source_list exists');
SELECT has_view('jobstream', 'source_stats', 'view source_stats exists');
SELECT has_view('jobstream', 'workers', 'view workers exists');
SELECT col_is_pk('jobstream', 'source_offsets', ARRAY['source_id', 'partition'],
	'source_offsets is keyed by source and partition');

-- add_source
SELECT lives_ok($$SELECT jobstream.add_source('te', 'tracking_events', 'k1:9092',
	options => '{"parallelism": 3, "start": "latest", "fetch.min.bytes": 1024,
				 "security.protocol": "sasl_ssl", "sasl.mechanisms": "PLAIN",
				 "sasl.username": "u", "sasl.password": "hunter2"}')$$,
	'add_source accepts librdkafka properties and jobstream keys');
SELECT is((SELECT parallelism FROM jobstream.sources WHERE topic = 'te'), 3,
	'parallelism is taken out of the options');
SELECT ok((SELECT NOT options ? 'parallelism' AND options ->> 'start' = 'latest'
	FROM jobstream.sources WHERE topic = 'te'), 'start stays in the options');
SELECT is((SELECT group_id FROM jobstream.sources WHERE topic = 'te'), 'jobstream_tracking_events',
	'the group defaults to jobstream_<target>');
SELECT ok(jobstream.add_source('posts', 'job_posts', 'k1:9092', 'my_group') > 0,
	'add_source returns the new id');
SELECT ok(jobstream.add_source('cands', 'candidate_info', 'k1:9092') > 0,
	'the topic name candidate_info is accepted as target');
SELECT is((SELECT target FROM jobstream.sources WHERE topic = 'cands'), 'candidates',
	'... and stored as the table name');

-- validation errors
SELECT throws_ok($$SELECT jobstream.add_source('te', 'tracking_events', 'k2:9092', 'other')$$,
	'23505', 'topic "te" is already a source of tracking_events', 'a topic is a source of a table once');
SELECT throws_ok($$SELECT jobstream.add_source('te', 'job_posts', 'k2:9092', 'jobstream_tracking_events')$$,
	'23505', NULL, 'two sources of one topic cannot share a consumer group');
SELECT throws_ok($$SELECT jobstream.add_source('x', 'jobs', 'k1:9092')$$,
	'22023', 'unknown target table "jobs"', 'an unknown target is rejected');
SELECT throws_ok($$SELECT jobstream.add_source('x', 'job_posts', ' ')$$,
	'22023', 'brokers must not be empty', 'empty brokers are rejected');
SELECT throws_like($$SELECT jobstream.add_source('x', 'job_posts', 'k1:9092', options => '{"fetch.wait.max.mss": 10}')$$,
	'invalid Kafka option "fetch.wait.max.mss"%', 'a misspelled property is rejected');
SELECT throws_ok($$SELECT jobstream.add_source('x', 'job_posts', 'k1:9092', options => '{"fetch.wait.max.mss": 10}')$$,
	'22023', NULL, '... with SQLSTATE 22023');
SELECT throws_like($$SELECT jobstream.add_source('x', 'job_posts', 'k1:9092', options => '{"session.timeout.ms": "soon"}')$$,
	'invalid Kafka option "session.timeout.ms"%', 'an invalid value is rejected');
SELECT throws_ok($$SELECT jobstream.add_source('x', 'job_posts', 'k1:9092', options => '{"enable.auto.commit": true}')$$,
	'22023', 'option "enable.auto.commit" is set by jobstream', 'exactly-once settings cannot be overridden');
SELECT throws_ok($$SELECT jobstream.add_source('x', 'job_posts', 'k1:9092', options => '{"start": "middle"}')$$,
	'22023', NULL, 'start must be earliest or latest');
SELECT throws_ok($$SELECT jobstream.add_source('x', 'job_posts', 'k1:9092', options => '{"parallelism": 0}')$$,
	'22023', NULL, 'parallelism must be 1..64');
SELECT throws_ok($$SELECT jobstream.add_source('x', 'job_posts', 'k1:9092', options => '[1]')$$,
	'22023', NULL, 'options must be an object');
SELECT throws_ok($$SELECT jobstream.pause_source(-1)$$, 'P0002', 'source -1 does not exist',
	'pausing a missing source is an error');

-- pause, resume, alter; a change bumps updated_at (which restarts workers)
CREATE TEMP TABLE before AS SELECT source_id, updated_at FROM jobstream.sources WHERE topic = 'posts';
SELECT lives_ok($$SELECT jobstream.pause_source(source_id) FROM before$$, 'pause_source runs');
SELECT ok((SELECT paused FROM jobstream.sources WHERE topic = 'posts'), 'pause_source pauses');
SELECT ok((SELECT s.updated_at > b.updated_at FROM jobstream.sources s JOIN before b USING (source_id)),
	'a change moves updated_at');
SELECT lives_ok($$SELECT jobstream.resume_source(source_id) FROM before$$, 'resume_source runs');
SELECT ok((SELECT NOT paused FROM jobstream.sources WHERE topic = 'posts'), 'resume_source resumes');
SELECT lives_ok($$SELECT jobstream.alter_source(source_id, brokers => 'k9:9092',
	options => '{"ssl.key.password": "s3cret", "parallelism": 2}') FROM before$$, 'alter_source runs');
SELECT is((SELECT brokers || ' ' || parallelism || ' ' || (options ->> 'ssl.key.password')
	FROM jobstream.sources WHERE topic = 'posts'), 'k9:9092 2 s3cret', 'alter_source changes brokers and options');

-- secrets
SELECT is((SELECT options ->> 'sasl.password' FROM jobstream.source_list WHERE topic = 'te'), '********',
	'source_list masks passwords');
SELECT is((SELECT options ->> 'sasl.username' FROM jobstream.source_list WHERE topic = 'te'), 'u',
	'source_list shows other options');
SELECT is((SELECT options ->> 'ssl.key.password' FROM jobstream.source_list WHERE topic = 'posts'), '********',
	'source_list masks key passwords');

-- privileges
SELECT ok(NOT has_table_privilege('jobstream_writer', 'jobstream.sources', 'SELECT'),
	'the writer cannot read sources (secrets)');
SELECT ok(NOT has_function_privilege('jobstream_writer', 'jobstream.add_source(text, text, text, text, jsonb)', 'EXECUTE'),
	'the writer cannot add sources');
SELECT ok(NOT has_function_privilege('public', 'jobstream.drop_source(integer)', 'EXECUTE'),
	'PUBLIC cannot drop sources');
SET LOCAL ROLE jobstream_writer;
SELECT throws_ok($$SELECT options FROM jobstream.sources$$, '42501', NULL,
	'reading sources as the writer fails');
SELECT is((SELECT options ->> 'sasl.password' FROM jobstream.source_list WHERE topic = 'te'), '********',
	'the writer reads source_list, masked');
SELECT is((SELECT count(*) FROM jobstream.source_stats WHERE topic IN ('te', 'posts', 'cands'))::int, 3,
	'the writer reads source_stats (one row per source without offsets yet)');
RESET ROLE;

-- drop
INSERT INTO jobstream.source_offsets (source_id, partition, next_offset)
	SELECT source_id, 0, 42 FROM jobstream.sources WHERE topic = 'te';
SELECT is(jobstream.drop_source('te'), 1, 'drop_source(topic) drops the sources of a topic');
SELECT is((SELECT count(*) FROM jobstream.source_offsets)::int, 0, '... and their stored offsets');

SELECT * FROM finish();
ROLLBACK;
