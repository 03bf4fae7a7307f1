-- The typed rollups of posts and candidates: keys that contain '|' stay
-- whole, their trigger functions cannot be turned against them from another
-- table, TRUNCATE empties them, and an update from 0.2 with data in it
-- carries the counts over.
BEGIN;
SELECT plan(15);

TRUNCATE jobstream.job_posts, jobstream.candidates;

-- Keys with the old separator in them --------------------------------------------
INSERT INTO jobstream.job_posts (post_id, company, job_title, job_category, location_country, location_city,
	required_skills, description, deadline_date) VALUES
('00000000-0000-0000-0000-0000000000d1'::uuid, 'Acme', 'Engineer', 'Software Engineering', 'Germany', 'Bad|Town',
	'{C|C++, SQL}', 'Plenty of SQL here.', NULL),
('00000000-0000-0000-0000-0000000000d2'::uuid, 'Acme', 'Engineer', 'Software Engineering', 'Ger|many', 'Bad|Town',
	'{C|C++}', NULL, current_date);
INSERT INTO jobstream.candidates (candidate_id, full_name, skills, expected_salary) VALUES
('00000000-0000-0000-0000-0000000000e1'::uuid, 'Ada', '{C|C++, |}', 123456);
SELECT is(jobstream.refresh(force => true), (SELECT count(*)::int FROM jobstream.refresh_state), 'the views refresh');
SELECT results_eq('SELECT city, country, posts FROM jobstream.posts_by_city ORDER BY country COLLATE "C"',
	$$VALUES ('Bad|Town'::text, 'Germany'::text, 1::bigint), ('Bad|Town', 'Ger|many', 1)$$,
	'a city and a country containing | stay whole');
SELECT results_eq('SELECT country, skill, posts, required, described FROM jobstream.skill_demand_by_country ORDER BY country COLLATE "C", skill COLLATE "C"',
	$$VALUES ('Germany'::text, 'C|C++'::text, 1::bigint, 1::bigint, 0::bigint),
	('Germany', 'SQL', 1, 1, 1), ('Ger|many', 'C|C++', 1, 1, 0)$$,
	'a skill containing | stays whole, per country, required and described counted once a post');
SELECT results_eq('SELECT skill, candidates, posts FROM jobstream.skill_supply_demand ORDER BY skill COLLATE "C"',
	$$VALUES ('C|C++'::text, 1::bigint, 2::bigint), ('SQL', 0, 1), ('|', 1, 0)$$,
	'skill supply and demand with | in skills');
SELECT results_eq('SELECT active_posts, posts, candidates FROM jobstream.market_kpis',
	$$VALUES (2::bigint, 2::bigint, 1::bigint)$$, 'a post without deadline and one due today are active');
SELECT results_eq('SELECT bucket_start, candidates FROM jobstream.expected_salary_histogram',
	$$VALUES (120000::bigint, 1::bigint)$$, 'expected salary band');

-- The trigger functions serve their own table only ------------------------------
CREATE TEMP TABLE fake_posts (LIKE jobstream.job_posts);
SELECT throws_ok($$CREATE TRIGGER t AFTER INSERT ON fake_posts REFERENCING NEW TABLE AS new_rows
		FOR EACH STATEMENT EXECUTE FUNCTION jobstream.rollup_job_posts();
	INSERT INTO fake_posts SELECT * FROM jobstream.job_posts$$,
	'42501', NULL, 'rollup_job_posts refuses to count rows of another table');
GRANT ALL ON fake_posts TO jobstream_reader;
SET LOCAL ROLE jobstream_reader;
SELECT throws_ok($$CREATE TEMP TABLE job_posts (x int);
	CREATE TRIGGER t AFTER TRUNCATE ON pg_temp.job_posts FOR EACH STATEMENT EXECUTE FUNCTION jobstream.rollup_job_posts();
	TRUNCATE pg_temp.job_posts$$,
	'42501', NULL, 'the reader cannot empty the post rollups through a temp table named job_posts');
SELECT throws_ok($$CREATE TEMP TABLE candidates (x int);
	CREATE TRIGGER t AFTER TRUNCATE ON pg_temp.candidates FOR EACH STATEMENT EXECUTE FUNCTION jobstream.rollup_candidates();
	TRUNCATE pg_temp.candidates$$,
	'42501', NULL, 'nor the candidate rollups');
RESET ROLE;
SELECT is((SELECT sum(posts) FROM jobstream.post_facet_counts), 2::numeric, 'the post rollups are intact');

-- A change of the skill tables moves each post from its old list to its new one --
INSERT INTO jobstream.skills (skill, skill_group) VALUES ('Plenty', 'soft');
SELECT results_eq($$SELECT skill, sum(posts), sum(required), sum(described) FROM jobstream.post_skill_counts
		WHERE country = 'Germany' GROUP BY skill HAVING sum(posts) <> 0 ORDER BY skill COLLATE "C"$$,
	$$VALUES ('C|C++'::text, 1::numeric, 1::numeric, 0::numeric), ('Plenty', 1, 0, 1), ('SQL', 1, 1, 1)$$,
	'a new skill found in a stored description enters the described counts');
DELETE FROM jobstream.skills WHERE skill = 'Plenty';
SELECT results_eq($$SELECT skill, sum(posts), sum(required), sum(described) FROM jobstream.post_skill_counts
		WHERE country = 'Germany' GROUP BY skill HAVING sum(posts) <> 0 OR sum(described) <> 0 ORDER BY skill COLLATE "C"$$,
	$$VALUES ('C|C++'::text, 1::numeric, 1::numeric, 0::numeric), ('SQL', 1, 1, 1)$$,
	'and leaves them exactly when the skill goes');

-- TRUNCATE -------------------------------------------------------------------------
TRUNCATE jobstream.job_posts, jobstream.candidates;
SELECT is((SELECT count(*) FROM jobstream.post_facet_counts) + (SELECT count(*) FROM jobstream.post_location_counts)
	+ (SELECT count(*) FROM jobstream.post_deadline_counts) + (SELECT count(*) FROM jobstream.post_skill_counts)
	+ (SELECT count(*) FROM jobstream.candidate_facet_counts) + (SELECT count(*) FROM jobstream.candidate_salary_counts)
	+ (SELECT count(*) FROM jobstream.candidate_skill_counts), 0::bigint, 'TRUNCATE empties the typed rollups');

-- An update from 0.2 with data -----------------------------------------------------
DROP EXTENSION jobstream;
CREATE EXTENSION jobstream VERSION '0.2';
INSERT INTO jobstream.job_posts SELECT * FROM jobstream.generate_job_posts(500, 3, '2025-01-01');
INSERT INTO jobstream.candidates SELECT * FROM jobstream.generate_candidates(500, 3, '2025-01-01');
CREATE TEMP TABLE old_counts AS
SELECT 'skill_by_country' AS k, value AS v, sum(posts) AS n FROM jobstream.post_counts
WHERE dimension = 'skill_by_country' GROUP BY value
UNION ALL SELECT 'city', value, sum(posts) FROM jobstream.post_counts WHERE dimension = 'city' GROUP BY value
UNION ALL SELECT 'cskill', value, sum(candidates) FROM jobstream.candidate_counts WHERE dimension = 'skill' GROUP BY value;
ALTER EXTENSION jobstream UPDATE;
SELECT set_eq($$SELECT 'skill_by_country' AS k, country || '|' || skill AS v, sum(required) AS n FROM jobstream.post_skill_counts
		GROUP BY country, skill HAVING sum(required) > 0
	UNION ALL SELECT 'city', city || '|' || country, sum(posts) FROM jobstream.post_location_counts GROUP BY city, country
	UNION ALL SELECT 'cskill', skill, sum(candidates) FROM jobstream.candidate_skill_counts GROUP BY skill$$,
	'SELECT * FROM old_counts', 'an update from 0.2 carries the counts over to the typed rollups');
CREATE TEMP TABLE upgraded AS
SELECT 'pf' AS r, row(job_category, work_mode, employment_type, experience_level)::text AS k, sum(posts) AS n
FROM jobstream.post_facet_counts GROUP BY 1, 2
UNION ALL SELECT 'ps', row(country, skill)::text, sum(posts) * 1000000 + sum(required) * 1000 + sum(described) FROM jobstream.post_skill_counts GROUP BY 1, 2
UNION ALL SELECT 'cf', row(job_category, education_level, experience_level)::text, sum(candidates)
FROM jobstream.candidate_facet_counts GROUP BY 1, 2;
SELECT jobstream.rebuild_rollups();
SELECT set_eq($$SELECT 'pf' AS r, row(job_category, work_mode, employment_type, experience_level)::text AS k, sum(posts) AS n
	FROM jobstream.post_facet_counts GROUP BY 1, 2
	UNION ALL SELECT 'ps', row(country, skill)::text, sum(posts) * 1000000 + sum(required) * 1000 + sum(described) FROM jobstream.post_skill_counts GROUP BY 1, 2
	UNION ALL SELECT 'cf', row(job_category, education_level, experience_level)::text, sum(candidates)
	FROM jobstream.candidate_facet_counts GROUP BY 1, 2$$,
	'SELECT * FROM upgraded', 'and they equal a rebuild from the raw rows');

SELECT * FROM finish();
ROLLBACK;
