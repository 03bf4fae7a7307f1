-- Typed rollups of job posts and candidates (issue 12).
--
-- 0.2 kept posts and candidates in two generic rollups, post_counts and
-- candidate_counts, whose rows were (dimension, value) pairs; pairs of keys
-- were packed into one string ('Germany|Python', 'Berlin|Germany') and split
-- again by the views, so a skill or a city containing '|' corrupted them.
-- Here every grain has a table of its own with one typed column per key:
--
--	post_facet_counts		category x work mode x employment type x level
--	post_location_counts	country x city
--	post_deadline_counts	deadline date ('infinity' for posts without one)
--	post_skill_counts		country x skill: posts that require the skill, that
--							name it in their description (extract_skills),
--							and that do either
--	candidate_facet_counts	category x education level x experience level
--	candidate_salary_counts	expected salary in bands of 10,000
--	candidate_skill_counts	skill
--
-- The grains are chosen so that every view sums a few hundred to a few
-- tens of thousands of rows: the facets multiply small reference tables,
-- and skills are split by country only (a region is a set of countries, so
-- the region views sum countries).  An unknown (NULL) value counts under
-- '(unknown)', as before.
--
-- Maintenance is as for every rollup (60_analytics.sql of 0.2): statement
-- triggers with transition tables, the signed delta of a statement applied
-- in key order under the writer's slice, SECURITY DEFINER so that writers
-- cannot write the rollups themselves.  Each trigger function serves one
-- table and refuses to run for any other (TG_RELID): it cannot be turned
-- against the rollups from a table of the caller's.  One function per
-- family builds the statement, so the triggers and rebuild_rollups() share
-- one definition of every rollup.

-- The tables -------------------------------------------------------------------

CREATE TABLE jobstream.post_facet_counts (
	slice smallint NOT NULL,
	job_category text NOT NULL,
	work_mode text NOT NULL,
	employment_type text NOT NULL,
	experience_level text NOT NULL,
	posts bigint NOT NULL,
	PRIMARY KEY (job_category, work_mode, employment_type, experience_level, slice)
) WITH (fillfactor = 70, autovacuum_vacuum_scale_factor = 0.02);
COMMENT ON TABLE jobstream.post_facet_counts IS 'Rollup of job posts per category, work mode, employment type and experience level (and writer slice); NULLs count as (unknown)';

CREATE TABLE jobstream.post_location_counts (
	slice smallint NOT NULL,
	country text NOT NULL,
	city text NOT NULL,
	posts bigint NOT NULL,
	PRIMARY KEY (country, city, slice)
) WITH (fillfactor = 70, autovacuum_vacuum_scale_factor = 0.02);
COMMENT ON TABLE jobstream.post_location_counts IS 'Rollup of job posts per location_country and location_city (and writer slice); NULLs count as (unknown)';

CREATE TABLE jobstream.post_deadline_counts (
	slice smallint NOT NULL,
	deadline_date date NOT NULL,
	posts bigint NOT NULL,
	PRIMARY KEY (deadline_date, slice)
) WITH (fillfactor = 70, autovacuum_vacuum_scale_factor = 0.02);
COMMENT ON TABLE jobstream.post_deadline_counts IS 'Rollup of job posts per deadline_date (and writer slice); posts without a deadline count under infinity';

CREATE TABLE jobstream.post_skill_counts (
	slice smallint NOT NULL,
	country text NOT NULL,
	skill text NOT NULL,
	required bigint NOT NULL,
	described bigint NOT NULL,
	posts bigint NOT NULL,
	PRIMARY KEY (country, skill, slice)
) WITH (fillfactor = 70, autovacuum_vacuum_scale_factor = 0.02);
COMMENT ON TABLE jobstream.post_skill_counts IS 'Rollup of job posts per location_country and skill (and writer slice): posts that require the skill (required_skills, trimmed), that name it in the description (extract_skills), and that do either (posts)';

CREATE TABLE jobstream.candidate_facet_counts (
	slice smallint NOT NULL,
	job_category text NOT NULL,
	education_level text NOT NULL,
	experience_level text NOT NULL,
	candidates bigint NOT NULL,
	PRIMARY KEY (job_category, education_level, experience_level, slice)
) WITH (fillfactor = 70, autovacuum_vacuum_scale_factor = 0.02);
COMMENT ON TABLE jobstream.candidate_facet_counts IS 'Rollup of candidates per category sought, education level and experience level (and writer slice); NULLs count as (unknown)';

CREATE TABLE jobstream.candidate_salary_counts (
	slice smallint NOT NULL,
	band_start integer NOT NULL,
	candidates bigint NOT NULL,
	PRIMARY KEY (band_start, slice)
) WITH (fillfactor = 70, autovacuum_vacuum_scale_factor = 0.02);
COMMENT ON TABLE jobstream.candidate_salary_counts IS 'Rollup of candidates with an expected salary per band of 10,000 (band_start = expected_salary rounded down to 10,000; and writer slice)';

CREATE TABLE jobstream.candidate_skill_counts (
	slice smallint NOT NULL,
	skill text NOT NULL,
	candidates bigint NOT NULL,
	PRIMARY KEY (skill, slice)
) WITH (fillfactor = 70, autovacuum_vacuum_scale_factor = 0.02);
COMMENT ON TABLE jobstream.candidate_skill_counts IS 'Rollup of candidates per skill (trimmed, once per candidate; and writer slice)';

-- The statements -----------------------------------------------------------------

-- source is a query with columns sign (+1 / -1) and r (a job_posts row), as
-- rollup_delta() makes; the statement's parameter $1 is the slice.
CREATE FUNCTION jobstream.post_rollup_sql(source text)
RETURNS text
LANGUAGE sql IMMUTABLE STRICT
SET search_path = pg_catalog, pg_temp
AS $f$
	SELECT pg_catalog.format($q$
	WITH d AS MATERIALIZED (
		SELECT s.sign,
			(s.r).job_category AS job_category,
			coalesce((s.r).work_mode, '(unknown)') AS work_mode,
			coalesce((s.r).employment_type, '(unknown)') AS employment_type,
			coalesce((s.r).experience_level, '(unknown)') AS experience_level,
			coalesce((s.r).location_country, '(unknown)') AS country,
			coalesce((s.r).location_city, '(unknown)') AS city,
			coalesce((s.r).deadline_date, 'infinity') AS deadline_date,
			(s.r).required_skills AS required_skills,
			(s.r).description_skills AS described_skills
		FROM (%s) s
	), facets AS (
		INSERT INTO jobstream.post_facet_counts AS c
		SELECT $1, job_category, work_mode, employment_type, experience_level, sum(sign)
		FROM d
		GROUP BY 2, 3, 4, 5
		HAVING sum(sign) <> 0
		ORDER BY 2, 3, 4, 5
		ON CONFLICT (job_category, work_mode, employment_type, experience_level, slice)
			DO UPDATE SET posts = c.posts + EXCLUDED.posts
	), locations AS (
		INSERT INTO jobstream.post_location_counts AS c
		SELECT $1, country, city, sum(sign)
		FROM d
		GROUP BY 2, 3
		HAVING sum(sign) <> 0
		ORDER BY 2, 3
		ON CONFLICT (country, city, slice) DO UPDATE SET posts = c.posts + EXCLUDED.posts
	), deadlines AS (
		INSERT INTO jobstream.post_deadline_counts AS c
		SELECT $1, deadline_date, sum(sign)
		FROM d
		GROUP BY 2
		HAVING sum(sign) <> 0
		ORDER BY 2
		ON CONFLICT (deadline_date, slice) DO UPDATE SET posts = c.posts + EXCLUDED.posts
	)
	INSERT INTO jobstream.post_skill_counts AS c
	SELECT $1, d.country, k.skill, sum(d.sign * k.required::int), sum(d.sign * k.described::int), sum(d.sign)
	FROM d, LATERAL (
		SELECT u.skill, bool_or(u.required) AS required, bool_or(NOT u.required) AS described
		FROM (SELECT btrim(x), true FROM unnest(d.required_skills) x
			UNION ALL
			SELECT x, false FROM unnest(d.described_skills) x) u (skill, required)
		WHERE u.skill <> ''
		GROUP BY u.skill) k
	GROUP BY 2, 3
	HAVING sum(d.sign) <> 0 OR sum(d.sign * k.required::int) <> 0 OR sum(d.sign * k.described::int) <> 0
	ORDER BY 2, 3
	ON CONFLICT (country, skill, slice) DO UPDATE SET
		required = c.required + EXCLUDED.required,
		described = c.described + EXCLUDED.described,
		posts = c.posts + EXCLUDED.posts
	$q$, source)
$f$;
COMMENT ON FUNCTION jobstream.post_rollup_sql(text) IS 'The statement that adds signed job_posts rows (a query with columns sign and r) to the post rollups; its parameter $1 is the slice';

-- The same for candidates (r is a candidates row).
CREATE FUNCTION jobstream.candidate_rollup_sql(source text)
RETURNS text
LANGUAGE sql IMMUTABLE STRICT
SET search_path = pg_catalog, pg_temp
AS $f$
	SELECT pg_catalog.format($q$
	WITH d AS MATERIALIZED (
		SELECT s.sign,
			coalesce((s.r).job_category, '(unknown)') AS job_category,
			coalesce((s.r).education_level, '(unknown)') AS education_level,
			coalesce((s.r).experience_level, '(unknown)') AS experience_level,
			(floor((s.r).expected_salary / 10000.0) * 10000)::integer AS band_start,
			(s.r).skills AS skills
		FROM (%s) s
	), facets AS (
		INSERT INTO jobstream.candidate_facet_counts AS c
		SELECT $1, job_category, education_level, experience_level, sum(sign)
		FROM d
		GROUP BY 2, 3, 4
		HAVING sum(sign) <> 0
		ORDER BY 2, 3, 4
		ON CONFLICT (job_category, education_level, experience_level, slice)
			DO UPDATE SET candidates = c.candidates + EXCLUDED.candidates
	), salaries AS (
		INSERT INTO jobstream.candidate_salary_counts AS c
		SELECT $1, band_start, sum(sign)
		FROM d
		WHERE band_start IS NOT NULL
		GROUP BY 2
		HAVING sum(sign) <> 0
		ORDER BY 2
		ON CONFLICT (band_start, slice) DO UPDATE SET candidates = c.candidates + EXCLUDED.candidates
	)
	INSERT INTO jobstream.candidate_skill_counts AS c
	SELECT $1, k.skill, sum(d.sign)
	FROM d, LATERAL (SELECT DISTINCT btrim(x) AS skill FROM unnest(d.skills) x) k
	WHERE k.skill <> ''
	GROUP BY 2
	HAVING sum(d.sign) <> 0
	ORDER BY 2
	ON CONFLICT (skill, slice) DO UPDATE SET candidates = c.candidates + EXCLUDED.candidates
	$q$, source)
$f$;
COMMENT ON FUNCTION jobstream.candidate_rollup_sql(text) IS 'The statement that adds signed candidates rows (a query with columns sign and r) to the candidate rollups; its parameter $1 is the slice';

-- The trigger functions ------------------------------------------------------------

-- Each checks the table that fired it with trigger_guard (10_security.sql).

CREATE FUNCTION jobstream.rollup_job_posts()
RETURNS trigger
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
SET timezone = 'UTC'
AS $$
BEGIN
	PERFORM jobstream.trigger_guard(TG_RELID, 'rollup_job_posts', '{jobstream.job_posts}');
	IF TG_OP = 'TRUNCATE' THEN
		TRUNCATE jobstream.post_facet_counts, jobstream.post_location_counts,
			jobstream.post_deadline_counts, jobstream.post_skill_counts;
	ELSE
		EXECUTE jobstream.post_rollup_sql(jobstream.rollup_delta(TG_OP, 'jobstream.job_posts'))
			USING jobstream.rollup_slice();
	END IF;
	PERFORM jobstream.rollup_changed('posts');
	RETURN NULL;
END
$$;
COMMENT ON FUNCTION jobstream.rollup_job_posts() IS 'Statement trigger on job_posts only: applies inserted, updated and deleted posts to the post rollups, and empties them on TRUNCATE';

CREATE FUNCTION jobstream.rollup_candidates()
RETURNS trigger
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
SET timezone = 'UTC'
AS $$
BEGIN
	PERFORM jobstream.trigger_guard(TG_RELID, 'rollup_candidates', '{jobstream.candidates}');
	IF TG_OP = 'TRUNCATE' THEN
		TRUNCATE jobstream.candidate_facet_counts, jobstream.candidate_salary_counts,
			jobstream.candidate_skill_counts;
	ELSE
		EXECUTE jobstream.candidate_rollup_sql(jobstream.rollup_delta(TG_OP, 'jobstream.candidates'))
			USING jobstream.rollup_slice();
	END IF;
	PERFORM jobstream.rollup_changed('candidates');
	RETURN NULL;
END
$$;
COMMENT ON FUNCTION jobstream.rollup_candidates() IS 'Statement trigger on candidates only: applies inserted, updated and deleted candidates to the candidate rollups, and empties them on TRUNCATE';

DROP TRIGGER rollup_insert ON jobstream.job_posts;
DROP TRIGGER rollup_update ON jobstream.job_posts;
DROP TRIGGER rollup_delete ON jobstream.job_posts;
DROP TRIGGER rollup_truncate ON jobstream.job_posts;
DROP TRIGGER rollup_insert ON jobstream.candidates;
DROP TRIGGER rollup_update ON jobstream.candidates;
DROP TRIGGER rollup_delete ON jobstream.candidates;
DROP TRIGGER rollup_truncate ON jobstream.candidates;

CREATE TRIGGER rollup_insert AFTER INSERT ON jobstream.job_posts
	REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION jobstream.rollup_job_posts();
CREATE TRIGGER rollup_update AFTER UPDATE ON jobstream.job_posts
	REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION jobstream.rollup_job_posts();
CREATE TRIGGER rollup_delete AFTER DELETE ON jobstream.job_posts
	REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION jobstream.rollup_job_posts();
CREATE TRIGGER rollup_truncate AFTER TRUNCATE ON jobstream.job_posts
	FOR EACH STATEMENT EXECUTE FUNCTION jobstream.rollup_job_posts();
CREATE TRIGGER rollup_insert AFTER INSERT ON jobstream.candidates
	REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION jobstream.rollup_candidates();
CREATE TRIGGER rollup_update AFTER UPDATE ON jobstream.candidates
	REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION jobstream.rollup_candidates();
CREATE TRIGGER rollup_delete AFTER DELETE ON jobstream.candidates
	REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION jobstream.rollup_candidates();
CREATE TRIGGER rollup_truncate AFTER TRUNCATE ON jobstream.candidates
	FOR EACH STATEMENT EXECUTE FUNCTION jobstream.rollup_candidates();

-- Rebuilding -------------------------------------------------------------------------

CREATE FUNCTION jobstream.rebuild_count_rollups()
RETURNS void
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
SET timezone = 'UTC'
AS $$
BEGIN
	LOCK TABLE jobstream.job_posts, jobstream.candidates IN SHARE MODE;
	TRUNCATE jobstream.post_facet_counts, jobstream.post_location_counts, jobstream.post_deadline_counts,
		jobstream.post_skill_counts, jobstream.candidate_facet_counts, jobstream.candidate_salary_counts,
		jobstream.candidate_skill_counts;
	EXECUTE jobstream.post_rollup_sql('SELECT 1 AS sign, t AS r FROM jobstream.job_posts t')
		USING jobstream.rollup_slice();
	EXECUTE jobstream.candidate_rollup_sql('SELECT 1 AS sign, t AS r FROM jobstream.candidates t')
		USING jobstream.rollup_slice();
	PERFORM jobstream.rollup_changed(f) FROM unnest(ARRAY['posts', 'candidates']) f;
END
$$;
COMMENT ON FUNCTION jobstream.rebuild_count_rollups() IS 'Recomputes the post and candidate rollups from job_posts and candidates (part of rebuild_rollups); blocks writers of those tables while it runs';
REVOKE ALL ON FUNCTION jobstream.rebuild_count_rollups() FROM PUBLIC;

-- The views of 0.2 that read the generic rollups go (70_views.sql makes
-- them again over the typed ones), then the generic rollups and their
-- functions.  Existing posts and candidates (an update from 0.2) enter the
-- typed rollups once.
DELETE FROM jobstream.refresh_state WHERE view_name::oid IN (
	'jobstream.market_kpis'::regclass, 'jobstream.top_categories'::regclass,
	'jobstream.posts_by_dimension'::regclass, 'jobstream.candidates_by_education'::regclass,
	'jobstream.expected_salary_histogram'::regclass, 'jobstream.posts_by_country'::regclass,
	'jobstream.posts_by_city'::regclass, 'jobstream.skill_demand'::regclass,
	'jobstream.skill_demand_by_country'::regclass, 'jobstream.skill_supply_demand'::regclass);
DROP VIEW jobstream.work_mode_breakdown, jobstream.employment_type_breakdown;
DROP MATERIALIZED VIEW jobstream.market_kpis, jobstream.top_categories, jobstream.posts_by_dimension,
	jobstream.candidates_by_education, jobstream.expected_salary_histogram, jobstream.posts_by_country,
	jobstream.posts_by_city, jobstream.skill_demand, jobstream.skill_demand_by_country,
	jobstream.skill_supply_demand;
DROP TABLE jobstream.post_counts, jobstream.candidate_counts;
DROP FUNCTION jobstream.rollup_counts(), jobstream.counts_delta_sql(text, text, text, text),
	jobstream.post_dimensions(jobstream.job_posts), jobstream.candidate_dimensions(jobstream.candidates);

SELECT jobstream.rebuild_count_rollups();
