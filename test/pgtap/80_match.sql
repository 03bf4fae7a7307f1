-- The matcher (issue 7) through match_now(), with the default settings
-- (k 5, minimum score 60, apply share 0.5, seed 0): the applications of new
-- candidates and of a new post are exactly the shortlisted pairs that the
-- deterministic draw lets apply, with the scores compatibility_score gives
-- and the statuses of the status rules; the queue is emptied; a replay
-- writes nothing twice.
BEGIN;
SELECT plan(31);

TRUNCATE jobstream.job_posts, jobstream.candidates, jobstream.job_applications, jobstream.match_queue;
CREATE TEMP TABLE s0 AS SELECT * FROM jobstream.match_state;

-- 30 posts in Software Engineering (every tenth already expired), 3 in Data
-- & Analytics; deterministic, tie-rich values.
CREATE TEMP TABLE vocab AS SELECT ARRAY['Python','SQL','Go','Rust','Java','Docker','Kubernetes','Excel',
	'Tableau','Spark','AWS','Git','Linux','Figma','SEO'] AS a;
INSERT INTO jobstream.job_posts (post_id, company, job_title, job_category, required_skills,
	min_years_experience, experience_level, salary_max, posted_date, deadline_date)
SELECT ('00000000-0000-0000-0002-' || lpad(to_hex(g), 12, '0'))::uuid, 'Company ' || g, 'Title ' || g,
	CASE WHEN g > 30 THEN 'Data & Analytics' ELSE 'Software Engineering' END,
	vocab.a[1 + g % 7 : 1 + g % 7 + g % 4],
	CASE WHEN g % 7 = 0 THEN NULL ELSE g % 9 END,
	(ARRAY['Intern','Entry','Junior','Mid','Senior','Lead','Director','Executive'])[1 + g % 8],
	60000 + (g % 5) * 15000,
	current_date - 30,
	CASE WHEN g % 10 = 0 THEN current_date - 1 WHEN g % 3 = 0 THEN NULL ELSE current_date + g END
FROM generate_series(1, 33) g, vocab;

SELECT is((SELECT count(*) FROM jobstream.match_queue WHERE kind = 'p'), 33::bigint,
	'inserted posts are queued in the inserting transaction');
SELECT results_eq($$SELECT processed, applications FROM jobstream.match_now()$$,
	$$VALUES (33::bigint, 0::bigint)$$, 'posts without candidates make no applications');

-- 60 candidates in Software Engineering, 20 in Data & Analytics, 2 without
-- a family.
INSERT INTO jobstream.candidates (candidate_id, full_name, job_category, skills, years_experience,
	experience_level, expected_salary)
SELECT ('00000000-0000-0000-0001-' || lpad(to_hex(g), 12, '0'))::uuid, 'Candidate ' || g,
	CASE WHEN g > 80 THEN NULL WHEN g > 60 THEN 'Data & Analytics' ELSE 'Software Engineering' END,
	vocab.a[1 + g % 6 : 1 + g % 6 + g % 5],
	CASE WHEN g % 11 = 0 THEN NULL ELSE g % 13 END,
	(ARRAY['Intern','Entry','Junior','Mid','Senior','Lead','Director','Executive'])[1 + (g * 5) % 8],
	CASE WHEN g % 9 = 0 THEN NULL ELSE 50000 + (g * 7919) % 60000 END
FROM generate_series(1, 82) g, vocab;

SELECT is((SELECT count(*) FROM jobstream.match_queue WHERE kind = 'c'), 80::bigint,
	'inserted candidates with a family are queued, those without are not');

-- The expectation, from plain SQL: each candidate's shortlist (top 5 open
-- posts of its family scoring 60 or more, ties by post_id), filtered by
-- the apply draw.
CREATE TEMP VIEW expected AS
SELECT candidate_id, post_id, score FROM (
	SELECT c.candidate_id, p.post_id, jobstream.compatibility_score(c, p) AS score,
		row_number() OVER (PARTITION BY c.candidate_id
			ORDER BY jobstream.compatibility_score(c, p) DESC, p.post_id) AS rn
	FROM jobstream.candidates c
	JOIN jobstream.job_posts p ON p.job_category = c.job_category
		AND (p.deadline_date IS NULL OR p.deadline_date >= current_date)
	WHERE jobstream.compatibility_score(c, p) >= 60) s
WHERE rn <= 5 AND jobstream.match_draw(candidate_id, post_id, 'apply') < 0.5;

SELECT results_eq($$SELECT processed FROM jobstream.match_now(30)$$, $$VALUES (30::bigint)$$,
	'match_now(max_items) takes at most max_items queued rows');
SELECT is((SELECT count(*) FROM jobstream.match_queue), 50::bigint, 'the rest stays queued');
SELECT results_eq($$SELECT processed FROM jobstream.match_now()$$, $$VALUES (50::bigint)$$,
	'match_now() takes the rest');
SELECT is((SELECT count(*) FROM jobstream.match_queue), 0::bigint, 'the queue is empty');

SELECT cmp_ok((SELECT count(*) FROM jobstream.job_applications), '>=', 40::bigint,
	'new candidates made applications');
SELECT set_eq(
	$$SELECT candidate_id, post_id, compatibility_score FROM jobstream.job_applications$$,
	$$SELECT candidate_id, post_id, score FROM expected$$,
	'applications are exactly the shortlisted pairs the draw lets apply');
SELECT is((SELECT count(*) FROM jobstream.job_applications a
	JOIN jobstream.candidates c USING (candidate_id) JOIN jobstream.job_posts p USING (post_id)
	WHERE a.compatibility_score IS DISTINCT FROM jobstream.compatibility_score(c, p)), 0::bigint,
	'every score equals compatibility_score for its pair');
SELECT is((SELECT count(*) FROM jobstream.job_applications
	WHERE status IS DISTINCT FROM jobstream.application_status(compatibility_score,
		jobstream.match_draw(candidate_id, post_id, 'status'))), 0::bigint,
	'every status follows the status rules with the status draw');
SELECT cmp_ok((SELECT count(DISTINCT status) FROM jobstream.job_applications), '>=', 2::bigint,
	'more than one status occurs');
SELECT is((SELECT count(*) FROM jobstream.job_applications
	WHERE application_id <> jobstream.match_application_id(candidate_id, post_id)), 0::bigint,
	'application ids are the deterministic UUIDs of the pairs');
SELECT is((SELECT max(n) FROM (SELECT count(*) n FROM jobstream.job_applications GROUP BY candidate_id) s)
	<= 5 AND (SELECT min(compatibility_score) FROM jobstream.job_applications) >= 60, true,
	'at most k = 5 applications a candidate, none below the minimum score');
SELECT is((SELECT count(*) FROM jobstream.job_applications a JOIN jobstream.job_posts p USING (post_id)
	JOIN jobstream.candidates c USING (candidate_id)
	WHERE p.deadline_date < current_date OR p.job_category <> c.job_category), 0::bigint,
	'no application to an expired post or to another family');
SELECT is((SELECT count(*) FROM jobstream.job_applications
	WHERE jobstream.match_draw(candidate_id, post_id, 'apply') >= 0.5), 0::bigint,
	'only pairs whose apply draw is below the share apply');
SELECT ok((SELECT count(*) FROM jobstream.job_applications) < (SELECT count(*) FROM (
	SELECT c.candidate_id, p.post_id, row_number() OVER (PARTITION BY c.candidate_id
		ORDER BY jobstream.compatibility_score(c, p) DESC, p.post_id) rn
	FROM jobstream.candidates c JOIN jobstream.job_posts p ON p.job_category = c.job_category
		AND (p.deadline_date IS NULL OR p.deadline_date >= current_date)
	WHERE jobstream.compatibility_score(c, p) >= 60) s WHERE rn <= 5),
	'some shortlisted pairs do not apply (share 0.5)');

-- Replay: queue every candidate again; nothing is written twice.
CREATE TEMP TABLE before AS SELECT * FROM jobstream.job_applications;
INSERT INTO jobstream.match_queue (kind, id) SELECT 'c', candidate_id FROM jobstream.candidates
	WHERE job_category IS NOT NULL;
SELECT results_eq($$SELECT processed, applications FROM jobstream.match_now()$$,
	$$VALUES (80::bigint, 0::bigint)$$, 'a replay of every candidate inserts no application');
SELECT set_eq($$SELECT * FROM jobstream.job_applications$$, $$SELECT * FROM before$$,
	'and leaves the applications as they were');

-- A new post: exactly the candidates whose shortlist it enters apply (by
-- draw); the pairs it pushes out keep their applications.
INSERT INTO jobstream.job_posts (post_id, company, job_title, job_category, required_skills,
	min_years_experience, experience_level, salary_max, deadline_date)
VALUES ('00000000-0000-0000-0002-0000000000ff', 'Hooli', 'Engineer', 'Software Engineering',
	'{Python,SQL,Go,Rust,Java}', 0, 'Mid', 200000, NULL);
SELECT results_eq($$SELECT processed FROM jobstream.match_now()$$, $$VALUES (1::bigint)$$,
	'the new post is processed');
SELECT set_eq(
	$$SELECT candidate_id, post_id, compatibility_score FROM jobstream.job_applications
		WHERE post_id = '00000000-0000-0000-0002-0000000000ff'$$,
	$$SELECT candidate_id, post_id, score FROM expected WHERE post_id = '00000000-0000-0000-0002-0000000000ff'$$,
	'candidates whose shortlist the new post enters apply to it, by draw');
SELECT cmp_ok((SELECT count(*) FROM jobstream.job_applications
	WHERE post_id = '00000000-0000-0000-0002-0000000000ff'), '>', 0::bigint,
	'the new post got applications');
SELECT is((SELECT count(*) FROM before b WHERE NOT EXISTS (SELECT FROM jobstream.job_applications a
	WHERE a.application_id = b.application_id)), 0::bigint, 'earlier applications stay');

-- Why this match: both kinds of pass (new candidates, a new post) store the
-- components of every score.
SELECT is((SELECT count(*) FROM jobstream.job_applications a
	JOIN jobstream.candidates c USING (candidate_id) JOIN jobstream.job_posts p USING (post_id),
	LATERAL jobstream.score_breakdown(c, p) b
	WHERE (a.category_score, a.skills_score, a.experience_score, a.seniority_score, a.salary_score)
		IS DISTINCT FROM (b.category, b.skills, b.experience, b.seniority, b.salary)), 0::bigint,
	'every application carries the components of its score, as score_breakdown gives them');
SELECT is((SELECT count(*) FROM jobstream.job_applications
	WHERE abs(category_score + skills_score + experience_score + seniority_score + salary_score
		- compatibility_score) > 0.03), 0::bigint, 'the components add up to the score, up to rounding');

SELECT is((SELECT m.processed - s0.processed FROM jobstream.match_stats m, s0), 33 + 80 + 80 + 1::bigint,
	'match_stats counts the processed queue rows');
SELECT is((SELECT m.applications - s0.applications FROM jobstream.match_stats m, s0),
	(SELECT count(*) FROM jobstream.job_applications), 'match_stats counts the applications made');
SELECT is((SELECT queue_length::integer || ' ' || (queue_lag IS NULL)::text FROM jobstream.match_stats),
	'0 true', 'match_stats shows an empty queue with no lag');
SELECT is((SELECT count(*) FROM jobstream.match_outbox), 0::bigint,
	'with jobstream.match_produce_brokers empty, nothing waits to be produced');
SELECT is((SELECT (m.produced - s0.produced) || ' ' || outbox_length || ' ' || (outbox_lag IS NULL)
	FROM jobstream.match_stats m, s0), '0 0 true', 'match_stats shows nothing produced and an empty outbox');

SELECT ok(NOT has_function_privilege('jobstream_reader', 'jobstream.match_now(integer)', 'EXECUTE'),
	'match_now is not executable by PUBLIC');

SELECT * FROM finish();
ROLLBACK;
