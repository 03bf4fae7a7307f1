-- Synthetic data generators: determinism, INSERT … SELECT *, value domains,
-- distributions, referential validity, users' reference rows, errors.
BEGIN;
SELECT plan(75);

SELECT has_function('jobstream', 'generate_job_posts', ARRAY['bigint', 'bigint', 'date']);
SELECT has_function('jobstream', 'generate_candidates', ARRAY['bigint', 'bigint', 'date']);
SELECT has_function('jobstream', 'generate_applications', ARRAY['bigint', 'bigint']);
SELECT has_function('jobstream', 'generate_tracking_events',
	ARRAY['bigint', 'bigint', 'timestamp with time zone', 'timestamp with time zone']);

-- Determinism ----------------------------------------------------------------
SELECT is((SELECT md5(string_agg(g::text, '|')) FROM jobstream.generate_job_posts(200, 42) g),
	(SELECT md5(string_agg(g::text, '|')) FROM jobstream.generate_job_posts(200, 42) g),
	'job posts: the same seed gives the same rows');
SELECT isnt((SELECT md5(string_agg(g::text, '|')) FROM jobstream.generate_job_posts(200, 42) g),
	(SELECT md5(string_agg(g::text, '|')) FROM jobstream.generate_job_posts(200, 43) g),
	'job posts: another seed gives other rows');
SELECT is((SELECT md5(string_agg(g::text, '|')) FROM jobstream.generate_candidates(200, 42) g),
	(SELECT md5(string_agg(g::text, '|')) FROM jobstream.generate_candidates(200, 42) g),
	'candidates: the same seed gives the same rows');
SELECT isnt((SELECT md5(string_agg(g::text, '|')) FROM jobstream.generate_candidates(200, 42) g),
	(SELECT md5(string_agg(g::text, '|')) FROM jobstream.generate_candidates(200, 7) g),
	'candidates: another seed gives other rows');
SELECT is((SELECT md5(string_agg(g::text, '|')) FROM jobstream.generate_tracking_events(500, 1, '2025-01-01', '2025-01-08') g),
	(SELECT md5(string_agg(g::text, '|')) FROM jobstream.generate_tracking_events(500, 1, '2025-01-01', '2025-01-08') g),
	'tracking events: the same seed gives the same rows');
SELECT isnt((SELECT md5(string_agg(g::text, '|')) FROM jobstream.generate_tracking_events(500, 1, '2025-01-01', '2025-01-08') g),
	(SELECT md5(string_agg(g::text, '|')) FROM jobstream.generate_tracking_events(500, 2, '2025-01-01', '2025-01-08') g),
	'tracking events: another seed gives other rows');
SELECT is((SELECT md5(string_agg(g::text, '|')) FROM jobstream.generate_job_posts(10, 5) g),
	(SELECT md5(string_agg(g::text, '|')) FROM (SELECT * FROM jobstream.generate_job_posts(1000, 5) LIMIT 10) g),
	'row i does not depend on n');
SELECT is((SELECT count(*) FROM jobstream.generate_job_posts(0)), 0::bigint, 'n = 0 gives no rows');
SELECT ok((SELECT bool_and(substr(post_id::text, 15, 1) = '4' AND substr(post_id::text, 20, 1) IN ('8', '9', 'a', 'b'))
	FROM jobstream.generate_job_posts(500, 9)), 'keys are version 4 UUIDs');

-- Tracking events about the posts generate_job_posts would make, when
-- there are none yet.
SELECT is((SELECT count(*) FROM (SELECT post_id FROM jobstream.generate_tracking_events(2000, 3, '2025-01-01', '2025-01-02')
		EXCEPT SELECT post_id FROM jobstream.generate_job_posts(1000, 3)) x), 0::bigint,
	'with no posts, events name the posts of generate_job_posts with the same seed');

-- Errors --------------------------------------------------------------------
SELECT throws_ok($$SELECT * FROM jobstream.generate_job_posts(-1)$$, '22023', NULL, 'n < 0 is an error');
SELECT throws_ok($$SELECT * FROM jobstream.generate_tracking_events(10, 1, '2025-01-02', '2025-01-01')$$,
	'22023', NULL, 'from_ts after to_ts is an error');
SELECT throws_ok($$SELECT * FROM jobstream.generate_tracking_events(10, 1, '2025-01-01', '2025-01-01')$$,
	'22023', NULL, 'an empty time range is an error');
SELECT throws_ok($$SELECT * FROM jobstream.generate_applications(10)$$,
	'P0002', NULL, 'applications need candidates and posts');
SELECT is((SELECT count(*) FROM jobstream.generate_job_posts(NULL)), 0::bigint, 'NULL arguments give no rows (STRICT)');
SAVEPOINT empty_platforms;
DELETE FROM jobstream.platforms;
SELECT throws_ok($$SELECT * FROM jobstream.generate_job_posts(1)$$, 'P0002', NULL,
	'empty reference tables are an error');
ROLLBACK TO SAVEPOINT empty_platforms;
SELECT is((SELECT count(*) FROM jobstream.generate_job_posts(3)), 3::bigint,
	'the reference rows come back after the rollback');

-- INSERT … SELECT * ---------------------------------------------------------
SELECT lives_ok($$INSERT INTO jobstream.job_posts SELECT * FROM jobstream.generate_job_posts(10000, 1, '2025-01-01')$$,
	'INSERT INTO job_posts SELECT * FROM generate_job_posts works');
SELECT lives_ok($$INSERT INTO jobstream.candidates SELECT * FROM jobstream.generate_candidates(10000, 1, '2025-01-01')$$,
	'INSERT INTO candidates SELECT * FROM generate_candidates works');
SELECT lives_ok($$INSERT INTO jobstream.job_applications SELECT * FROM jobstream.generate_applications(20000, 1)$$,
	'INSERT INTO job_applications SELECT * FROM generate_applications works');
SELECT lives_ok($$INSERT INTO jobstream.job_applications SELECT * FROM jobstream.generate_applications(5000, 2)$$,
	'a second batch of applications avoids the pairs already used');
SELECT lives_ok($$INSERT INTO jobstream.tracking_events SELECT * FROM jobstream.generate_tracking_events(100000, 1, '2025-01-06', '2025-02-03')$$,
	'INSERT INTO tracking_events SELECT * FROM generate_tracking_events works');

-- Job posts -----------------------------------------------------------------
SELECT is((SELECT count(*) FROM jobstream.job_families f
	WHERE NOT EXISTS (SELECT FROM jobstream.job_posts p WHERE p.job_category = f.family)), 0::bigint,
	'every job family is represented in 10,000 posts');
SELECT is((SELECT count(*) FROM jobstream.job_posts p JOIN jobstream.work_modes w USING (work_mode)),
	10000::bigint, 'every post has a known work mode');
SELECT ok((SELECT bool_and(abs(got - want) < 0.03) FROM (
		SELECT count(p.post_id)::numeric / 10000 AS got, w.share / sum(w.share) OVER () AS want
		FROM jobstream.work_modes w LEFT JOIN jobstream.job_posts p USING (work_mode)
		GROUP BY w.work_mode, w.share) s),
	'work mode shares follow work_modes.share within 3 points');
SELECT ok((SELECT bool_and(med > prev) FROM (
		SELECT med, lag(med, 1, 0::float8) OVER (ORDER BY rank) AS prev FROM (
			SELECT l.rank, percentile_cont(0.5) WITHIN GROUP (ORDER BY p.salary_max) AS med
			FROM jobstream.job_posts p JOIN jobstream.seniority_levels l ON l.level = p.experience_level
			GROUP BY l.rank) m) x),
	'median salary rises with seniority');
SELECT is((SELECT count(*) FROM jobstream.job_posts p JOIN jobstream.seniority_levels l ON l.level = p.experience_level
	WHERE p.salary_min < l.salary_min OR p.salary_max > l.salary_max + 500 OR p.salary_min > p.salary_max), 0::bigint,
	'salary ranges lie inside the seniority band');
SELECT is((SELECT count(*) FROM jobstream.job_posts p JOIN jobstream.job_titles t ON t.title = p.job_title
	WHERE t.family <> p.job_category OR t.seniority <> p.experience_level), 0::bigint,
	'titles match their family and seniority');
SELECT is((SELECT count(*) FROM jobstream.job_posts p JOIN jobstream.companies c USING (company)
	JOIN jobstream.countries k ON k.country_code = c.country_code
	WHERE p.location_country <> k.country OR p.industry <> c.industry
		OR NOT EXISTS (SELECT FROM jobstream.cities ci WHERE ci.city = p.location_city AND ci.country_code = c.country_code)),
	0::bigint, 'company, industry, country and city agree');
SELECT is((SELECT count(*) FROM jobstream.job_posts p, unnest(p.required_skills) s
	WHERE NOT EXISTS (SELECT FROM jobstream.family_skills f WHERE f.family = p.job_category AND f.skill = s)), 0::bigint,
	'required skills come from the job family');
SELECT is((SELECT count(*) FROM jobstream.job_posts p, unnest(p.required_skills) s
	WHERE strpos(p.description, s) = 0), 0::bigint,
	'descriptions name every required skill');
SELECT ok((SELECT min(cardinality(required_skills)) >= 3 AND max(cardinality(required_skills)) <= 8 FROM jobstream.job_posts),
	'3 to 8 required skills per post');
SELECT is((SELECT count(*) FROM jobstream.job_posts p, unnest(p.certifications) c
	WHERE NOT EXISTS (SELECT FROM jobstream.certifications x WHERE x.family = p.job_category AND x.certification = c)), 0::bigint,
	'certifications come from the job family');
SELECT ok((SELECT min(cardinality(certifications)) = 0 AND max(cardinality(certifications)) = 5
		AND count(*) FILTER (WHERE cardinality(certifications) > 2) > 0.1 * count(*)
		AND bool_and(cardinality(certifications) = (SELECT count(DISTINCT x) FROM unnest(certifications) x))
	FROM jobstream.job_posts),
	'0 to 5 distinct certifications per post, like candidates');
SELECT ok((SELECT count(*) FILTER (WHERE n >= cardinality(required_skills) - cardinality(required_skills) / 3)
		= count(*) AND count(*) > 1000 FROM (
		SELECT p.required_skills, (SELECT count(*) FROM unnest(p.required_skills) s
			WHERE EXISTS (SELECT FROM jobstream.title_skills t WHERE t.title = p.job_title AND t.skill = s)) AS n
		FROM jobstream.job_posts p
		WHERE (SELECT count(*) FROM jobstream.title_skills t WHERE t.title = p.job_title) >= 8) x),
	'skills hang off titles: posts of a title with a skill list take two thirds of their skills from it');
SAVEPOINT title_skills;
DELETE FROM jobstream.title_skills WHERE title = 'Data Scientist';
INSERT INTO jobstream.title_skills (title, skill) VALUES ('Data Scientist', 'Rust'), ('Data Scientist', 'Go'),
	('Data Scientist', 'Kotlin');
SELECT ok((SELECT bool_and(required_skills && ARRAY['Rust', 'Go', 'Kotlin']) AND count(*) > 0
	FROM jobstream.generate_job_posts(3000, 1, '2025-01-01') WHERE job_title = 'Data Scientist'),
	'the generators follow changes to title_skills at once');
ROLLBACK TO SAVEPOINT title_skills;
SELECT ok((SELECT min(posted_date) >= date '2025-01-01' - 180 AND max(posted_date) <= date '2025-01-01'
		AND bool_and(deadline_date >= posted_date + 14) FROM jobstream.job_posts),
	'posted in the 180 days up to as_of, deadlines two weeks or more later');
SELECT is((SELECT md5(string_agg(g::text, '|')) FROM jobstream.generate_job_posts(300, 4) g),
	(SELECT md5(string_agg(g::text, '|')) FROM jobstream.generate_job_posts(300, 4, current_date) g),
	'without as_of, posts are those of as_of = current_date');
SELECT ok((SELECT count(*) FILTER (WHERE deadline_date >= current_date) > 0.2 * count(*)
		AND max(posted_date) <= current_date AND min(posted_date) >= current_date - 180
		FROM jobstream.generate_job_posts(2000, 4)),
	'by default posts are live: posted up to today, over a fifth still open');
SELECT is((SELECT md5(string_agg(g::text, '|')) FROM jobstream.generate_candidates(300, 4) g),
	(SELECT md5(string_agg(g::text, '|')) FROM jobstream.generate_candidates(300, 4, current_date) g),
	'without as_of, candidates are those of as_of = current_date');
SELECT is((SELECT provolatile FROM pg_proc WHERE oid = 'jobstream.generate_job_posts(bigint, bigint, date)'::regprocedure),
	's'::"char", 'generate_job_posts is STABLE (its default reads the date)');
SELECT throws_ok($$SELECT * FROM jobstream.generate_job_posts(1, 1, 'infinity')$$, '22023', NULL,
	'an infinite as_of is an error');
SELECT ok((SELECT min(posted_date) >= date '2030-06-01' - 180 AND max(posted_date) <= date '2030-06-01'
		FROM jobstream.generate_job_posts(1000, 1, '2030-06-01')),
	'as_of moves the posting dates');

-- Candidates ----------------------------------------------------------------
SELECT is((SELECT count(*) FROM jobstream.candidates WHERE graduation_year < birth_year + 18), 0::bigint,
	'graduation at 18 or later');
SELECT is((SELECT count(*) FROM jobstream.candidates c JOIN jobstream.education_levels e USING (education_level)
	WHERE c.graduation_year - c.birth_year < 18 + e.years_after_secondary), 0::bigint,
	'graduation age follows the years of study');
SELECT is((SELECT count(*) FROM jobstream.candidates
	WHERE years_experience > 2025 - graduation_year OR 2025 - birth_year NOT BETWEEN 18 AND 70), 0::bigint,
	'years of experience fit the time since graduation, ages 18-70');
SELECT is((SELECT count(*) FROM jobstream.candidates c JOIN jobstream.education_levels e USING (education_level)
	WHERE c.gpa NOT BETWEEN e.gpa_min AND e.gpa_max), 0::bigint, 'GPA lies in the range of the education level');
SELECT ok((SELECT bool_and(y > prev) FROM (
		SELECT y, lag(y, 1, -1::numeric) OVER (ORDER BY rank) AS prev FROM (
			SELECT l.rank, avg(c.years_experience) AS y
			FROM jobstream.candidates c JOIN jobstream.seniority_levels l ON l.level = c.experience_level
			GROUP BY l.rank) m) x),
	'average years of experience rise with seniority');
SELECT ok((SELECT bool_and(s > prev) FROM (
		SELECT s, lag(s, 1, 0::numeric) OVER (ORDER BY rank) AS prev FROM (
			SELECT l.rank, avg(c.expected_salary) AS s
			FROM jobstream.candidates c JOIN jobstream.seniority_levels l ON l.level = c.experience_level
			GROUP BY l.rank) m) x),
	'expected salaries rise with seniority');
SELECT is((SELECT count(*) FROM jobstream.candidates WHERE expected_salary < current_salary), 0::bigint,
	'expected salary is at least the current one');
SELECT ok((SELECT max(cardinality(certifications)) <= 5 FROM jobstream.candidates)
	AND (SELECT count(*) FROM jobstream.candidates c, unnest(c.certifications) x
		WHERE NOT EXISTS (SELECT FROM jobstream.certifications k WHERE k.family = c.job_category AND k.certification = x)) = 0,
	'0 to 5 certifications of the family sought');
SELECT ok((SELECT count(*) FILTER (WHERE f.skill IS NOT NULL)::numeric / count(*) > 0.9
	FROM jobstream.candidates c CROSS JOIN unnest(c.skills) s
	LEFT JOIN jobstream.family_skills f ON f.family = c.job_category AND f.skill = s),
	'over 90% of candidate skills belong to the family sought');
SELECT is((SELECT count(*) FROM jobstream.candidates c JOIN jobstream.countries k ON k.country = c.location_country
	WHERE c.location_city IS NOT NULL
		AND NOT EXISTS (SELECT FROM jobstream.cities ci WHERE ci.city = c.location_city AND ci.country_code = k.country_code)),
	0::bigint, 'candidates live in a city of their country');
SELECT ok((SELECT count(*) FILTER (WHERE gender = 'Female')::numeric / count(*) BETWEEN 0.45 AND 0.53 FROM jobstream.candidates),
	'about half the candidates are women');

-- Applications --------------------------------------------------------------
SELECT is((SELECT count(*) FROM jobstream.job_applications a
	WHERE NOT EXISTS (SELECT FROM jobstream.candidates c WHERE c.candidate_id = a.candidate_id)
		OR NOT EXISTS (SELECT FROM jobstream.job_posts p WHERE p.post_id = a.post_id)), 0::bigint,
	'applications link existing candidates and posts');
SELECT is((SELECT count(*) FROM jobstream.job_applications a JOIN jobstream.job_posts p USING (post_id)
	WHERE a.applied_at < p.posted_date + 1 OR a.applied_at >= p.deadline_date + 1), 0::bigint,
	'applications arrive after the posting day and by the deadline');
SELECT is((SELECT count(*) FROM jobstream.job_applications WHERE NOT (
		(compatibility_score >= 75 AND status IN ('Interview Scheduled', 'Applied'))
		OR (compatibility_score >= 60 AND compatibility_score < 75 AND status IN ('Applied', 'Under Review'))
		OR (compatibility_score >= 40 AND compatibility_score < 60 AND status IN ('Applied', 'Not a Fit'))
		OR (compatibility_score < 40 AND status IN ('Rejected', 'Not a Fit')))), 0::bigint,
	'statuses follow the score bands');
SELECT ok((SELECT count(DISTINCT width_bucket(compatibility_score, 0, 100, 10)) >= 6 FROM jobstream.job_applications),
	'scores spread over the range');
CREATE FUNCTION pg_temp.score_check() RETURNS SETOF text LANGUAGE plpgsql AS $$
BEGIN
	IF NOT EXISTS (SELECT FROM pg_catalog.pg_proc WHERE proname = 'compatibility_score'
			AND pronamespace = 'jobstream'::regnamespace
			AND proargtypes[0] = 'jobstream.candidates'::regtype) THEN
		RETURN NEXT skip('jobstream.compatibility_score is not installed', 1);
	ELSE
		RETURN QUERY EXECUTE $q$SELECT is((SELECT count(*) FROM jobstream.job_applications a
			JOIN jobstream.candidates c USING (candidate_id) JOIN jobstream.job_posts p USING (post_id)
			WHERE a.compatibility_score IS DISTINCT FROM jobstream.compatibility_score(c, p)), 0::bigint,
			'scores are those of jobstream.compatibility_score')$q$;
	END IF;
END
$$;
SELECT * FROM pg_temp.score_check();
SELECT is((SELECT count(*) FROM jobstream.job_applications a
	JOIN jobstream.candidates c USING (candidate_id) JOIN jobstream.job_posts p USING (post_id),
	LATERAL jobstream.score_breakdown(c, p) b
	WHERE (a.category_score, a.skills_score, a.experience_score, a.seniority_score, a.salary_score)
		IS DISTINCT FROM (b.category, b.skills, b.experience, b.seniority, b.salary)), 0::bigint,
	'applications carry the components of their score, as score_breakdown gives them');
SELECT is((SELECT count(*) FROM jobstream.generate_applications(50, 11) WHERE updated_at IS DISTINCT FROM applied_at),
	0::bigint, 'generated applications were last updated when they were made');
SELECT is((SELECT count(*) FROM jobstream.generate_applications(100, 9) g
	JOIN jobstream.job_applications a USING (candidate_id, post_id)), 0::bigint,
	'new applications never repeat a pair already in the table');
SELECT throws_ok($$SELECT * FROM jobstream.generate_applications(100000001)$$, '22023', NULL,
	'more applications than pairs is an error');

-- Tracking events -----------------------------------------------------------
SELECT ok((SELECT min(ts) >= '2025-01-06' AND max(ts) < '2025-02-03' FROM jobstream.tracking_events),
	'event times lie in [from_ts, to_ts)');
SELECT ok((SELECT count(*) FILTER (WHERE custom_track = 'click') > 10 * count(*) FILTER (WHERE custom_track = 'qualified')
		AND count(*) FILTER (WHERE custom_track = 'qualified') > count(*) FILTER (WHERE custom_track = 'conversion')
		AND count(*) FILTER (WHERE custom_track = 'conversion') > 0
	FROM jobstream.tracking_events), 'funnel: clicks >> qualified > conversions');
SELECT is((SELECT count(*) FROM jobstream.tracking_events e
	WHERE NOT EXISTS (SELECT FROM jobstream.job_posts p WHERE p.post_id = e.post_id)), 0::bigint,
	'events name existing posts');
SELECT is((SELECT count(*) FROM jobstream.tracking_events e JOIN jobstream.job_posts p USING (post_id)
	JOIN jobstream.companies c ON c.company = p.company WHERE c.company_id <> e.company_id), 0::bigint,
	'company_id is the post''s company');
SELECT ok((SELECT bool_and(a BETWEEN 0.75 * base_bid AND 1.45 * base_bid) FROM (
		SELECT p.base_bid, avg(e.bid) AS a FROM jobstream.tracking_events e
		JOIN jobstream.platforms p ON p.publisher_id = e.publisher_id GROUP BY p.base_bid) x),
	'bids lie around the publisher''s base bid');
SELECT ok((SELECT count(*) FILTER (WHERE extract(hour FROM ts AT TIME ZONE 'UTC') = 12)
		> 3 * count(*) FILTER (WHERE extract(hour FROM ts AT TIME ZONE 'UTC') = 3)
	FROM jobstream.tracking_events), 'more events at noon than at 3 am (UTC)');
SELECT ok((SELECT count(*) FILTER (WHERE extract(isodow FROM ts AT TIME ZONE 'UTC') = 2)
		> 1.5 * count(*) FILTER (WHERE extract(isodow FROM ts AT TIME ZONE 'UTC') = 7)
	FROM jobstream.tracking_events), 'more events on Tuesdays than on Sundays');

-- Users' reference rows -----------------------------------------------------
INSERT INTO jobstream.job_families (family, description) VALUES ('Circus Arts', 'Performing under canvas');
INSERT INTO jobstream.skills (skill, skill_group) VALUES ('Juggling', 'technical');
INSERT INTO jobstream.family_skills (family, skill) VALUES ('Circus Arts', 'Juggling');
INSERT INTO jobstream.job_titles (title, family, seniority, domain) VALUES ('Clown', 'Circus Arts', 'Mid', 'Ring Performance');
SELECT ok((SELECT count(*) > 0 AND bool_and(required_skills = '{Juggling}' AND strpos(description, 'Juggling') > 0
		AND job_title = 'Clown')
	FROM jobstream.generate_job_posts(3000, 11) WHERE job_category = 'Circus Arts'),
	'a family, title and skill that users add appear in generated posts');

SELECT * FROM finish();
ROLLBACK;
