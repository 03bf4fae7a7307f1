-- Every analytic is exactly right on a small hand-computed data set, the
-- rollups follow inserts, updates, deletes, late events and duplicates, and
-- a full rebuild of the rollups agrees with the incremental ones.
BEGIN;
SELECT plan(54);

TRUNCATE jobstream.job_posts, jobstream.candidates, jobstream.job_applications, jobstream.tracking_events;

INSERT INTO jobstream.job_posts (post_id, company, job_title, job_category, work_mode,
	employment_type, experience_level, location_country, location_city, required_skills,
	description, deadline_date) VALUES
('00000000-0000-0000-0000-0000000000b1'::uuid, 'Acme', 'Senior Data Engineer', 'Software Engineering', 'Remote',
	'Full-time', 'Senior', 'Germany', 'Berlin', '{Python, SQL , Python}',
	'We use Python and Kubernetes.', current_date + 10),
('00000000-0000-0000-0000-0000000000b2'::uuid, 'Acme', 'Data Engineer', 'Software Engineering', 'Hybrid',
	'Contract', 'Mid', 'Germany', 'Berlin', '{Python}', NULL, current_date - 1),
('00000000-0000-0000-0000-0000000000b3'::uuid, 'Globex', 'Marketing Associate', 'Marketing', 'Remote',
	'Full-time', 'Junior', 'France', 'Paris', '{SEO}', NULL, NULL);
UPDATE jobstream.job_posts SET work_mode = 'Remote' WHERE post_id = '00000000-0000-0000-0000-0000000000b2'::uuid;

INSERT INTO jobstream.candidates (candidate_id, full_name, education_level, expected_salary, skills) VALUES
('00000000-0000-0000-0000-0000000000c1'::uuid, 'Ada Lovelace', 'Bachelor''s Degree', 85000, '{Python, Go}'),
('00000000-0000-0000-0000-0000000000c2'::uuid, 'Grace Hopper', 'Master''s Degree', 92000, '{Python}'),
('00000000-0000-0000-0000-0000000000c3'::uuid, 'Alan Turing', 'Bachelor''s Degree', 15000, '{}');
DELETE FROM jobstream.candidates WHERE candidate_id = '00000000-0000-0000-0000-0000000000c3'::uuid;

INSERT INTO jobstream.job_applications (application_id, candidate_id, post_id, status, compatibility_score, applied_at) VALUES
('00000000-0000-0000-0000-0000000000a1'::uuid, '00000000-0000-0000-0000-0000000000c1'::uuid, '00000000-0000-0000-0000-0000000000b1'::uuid, 'Applied', 80.00, '2026-01-01 10:15+00'),
('00000000-0000-0000-0000-0000000000a2'::uuid, '00000000-0000-0000-0000-0000000000c2'::uuid, '00000000-0000-0000-0000-0000000000b1'::uuid, 'Applied', 60.00, '2026-01-01 10:45+00'),
('00000000-0000-0000-0000-0000000000a3'::uuid, '00000000-0000-0000-0000-0000000000c1'::uuid, '00000000-0000-0000-0000-0000000000b2'::uuid, 'Rejected', 35.50, '2026-01-01 13:05+00'),
('00000000-0000-0000-0000-0000000000a4'::uuid, '00000000-0000-0000-0000-0000000000c2'::uuid, '00000000-0000-0000-0000-0000000000b3'::uuid, 'Applied', 90.00, '2026-01-01 14:00+00');
UPDATE jobstream.job_applications SET status = 'Interview Scheduled'
WHERE application_id = '00000000-0000-0000-0000-0000000000a2'::uuid;

INSERT INTO jobstream.tracking_events VALUES
('00000000-0000-0000-0000-0000000000e1'::uuid, '2026-01-01 10:10+00', '00000000-0000-0000-0000-0000000000b1'::uuid, 10, 5, 7, 1, 'click', 1.00),
('00000000-0000-0000-0000-0000000000e2'::uuid, '2026-01-01 10:50+00', '00000000-0000-0000-0000-0000000000b1'::uuid, 10, 5, 7, 1, 'click', 2.00),
('00000000-0000-0000-0000-0000000000e3'::uuid, '2026-01-01 10:55+00', '00000000-0000-0000-0000-0000000000b1'::uuid, 10, 5, 7, 1, 'conversion', 0),
('00000000-0000-0000-0000-0000000000e4'::uuid, '2026-01-01 11:05+00', '00000000-0000-0000-0000-0000000000b1'::uuid, 10, 5, 7, 1, 'qualified', 0),
('00000000-0000-0000-0000-0000000000e5'::uuid, '2026-01-02 00:30+00', '00000000-0000-0000-0000-0000000000b2'::uuid, 11, 6, 8, 2, 'click', 0.50),
('00000000-0000-0000-0000-0000000000e6'::uuid, '2026-01-02 00:40+00', '00000000-0000-0000-0000-0000000000b2'::uuid, 11, 6, 8, 2, 'unqualified', 0);
-- a late event, in a later statement, and a duplicate that is not stored
INSERT INTO jobstream.tracking_events VALUES
('00000000-0000-0000-0000-0000000000e7'::uuid, '2026-01-01 10:20+00', '00000000-0000-0000-0000-0000000000b1'::uuid, 10, 5, 7, 1, 'click', 1.50),
('00000000-0000-0000-0000-0000000000e1'::uuid, '2026-01-01 10:10+00', '00000000-0000-0000-0000-0000000000b1'::uuid, 10, 5, 7, 1, 'click', 1.00)
ON CONFLICT DO NOTHING;

SELECT is(jobstream.refresh(), (SELECT count(*)::int FROM jobstream.refresh_state), 'refresh() refreshes every view');
SELECT is(jobstream.refresh(), 0, 'a second refresh() skips views whose rollups did not change');
SELECT is(jobstream.refresh(force => true), (SELECT count(*)::int FROM jobstream.refresh_state), 'force refreshes them all');
SELECT is((SELECT count(*) FROM jobstream.refresh_stats WHERE stale OR refreshes < 2), 0::bigint,
	'refresh_stats shows every view fresh');

SELECT results_eq('SELECT applications, active_posts, posts, candidates, average_score FROM jobstream.market_kpis',
	$$VALUES (4::bigint, 2::bigint, 3::bigint, 2::bigint, 66.38)$$, 'market KPIs');
SELECT results_eq('SELECT hour, applications, average_score FROM jobstream.applications_per_hour ORDER BY hour',
	$$VALUES ('2026-01-01 10:00+00'::timestamptz, 2::bigint, 70.00), ('2026-01-01 13:00+00', 1, 35.50),
	('2026-01-01 14:00+00', 1, 90.00)$$, 'applications per hour');
SELECT results_eq('SELECT bucket, applications, average_score FROM jobstream.applications_per_3_hours ORDER BY bucket',
	$$VALUES ('2026-01-01 09:00+00'::timestamptz, 2::bigint, 70.00), ('2026-01-01 12:00+00', 2, 62.75)$$,
	'applications per 3-hour bucket');
SELECT results_eq('SELECT bucket_start, applications FROM jobstream.score_histogram WHERE applications > 0 ORDER BY 1',
	$$VALUES (30, 1::bigint), (60, 1), (80, 1), (90, 1)$$, 'score histogram');
SELECT is((SELECT count(*) FROM jobstream.score_histogram), 10::bigint, 'the histogram has all ten buckets');
SELECT results_eq($$SELECT status, applications, average_score, score_min, score_q1, score_median, score_q3, score_max
	FROM jobstream.status_breakdown WHERE applications > 0 ORDER BY status$$,
	$$VALUES ('Applied'::text, 2::bigint, 85.00, 80.00, 82.50, 85.00, 87.50, 90.00),
	('Interview Scheduled', 1, 60.00, 60.00, 60.00, 60.00, 60.00, 60.00),
	('Rejected', 1, 35.50, 35.50, 35.50, 35.50, 35.50, 35.50)$$,
	'status breakdown with min, quartiles and max');
SELECT results_eq($$SELECT status, score_q1, score_median, score_q3 FROM jobstream.status_breakdown
	WHERE applications > 0 ORDER BY status$$,
	$$SELECT status, round(percentile_cont(0.25) WITHIN GROUP (ORDER BY compatibility_score)::numeric, 2),
		round(percentile_cont(0.5) WITHIN GROUP (ORDER BY compatibility_score)::numeric, 2),
		round(percentile_cont(0.75) WITHIN GROUP (ORDER BY compatibility_score)::numeric, 2)
	FROM jobstream.job_applications GROUP BY status ORDER BY status$$,
	'quartiles equal percentile_cont over the raw rows');
SELECT results_eq('SELECT work_mode, posts FROM jobstream.work_mode_breakdown ORDER BY 1',
	$$VALUES ('Remote'::text, 3::bigint)$$, 'an updated post moves between work modes');
SELECT results_eq('SELECT employment_type, posts FROM jobstream.employment_type_breakdown ORDER BY 1',
	$$VALUES ('Contract'::text, 1::bigint), ('Full-time', 2)$$, 'employment types');
SELECT results_eq('SELECT category, posts, candidates FROM jobstream.top_categories WHERE rank <= 2 ORDER BY rank',
	$$VALUES ('Software Engineering'::text, 2::bigint, 0::bigint), ('Marketing', 1, 0)$$, 'top categories');
SELECT results_eq('SELECT education_level, candidates FROM jobstream.candidates_by_education ORDER BY rank',
	$$VALUES ('Bachelor''s Degree'::text, 1::bigint), ('Master''s Degree', 1)$$,
	'a deleted candidate leaves the education counts');
SELECT results_eq('SELECT bucket_start, candidates FROM jobstream.expected_salary_histogram ORDER BY 1',
	$$VALUES (80000::bigint, 1::bigint), (90000, 1)$$, 'expected salary histogram');
SELECT results_eq('SELECT country, country_code, posts, latitude, longitude FROM jobstream.posts_by_country ORDER BY 1',
	$$VALUES ('France'::text, 'FR'::text, 1::bigint, 48.85341::float8, 2.3488::float8),
	('Germany', 'DE', 2, 52.52437, 13.41053)$$, 'posts by country with map coordinates');
SELECT results_eq('SELECT city, country, posts, latitude, longitude FROM jobstream.posts_by_city ORDER BY 1',
	$$VALUES ('Berlin'::text, 'Germany'::text, 2::bigint, 52.52437::float8, 13.41053::float8),
	('Paris', 'France', 1, 48.85341, 2.3488)$$, 'posts by city with coordinates');
SELECT results_eq($$SELECT skill, posts FROM jobstream.skill_demand WHERE source = 'required' ORDER BY 1$$,
	$$VALUES ('Python'::text, 2::bigint), ('SEO', 1), ('SQL', 1)$$,
	'required-skill demand counts a post once per skill, blanks trimmed');
SELECT results_eq($$SELECT skill, posts FROM jobstream.skill_demand WHERE source = 'description' ORDER BY 1$$,
	$$SELECT x, 1::bigint FROM unnest(jobstream.extract_skills('We use Python and Kubernetes.')) x ORDER BY 1$$,
	'description demand comes from extract_skills');
SELECT results_eq('SELECT country, skill, posts, required, described FROM jobstream.skill_demand_by_country ORDER BY 1, 2',
	$$VALUES ('France'::text, 'SEO'::text, 1::bigint, 1::bigint, 0::bigint), ('Germany', 'Kubernetes', 1, 0, 1),
	('Germany', 'Python', 2, 2, 1), ('Germany', 'SQL', 1, 1, 0)$$,
	'skill demand by country counts skills required or found in the description');
SELECT results_eq($$SELECT region, country_code, latitude, longitude FROM jobstream.skill_demand_by_country
	WHERE skill = 'Python'$$,
	$$VALUES ('Europe'::text, 'DE'::text, 52.52437::float8, 13.41053::float8)$$,
	'skill demand by country is map-ready: region, country code and coordinates');
SELECT results_eq('SELECT region, skill, posts, required, described FROM jobstream.skill_demand_by_region ORDER BY 1, 2',
	$$VALUES ('Europe'::text, 'Kubernetes'::text, 1::bigint, 0::bigint, 1::bigint), ('Europe', 'Python', 2, 2, 1),
	('Europe', 'SEO', 1, 1, 0), ('Europe', 'SQL', 1, 1, 0)$$,
	'skill demand by region');
SELECT results_eq('SELECT skill, candidates, posts FROM jobstream.skill_supply_demand ORDER BY 1',
	$$VALUES ('Go'::text, 1::bigint, 0::bigint), ('Python', 2, 2), ('SEO', 0, 1), ('SQL', 0, 1)$$,
	'skill supply versus demand');
SELECT results_eq('SELECT application_id, candidate, job_title FROM jobstream.latest_applications',
	$$VALUES ('00000000-0000-0000-0000-0000000000a4'::uuid, 'Grace Hopper'::text, 'Marketing Associate'::text),
	('00000000-0000-0000-0000-0000000000a3'::uuid, 'Ada Lovelace', 'Data Engineer'),
	('00000000-0000-0000-0000-0000000000a2'::uuid, 'Grace Hopper', 'Senior Data Engineer'),
	('00000000-0000-0000-0000-0000000000a1'::uuid, 'Ada Lovelace', 'Senior Data Engineer')$$,
	'latest applications, newest first');
UPDATE jobstream.job_applications SET category_score = 30, skills_score = 20, experience_score = 20,
	seniority_score = 5, salary_score = 5 WHERE application_id = '00000000-0000-0000-0000-0000000000a1'::uuid;
SELECT results_eq($$SELECT compatibility_score, category_score, skills_score, experience_score, seniority_score, salary_score
	FROM jobstream.latest_applications WHERE application_id IN ('00000000-0000-0000-0000-0000000000a1', '00000000-0000-0000-0000-0000000000a4')
	ORDER BY applied_at$$,
	$$VALUES (80.00::numeric, 30.00::numeric, 20.00::numeric, 20.00::numeric, 5.00::numeric, 5.00::numeric),
	(90.00, NULL, NULL, NULL, NULL, NULL)$$,
	'latest applications show the components of the score (why this match), NULL where not given');

SELECT results_eq($$SELECT job_id, date, hour, publisher, campaign_id, group_id, company_id, clicks, spend,
	bid_set, conversions, qualified_application, unqualified_application, cpc
	FROM jobstream.campaign_performance ORDER BY date, hour, job_id$$,
	$$VALUES
	('00000000-0000-0000-0000-0000000000b1'::uuid, '2026-01-01'::date, 10::smallint, 'LinkedIn'::text, 5, 7, 10, 3::bigint, 4.50::numeric, 1.5000::numeric, 1::bigint, 0::bigint, 0::bigint, 1.5000::numeric),
	('00000000-0000-0000-0000-0000000000b1'::uuid, '2026-01-01', 11::smallint, 'LinkedIn', 5, 7, 10, 0, 0, NULL, 0, 1, 0, NULL),
	('00000000-0000-0000-0000-0000000000b2'::uuid, '2026-01-02', 0::smallint, 'Indeed', 6, 8, 11, 1, 0.50, 0.5000, 0, 0, 1, 0.5000)$$,
	'the campaign table, with the late event in its own hour and the duplicate not counted');
SELECT results_eq('SELECT hour, events, clicks, spend, conversions, qualified, unqualified FROM jobstream.campaign_per_hour ORDER BY hour',
	$$VALUES ('2026-01-01 10:00+00'::timestamptz, 4::bigint, 3::bigint, 4.50::numeric, 1::bigint, 0::bigint, 0::bigint),
	('2026-01-01 11:00+00', 1, 0, 0, 0, 1, 0), ('2026-01-02 00:00+00', 2, 1, 0.50, 0, 0, 1)$$,
	'campaign events per hour');
SELECT results_eq('SELECT jobs, clicks, spend, conversions, qualified, unqualified FROM jobstream.campaign_kpis',
	$$VALUES (2::bigint, 4::bigint, 5.00::numeric, 1::bigint, 1::bigint, 1::bigint)$$, 'campaign KPIs');
SELECT results_eq($$SELECT date, qualified_share, unqualified_share, qualified_per_click, unqualified_per_click
	FROM jobstream.campaign_daily_rates ORDER BY 1$$,
	$$VALUES ('2026-01-01'::date, 1.0000, 0.0000, 0.3333, 0.0000), ('2026-01-02', 0.0000, 1.0000, 0.0000, 1.0000)$$,
	'daily qualified and unqualified shares of applicants, and the per-click rates');
SELECT results_eq('SELECT job_id, clicks, rank FROM jobstream.top_jobs_by_clicks ORDER BY rank',
	$$VALUES ('00000000-0000-0000-0000-0000000000b1'::uuid, 3::bigint, 1::bigint),
	('00000000-0000-0000-0000-0000000000b2'::uuid, 1, 2)$$, 'top jobs by clicks');
SELECT results_eq('SELECT publisher, clicks, spend, cpc, conversion_rate FROM jobstream.publisher_efficiency ORDER BY publisher_id',
	$$VALUES ('LinkedIn'::text, 3::bigint, 4.50::numeric, 1.5000::numeric, 0.3333::numeric),
	('Indeed', 1, 0.50, 0.5000, 0.0000)$$, 'publisher efficiency');

-- Rebuilding from the raw rows gives the same rollups (summed over slices).
CREATE TEMP TABLE before_rebuild AS
SELECT 'ch' AS r, row(event_date, event_hour, post_id, publisher_id, campaign_id, group_id)::text AS k,
	sum(clicks)::text || '/' || sum(spend) || '/' || sum(conversions) || '/' || sum(qualified) || '/' || sum(unqualified) AS v
FROM jobstream.campaign_hourly GROUP BY 1, 2
UNION ALL SELECT 'pf', row(job_category, work_mode, employment_type, experience_level)::text, sum(posts)::text
	FROM jobstream.post_facet_counts GROUP BY 1, 2 HAVING sum(posts) <> 0
UNION ALL SELECT 'pl', row(country, city)::text, sum(posts)::text FROM jobstream.post_location_counts GROUP BY 1, 2 HAVING sum(posts) <> 0
UNION ALL SELECT 'pd', deadline_date::text, sum(posts)::text FROM jobstream.post_deadline_counts GROUP BY 1, 2 HAVING sum(posts) <> 0
UNION ALL SELECT 'ps', row(country, skill)::text, sum(posts) || '/' || sum(required) || '/' || sum(described)
	FROM jobstream.post_skill_counts GROUP BY 1, 2 HAVING sum(posts) <> 0 OR sum(required) <> 0 OR sum(described) <> 0
UNION ALL SELECT 'cf', row(job_category, education_level, experience_level)::text, sum(candidates)::text
	FROM jobstream.candidate_facet_counts GROUP BY 1, 2 HAVING sum(candidates) <> 0
UNION ALL SELECT 'cb', band_start::text, sum(candidates)::text FROM jobstream.candidate_salary_counts GROUP BY 1, 2 HAVING sum(candidates) <> 0
UNION ALL SELECT 'ck', skill, sum(candidates)::text FROM jobstream.candidate_skill_counts GROUP BY 1, 2 HAVING sum(candidates) <> 0
UNION ALL SELECT 'as', status || ':' || score, sum(applications)::text FROM jobstream.application_scores GROUP BY 1, 2 HAVING sum(applications) <> 0;
SELECT lives_ok('SELECT jobstream.rebuild_rollups()', 'rollups rebuild from the raw tables');
SELECT set_eq($$
SELECT 'ch' AS r, row(event_date, event_hour, post_id, publisher_id, campaign_id, group_id)::text AS k,
	sum(clicks)::text || '/' || sum(spend) || '/' || sum(conversions) || '/' || sum(qualified) || '/' || sum(unqualified) AS v
FROM jobstream.campaign_hourly GROUP BY 1, 2
UNION ALL SELECT 'pf', row(job_category, work_mode, employment_type, experience_level)::text, sum(posts)::text
	FROM jobstream.post_facet_counts GROUP BY 1, 2 HAVING sum(posts) <> 0
UNION ALL SELECT 'pl', row(country, city)::text, sum(posts)::text FROM jobstream.post_location_counts GROUP BY 1, 2 HAVING sum(posts) <> 0
UNION ALL SELECT 'pd', deadline_date::text, sum(posts)::text FROM jobstream.post_deadline_counts GROUP BY 1, 2 HAVING sum(posts) <> 0
UNION ALL SELECT 'ps', row(country, skill)::text, sum(posts) || '/' || sum(required) || '/' || sum(described)
	FROM jobstream.post_skill_counts GROUP BY 1, 2 HAVING sum(posts) <> 0 OR sum(required) <> 0 OR sum(described) <> 0
UNION ALL SELECT 'cf', row(job_category, education_level, experience_level)::text, sum(candidates)::text
	FROM jobstream.candidate_facet_counts GROUP BY 1, 2 HAVING sum(candidates) <> 0
UNION ALL SELECT 'cb', band_start::text, sum(candidates)::text FROM jobstream.candidate_salary_counts GROUP BY 1, 2 HAVING sum(candidates) <> 0
UNION ALL SELECT 'ck', skill, sum(candidates)::text FROM jobstream.candidate_skill_counts GROUP BY 1, 2 HAVING sum(candidates) <> 0
UNION ALL SELECT 'as', status || ':' || score, sum(applications)::text FROM jobstream.application_scores GROUP BY 1, 2 HAVING sum(applications) <> 0
$$, 'SELECT * FROM before_rebuild', 'incremental rollups equal rebuilt ones');

-- Partitions: a UTC day each by default; moving rows out of the default
-- partition does not count them again; rows written straight into a
-- partition are counted once.
SELECT is(jobstream.create_tracking_partitions('2026-01-01 00:00+00', '2026-01-31 23:00+00'), 31,
	'one partition per UTC day is created');
SELECT results_eq($$SELECT tableoid::regclass::text, count(*) FROM jobstream.tracking_events GROUP BY 1 ORDER BY 1$$,
	$$VALUES ('jobstream.tracking_events_20260101'::text, 5::bigint), ('jobstream.tracking_events_20260102', 2)$$,
	'its rows moved out of the default partition into their days');
INSERT INTO jobstream.tracking_events_20260101 VALUES
('00000000-0000-0000-0000-0000000000e8'::uuid, '2026-01-01 10:30+00', '00000000-0000-0000-0000-0000000000b1'::uuid, 10, 5, 7, 1, 'click', 0.25);
SELECT results_eq('SELECT sum(clicks)::int, sum(spend) FROM jobstream.campaign_hourly',
	$$VALUES (5, 5.25)$$, 'moved rows are not counted twice and direct partition inserts count once');
-- the same event again (same event_id and ts), straight into its
-- partition and through the parent: stored and counted once
INSERT INTO jobstream.tracking_events_20260101 VALUES
('00000000-0000-0000-0000-0000000000e8'::uuid, '2026-01-01 10:30+00', '00000000-0000-0000-0000-0000000000b1'::uuid, 10, 5, 7, 1, 'click', 0.25)
ON CONFLICT DO NOTHING;
INSERT INTO jobstream.tracking_events VALUES
('00000000-0000-0000-0000-0000000000e8'::uuid, '2026-01-01 10:30+00', '00000000-0000-0000-0000-0000000000b1'::uuid, 10, 5, 7, 1, 'click', 0.25)
ON CONFLICT DO NOTHING;
SELECT results_eq('SELECT sum(clicks)::int, sum(spend) FROM jobstream.campaign_hourly',
	$$VALUES (5, 5.25)$$, 're-sent events are neither stored nor counted again');
SELECT col_is_pk('jobstream', 'tracking_events', ARRAY['ts', 'event_id'],
	'tracking_events is keyed in time order, (ts, event_id)');

-- Another interval; partitions that exist, or a hand-made one in the way,
-- are kept, and the new ones fill the gaps exactly.
SET LOCAL jobstream.tracking_partition_interval = '6h';
CREATE TABLE jobstream.tracking_events_by_hand PARTITION OF jobstream.tracking_events
	FOR VALUES FROM ('2026-02-01 03:00+00') TO ('2026-02-01 04:00+00');
SELECT is(jobstream.create_tracking_partitions('2026-01-31 12:00+00', '2026-02-01 13:00+00'), 4,
	'6-hour partitions fill the gaps around the partitions that exist');
SELECT results_eq($$SELECT partition::text, lower, upper FROM jobstream.tracking_partition_ranges()
	WHERE lower >= '2026-01-31' ORDER BY lower$$,
	$$VALUES ('jobstream.tracking_events_20260131'::text, '2026-01-31 00:00+00'::timestamptz, '2026-02-01 00:00+00'::timestamptz),
	('jobstream.tracking_events_20260201_0000', '2026-02-01 00:00+00', '2026-02-01 03:00+00'),
	('jobstream.tracking_events_by_hand', '2026-02-01 03:00+00', '2026-02-01 04:00+00'),
	('jobstream.tracking_events_20260201_0400', '2026-02-01 04:00+00', '2026-02-01 06:00+00'),
	('jobstream.tracking_events_20260201_0600', '2026-02-01 06:00+00', '2026-02-01 12:00+00'),
	('jobstream.tracking_events_20260201_1200', '2026-02-01 12:00+00', '2026-02-01 18:00+00')$$,
	'the partitions are contiguous and aligned');
SELECT throws_ok($$SET LOCAL jobstream.tracking_partition_interval = '30min'$$, '22023', NULL,
	'a partition interval under an hour is refused');
RESET jobstream.tracking_partition_interval;

-- The rollup trigger writes the rollups for whoever inserts, for
-- tracking_events and its partitions only, and nobody may call it.
SELECT is(has_function_privilege('public', 'jobstream.rollup_tracking_events()', 'EXECUTE'), false,
	'PUBLIC may not execute the rollup trigger function');
SET LOCAL ROLE jobstream_writer;
INSERT INTO jobstream.tracking_events VALUES
('00000000-0000-0000-0000-0000000000e9'::uuid, '2026-01-02 00:45+00', '00000000-0000-0000-0000-0000000000b2'::uuid, 11, 6, 8, 2, 'click', 0.75);
RESET ROLE;
SELECT results_eq('SELECT sum(clicks)::int, sum(spend) FROM jobstream.campaign_hourly',
	$$VALUES (6, 6.00)$$, 'a writer''s insert reaches the rollups through the trigger');
CREATE TABLE public.not_events (LIKE jobstream.tracking_events);
CREATE TRIGGER steal AFTER INSERT ON public.not_events REFERENCING NEW TABLE AS new_events
	FOR EACH STATEMENT EXECUTE FUNCTION jobstream.rollup_tracking_events();
SELECT throws_ok($$INSERT INTO public.not_events VALUES
	('00000000-0000-0000-0000-0000000000f1'::uuid, '2026-01-02 00:45+00', '00000000-0000-0000-0000-0000000000b2'::uuid, 11, 6, 8, 2, 'click', 1000)$$,
	'42501', NULL, 'the rollup trigger refuses to count rows of another table');
SELECT results_eq('SELECT sum(clicks)::int, sum(spend) FROM jobstream.campaign_hourly',
	$$VALUES (6, 6.00)$$, 'and the rollups stay as they were');
CREATE TRIGGER per_row AFTER INSERT ON jobstream.tracking_events_20260110
	FOR EACH ROW EXECUTE FUNCTION jobstream.rollup_tracking_events();
SELECT throws_ok($$INSERT INTO jobstream.tracking_events_20260110 VALUES
	('00000000-0000-0000-0000-0000000000f2'::uuid, '2026-01-10 00:45+00', '00000000-0000-0000-0000-0000000000b2'::uuid, 11, 6, 8, 2, 'click', 1)$$,
	'39P01', NULL, 'the rollup trigger refuses to run as a row trigger');
DROP TRIGGER per_row ON jobstream.tracking_events_20260110;
SELECT throws_ok($$INSERT INTO jobstream.tracking_events VALUES
	('00000000-0000-0000-0000-0000000000f3'::uuid, 'infinity', '00000000-0000-0000-0000-0000000000b2'::uuid, 11, 6, 8, 2, 'click', 1)$$,
	'22008', NULL, 'an event at infinity cannot be bucketed and is refused with its rollups');

-- TRUNCATE empties the rollups too.
TRUNCATE jobstream.tracking_events;
SELECT is((SELECT count(*) FROM jobstream.campaign_hourly) + (SELECT count(*) FROM jobstream.campaign_daily)
	+ (SELECT count(*) FROM jobstream.campaign_posts), 0::bigint, 'truncating events empties their rollups');

-- Privileges: the reader reads every analytics object and nothing else.
SELECT is((SELECT count(*) FROM pg_class c
	WHERE c.relnamespace = 'jobstream'::regnamespace AND c.relkind IN ('v', 'm')
	AND NOT has_table_privilege('jobstream_reader', c.oid, 'SELECT')
	AND c.relname NOT IN ('source_list', 'source_stats', 'workers', 'match_stats')), 0::bigint,
	'the reader reads every analytics view');
SELECT is((SELECT count(*) FROM pg_class c
	WHERE c.relnamespace = 'jobstream'::regnamespace AND c.relkind IN ('r', 'p')
	AND has_table_privilege('jobstream_reader', c.oid, 'SELECT')), 0::bigint,
	'the reader reads no table');
SET LOCAL ROLE jobstream_reader;
SELECT lives_ok('SELECT * FROM jobstream.campaign_performance', 'the reader reads the campaign table');
SELECT throws_ok('SELECT * FROM jobstream.campaign_hourly', '42501', NULL, 'the reader cannot read rollups directly');
RESET ROLE;
SELECT throws_ok($$SELECT jobstream.refresh('jobstream.job_posts'::regclass)$$, '22023', NULL,
	'refresh() rejects what is not an analytics view');

SELECT * FROM finish();
ROLLBACK;
