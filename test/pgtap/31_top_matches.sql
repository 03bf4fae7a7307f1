-- top_matches and top_jobs agree with a plain ORDER BY over
-- compatibility_score on a generated set, ties included.
BEGIN;
SELECT plan(18);

-- 3000 candidates and 60 posts with deterministic, tie-rich values.
CREATE TEMP TABLE fam AS SELECT array_agg(family ORDER BY family) AS a FROM jobstream.job_families;
CREATE TEMP TABLE vocab AS SELECT ARRAY['Python','SQL','Go','Rust','Java','Docker','Kubernetes','Excel',
	'Tableau','Spark','AWS','Git','Linux','Figma','SEO'] AS a;
INSERT INTO jobstream.candidates (candidate_id, full_name, job_category, skills, years_experience, experience_level, expected_salary)
SELECT ('00000000-0000-0000-0001-' || lpad(to_hex(g), 12, '0'))::uuid, 'Candidate ' || g,
	CASE WHEN g % 17 = 0 THEN NULL ELSE fam.a[1 + g % 3] END,
	vocab.a[1 + g % 11 : 1 + g % 11 + g % 5],
	CASE WHEN g % 23 = 0 THEN NULL ELSE g % 13 END,
	CASE WHEN g % 19 = 0 THEN NULL ELSE (ARRAY['Intern','Entry','Junior','Mid','Senior','Lead','Director','Executive'])[1 + g % 8] END,
	CASE WHEN g % 29 = 0 THEN NULL ELSE 40000 + (g * 7919) % 120000 END
FROM generate_series(1, 3000) g, fam, vocab;
INSERT INTO jobstream.job_posts (post_id, company, job_title, job_category, required_skills, min_years_experience, experience_level, salary_max, posted_date, deadline_date)
SELECT ('00000000-0000-0000-0002-' || lpad(to_hex(g), 12, '0'))::uuid, 'Company ' || g, 'Title ' || g,
	fam.a[1 + g % 3], vocab.a[1 + g % 9 : 1 + g % 9 + g % 4],
	CASE WHEN g % 7 = 0 THEN NULL ELSE g % 9 END,
	CASE WHEN g % 11 = 0 THEN NULL ELSE (ARRAY['Intern','Entry','Junior','Mid','Senior','Lead','Director','Executive'])[1 + g % 8] END,
	CASE WHEN g % 13 = 0 THEN NULL ELSE 60000 + g * 1500 END,
	current_date - 30,
	CASE g % 3 WHEN 0 THEN NULL WHEN 1 THEN current_date + g ELSE current_date - 1 + (g % 2) END
FROM generate_series(1, 60) g, fam, vocab;

CREATE FUNCTION pg_temp.expected_matches(p uuid, k integer)
RETURNS TABLE (candidate_id uuid, score numeric, rank integer) LANGUAGE sql AS $$
	SELECT c.candidate_id, s, (row_number() OVER (ORDER BY s DESC, c.candidate_id))::integer
	FROM jobstream.candidates c, jobstream.job_posts jp,
		LATERAL jobstream.compatibility_score(c, jp) s
	WHERE jp.post_id = p
	ORDER BY s DESC, c.candidate_id LIMIT k
$$;
CREATE FUNCTION pg_temp.expected_jobs(c uuid, k integer)
RETURNS TABLE (post_id uuid, score numeric, rank integer) LANGUAGE sql AS $$
	SELECT jp.post_id, s, (row_number() OVER (ORDER BY s DESC, jp.post_id))::integer
	FROM jobstream.candidates cd, jobstream.job_posts jp,
		LATERAL jobstream.compatibility_score(cd, jp) s
	WHERE cd.candidate_id = c AND (jp.deadline_date IS NULL OR jp.deadline_date >= current_date)
	ORDER BY s DESC, jp.post_id LIMIT k
$$;

SELECT results_eq(
	$$SELECT * FROM jobstream.top_matches('00000000-0000-0000-0002-000000000001')$$,
	$$SELECT * FROM pg_temp.expected_matches('00000000-0000-0000-0002-000000000001', 10)$$,
	'top_matches(k default 10) equals ORDER BY compatibility_score DESC, candidate_id');
SELECT is(
	(SELECT count(*) FROM jobstream.job_posts p
	WHERE p.post_id::text LIKE '00000000-0000-0000-0002-%'
		AND EXISTS (
			(SELECT * FROM jobstream.top_matches(p.post_id, 25)
			EXCEPT SELECT * FROM pg_temp.expected_matches(p.post_id, 25))
			UNION ALL
			(SELECT * FROM pg_temp.expected_matches(p.post_id, 25)
			EXCEPT SELECT * FROM jobstream.top_matches(p.post_id, 25)))),
	0::bigint, 'top_matches(k 25) equals the ORDER BY for each of 60 posts');
SELECT results_eq(
	$$SELECT * FROM jobstream.top_matches('00000000-0000-0000-0002-00000000000e', 1)$$,
	$$SELECT * FROM pg_temp.expected_matches('00000000-0000-0000-0002-00000000000e', 1)$$,
	'top_matches k 1');
SELECT is(
	(SELECT count(*) FROM jobstream.top_matches('00000000-0000-0000-0002-000000000005', 2147483647)),
	(SELECT count(*) FROM jobstream.candidates), 'k larger than the table returns every candidate');
SELECT results_eq(
	$$SELECT * FROM jobstream.top_matches('00000000-0000-0000-0002-000000000005', 5000)$$,
	$$SELECT * FROM pg_temp.expected_matches('00000000-0000-0000-0002-000000000005', 5000)$$,
	'top_matches with k 5000 (heap growth) equals the full ORDER BY');
SELECT ok(
	(SELECT count(DISTINCT score) < count(*) FROM jobstream.top_matches('00000000-0000-0000-0002-000000000001', 25)),
	'the generated set has ties in the top 25');
SELECT is(
	(SELECT array_agg(rank ORDER BY rank) FROM jobstream.top_matches('00000000-0000-0000-0002-000000000002', 5)),
	ARRAY[1, 2, 3, 4, 5], 'ranks are 1..k');

SELECT results_eq(
	$$SELECT * FROM jobstream.top_jobs('00000000-0000-0000-0001-000000000007')$$,
	$$SELECT * FROM pg_temp.expected_jobs('00000000-0000-0000-0001-000000000007', 10)$$,
	'top_jobs(k default 10) equals the ORDER BY over open posts');
SELECT is(
	(SELECT count(*) FROM jobstream.candidates c
	WHERE c.candidate_id::text LIKE '00000000-0000-0000-0001-0000000000%'
		AND EXISTS (
			(SELECT * FROM jobstream.top_jobs(c.candidate_id, 100)
			EXCEPT SELECT * FROM pg_temp.expected_jobs(c.candidate_id, 100))
			UNION ALL
			(SELECT * FROM pg_temp.expected_jobs(c.candidate_id, 100)
			EXCEPT SELECT * FROM jobstream.top_jobs(c.candidate_id, 100)))),
	0::bigint, 'top_jobs(k 100) equals the ORDER BY for 255 candidates');
SELECT is(
	(SELECT count(*) FROM jobstream.top_jobs('00000000-0000-0000-0001-000000000007', 1000) t
		JOIN jobstream.job_posts p USING (post_id) WHERE p.deadline_date < current_date),
	0::bigint, 'top_jobs skips posts past their deadline');

SELECT throws_ok($$SELECT * FROM jobstream.top_matches('00000000-0000-0000-0002-000000000001', 0)$$,
	'22023', 'k must be positive: 0', 'k 0 is an error naming k');
SELECT throws_ok($$SELECT * FROM jobstream.top_jobs('00000000-0000-0000-0001-000000000001', -3)$$,
	'22023', 'k must be positive: -3', 'negative k is an error naming k');
SELECT throws_ok($$SELECT * FROM jobstream.top_matches('00000000-0000-0000-0000-00000000dead')$$,
	'P0002', 'job post 00000000-0000-0000-0000-00000000dead does not exist', 'unknown post_id is an error');
SELECT throws_ok($$SELECT * FROM jobstream.top_jobs('00000000-0000-0000-0000-00000000dead')$$,
	'P0002', 'candidate 00000000-0000-0000-0000-00000000dead does not exist', 'unknown candidate_id is an error');
SELECT is((SELECT count(*) FROM jobstream.top_matches(NULL)), 0::bigint, 'NULL post_id returns no rows');

-- A level a user adds to seniority_levels takes its place on the ladder by
-- rank, in every scoring path (one table, one behaviour).
INSERT INTO jobstream.seniority_levels (level, rank, min_years, max_years, salary_min, salary_max)
VALUES ('Principal', 99, 10, 20, 150000, 250000);
INSERT INTO jobstream.candidates (candidate_id, full_name, experience_level)
VALUES ('00000000-0000-0000-0001-00000000beef', 'Off Ladder', 'Principal');
INSERT INTO jobstream.job_posts (post_id, company, job_title, job_category, experience_level)
VALUES ('00000000-0000-0000-0002-00000000beef', 'Acme', 'Chief', (SELECT a[1] FROM fam), 'Executive');
SELECT is((SELECT score FROM jobstream.top_matches('00000000-0000-0000-0002-00000000beef', 5000)
		WHERE candidate_id = '00000000-0000-0000-0001-00000000beef'),
	(SELECT jobstream.compatibility_score(c, p) FROM jobstream.candidates c, jobstream.job_posts p
		WHERE c.candidate_id = '00000000-0000-0000-0001-00000000beef' AND p.post_id = '00000000-0000-0000-0002-00000000beef'),
	'top_matches scores a candidate at an added level as compatibility_score does');
SELECT is(jobstream.compatibility_score(NULL, NULL, NULL, ' principal ', NULL, NULL, NULL, NULL, 'Executive', NULL),
	5.00, 'an added level is one step above the one ranked below it (half the seniority points)');
SELECT is(jobstream.compatibility_score(NULL, NULL, NULL, 'Principal', NULL, NULL, NULL, NULL, 'Director', NULL),
	0.00, 'and two steps above the one below that');

SELECT * FROM finish();
ROLLBACK;
