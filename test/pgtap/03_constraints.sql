-- Constraints reject bad rows with a message that names the problem.
BEGIN;
SELECT plan(16);

CREATE TEMP TABLE good_post AS SELECT
	'00000000-0000-0000-0000-000000000001'::uuid AS post_id, 'Acme'::text AS company,
	'Data Engineer'::text AS job_title,
	(SELECT min(family) FROM jobstream.job_families) AS job_category;

SELECT lives_ok($$INSERT INTO jobstream.job_posts (post_id, company, job_title, job_category,
	experience_level, work_mode, employment_type, platform, salary_min, salary_max,
	posted_date, deadline_date)
	SELECT post_id, company, job_title, job_category, 'Mid', 'Remote',
	(SELECT min(employment_type) FROM jobstream.employment_types),
	(SELECT min(platform) FROM jobstream.platforms), 50000, 90000,
	'2026-01-01', '2026-02-01' FROM good_post$$, 'a valid post is accepted');

SELECT throws_like($$INSERT INTO jobstream.job_posts (post_id, company, job_title, job_category)
	VALUES (gen_random_uuid(), 'Acme', 'Clerk', 'Astrology')$$,
	'%violates foreign key constraint "job_posts_job_category_fkey"%',
	'an unknown job category is rejected by name');
SELECT throws_like($$INSERT INTO jobstream.job_posts (post_id, company, job_title, job_category, experience_level)
	SELECT gen_random_uuid(), 'Acme', 'Clerk', job_category, 'Guru' FROM good_post$$,
	'%job_posts_experience_level_fkey%', 'an unknown seniority level is rejected');
SELECT throws_like($$INSERT INTO jobstream.job_posts (post_id, company, job_title, job_category, work_mode)
	SELECT gen_random_uuid(), 'Acme', 'Clerk', job_category, 'Moon' FROM good_post$$,
	'%job_posts_work_mode_fkey%', 'an unknown work mode is rejected');
SELECT throws_like($$INSERT INTO jobstream.job_posts (post_id, company, job_title, job_category, salary_min, salary_max)
	SELECT gen_random_uuid(), 'Acme', 'Clerk', job_category, 90000, 50000 FROM good_post$$,
	'%job_posts_salary_range_check%', 'salary_min above salary_max is rejected');
SELECT throws_like($$INSERT INTO jobstream.job_posts (post_id, company, job_title, job_category, posted_date, deadline_date)
	SELECT gen_random_uuid(), 'Acme', 'Clerk', job_category, '2026-02-01', '2026-01-01' FROM good_post$$,
	'%job_posts_deadline_check%', 'a deadline before the posting date is rejected');
SELECT throws_ok($$INSERT INTO jobstream.job_posts (post_id, company, job_title, job_category)
	SELECT post_id, company, job_title, job_category FROM good_post$$,
	'23505', NULL, 'a second post with the same post_id is rejected');
SELECT throws_ok($$INSERT INTO jobstream.job_posts (post_id, company, job_title, job_category)
	SELECT gen_random_uuid(), NULL, 'Clerk', job_category FROM good_post$$,
	'23502', NULL, 'a post without company is rejected');

SELECT throws_like($$INSERT INTO jobstream.candidates (candidate_id, full_name, gpa)
	VALUES (gen_random_uuid(), 'Ada', 4.5)$$, '%candidates_gpa_check%', 'a GPA above 4 is rejected');
SELECT throws_like($$INSERT INTO jobstream.candidates (candidate_id, full_name, birth_year, graduation_year)
	VALUES (gen_random_uuid(), 'Ada', 2000, 2005)$$, '%candidates_graduation_check%',
	'graduating at five is rejected');
SELECT throws_like($$INSERT INTO jobstream.candidates (candidate_id, full_name, education_level)
	VALUES (gen_random_uuid(), 'Ada', 'Hogwarts')$$, '%candidates_education_level_fkey%',
	'an unknown education level is rejected');

SELECT throws_like($$INSERT INTO jobstream.job_applications VALUES
	(gen_random_uuid(), gen_random_uuid(), gen_random_uuid(), 'Ghosted', 50, now())$$,
	'%job_applications_status_fkey%', 'an unknown application status is rejected');
SELECT throws_like($$INSERT INTO jobstream.job_applications VALUES
	(gen_random_uuid(), gen_random_uuid(), gen_random_uuid(), 'Applied', 101, now())$$,
	'%job_applications_compatibility_score_check%', 'a score above 100 is rejected');
SELECT throws_like($$INSERT INTO jobstream.job_applications VALUES
	('00000000-0000-0000-0000-0000000000a1', '00000000-0000-0000-0000-0000000000c1', '00000000-0000-0000-0000-000000000001', 'Applied', 50, now()),
	('00000000-0000-0000-0000-0000000000a2', '00000000-0000-0000-0000-0000000000c1', '00000000-0000-0000-0000-000000000001', 'Applied', 50, now())$$,
	'%job_applications_once_per_post%', 'a candidate applies to a post once');

SELECT throws_like($$INSERT INTO jobstream.tracking_events VALUES
	(gen_random_uuid(), now(), gen_random_uuid(), 1, 1, 1, 1, 'impression', 0.5)$$,
	'%tracking_events_custom_track_check%', 'an unknown custom_track is rejected');
SELECT throws_like($$INSERT INTO jobstream.tracking_events VALUES
	(gen_random_uuid(), now(), gen_random_uuid(), 1, 1, 1, 1, 'click', -1)$$,
	'%tracking_events_bid_check%', 'a negative bid is rejected');

SELECT * FROM finish();
ROLLBACK;
