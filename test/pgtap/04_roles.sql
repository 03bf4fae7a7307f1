-- jobstream_reader reads analytics and dimensions, never raw rows, and
-- cannot write; jobstream_writer loads data.
BEGIN;
SELECT plan(11);

SELECT has_role('jobstream_reader');
SELECT has_role('jobstream_writer');
SELECT ok(NOT has_table_privilege('jobstream_reader', 'jobstream.skills', 'SELECT'),
	'the reader does not read reference tables directly');
SELECT ok(NOT has_table_privilege('jobstream_reader', 'jobstream.job_posts', 'SELECT'),
	'the reader does not read raw posts');
SELECT ok(NOT has_table_privilege('jobstream_reader', 'jobstream.dead_letters', 'SELECT'),
	'the reader does not read dead letters');
SELECT ok(has_table_privilege('jobstream_writer', 'jobstream.tracking_events', 'INSERT'),
	'the writer inserts tracking events');
SELECT ok(NOT has_function_privilege('jobstream_reader',
	'jobstream.load_reference_csv(regclass, text)', 'EXECUTE'),
	'the reader cannot load reference data');

SET LOCAL ROLE jobstream_reader;
SELECT throws_ok($$INSERT INTO jobstream.skills (skill, skill_group) VALUES ('Juggling', 'soft')$$,
	'42501', NULL, 'the reader cannot insert into reference tables');
SELECT throws_ok($$DELETE FROM jobstream.skills$$, '42501', NULL, 'the reader cannot delete');
SELECT throws_ok($$INSERT INTO jobstream.tracking_events VALUES
	(gen_random_uuid(), now(), gen_random_uuid(), 1, 1, 1, 1, 'click', 1)$$,
	'42501', NULL, 'the reader cannot insert events');
RESET ROLE;

SET LOCAL ROLE jobstream_writer;
SELECT lives_ok($$INSERT INTO jobstream.tracking_events VALUES
	(gen_random_uuid(), now(), gen_random_uuid(), 1, 1, 1, 1, 'click', 1)$$,
	'the writer can insert events');
RESET ROLE;

SELECT * FROM finish();
ROLLBACK;
