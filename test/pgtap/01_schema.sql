-- The schema's objects exist as documented.
BEGIN;
SELECT plan(40);

SELECT has_extension('jobstream', 'jobstream is installed');
SELECT has_schema('jobstream');
SELECT is((SELECT extrelocatable FROM pg_extension WHERE extname = 'jobstream'), false,
	'the extension is not relocatable');

SELECT has_table('jobstream', t, 'table ' || t || ' exists')
FROM unnest(ARRAY[
	'job_families', 'seniority_levels', 'job_titles', 'skills', 'skill_aliases',
	'family_skills', 'certifications', 'countries', 'cities', 'employment_types',
	'education_levels', 'work_modes', 'industries', 'platforms', 'companies',
	'first_names', 'last_names', 'application_statuses', 'custom_tracks',
	'job_posts', 'candidates', 'job_applications', 'tracking_events',
	'tracking_events_default', 'dead_letters']) AS t;

SELECT columns_are('jobstream', 'job_posts', ARRAY[
	'post_id', 'company', 'job_title', 'job_category', 'industry',
	'location_country', 'location_city', 'description', 'required_skills',
	'certifications', 'salary_min', 'salary_max', 'experience_level',
	'min_years_experience', 'employment_type', 'work_mode', 'platform',
	'posted_date', 'deadline_date', 'updated_at', 'description_skills']);
SELECT columns_are('jobstream', 'candidates', ARRAY[
	'candidate_id', 'full_name', 'gender', 'birth_year', 'nationality',
	'location_country', 'location_city', 'education_level', 'graduation_year',
	'gpa', 'job_category', 'current_company', 'previous_companies', 'skills',
	'certifications', 'experience_level', 'years_experience', 'current_salary',
	'expected_salary', 'updated_at']);
SELECT columns_are('jobstream', 'job_applications', ARRAY[
	'application_id', 'candidate_id', 'post_id', 'status',
	'compatibility_score', 'applied_at', 'updated_at', 'category_score', 'skills_score',
	'experience_score', 'seniority_score', 'salary_score']);
SELECT columns_are('jobstream', 'tracking_events', ARRAY[
	'event_id', 'ts', 'post_id', 'company_id', 'campaign_id', 'group_id',
	'publisher_id', 'custom_track', 'bid']);
SELECT columns_are('jobstream', 'dead_letters', ARRAY[
	'dead_letter_id', 'source', 'topic', 'partition', 'offset', 'key',
	'payload', 'error', 'received_at', 'payload_bytes', 'payload_sha256']);

SELECT col_is_pk('jobstream', 'job_posts', 'post_id', 'post_id is the key of posts');
SELECT col_is_pk('jobstream', 'candidates', 'candidate_id', 'candidate_id is the key of candidates');
SELECT col_is_pk('jobstream', 'job_applications', 'application_id', 'application_id is the key of applications');
SELECT col_is_pk('jobstream', 'tracking_events', ARRAY['ts', 'event_id'], 'ts and event_id are the key of events, in time order');

SELECT is((SELECT amname FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
	JOIN pg_am a ON a.oid = c.relam
	WHERE i.indrelid = 'jobstream.job_posts'::regclass
	AND pg_get_indexdef(i.indexrelid) LIKE '%(required_skills)%')::text, 'gin',
	'required skills have a GIN index');
SELECT is((SELECT amname FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
	JOIN pg_am a ON a.oid = c.relam
	WHERE i.indrelid = 'jobstream.candidates'::regclass
	AND pg_get_indexdef(i.indexrelid) LIKE '%(skills)%')::text, 'gin',
	'candidate skills have a GIN index');

SELECT is(
	(SELECT count(*)::int FROM pg_description d
	 JOIN pg_class c ON c.oid = d.objoid AND d.classoid = 'pg_class'::regclass AND d.objsubid = 0
	 WHERE c.relnamespace = 'jobstream'::regnamespace AND c.relkind IN ('r', 'p', 'v', 'm')),
	(SELECT count(*)::int FROM pg_class c
	 WHERE c.relnamespace = 'jobstream'::regnamespace AND c.relkind IN ('r', 'p', 'v', 'm')
	 AND c.relname !~ '^tracking_events_'),
	'every table and view has a comment');

SELECT * FROM finish();
ROLLBACK;
