-- The message contract as rows (contract_fields) agrees with the core
-- tables, and its caps on text hold as CHECK constraints for rows written
-- by SQL: at the cap accepted, one byte over rejected (bytes, not
-- characters), arrays at and over their caps; an upgrade whose tables hold
-- longer values keeps the constraint NOT VALID with a warning.
BEGIN;
SELECT plan(22);

SELECT is((SELECT count(*) FROM jobstream.contract_fields() f
	WHERE NOT EXISTS (SELECT FROM pg_attribute a
		WHERE a.attrelid = ('jobstream.' || f.target)::regclass AND a.attname = f.field
		  AND a.atttypid = f.type AND NOT a.attisdropped)), 0::bigint,
	'every contract field is a column of its table with the same type');
SELECT is((SELECT count(*) FROM pg_attribute a
	WHERE a.attrelid IN ('jobstream.job_posts'::regclass, 'jobstream.candidates'::regclass,
		'jobstream.job_applications'::regclass, 'jobstream.tracking_events'::regclass)
	  AND a.atttypid IN ('text'::regtype, 'text[]'::regtype) AND a.attnum > 0 AND NOT a.attisdropped
	  -- derived, not from a message: names of jobstream.skills, capped there
	  AND (a.attrelid, a.attname) <> ('jobstream.job_posts'::regclass, 'description_skills')
	  AND NOT EXISTS (SELECT FROM jobstream.contract_fields() f
		WHERE ('jobstream.' || f.target)::regclass = a.attrelid AND f.field = a.attname AND f.max_bytes > 0)),
	0::bigint, 'every text column of the core tables that a message fills has a cap');
SELECT is((SELECT count(*) FROM jobstream.contract_fields() f
	WHERE f.cap IS NOT NULL AND f.allowed IS NULL AND NOT EXISTS (SELECT FROM pg_constraint c
		WHERE c.conrelid = ('jobstream.' || f.target)::regclass AND c.conname = f.target || '_' || f.field || '_cap'
		  AND c.contype = 'c' AND c.convalidated)), 0::bigint,
	'every capped column without a list of allowed values has a validated _cap constraint');
SELECT is((SELECT string_agg(field || ' ' || min_value || '..' || max_value, ', ' ORDER BY field) FROM jobstream.contract_fields()
	WHERE field IN ('gpa', 'bid', 'min_years_experience')),
	'bid 0.0000..999999.9999, gpa 0.00..4.00, min_years_experience 0..60',
	'contract_fields gives the bounds of numbers, at their scale');
SELECT ok((SELECT bool_and(max_bytes = 200) FROM jobstream.contract_fields()
	WHERE field IN ('company', 'job_title', 'location_country', 'location_city', 'full_name')),
	'names, titles, countries and cities are capped at 200 bytes');

CREATE TEMP TABLE post AS SELECT
	'00000000-0000-0000-0000-0000000000c1'::uuid AS post_id, 'Acme'::text AS company,
	'Data Engineer'::text AS job_title,
	(SELECT min(family) FROM jobstream.job_families) AS job_category;
CREATE FUNCTION pg_temp.post_with(col text, val text) RETURNS text LANGUAGE sql AS $$
	SELECT format('INSERT INTO jobstream.job_posts (post_id, company, job_title, job_category, %I)
		SELECT gen_random_uuid(), company, job_title, job_category, %s FROM post', col, val)
$$;

SELECT lives_ok(pg_temp.post_with('location_country', $$repeat('x', 200)$$),
	'a 200-byte location_country is accepted');
SELECT throws_ok(pg_temp.post_with('location_country', $$repeat('x', 201)$$), '23514',
	'new row for relation "job_posts" violates check constraint "job_posts_location_country_cap"',
	'a 201-byte location_country is rejected, naming the cap');
SELECT lives_ok(pg_temp.post_with('location_country', $$repeat('x', 198) || 'é'$$),
	'198 ASCII bytes and an é (200 bytes, 199 characters) are accepted');
SELECT throws_ok(pg_temp.post_with('location_country', $$repeat('x', 199) || 'é'$$), '23514', NULL,
	'199 ASCII bytes and an é (201 bytes, 200 characters) are rejected: caps count bytes');
SELECT throws_ok(pg_temp.post_with('location_country', $$repeat('x', 9000)$$), '23514', NULL,
	'a 9 KB location_country is rejected before any rollup index sees it');
SELECT lives_ok(pg_temp.post_with('description', $$repeat('x', 65536)$$),
	'a 64 KiB description is accepted');
SELECT throws_ok(pg_temp.post_with('description', $$repeat('x', 65537)$$), '23514', NULL,
	'a description one byte over 64 KiB is rejected');
SELECT lives_ok(pg_temp.post_with('required_skills', $$(SELECT array_agg(repeat('s', 100)) FROM generate_series(1, 100))$$),
	'100 required skills of 100 bytes are accepted');
SELECT throws_ok(pg_temp.post_with('required_skills', $$(SELECT array_agg('s' || i) FROM generate_series(1, 101) i)$$),
	'23514', NULL, '101 required skills are rejected');
SELECT throws_ok(pg_temp.post_with('required_skills', $$ARRAY['SQL', repeat('s', 101)]$$),
	'23514', NULL, 'a required skill of 101 bytes is rejected');
SELECT lives_ok(pg_temp.post_with('required_skills', $$ARRAY['SQL', NULL, repeat('é', 50)]$$),
	'a required skill of 50 é (100 bytes) is accepted, beside a NULL element');
SELECT throws_ok(pg_temp.post_with('required_skills', $$ARRAY['SQL', repeat('é', 51)]$$),
	'23514', NULL, 'a required skill of 51 é (102 bytes, 51 characters) is rejected');

SELECT is((SELECT string_agg(conrelid::regclass || '.' || conname, ', ' ORDER BY conrelid::regclass::text) FROM pg_constraint
	WHERE conname IN ('job_families_family_cap', 'application_statuses_status_cap', 'skills_skill_cap') AND contype = 'c' AND convalidated),
	'jobstream.application_statuses.application_statuses_status_cap, jobstream.job_families.job_families_family_cap, jobstream.skills.skills_skill_cap',
	'reference values a capped field refers to, and skills, are capped too');
SELECT throws_ok($$INSERT INTO jobstream.job_families (family, description) VALUES (repeat('f', 101), 'too long to be used')$$,
	'23514', 'new row for relation "job_families" violates check constraint "job_families_family_cap"',
	'a job family no post could name is refused');

SELECT ok(has_function_privilege('jobstream_writer', 'jobstream.contract_fields()', 'EXECUTE')
	AND NOT has_function_privilege('public', 'jobstream.contract_fields()', 'EXECUTE'),
	'jobstream_writer can read the contract; PUBLIC cannot');

-- An upgrade from 0.2 whose tables hold a value over a new cap.
DROP EXTENSION jobstream;
CREATE EXTENSION jobstream VERSION '0.2';
INSERT INTO jobstream.job_posts (post_id, company, job_title, job_category, location_city)
SELECT gen_random_uuid(), 'Acme', 'Clerk', min(family), repeat('c', 300) FROM jobstream.job_families;
SET LOCAL client_min_messages = error;
SELECT lives_ok($$ALTER EXTENSION jobstream UPDATE TO '0.3'$$,
	'an upgrade with a value over its new cap in the table succeeds');
SELECT is((SELECT string_agg(conname || '=' || convalidated, ',') FROM pg_constraint
	WHERE conrelid = 'jobstream.job_posts'::regclass AND conname IN ('job_posts_location_city_cap', 'job_posts_company_cap')),
	'job_posts_company_cap=true,job_posts_location_city_cap=false',
	'the constraint of that column is left NOT VALID (still checked for new rows), the others are validated');

SELECT * FROM finish();
ROLLBACK;
