-- Synthetic data generators (src/generate.c, src/generate_sql.c).
--
-- Each returns exactly the contract columns of its table, in table order,
-- so that INSERT INTO jobstream.<table> SELECT * FROM jobstream.generate_…
-- works (updated_at takes its default).  Rows are deterministic: the same
-- arguments and reference rows give the same rows; row i does not depend
-- on n.

CREATE FUNCTION jobstream.generate_job_posts(n bigint, seed bigint DEFAULT 0,
	as_of date DEFAULT '2025-01-01')
RETURNS TABLE (
	post_id uuid, company text, job_title text, job_category text, industry text,
	location_country text, location_city text, description text,
	required_skills text[], certifications text[], salary_min integer,
	salary_max integer, experience_level text, min_years_experience integer,
	employment_type text, work_mode text, platform text, posted_date date,
	deadline_date date)
AS 'MODULE_PATHNAME', 'jobstream_generate_job_posts'
LANGUAGE C STRICT STABLE PARALLEL SAFE ROWS 1000
SET search_path = pg_catalog, pg_temp;
COMMENT ON FUNCTION jobstream.generate_job_posts(bigint, bigint, date) IS
'Generates n realistic job posts from the reference tables, deterministically for a seed; posted in the 180 days up to as_of';

CREATE FUNCTION jobstream.generate_candidates(n bigint, seed bigint DEFAULT 0,
	as_of date DEFAULT '2025-01-01')
RETURNS TABLE (
	candidate_id uuid, full_name text, gender text, birth_year integer,
	nationality text, location_country text, location_city text,
	education_level text, graduation_year integer, gpa numeric,
	job_category text, current_company text, previous_companies text[],
	skills text[], certifications text[], experience_level text,
	years_experience integer, current_salary integer, expected_salary integer)
AS 'MODULE_PATHNAME', 'jobstream_generate_candidates'
LANGUAGE C STRICT STABLE PARALLEL SAFE ROWS 1000
SET search_path = pg_catalog, pg_temp;
COMMENT ON FUNCTION jobstream.generate_candidates(bigint, bigint, date) IS
'Generates n realistic candidates from the reference tables, deterministically for a seed; ages are counted in the year of as_of';

CREATE FUNCTION jobstream.generate_applications(n bigint, seed bigint DEFAULT 0)
RETURNS TABLE (
	application_id uuid, candidate_id uuid, post_id uuid, status text,
	compatibility_score numeric, applied_at timestamptz)
AS 'MODULE_PATHNAME', 'jobstream_generate_applications'
LANGUAGE C STRICT STABLE PARALLEL SAFE ROWS 1000
SET search_path = pg_catalog, pg_temp;
COMMENT ON FUNCTION jobstream.generate_applications(bigint, bigint) IS
'Generates n job applications of existing candidates to existing job posts (the first 500,000 of each by id), never twice the same pair nor a pair already in job_applications, scored by the compatibility rules; deterministic for a seed and the same tables';

CREATE FUNCTION jobstream.generate_tracking_events(n bigint, seed bigint,
	from_ts timestamptz, to_ts timestamptz)
RETURNS TABLE (
	event_id uuid, ts timestamptz, post_id uuid, company_id integer,
	campaign_id integer, group_id integer, publisher_id integer,
	custom_track text, bid numeric)
AS 'MODULE_PATHNAME', 'jobstream_generate_tracking_events'
LANGUAGE C STRICT STABLE PARALLEL SAFE ROWS 1000
SET search_path = pg_catalog, pg_temp;
COMMENT ON FUNCTION jobstream.generate_tracking_events(bigint, bigint, timestamptz, timestamptz) IS
'Generates n ad-campaign tracking events with ts in [from_ts, to_ts) for the job posts in job_posts (or, when it is empty, for the first 1,000 posts generate_job_posts would make with the seed), deterministically for a seed';

-- Generators cache the reference tables per backend; a change to one of
-- them invalidates the cache through this trigger.
CREATE FUNCTION jobstream.reference_changed()
RETURNS trigger
AS 'MODULE_PATHNAME', 'jobstream_reference_changed'
LANGUAGE C;
COMMENT ON FUNCTION jobstream.reference_changed() IS
'Trigger on the reference tables: tells every backend that the generators must reload them';

DO $$
DECLARE
	t text;
BEGIN
	FOREACH t IN ARRAY ARRAY['job_families', 'seniority_levels', 'job_titles',
		'family_skills', 'certifications', 'countries', 'cities',
		'employment_types', 'education_levels', 'work_modes', 'platforms',
		'companies', 'first_names', 'last_names']
	LOOP
		EXECUTE format('CREATE TRIGGER reference_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON jobstream.%I FOR EACH STATEMENT EXECUTE FUNCTION jobstream.reference_changed()', t);
	END LOOP;
END
$$;

REVOKE ALL ON FUNCTION jobstream.generate_job_posts(bigint, bigint, date),
	jobstream.generate_candidates(bigint, bigint, date),
	jobstream.generate_applications(bigint, bigint),
	jobstream.generate_tracking_events(bigint, bigint, timestamptz, timestamptz)
FROM PUBLIC;
GRANT EXECUTE ON FUNCTION jobstream.generate_job_posts(bigint, bigint, date),
	jobstream.generate_candidates(bigint, bigint, date),
	jobstream.generate_applications(bigint, bigint),
	jobstream.generate_tracking_events(bigint, bigint, timestamptz, timestamptz)
TO jobstream_writer;
