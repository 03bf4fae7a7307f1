-- The dashboards' analytics over the typed rollups of 65_counts.sql, and
-- the figures of issue 12 as the source systems defined them.
--
-- The materialized views that 65_counts.sql dropped come back with the same
-- names and columns (skill_demand_by_country now counts a skill that a post
-- requires or names in its description, and says which), reading typed
-- keys only.  New: skill demand by region and on the map, min and max in
-- the status breakdown, applicants' shares in the daily rates, the
-- component scores in the latest applications, and the pipeline's health
-- for jobstream_reader.

-- Locations ---------------------------------------------------------------------

CREATE VIEW jobstream.country_locations AS
SELECT c.country, c.country_code, c.region, c.subregion, ci.city AS largest_city,
	ci.latitude, ci.longitude
FROM jobstream.countries c
LEFT JOIN LATERAL (SELECT city, latitude, longitude FROM jobstream.cities
	WHERE country_code = c.country_code ORDER BY population DESC NULLS LAST, city LIMIT 1) ci ON true;
COMMENT ON VIEW jobstream.country_locations IS 'Countries with region, subregion and the coordinates of their largest city in jobstream.cities (NULL when it has none), for maps';

-- Job market ----------------------------------------------------------------

CREATE MATERIALIZED VIEW jobstream.market_kpis AS
SELECT 1 AS id,
	coalesce((SELECT sum(applications) FROM jobstream.application_hourly), 0)::bigint AS applications,
	coalesce((SELECT sum(posts) FROM jobstream.post_deadline_counts
		WHERE deadline_date >= current_date), 0)::bigint AS active_posts,
	coalesce((SELECT sum(posts) FROM jobstream.post_facet_counts), 0)::bigint AS posts,
	coalesce((SELECT sum(candidates) FROM jobstream.candidate_facet_counts), 0)::bigint AS candidates,
	(SELECT round(sum(score_sum) / nullif(sum(scored), 0), 2) FROM jobstream.application_hourly) AS average_score;
CREATE UNIQUE INDEX ON jobstream.market_kpis (id);
COMMENT ON MATERIALIZED VIEW jobstream.market_kpis IS 'Headline figures: applications, active posts (deadline today or later, or none), posts, candidates, average compatibility score';

CREATE MATERIALIZED VIEW jobstream.top_categories AS
SELECT f.family AS category,
	coalesce(p.posts, 0)::bigint AS posts,
	coalesce(c.candidates, 0)::bigint AS candidates,
	rank() OVER (ORDER BY coalesce(p.posts, 0) DESC, f.family) AS rank
FROM jobstream.job_families f
LEFT JOIN (SELECT job_category, sum(posts) AS posts FROM jobstream.post_facet_counts
	GROUP BY job_category) p ON p.job_category = f.family
LEFT JOIN (SELECT job_category, sum(candidates) AS candidates FROM jobstream.candidate_facet_counts
	GROUP BY job_category) c ON c.job_category = f.family;
CREATE UNIQUE INDEX ON jobstream.top_categories (category);
COMMENT ON MATERIALIZED VIEW jobstream.top_categories IS 'Job families ranked by posts, with the candidates who seek each';

CREATE MATERIALIZED VIEW jobstream.posts_by_dimension AS
SELECT CASE WHEN GROUPING(job_category) = 0 THEN 'category'
		WHEN GROUPING(work_mode) = 0 THEN 'work_mode'
		WHEN GROUPING(employment_type) = 0 THEN 'employment_type'
		ELSE 'experience_level' END AS dimension,
	coalesce(job_category, work_mode, employment_type, experience_level) AS value,
	sum(posts)::bigint AS posts
FROM jobstream.post_facet_counts
GROUP BY GROUPING SETS ((job_category), (work_mode), (employment_type), (experience_level))
HAVING sum(posts) > 0;
CREATE UNIQUE INDEX ON jobstream.posts_by_dimension (dimension, value);
COMMENT ON MATERIALIZED VIEW jobstream.posts_by_dimension IS 'Posts per category, work mode, employment type and experience level (one dimension a row)';

CREATE VIEW jobstream.work_mode_breakdown AS
SELECT value AS work_mode, posts FROM jobstream.posts_by_dimension WHERE dimension = 'work_mode';
COMMENT ON VIEW jobstream.work_mode_breakdown IS 'Posts per work mode';
CREATE VIEW jobstream.employment_type_breakdown AS
SELECT value AS employment_type, posts FROM jobstream.posts_by_dimension WHERE dimension = 'employment_type';
COMMENT ON VIEW jobstream.employment_type_breakdown IS 'Posts per employment type';

CREATE MATERIALIZED VIEW jobstream.candidates_by_education AS
SELECT c.education_level, e.rank, sum(c.candidates)::bigint AS candidates
FROM jobstream.candidate_facet_counts c
LEFT JOIN jobstream.education_levels e ON e.education_level = c.education_level
GROUP BY c.education_level, e.rank
HAVING sum(c.candidates) > 0;
CREATE UNIQUE INDEX ON jobstream.candidates_by_education (education_level);
COMMENT ON MATERIALIZED VIEW jobstream.candidates_by_education IS 'Candidates per education level, with the level''s rank for ordering';

CREATE MATERIALIZED VIEW jobstream.expected_salary_histogram AS
SELECT band_start::bigint AS bucket_start, band_start::bigint + 10000 AS bucket_end,
	sum(candidates)::bigint AS candidates
FROM jobstream.candidate_salary_counts
GROUP BY band_start
HAVING sum(candidates) > 0;
CREATE UNIQUE INDEX ON jobstream.expected_salary_histogram (bucket_start);
COMMENT ON MATERIALIZED VIEW jobstream.expected_salary_histogram IS 'Candidates per 10,000 band of expected salary';

CREATE MATERIALIZED VIEW jobstream.posts_by_country AS
SELECT p.country, l.country_code, sum(p.posts)::bigint AS posts, l.latitude, l.longitude
FROM jobstream.post_location_counts p
LEFT JOIN jobstream.country_locations l ON l.country = p.country
GROUP BY p.country, l.country_code, l.latitude, l.longitude
HAVING sum(p.posts) > 0;
CREATE UNIQUE INDEX ON jobstream.posts_by_country (country);
COMMENT ON MATERIALIZED VIEW jobstream.posts_by_country IS 'Posts per country, with the coordinates of its largest city for a map';

CREATE MATERIALIZED VIEW jobstream.posts_by_city AS
SELECT p.city, p.country, ci.latitude, ci.longitude, sum(p.posts)::bigint AS posts
FROM jobstream.post_location_counts p
LEFT JOIN jobstream.countries c ON c.country = p.country
LEFT JOIN jobstream.cities ci ON ci.city = p.city AND ci.country_code = c.country_code
GROUP BY p.city, p.country, ci.latitude, ci.longitude
HAVING sum(p.posts) > 0;
CREATE UNIQUE INDEX ON jobstream.posts_by_city (city, country);
COMMENT ON MATERIALIZED VIEW jobstream.posts_by_city IS 'Posts per city with latitude and longitude (NULL for cities not in jobstream.cities)';

CREATE MATERIALIZED VIEW jobstream.skill_demand AS
SELECT s.source, k.skill, s.posts
FROM (SELECT skill, sum(required) AS required, sum(described) AS described
	FROM jobstream.post_skill_counts GROUP BY skill) k,
	LATERAL (VALUES ('required', k.required::bigint), ('description', k.described::bigint)) s (source, posts)
WHERE s.posts > 0;
CREATE UNIQUE INDEX ON jobstream.skill_demand (source, skill);
COMMENT ON MATERIALIZED VIEW jobstream.skill_demand IS 'Posts that ask for each skill: in required_skills (source required) or found in the description by extract_skills (source description)';

CREATE MATERIALIZED VIEW jobstream.skill_demand_by_country AS
SELECT s.country, l.country_code, coalesce(l.region, '(unknown)') AS region, s.skill,
	s.posts, s.required, s.described, l.latitude, l.longitude
FROM (SELECT country, skill, sum(posts)::bigint AS posts, sum(required)::bigint AS required,
		sum(described)::bigint AS described
	FROM jobstream.post_skill_counts
	GROUP BY country, skill
	HAVING sum(posts) > 0) s
LEFT JOIN jobstream.country_locations l ON l.country = s.country;
CREATE UNIQUE INDEX ON jobstream.skill_demand_by_country (country, skill);
CREATE INDEX ON jobstream.skill_demand_by_country (skill);
COMMENT ON MATERIALIZED VIEW jobstream.skill_demand_by_country IS 'Per country and skill: posts that require the skill or name it in their description (posts), that require it (required), that name it (described); with the country''s region and map coordinates (those of its largest city)';

CREATE MATERIALIZED VIEW jobstream.skill_demand_by_region AS
SELECT coalesce(l.region, '(unknown)') AS region, s.skill, sum(s.posts)::bigint AS posts,
	sum(s.required)::bigint AS required, sum(s.described)::bigint AS described
FROM jobstream.post_skill_counts s
LEFT JOIN jobstream.countries l ON l.country = s.country
GROUP BY 1, 2
HAVING sum(s.posts) > 0;
CREATE UNIQUE INDEX ON jobstream.skill_demand_by_region (region, skill);
COMMENT ON MATERIALIZED VIEW jobstream.skill_demand_by_region IS 'Per region of jobstream.countries and skill: posts that require the skill or name it in their description (posts), that require it, that name it; posts in countries without a region or not in the table count under (unknown)';

CREATE MATERIALIZED VIEW jobstream.skill_supply_demand AS
SELECT skill, sum(supply)::bigint AS candidates, sum(demand)::bigint AS posts,
	round(sum(supply)::numeric / nullif(sum(demand), 0), 3) AS candidates_per_post
FROM (
	SELECT skill, candidates AS supply, 0 AS demand FROM jobstream.candidate_skill_counts
	UNION ALL
	SELECT skill, 0, required FROM jobstream.post_skill_counts
) x
GROUP BY skill
HAVING sum(supply) > 0 OR sum(demand) > 0;
CREATE UNIQUE INDEX ON jobstream.skill_supply_demand (skill);
COMMENT ON MATERIALIZED VIEW jobstream.skill_supply_demand IS 'Per skill: candidates who have it (supply), posts that require it (demand) and their ratio';

-- Applications ------------------------------------------------------------------

DELETE FROM jobstream.refresh_state WHERE view_name::oid IN (
	'jobstream.status_breakdown'::regclass, 'jobstream.campaign_daily_rates'::regclass);
DROP MATERIALIZED VIEW jobstream.status_breakdown, jobstream.campaign_daily_rates;

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
	(SELECT round(lo + (hi - lo) * w, 2) FROM q WHERE q.status = st.status AND frac = 0.75) AS score_q3,
	(SELECT min(score) FROM scored WHERE scored.status = st.status) AS score_min,
	(SELECT max(score) FROM scored WHERE scored.status = st.status) AS score_max
FROM (SELECT status, ordinal FROM jobstream.application_statuses
	UNION SELECT status, NULL FROM s WHERE status NOT IN (SELECT status FROM jobstream.application_statuses)) st;
CREATE UNIQUE INDEX ON jobstream.status_breakdown (status);
COMMENT ON MATERIALIZED VIEW jobstream.status_breakdown IS 'Applications per status with average score and the five-number summary of their scores: min, exact quartiles (as percentile_cont) and max; the data of a box plot';

CREATE OR REPLACE VIEW jobstream.latest_applications AS
SELECT a.application_id, a.applied_at, a.status, a.compatibility_score,
	c.full_name AS candidate, p.job_title, p.company, p.job_category,
	a.category_score, a.skills_score, a.experience_score, a.seniority_score, a.salary_score
FROM (SELECT * FROM jobstream.job_applications ORDER BY applied_at DESC LIMIT 100) a
LEFT JOIN jobstream.candidates c USING (candidate_id)
LEFT JOIN jobstream.job_posts p USING (post_id)
ORDER BY a.applied_at DESC;
COMMENT ON VIEW jobstream.latest_applications IS 'The 100 latest applications (by applied_at), with candidate name, job, and the component scores behind the compatibility score (why this match; NULL when the application did not carry them)';

-- Campaigns -------------------------------------------------------------------

CREATE MATERIALIZED VIEW jobstream.campaign_daily_rates AS
SELECT event_date AS date, sum(events)::bigint AS events, sum(clicks)::bigint AS clicks,
	sum(qualified)::bigint AS qualified, sum(unqualified)::bigint AS unqualified,
	round(sum(qualified)::numeric / nullif(sum(qualified) + sum(unqualified), 0), 4) AS qualified_share,
	round(sum(unqualified)::numeric / nullif(sum(qualified) + sum(unqualified), 0), 4) AS unqualified_share,
	round(sum(qualified)::numeric / nullif(sum(clicks), 0), 4) AS qualified_per_click,
	round(sum(unqualified)::numeric / nullif(sum(clicks), 0), 4) AS unqualified_per_click
FROM jobstream.campaign_daily
GROUP BY event_date;
CREATE UNIQUE INDEX ON jobstream.campaign_daily_rates (date);
COMMENT ON MATERIALIZED VIEW jobstream.campaign_daily_rates IS 'Per UTC day: qualified and unqualified applicants as a share of the applicants that day (qualified / (qualified + unqualified)), and the same counts per click';

-- The job -> company, campaign, group dimension: which campaigns and ad
-- groups run each job, known before (or without) any event.  Written by
-- jobstream_writer like reference data (generate_job_campaigns() gives the
-- campaigns generated events use); kept by pg_dump.
CREATE TABLE jobstream.job_campaigns (
	post_id uuid NOT NULL,
	campaign_id integer NOT NULL,
	group_id integer NOT NULL,
	company_id integer,
	updated_at timestamptz NOT NULL DEFAULT pg_catalog.now(),
	PRIMARY KEY (post_id, campaign_id, group_id)
);
CREATE INDEX job_campaigns_campaign_idx ON jobstream.job_campaigns (campaign_id, group_id);
COMMENT ON TABLE jobstream.job_campaigns IS 'The campaign dimension: each job (post_id) with the campaigns and ad groups that run it and its company_id (NULL when unknown), so campaigns can be listed without events';
SELECT pg_catalog.pg_extension_config_dump('jobstream.job_campaigns', '');
GRANT SELECT, INSERT, UPDATE, DELETE ON jobstream.job_campaigns TO jobstream_writer;

CREATE FUNCTION jobstream.generate_job_campaigns()
RETURNS TABLE (post_id uuid, campaign_id integer, group_id integer, company_id integer)
LANGUAGE sql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
	SELECT p.post_id, c.campaign_id, c.group_id, co.company_id
	FROM jobstream.job_posts p
	LEFT JOIN jobstream.companies co ON co.company = p.company,
	LATERAL jobstream.post_campaigns(p.post_id) c
	ORDER BY 1, 2, 3
$$;
COMMENT ON FUNCTION jobstream.generate_job_campaigns() IS
'The campaign dimension of the posts in job_posts as generated tracking events make it (post_campaigns), with the company_id of the post''s company (NULL when it is not in companies): INSERT INTO jobstream.job_campaigns SELECT * FROM jobstream.generate_job_campaigns()';
REVOKE ALL ON FUNCTION jobstream.generate_job_campaigns() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION jobstream.generate_job_campaigns() TO jobstream_writer;

CREATE VIEW jobstream.campaign_list AS
SELECT j.post_id AS job_id, p.job_title, j.company_id, coalesce(co.company, p.company) AS company,
	j.campaign_id, j.group_id, j.updated_at
FROM jobstream.job_campaigns j
LEFT JOIN jobstream.job_posts p ON p.post_id = j.post_id
LEFT JOIN jobstream.companies co ON co.company_id = j.company_id;
COMMENT ON VIEW jobstream.campaign_list IS 'Every campaign and ad group with the job it runs (title) and its company, from the campaign dimension job_campaigns: no event needed';

-- The campaign table under the tracking system's column names, for tools
-- and reports written against it.  A thin view: filters on dates and hours
-- reach campaign_performance's date and hour.
CREATE VIEW jobstream.campaign_table AS
SELECT job_id, date AS dates, hour AS hours, publisher_id, publisher AS sources, campaign_id, group_id,
	company_id, company, clicks, spend AS spend_hour, bid_set, conversions AS conversion,
	qualified_application, unqualified_application AS disqualified_application, cpc, updated_at
FROM jobstream.campaign_performance;
COMMENT ON VIEW jobstream.campaign_table IS 'campaign_performance with the tracking system''s column names: dates (date), hours (hour), sources (publisher), spend_hour (spend), conversion (conversions), disqualified_application (unqualified_application)';

-- Pipeline health ---------------------------------------------------------------
--
-- jobstream_reader sees the pipeline's figures, never its payloads, error
-- texts, brokers or options.  The ingest figures come from shared memory
-- through source_stats, which the reader may not read; a SECURITY DEFINER
-- function hands it the numbers only.

CREATE FUNCTION jobstream.ingest_health_rows()
RETURNS TABLE (source_id integer, topic text, target text, state text, workers bigint,
	partitions bigint, lag bigint, messages_per_sec double precision, rows bigint,
	dead_letters bigint, errors bigint, last_batch_at timestamptz, committed_at timestamptz,
	last_error_at timestamptz)
LANGUAGE sql STABLE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
	WITH w AS (
		SELECT w.source_id, count(*) AS workers, sum(w.messages_per_sec) AS messages_per_sec,
			sum(w.errors) AS errors, max(w.last_error_at) AS last_error_at
		FROM jobstream.workers w GROUP BY w.source_id
	), p AS (
		SELECT s.source_id, count(s.partition) AS partitions, sum(s.lag)::bigint AS lag,
			sum(s.rows)::bigint AS rows, sum(s.dead_letters)::bigint AS dead_letters,
			max(s.last_batch_at) AS last_batch_at, max(s.committed_at) AS committed_at,
			string_agg(DISTINCT s.state, ', ' ORDER BY s.state) AS state
		FROM jobstream.source_stats s GROUP BY s.source_id
	)
	SELECT s.source_id, s.topic, s.target,
		CASE WHEN s.paused THEN 'paused' ELSE coalesce(p.state, 'not running') END,
		coalesce(w.workers, 0), coalesce(p.partitions, 0), p.lag, coalesce(w.messages_per_sec, 0),
		coalesce(p.rows, 0), coalesce(p.dead_letters, 0), coalesce(w.errors, 0),
		p.last_batch_at, p.committed_at, w.last_error_at
	FROM jobstream.sources s
	LEFT JOIN p ON p.source_id = s.source_id
	LEFT JOIN w ON w.source_id = s.source_id
	ORDER BY s.source_id
$$;
COMMENT ON FUNCTION jobstream.ingest_health_rows() IS 'The rows of jobstream.ingest_health (numbers, no error texts, brokers or options); runs as the extension''s owner so that jobstream_reader may call it';
REVOKE ALL ON FUNCTION jobstream.ingest_health_rows() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION jobstream.ingest_health_rows() TO jobstream_reader, jobstream_writer, pg_monitor;

CREATE VIEW jobstream.ingest_health AS
SELECT h.source_id, h.topic, h.target, h.state, h.workers, h.partitions, h.lag,
	h.messages_per_sec, h.rows, h.dead_letters, h.errors, h.last_batch_at, h.committed_at,
	pg_catalog.now() - h.committed_at AS since_commit, h.last_error_at
FROM jobstream.ingest_health_rows() h;
COMMENT ON VIEW jobstream.ingest_health IS 'Per source: state, workers, partitions, lag in messages (sum over partitions), messages/s, rows and dead letters since the workers started, errors, last batch, last commit and how long ago it was, and when the last error was (its text is in source_stats, for administrators)';

CREATE VIEW jobstream.dead_letter_counts AS
SELECT topic, count(*) AS dead_letters,
	count(*) FILTER (WHERE received_at > pg_catalog.now() - interval '1 hour') AS last_hour,
	count(*) FILTER (WHERE received_at > pg_catalog.now() - interval '1 day') AS last_day,
	max(received_at) AS last_received_at
FROM jobstream.dead_letters
GROUP BY topic;
COMMENT ON VIEW jobstream.dead_letter_counts IS 'Dead letters per topic: in all, in the last hour and day, and the latest (counts only; the messages are in dead_letters, for writers)';

CREATE VIEW jobstream.matcher_health AS
SELECT pairs_scored, applications, processed, batches, queue_length, queue_lag,
	produced, outbox_length, outbox_lag, last_batch_at, last_batch_ms,
	last_error IS NOT NULL AS has_error, last_error_at
FROM jobstream.match_stats;
COMMENT ON VIEW jobstream.matcher_health IS 'The matcher''s figures from match_stats without the error text: pairs scored, applications, queue and outbox length and age, last batch, whether and when it last failed';

-- Refreshing and privileges -------------------------------------------------------

INSERT INTO jobstream.refresh_state (view_name, depends_on) VALUES
	('jobstream.market_kpis', '{applications,posts,candidates}'),
	('jobstream.top_categories', '{posts,candidates}'),
	('jobstream.status_breakdown', '{applications}'),
	('jobstream.posts_by_dimension', '{posts}'),
	('jobstream.candidates_by_education', '{candidates}'),
	('jobstream.expected_salary_histogram', '{candidates}'),
	('jobstream.posts_by_country', '{posts}'),
	('jobstream.posts_by_city', '{posts}'),
	('jobstream.skill_demand', '{posts}'),
	('jobstream.skill_demand_by_country', '{posts}'),
	('jobstream.skill_demand_by_region', '{posts}'),
	('jobstream.skill_supply_demand', '{posts,candidates}'),
	('jobstream.campaign_daily_rates', '{events}');

GRANT SELECT ON
	jobstream.country_locations, jobstream.market_kpis, jobstream.top_categories,
	jobstream.posts_by_dimension, jobstream.work_mode_breakdown, jobstream.employment_type_breakdown,
	jobstream.candidates_by_education, jobstream.expected_salary_histogram,
	jobstream.posts_by_country, jobstream.posts_by_city, jobstream.skill_demand,
	jobstream.skill_demand_by_country, jobstream.skill_demand_by_region, jobstream.skill_supply_demand,
	jobstream.status_breakdown, jobstream.campaign_daily_rates,
	jobstream.ingest_health, jobstream.dead_letter_counts, jobstream.matcher_health,
	jobstream.campaign_list, jobstream.campaign_table
TO jobstream_reader, jobstream_writer;

