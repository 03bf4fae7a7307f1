-- export_parquet: who may call it, and the clear errors for bad arguments
-- (test/integration/90_parquet.sh writes and reads real files); enriched
-- posts: description_skills filled and kept in step by triggers.
BEGIN;
SELECT plan(34);

-- Permissions: like COPY ... TO a file.
SELECT ok(NOT has_function_privilege('public',
	'jobstream.export_parquet(text, text, text, text, text, timestamptz, timestamptz, boolean, boolean, text, integer)', 'EXECUTE'),
	'PUBLIC cannot execute export_parquet');
SELECT ok(has_function_privilege('pg_write_server_files',
	'jobstream.export_parquet(text, text, text, text, text, timestamptz, timestamptz, boolean, boolean, text, integer)', 'EXECUTE'),
	'pg_write_server_files can execute export_parquet');
SELECT ok(NOT has_function_privilege('jobstream_writer',
	'jobstream.export_parquet(text, text, text, text, text, timestamptz, timestamptz, boolean, boolean, text, integer)', 'EXECUTE'),
	'jobstream_writer cannot execute export_parquet');

CREATE ROLE jobstream_test_plain;
CREATE ROLE jobstream_test_granted;
CREATE ROLE jobstream_test_files IN ROLE pg_write_server_files;
GRANT USAGE ON SCHEMA jobstream TO jobstream_test_plain, jobstream_test_granted, jobstream_test_files;
GRANT EXECUTE ON FUNCTION jobstream.export_parquet(text, text, text, text, text, timestamptz, timestamptz, boolean, boolean, text, integer)
	TO jobstream_test_granted;

SET LOCAL ROLE jobstream_test_plain;
SELECT throws_ok($$SELECT * FROM jobstream.export_parquet('SELECT 1 AS x', '/tmp/jobstream-never')$$,
	'42501', NULL, 'a plain role cannot call it');
RESET ROLE;
SET LOCAL ROLE jobstream_test_granted;
SELECT throws_ok($$SELECT * FROM jobstream.export_parquet('SELECT 1 AS x', '/tmp/jobstream-never')$$,
	'42501', 'permission denied to export to server files',
	'EXECUTE granted by hand is not enough without pg_write_server_files');
RESET ROLE;
SET LOCAL ROLE jobstream_test_files;
SELECT throws_ok($$SELECT * FROM jobstream.export_parquet('SELECT 1 AS x', 'relative/dir')$$,
	'22023', 'directory "relative/dir" is not an absolute path without ".."',
	'a member of pg_write_server_files gets past the permission check');
SELECT throws_ok($$SELECT * FROM jobstream.export_parquet('jobstream.job_posts', '/tmp/jobstream-never')$$,
	'42501', NULL, 'the source query runs with the caller''s privileges');
RESET ROLE;

-- Arguments.
SELECT throws_ok($$SELECT * FROM jobstream.export_parquet(NULL, '/tmp/x')$$,
	'22004', 'source and directory must not be NULL', 'NULL source');
SELECT throws_ok($$SELECT * FROM jobstream.export_parquet('SELECT 1 AS x', '/tmp/a/../b')$$,
	'22023', NULL, 'a path with .. is refused');
SELECT throws_ok($$SELECT * FROM jobstream.export_parquet('jobstream.no_such_table', '/tmp/jobstream-never')$$,
	'42P01', 'relation "jobstream.no_such_table" does not exist', 'unknown relation');
SELECT throws_ok($$SELECT * FROM jobstream.export_parquet('jobstream.job_posts', '/tmp/jobstream-never', partition_by => 'nation')$$,
	'42703', 'partition column "nation" is not a column of the exported rows', 'unknown partition column');
SELECT throws_ok($$SELECT * FROM jobstream.export_parquet('jobstream.job_posts', '/tmp/jobstream-never', partition_by => 'upper(location_country)')$$,
	'22023', 'partition_by is an expression, so partition_name is needed', 'an expression needs a name');
SELECT throws_ok($$SELECT * FROM jobstream.export_parquet('jobstream.job_posts', '/tmp/jobstream-never',
	partition_by => 'upper(location_country)', partition_name => 'a/b')$$,
	'22023', 'partition name "a/b" is not a plain identifier', 'a partition name cannot carry a path');
SELECT throws_ok($$SELECT * FROM jobstream.export_parquet('jobstream.job_posts', '/tmp/jobstream-never', partition_name => 'country')$$,
	'22023', 'partition_name needs partition_by', 'a name without an expression');
SELECT throws_ok($$SELECT * FROM jobstream.export_parquet('jobstream.tracking_events', '/tmp/jobstream-never', since => '2026-01-01')$$,
	'22023', 'since, until and resume need time_column', 'a range needs its column');
SELECT throws_ok($$SELECT * FROM jobstream.export_parquet('jobstream.tracking_events', '/tmp/jobstream-never', time_column => 'tss', since => '2026-01-01')$$,
	'42703', 'time column "tss" is not a column of the exported rows', 'unknown time column');
SELECT throws_ok($$SELECT * FROM jobstream.export_parquet('jobstream.tracking_events', '/tmp/jobstream-never', time_column => 'bid', since => '2026-01-01')$$,
	'42804', 'time column "bid" has type numeric, not a timestamp or a date', 'a time column must be a time');
SELECT throws_ok($$SELECT * FROM jobstream.export_parquet('jobstream.tracking_events', '/tmp/jobstream-never', time_column => 'ts',
	since => '2026-01-02', until => '2026-01-01')$$,
	'22023', 'since must be earlier than until', 'an empty range');
SELECT throws_ok($$SELECT * FROM jobstream.export_parquet('jobstream.tracking_events', '/tmp/jobstream-never', time_column => 'ts',
	since => '2026-01-02', resume => true)$$,
	'22023', 'resume and since exclude each other', 'resume and since');
SELECT throws_ok($$SELECT * FROM jobstream.export_parquet('jobstream.job_posts', '/tmp/jobstream-never', compression => 'lzo')$$,
	'22023', 'unknown compression "lzo"', 'unknown codec');
SELECT throws_ok($$SELECT * FROM jobstream.export_parquet('jobstream.job_posts', '/tmp/jobstream-never', row_group_rows => 0)$$,
	'22023', 'row_group_rows must be at least 1', 'row groups of no rows');
SELECT throws_ok($$SELECT * FROM jobstream.export_parquet('SELECT point(1, 2) AS p', '/tmp/jobstream-never')$$,
	'0A000', 'column "p" has type point, which export_parquet cannot write', 'unsupported column type');
SELECT throws_ok($$SELECT * FROM jobstream.export_parquet('SELECT 1.5 AS n', '/tmp/jobstream-never')$$,
	'0A000', NULL, 'numeric without a scale has no Parquet DECIMAL');
SELECT throws_ok($$SELECT * FROM jobstream.export_parquet('SELECT 1.5::numeric(40,2) AS n', '/tmp/jobstream-never')$$,
	'0A000', NULL, 'decimals above precision 38 are refused');
SELECT throws_ok($$SELECT * FROM jobstream.export_parquet('SELECT 1 AS a, 2 AS a', '/tmp/jobstream-never')$$,
	'42701', 'the exported rows have two columns named "a"', 'duplicate column names');
SELECT throws_ok($$SELECT * FROM jobstream.export_parquet('SELECT ARRAY[1,2] AS a', '/tmp/jobstream-never')$$,
	'0A000', 'column "a" has type integer[], which export_parquet cannot write', 'only text arrays');

-- The target directory.
SELECT throws_ok($$SELECT * FROM jobstream.export_parquet('SELECT 1 AS x', '/')$$,
	'42501', NULL, 'a directory the server cannot write');
SELECT throws_ok($$SELECT * FROM jobstream.export_parquet('SELECT 1 AS x', '/proc/jobstream-export')$$,
	'58P01', NULL, 'a directory the server cannot create');
SELECT throws_ok(format($$SELECT * FROM jobstream.export_parquet('SELECT 1 AS x', %L)$$, current_setting('data_directory')),
	'42710', format('directory "%s" is not empty and holds no export manifest', current_setting('data_directory')),
	'a non-empty directory that no export wrote');
SELECT throws_ok(format($$SELECT * FROM jobstream.export_parquet('SELECT 1 AS x', %L, overwrite => true)$$, current_setting('data_directory')),
	'42710', NULL, 'overwrite does not replace what no export wrote');

-- Enriched posts.
DELETE FROM jobstream.skills;
INSERT INTO jobstream.skills (skill, skill_group) VALUES ('SQL', 'technical'), ('Python', 'technical');
INSERT INTO jobstream.job_posts (post_id, company, job_title, job_category, description, description_skills)
VALUES ('00000000-0000-4000-8000-000000000001', 'Acme', 'Analyst',
	(SELECT family FROM jobstream.job_families ORDER BY family LIMIT 1),
	'SQL, python and Rust', ARRAY['forged']);
SELECT is(description_skills, ARRAY['SQL', 'Python'], 'skills found when the post is written; a value given for the column is replaced')
FROM jobstream.job_posts WHERE post_id = '00000000-0000-4000-8000-000000000001';
UPDATE jobstream.job_posts SET description = 'Python only' WHERE post_id = '00000000-0000-4000-8000-000000000001';
SELECT is(description_skills, ARRAY['Python'], 'and again when the description changes')
FROM jobstream.job_posts WHERE post_id = '00000000-0000-4000-8000-000000000001';
INSERT INTO jobstream.skill_aliases (alias, skill) VALUES ('only', 'SQL');
SELECT is(description_skills, ARRAY['Python', 'SQL'], 'a new alias reaches the stored posts')
FROM jobstream.job_posts WHERE post_id = '00000000-0000-4000-8000-000000000001';
DELETE FROM jobstream.skills WHERE skill = 'Python';
SELECT is(description_skills, ARRAY['SQL'], 'a removed skill leaves the stored posts')
FROM jobstream.job_posts WHERE post_id = '00000000-0000-4000-8000-000000000001';

SELECT * FROM finish();
ROLLBACK;
