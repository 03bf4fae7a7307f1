-- The analytics the dashboards read (DESIGN.md, "Analytics").
--
-- Materialized views sit on the rollups of 60_analytics.sql and each has a
-- unique index, so jobstream.refresh() and the refresher worker use REFRESH
-- ... CONCURRENTLY and readers never wait.  Their definitions read only the
-- rollups and reference tables, apart from current_date in the active-post
-- count, so a refresh costs the same whatever the history.

-- Job market ----------------------------------------------------------------

CREATE MATERIALIZED VIEW jobstream.market_kpis AS
SELECT 1 AS id,
	coalesce((SELECT sum(applications) FROM jobstream.application_hourly), 0)::bigint AS applications,
	coalesce((SELECT sum(posts) FROM jobstream.post_counts
		WHERE dimension = 'deadline' AND (value = 'none' OR value::date >= current_date)), 0)::bigint AS active_posts,
	coalesce((SELECT sum(posts) FROM jobstream.post_counts WHERE dimension = 'total'), 0)::bigint AS posts,
	coalesce((SELECT sum(candidates) FROM jobstream.candidate_counts WHERE dimension = 'total'), 0)::bigint AS candidates,
	(SELECT round(sum(score_sum) / nullif(sum(scored), 0), 2) FROM jobstream.application_hourly) AS average_score;
CREATE UNIQUE INDEX ON jobstream.market_kpis (id);
COMMENT ON MATERIALIZED VIEW jobstream.market_kpis IS 'Headline figures: applications, active posts (deadline today or later, or none), posts, candidates, average compatibility score';

CREATE MATERIALIZED VIEW jobstream.applications_per_hour AS
SELECT hour, sum(applications)::bigint AS applications,
	round(sum(score_sum) / nullif(sum(scored), 0), 2) AS average_score
FROM jobstream.application_hourly
GROUP BY hour
HAVING sum(applications) <> 0;
CREATE UNIQUE INDEX ON jobstream.applications_per_hour (hour);
COMMENT ON MATERIALIZED VIEW jobstream.applications_per_hour IS 'Applications per UTC hour of applied_at, with their average score';

CREATE MATERIALIZED VIEW jobstream.applications_per_3_hours AS
SELECT date_trunc('day', hour AT TIME ZONE 'UTC') AT TIME ZONE 'UTC'
		+ (extract(hour FROM hour AT TIME ZONE 'UTC')::int / 3) * interval '3 hours' AS bucket,
	sum(applications)::bigint AS applications,
	round(sum(score_sum) / nullif(sum(scored), 0), 2) AS average_score
FROM jobstream.application_hourly
GROUP BY 1
HAVING sum(applications) <> 0;
CREATE UNIQUE INDEX ON jobstream.applications_per_3_hours (bucket);
COMMENT ON MATERIALIZED VIEW jobstream.applications_per_3_hours IS 'Applications per 3-hour UTC bucket (00-03, 03-06, ...) of applied_at';

CREATE MATERIALIZED VIEW jobstream.top_categories AS
SELECT f.family AS category,
	coalesce(p.posts, 0)::bigint AS posts,
	coalesce(c.candidates, 0)::bigint AS candidates,
	rank() OVER (ORDER BY coalesce(p.posts, 0) DESC, f.family) AS rank
FROM jobstream.job_families f
LEFT JOIN (SELECT value, sum(posts) AS posts FROM jobstream.post_counts
	WHERE dimension = 'category' GROUP BY value) p ON p.value = f.family
LEFT JOIN (SELECT value, sum(candidates) AS candidates FROM jobstream.candidate_counts
	WHERE dimension = 'category' GROUP BY value) c ON c.value = f.family;
CREATE UNIQUE INDEX ON jobstream.top_categories (category);
COMMENT ON MATERIALIZED VIEW jobstream.top_categories IS 'Job families ranked by posts, with the candidates who seek each';

CREATE MATERIALIZED VIEW jobstream.score_histogram AS
SELECT b.bucket_start, b.bucket_start + 10 AS bucket_end,
	coalesce(sum(s.applications), 0)::bigint AS applications
FROM generate_series(0, 90, 10) AS b(bucket_start)
LEFT JOIN jobstream.application_scores s
	ON s.score >= 0 AND least(floor(s.score / 10) * 10, 90) = b.bucket_start
GROUP BY b.bucket_start;
CREATE UNIQUE INDEX ON jobstream.score_histogram (bucket_start);
COMMENT ON MATERIALIZED VIEW jobstream.score_histogram IS 'Compatibility scores in 10-point buckets [0,10) ... [90,100]';

-- Quartiles are exact: the rollup keeps every distinct score with its count,
-- and percentile_cont's interpolation is done on the cumulative counts.
CREATE MATERIALIZED VIEW jobstream.status_breakdown AS
WITH s AS (
	SELECT status, score, sum(applications) AS n
	FROM jobstream.application_scores
	GROUP BY status, score
	HAVING sum(applications) > 0
), scored AS (
	SELECT status, score, n,
		sum(n) OVER (PARTITION BY status ORDER BY score) - n AS below,
		sum(n) OVER (PARTITION BY status) AS total
	FROM s WHERE score >= 0
), q AS (
	-- the value at 0-based position pos in the sorted scores of a status
	SELECT sc.status, p.frac,
		(SELECT score FROM scored x WHERE x.status = sc.status
			AND x.below <= floor((sc.total - 1) * p.frac) AND floor((sc.total - 1) * p.frac) < x.below + x.n) AS lo,
		(SELECT score FROM scored x WHERE x.status = sc.status
			AND x.below <= ceil((sc.total - 1) * p.frac) AND ceil((sc.total - 1) * p.frac) < x.below + x.n) AS hi,
		(sc.total - 1) * p.frac - floor((sc.total - 1) * p.frac) AS w
	FROM (SELECT DISTINCT status, total FROM scored) sc,
		(VALUES (0.25), (0.5), (0.75)) AS p(frac)
)
SELECT st.status, st.ordinal,
	coalesce((SELECT sum(n) FROM s WHERE s.status = st.status), 0)::bigint AS applications,
	(SELECT round(sum(score * n) / nullif(sum(n), 0), 2) FROM s WHERE s.status = st.status AND score >= 0) AS average_score,
	(SELECT round(lo + (hi - lo) * w, 2) FROM q WHERE q.status = st.status AND frac = 0.25) AS score_q1,
	(SELECT round(lo + (hi - lo) * w, 2) FROM q WHERE q.status = st.status AND frac = 0.5) AS score_median,
	(SELECT round(lo + (hi - lo) * w, 2) FROM q WHERE q.status = st.status AND frac = 0.75) AS score_q3
FROM (SELECT status, ordinal FROM jobstream.application_statuses
	UNION SELECT status, NULL FROM s WHERE status NOT IN (SELECT status FROM jobstream.application_statuses)) st;
CREATE UNIQUE INDEX ON jobstream.status_breakdown (status);
COMMENT ON MATERIALIZED VIEW jobstream.status_breakdown IS 'Applications per status with average score and exact score quartiles (as percentile_cont)';

CREATE MATERIALIZED VIEW jobstream.posts_by_dimension AS
SELECT dimension, value, sum(posts)::bigint AS posts
FROM jobstream.post_counts
WHERE dimension IN ('category', 'work_mode', 'employment_type', 'experience_level')
GROUP BY dimension, value
HAVING sum(posts) > 0;
CREATE UNIQUE INDEX ON jobstream.posts_by_dimension (dimension, value);
COMMENT ON MATERIALIZED VIEW jobstream.posts_by_dimension IS 'Posts per category, work mode, employment type and experience level';

CREATE VIEW jobstream.work_mode_breakdown AS
SELECT value AS work_mode, posts FROM jobstream.posts_by_dimension WHERE dimension = 'work_mode';
COMMENT ON VIEW jobstream.work_mode_breakdown IS 'Posts per work mode';
CREATE VIEW jobstream.employment_type_breakdown AS
SELECT value AS employment_type, posts FROM jobstream.posts_by_dimension WHERE dimension = 'employment_type';
COMMENT ON VIEW jobstream.employment_type_breakdown IS 'Posts per employment type';

CREATE MATERIALIZED VIEW jobstream.candidates_by_education AS
SELECT c.value AS education_level, e.rank, sum(c.candidates)::bigint AS candidates
FROM jobstream.candidate_counts c
LEFT JOIN jobstream.education_levels e ON e.education_level = c.value
WHERE c.dimension = 'education'
GROUP BY c.value, e.rank
HAVING sum(c.candidates) > 0;
CREATE UNIQUE INDEX ON jobstream.candidates_by_education (education_level);
COMMENT ON MATERIALIZED VIEW jobstream.candidates_by_education IS 'Candidates per education level, with the level''s rank for ordering';

CREATE MATERIALIZED VIEW jobstream.expected_salary_histogram AS
SELECT value::bigint AS bucket_start, value::bigint + 10000 AS bucket_end,
	sum(candidates)::bigint AS candidates
FROM jobstream.candidate_counts
WHERE dimension = 'expected_salary' AND value <> '(unknown)'
GROUP BY value
HAVING sum(candidates) > 0;
CREATE UNIQUE INDEX ON jobstream.expected_salary_histogram (bucket_start);
COMMENT ON MATERIALIZED VIEW jobstream.expected_salary_histogram IS 'Candidates per 10,000 band of expected salary';

CREATE MATERIALIZED VIEW jobstream.posts_by_country AS
SELECT p.value AS country, c.country_code, sum(p.posts)::bigint AS posts,
	avg(ci.latitude) AS latitude, avg(ci.longitude) AS longitude
FROM jobstream.post_counts p
LEFT JOIN jobstream.countries c ON c.country = p.value
LEFT JOIN LATERAL (SELECT latitude, longitude FROM jobstream.cities
	WHERE country_code = c.country_code ORDER BY population DESC NULLS LAST LIMIT 1) ci ON true
WHERE p.dimension = 'country'
GROUP BY p.value, c.country_code
HAVING sum(p.posts) > 0;
CREATE UNIQUE INDEX ON jobstream.posts_by_country (country);
COMMENT ON MATERIALIZED VIEW jobstream.posts_by_country IS 'Posts per country, with the coordinates of its largest city for a map';

CREATE MATERIALIZED VIEW jobstream.posts_by_city AS
SELECT split_part(p.value, '|', 1) AS city, split_part(p.value, '|', 2) AS country,
	ci.latitude, ci.longitude, sum(p.posts)::bigint AS posts
FROM jobstream.post_counts p
LEFT JOIN jobstream.countries c ON c.country = split_part(p.value, '|', 2)
LEFT JOIN jobstream.cities ci ON ci.city = split_part(p.value, '|', 1) AND ci.country_code = c.country_code
WHERE p.dimension = 'city'
GROUP BY p.value, ci.latitude, ci.longitude
HAVING sum(p.posts) > 0;
CREATE UNIQUE INDEX ON jobstream.posts_by_city (city, country);
COMMENT ON MATERIALIZED VIEW jobstream.posts_by_city IS 'Posts per city with latitude and longitude (NULL for cities not in jobstream.cities)';

CREATE MATERIALIZED VIEW jobstream.skill_demand AS
SELECT CASE dimension WHEN 'skill' THEN 'required' ELSE 'description' END AS source,
	value AS skill, sum(posts)::bigint AS posts
FROM jobstream.post_counts
WHERE dimension IN ('skill', 'skill_extracted')
GROUP BY dimension, value
HAVING sum(posts) > 0;
CREATE UNIQUE INDEX ON jobstream.skill_demand (source, skill);
COMMENT ON MATERIALIZED VIEW jobstream.skill_demand IS 'Posts that ask for each skill: in required_skills (source required) or found in the description by extract_skills (source description)';

CREATE MATERIALIZED VIEW jobstream.skill_demand_by_country AS
SELECT split_part(value, '|', 1) AS country, substr(value, length(split_part(value, '|', 1)) + 2) AS skill,
	sum(posts)::bigint AS posts
FROM jobstream.post_counts
WHERE dimension = 'skill_by_country'
GROUP BY value
HAVING sum(posts) > 0;
CREATE UNIQUE INDEX ON jobstream.skill_demand_by_country (country, skill);
COMMENT ON MATERIALIZED VIEW jobstream.skill_demand_by_country IS 'Posts that require each skill, per country';

CREATE MATERIALIZED VIEW jobstream.skill_supply_demand AS
SELECT skill, sum(supply)::bigint AS candidates, sum(demand)::bigint AS posts,
	round(sum(supply)::numeric / nullif(sum(demand), 0), 3) AS candidates_per_post
FROM (
	SELECT value AS skill, candidates AS supply, 0 AS demand FROM jobstream.candidate_counts WHERE dimension = 'skill'
	UNION ALL
	SELECT value, 0, posts FROM jobstream.post_counts WHERE dimension = 'skill'
) x
GROUP BY skill
HAVING sum(supply) > 0 OR sum(demand) > 0;
CREATE UNIQUE INDEX ON jobstream.skill_supply_demand (skill);
COMMENT ON MATERIALIZED VIEW jobstream.skill_supply_demand IS 'Per skill: candidates who have it (supply), posts that require it (demand) and their ratio';

CREATE VIEW jobstream.latest_applications AS
SELECT a.application_id, a.applied_at, a.status, a.compatibility_score,
	c.full_name AS candidate, p.job_title, p.company, p.job_category
FROM (SELECT * FROM jobstream.job_applications ORDER BY applied_at DESC LIMIT 100) a
LEFT JOIN jobstream.candidates c USING (candidate_id)
LEFT JOIN jobstream.job_posts p USING (post_id)
ORDER BY a.applied_at DESC;
COMMENT ON VIEW jobstream.latest_applications IS 'The 100 latest applications (by applied_at), with candidate name and job';

-- Campaigns -------------------------------------------------------------------

CREATE VIEW jobstream.campaign_performance AS
SELECT h.post_id AS job_id, h.event_date AS date, h.event_hour AS hour,
	h.publisher_id, pl.platform AS publisher, h.campaign_id, h.group_id,
	max(h.company_id) AS company_id, max(co.company) AS company,
	sum(h.clicks)::bigint AS clicks, sum(h.spend) AS spend,
	round(sum(h.spend) / nullif(sum(h.clicks), 0), 4) AS bid_set,
	sum(h.conversions)::bigint AS conversions,
	sum(h.qualified)::bigint AS qualified_application,
	sum(h.unqualified)::bigint AS unqualified_application,
	round(sum(h.spend) / nullif(sum(h.clicks), 0), 4) AS cpc,
	max(h.updated_at) AS updated_at
FROM jobstream.campaign_hourly h
LEFT JOIN jobstream.platforms pl ON pl.publisher_id = h.publisher_id
LEFT JOIN jobstream.companies co ON co.company_id = h.company_id
GROUP BY h.post_id, h.event_date, h.event_hour, h.publisher_id, pl.platform, h.campaign_id, h.group_id;
COMMENT ON VIEW jobstream.campaign_performance IS 'The campaign table: per job, UTC date and hour, publisher, campaign and group: clicks, spend, average click bid (bid_set), conversions, qualified and unqualified applications, CPC, with company; filter on date for speed';

CREATE VIEW jobstream.campaign_per_hour AS
SELECT hour, sum(events)::bigint AS events, sum(clicks)::bigint AS clicks, sum(spend) AS spend,
	sum(conversions)::bigint AS conversions, sum(qualified)::bigint AS qualified,
	sum(unqualified)::bigint AS unqualified
FROM jobstream.campaign_hourly_totals
GROUP BY hour;
COMMENT ON VIEW jobstream.campaign_per_hour IS 'Tracking events per UTC hour: events, clicks, spend, conversions, qualified and unqualified applications (live; filter on hour)';

CREATE MATERIALIZED VIEW jobstream.campaign_kpis AS
SELECT 1 AS id,
	(SELECT count(*) FROM (SELECT post_id FROM jobstream.campaign_posts GROUP BY post_id) j)::bigint AS jobs,
	coalesce(sum(clicks), 0)::bigint AS clicks,
	coalesce(sum(spend), 0) AS spend,
	coalesce(sum(conversions), 0)::bigint AS conversions,
	coalesce(sum(qualified), 0)::bigint AS qualified,
	coalesce(sum(unqualified), 0)::bigint AS unqualified
FROM jobstream.campaign_daily;
CREATE UNIQUE INDEX ON jobstream.campaign_kpis (id);
COMMENT ON MATERIALIZED VIEW jobstream.campaign_kpis IS 'Campaign headline figures: jobs with events, clicks, spend, conversions, qualified and unqualified applications';

CREATE MATERIALIZED VIEW jobstream.campaign_daily_rates AS
SELECT event_date AS date, sum(events)::bigint AS events, sum(clicks)::bigint AS clicks,
	sum(qualified)::bigint AS qualified, sum(unqualified)::bigint AS unqualified,
	round(sum(qualified)::numeric / nullif(sum(clicks), 0), 4) AS qualified_rate,
	round(sum(unqualified)::numeric / nullif(sum(clicks), 0), 4) AS unqualified_rate
FROM jobstream.campaign_daily
GROUP BY event_date;
CREATE UNIQUE INDEX ON jobstream.campaign_daily_rates (date);
COMMENT ON MATERIALIZED VIEW jobstream.campaign_daily_rates IS 'Per UTC day: qualified and unqualified applications as a share of clicks';

CREATE MATERIALIZED VIEW jobstream.top_jobs_by_clicks AS
SELECT t.post_id AS job_id, p.job_title, coalesce(p.company, co.company) AS company,
	t.clicks, t.spend, t.conversions, t.qualified, t.unqualified, t.rank
FROM (
	SELECT post_id, max(company_id) AS company_id, sum(clicks)::bigint AS clicks, sum(spend) AS spend,
		sum(conversions)::bigint AS conversions, sum(qualified)::bigint AS qualified,
		sum(unqualified)::bigint AS unqualified,
		row_number() OVER (ORDER BY sum(clicks) DESC, post_id) AS rank
	FROM jobstream.campaign_posts
	GROUP BY post_id
	ORDER BY sum(clicks) DESC, post_id
	LIMIT 10
) t
LEFT JOIN jobstream.job_posts p ON p.post_id = t.post_id
LEFT JOIN jobstream.companies co ON co.company_id = t.company_id;
CREATE UNIQUE INDEX ON jobstream.top_jobs_by_clicks (job_id);
COMMENT ON MATERIALIZED VIEW jobstream.top_jobs_by_clicks IS 'The 10 jobs with the most clicks';

CREATE MATERIALIZED VIEW jobstream.publisher_efficiency AS
SELECT d.publisher_id, pl.platform AS publisher,
	sum(d.clicks)::bigint AS clicks, sum(d.spend) AS spend,
	sum(d.conversions)::bigint AS conversions,
	round(sum(d.spend) / nullif(sum(d.clicks), 0), 4) AS cpc,
	round(sum(d.conversions)::numeric / nullif(sum(d.clicks), 0), 4) AS conversion_rate
FROM jobstream.campaign_daily d
LEFT JOIN jobstream.platforms pl ON pl.publisher_id = d.publisher_id
GROUP BY d.publisher_id, pl.platform;
CREATE UNIQUE INDEX ON jobstream.publisher_efficiency (publisher_id);
COMMENT ON MATERIALIZED VIEW jobstream.publisher_efficiency IS 'Per publisher: clicks, spend, CPC (spend per click) and conversion rate (conversions per click)';

-- Refreshing --------------------------------------------------------------------

CREATE TABLE jobstream.refresh_state (
	view_name regclass PRIMARY KEY,
	depends_on text[] NOT NULL,
	seen_changes bigint,
	last_refresh_at timestamptz,
	last_duration_ms double precision,
	refreshes bigint NOT NULL DEFAULT 0,
	last_error text,
	last_error_at timestamptz
);
COMMENT ON TABLE jobstream.refresh_state IS 'Per materialized view: the rollups it reads, the changes seen at its last refresh, when that was, how long it took, and the last error';

INSERT INTO jobstream.refresh_state (view_name, depends_on) VALUES
	('jobstream.market_kpis', '{applications,posts,candidates}'),
	('jobstream.applications_per_hour', '{applications}'),
	('jobstream.applications_per_3_hours', '{applications}'),
	('jobstream.top_categories', '{posts,candidates}'),
	('jobstream.score_histogram', '{applications}'),
	('jobstream.status_breakdown', '{applications}'),
	('jobstream.posts_by_dimension', '{posts}'),
	('jobstream.candidates_by_education', '{candidates}'),
	('jobstream.expected_salary_histogram', '{candidates}'),
	('jobstream.posts_by_country', '{posts}'),
	('jobstream.posts_by_city', '{posts}'),
	('jobstream.skill_demand', '{posts}'),
	('jobstream.skill_demand_by_country', '{posts}'),
	('jobstream.skill_supply_demand', '{posts,candidates}'),
	('jobstream.campaign_kpis', '{events}'),
	('jobstream.campaign_daily_rates', '{events}'),
	('jobstream.top_jobs_by_clicks', '{events,posts}'),
	('jobstream.publisher_efficiency', '{events}');

-- A view is refreshed when a rollup it reads changed since its last
-- refresh, and in any case once a minute (reference tables such as cities
-- or platforms, and current_date in market_kpis, change without a rollup
-- change).  The change count is read before the refresh, so a commit in
-- between only causes one more refresh later, never a missed one.
CREATE FUNCTION jobstream.refresh(view_name regclass DEFAULT NULL, force boolean DEFAULT false)
RETURNS integer
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	st record;
	changes bigint;
	t0 timestamptz;
	n integer := 0;
BEGIN
	IF view_name IS NOT NULL AND NOT EXISTS (SELECT FROM jobstream.refresh_state s WHERE s.view_name = refresh.view_name) THEN
		RAISE EXCEPTION '% is not a jobstream analytics view', view_name
			USING ERRCODE = 'invalid_parameter_value',
				HINT = 'Pass NULL to refresh all of them, or one of SELECT view_name FROM jobstream.refresh_state.';
	END IF;
	FOR st IN SELECT s.* FROM jobstream.refresh_state s
		WHERE refresh.view_name IS NULL OR s.view_name = refresh.view_name
		ORDER BY s.view_name::text
	LOOP
		SELECT sum(c.changes) INTO changes FROM jobstream.rollup_changes c WHERE c.rollup = ANY (st.depends_on);
		CONTINUE WHEN NOT force AND changes IS NOT DISTINCT FROM st.seen_changes
			AND st.last_refresh_at > now() - interval '1 minute';
		t0 := clock_timestamp();
		EXECUTE format('REFRESH MATERIALIZED VIEW CONCURRENTLY %s', st.view_name);
		UPDATE jobstream.refresh_state s SET last_refresh_at = t0, seen_changes = changes,
			last_duration_ms = extract(epoch FROM clock_timestamp() - t0) * 1000,
			refreshes = s.refreshes + 1
		WHERE s.view_name = st.view_name;
		n := n + 1;
	END LOOP;
	RETURN n;
END
$$;
COMMENT ON FUNCTION jobstream.refresh(regclass, boolean) IS 'Refreshes one analytics view, or all of them, concurrently (readers are not blocked) where their rollups changed since the last refresh, or every one with force; returns how many it refreshed';
REVOKE ALL ON FUNCTION jobstream.refresh(regclass, boolean) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION jobstream.refresh(regclass, boolean) TO jobstream_writer;

CREATE VIEW jobstream.refresh_stats AS
SELECT s.view_name, s.last_refresh_at, s.last_duration_ms, s.refreshes,
	clock_timestamp() - s.last_refresh_at AS lag,
	(SELECT sum(c.changes) FROM jobstream.rollup_changes c WHERE c.rollup = ANY (s.depends_on))
		IS DISTINCT FROM s.seen_changes AS stale,
	s.last_error, s.last_error_at
FROM jobstream.refresh_state s;
COMMENT ON VIEW jobstream.refresh_stats IS 'Per analytics view: last refresh, its duration, how long ago it was (lag), whether its rollups changed since (stale) and the last error';

-- Privileges: BI tools read every analytics object and nothing else.
GRANT SELECT ON
	jobstream.market_kpis, jobstream.applications_per_hour, jobstream.applications_per_3_hours,
	jobstream.top_categories, jobstream.score_histogram, jobstream.status_breakdown,
	jobstream.posts_by_dimension, jobstream.work_mode_breakdown, jobstream.employment_type_breakdown,
	jobstream.candidates_by_education, jobstream.expected_salary_histogram,
	jobstream.posts_by_country, jobstream.posts_by_city, jobstream.skill_demand,
	jobstream.skill_demand_by_country, jobstream.skill_supply_demand, jobstream.latest_applications,
	jobstream.campaign_performance, jobstream.campaign_per_hour, jobstream.campaign_kpis, jobstream.campaign_daily_rates,
	jobstream.top_jobs_by_clicks, jobstream.publisher_efficiency, jobstream.refresh_stats
TO jobstream_reader, jobstream_writer;
